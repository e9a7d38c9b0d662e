package org.txcounter.service.statement;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.txcounter.service.json.Json;

/**
 * The canonical form of a JSON value that statements are signed over: object members sorted by name (by UTF-16
 * code units), no white space, strings escaped as Jackson escapes them, numbers only as integers, UTF-8. Two
 * documents with the same content have the same canonical bytes however they are formatted; any change of content
 * changes them.
 *
 * <p>Stateless and thread-safe.
 */
public final class CanonicalJson {

    private static final ObjectMapper JSON = Json.MAPPER;

    private CanonicalJson() {
    }

    /** The canonical UTF-8 bytes of {@code value}. */
    public static byte[] bytes(JsonNode value) {
        return text(value).getBytes(StandardCharsets.UTF_8);
    }

    /** The canonical text of {@code value}. */
    public static String text(JsonNode value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(JsonNode value, StringBuilder out) {
        if (value.isObject()) {
            List<String> names = new ArrayList<>();
            value.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            out.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(quote(names.get(i))).append(':');
                write(value.get(names.get(i)), out);
            }
            out.append('}');
        } else if (value.isArray()) {
            out.append('[');
            for (int i = 0; i < value.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(value.get(i), out);
            }
            out.append(']');
        } else if (value.isTextual()) {
            out.append(quote(value.textValue()));
        } else if (value.isIntegralNumber()) {
            out.append(value.bigIntegerValue());
        } else if (value.isBoolean() || value.isNull()) {
            out.append(value.asText());
        } else {
            throw new IllegalArgumentException("A statement holds only integers, strings, booleans, null, objects and "
                    + "arrays; found " + value.getNodeType() + " " + value);
        }
    }

    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a JSON string", e);
        }
    }
}
