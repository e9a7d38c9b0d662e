package org.txcounter.service.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The OpenAPI 3.1 description of the management API, served at {@code /openapi.json}.
 *
 * <p>Stateless; safe for any number of threads.
 */
final class OpenApiDocument {

    static final String RESOURCE = "openapi.json";
    private static final String DOCUMENT = load();

    private OpenApiDocument() {
    }

    static String json() {
        return DOCUMENT;
    }

    private static String load() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("The OpenAPI document " + RESOURCE + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
