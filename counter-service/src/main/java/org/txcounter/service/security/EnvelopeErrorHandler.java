package org.txcounter.service.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.txcounter.service.json.Json;

/**
 * Answers the requests Jetty refuses before they reach a handler (headers too large, a malformed request line or
 * URI, a request that stopped) with the JSON error envelope of the management API, on both listeners, instead of
 * Jetty's HTML page, which names the exception. Every client mistake is a 4xx: an unknown HTTP version in the
 * request line (Jetty's 505, HTTP/0.9 among them) is answered 400 like every other malformed request line, and a
 * request whose connection ended or timed out before its headers were complete (Jetty's 500 with an
 * {@code EofException}, as when the header timeout closes it) is answered 408.
 *
 * <p>Stateless; safe for any number of threads.
 */
public final class EnvelopeErrorHandler extends ErrorHandler {

    private static final ObjectMapper JSON = Json.MAPPER;

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus() >= 400 ? response.getStatus() : 500;
        if (status >= 500 && stopped(request.getAttribute(ERROR_EXCEPTION))) {
            response.setStatus(HttpStatus.REQUEST_TIMEOUT_408);
            return envelope(response, callback, HttpStatus.REQUEST_TIMEOUT_408, "request_timeout", "The request "
                    + "ended before it was complete (its headers did not arrive in time, or the connection closed).");
        }
        if (status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
            status = HttpStatus.BAD_REQUEST_400;
            response.setStatus(status);
            return envelope(response, callback, status, "bad_request", "The request line names an HTTP version "
                    + "this service does not speak; send HTTP/1.1.");
        }
        String code = switch (status) {
            case 400 -> "bad_request";
            case 404 -> "not_found";
            case 413 -> "content_too_large";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            default -> status < 500 ? "bad_request" : "internal_error";
        };
        String reason = HttpStatus.getMessage(status);
        String message = switch (status) {
            case 414 -> "The request URI is too long.";
            case 431 -> "The request headers are too large (at most 8 KiB in all).";
            default -> status < 500 ? "The request is malformed: " + reason + "."
                    : "The request failed on the server; the log has the details.";
        };
        return envelope(response, callback, status, code, message);
    }

    /** Whether the failure is the request's own end: an end of stream or a timeout while it was being read. */
    private static boolean stopped(Object failure) {
        for (Throwable cause = failure instanceof Throwable t ? t : null; cause != null; cause = cause.getCause()) {
            if (cause instanceof EofException || cause instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static boolean envelope(Response response, Callback callback, int status, String code, String message) {
        byte[] body;
        try {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("status", status);
            error.put("code", code);
            error.put("message", message);
            body = JSON.writeValueAsBytes(Map.of("error", error));
        } catch (JsonProcessingException e) {
            body = ("{\"error\":{\"status\":" + status + "}}").getBytes(StandardCharsets.UTF_8);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
