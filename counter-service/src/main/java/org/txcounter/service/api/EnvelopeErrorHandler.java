package org.txcounter.service.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the requests Jetty refuses before they reach the API (headers too large, a malformed request line or
 * URI) with the same JSON envelope as the API, instead of Jetty's HTML page. An unknown HTTP version in the request
 * line (Jetty's 505) is the caller's mistake and answered 400, like every other malformed request line.
 *
 * <p>Stateless; safe for any number of threads.
 */
final class EnvelopeErrorHandler extends ErrorHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus() >= 400 ? response.getStatus() : 500;
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

    private static boolean envelope(Response response, Callback callback, int status, String code, String message) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(ErrorEnvelope.of(status, code, null, message));
        } catch (JsonProcessingException e) {
            body = ("{\"error\":{\"status\":" + status + "}}").getBytes(StandardCharsets.UTF_8);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
