package org.txcounter.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The one shape of every error response: {@code {"error":{"status":400,"code":"invalid_parameter",
 * "parameter":"month","message":"..."}}}.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 */
record ErrorEnvelope(Body error) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Body(int status, String code, String parameter, String message) {
    }

    static ErrorEnvelope of(int status, String code, String parameter, String message) {
        return new ErrorEnvelope(new Body(status, code, parameter, message));
    }
}
