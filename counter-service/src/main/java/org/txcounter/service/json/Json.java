package org.txcounter.service.json;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The service's one Jackson mapper, with Jackson's defaults, for everything it reads and writes as JSON itself:
 * statements and their canonical form, the CLI's reading of API answers, error envelopes, quota alerts. (The
 * management API's responses are written by Javalin's own mapper.)
 *
 * <p>Thread-safe: configured here once and then only used to read and write, which Jackson allows from any number
 * of threads. A package of its own, which imports nothing of the service: every package may use it.
 */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }
}
