package org.txcounter.service.api;

/**
 * A request the API refuses, with the status and the envelope fields to send. Thrown by handlers and turned into
 * the error envelope by {@link ManagementApi}.
 *
 * <p>Created and thrown on one thread; carries only values fixed at construction.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String parameter;

    ApiException(int status, String code, String parameter, String message) {
        super(message);
        this.status = status;
        this.code = code;
        this.parameter = parameter;
    }

    static ApiException invalid(String parameter, String message) {
        return new ApiException(400, "invalid_parameter", parameter, message);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    /** The query parameter at fault, or {@code null} when the error is not about one. */
    String parameter() {
        return parameter;
    }
}
