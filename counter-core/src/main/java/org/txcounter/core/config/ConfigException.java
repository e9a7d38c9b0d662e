package org.txcounter.core.config;

/**
 * A configuration that cannot be used. The message names the file, the line, the key, the value found and what
 * was expected, so an operator can fix it without reading code.
 *
 * <p>Created and thrown on one thread; carries only values fixed at construction.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
