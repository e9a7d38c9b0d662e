package org.txcounter.service.runtime;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpException;

/**
 * The runtime's own error answers, in the same envelope as the management API's.
 *
 * <p>Stateless; safe for any number of threads. Its servlet answers every unrouted request at once and only adds to the
 * thread-safe RoutingStats.
 */
final class RuntimeErrors {

    private RuntimeErrors() {
    }

    /**
     * Whether a failure while reading a request body was the client's own mistake (Jetty's 4xx: a malformed chunk, a
     * body shorter than its Content-Length), to be answered 400 and withdrawn from the count.
     */
    static boolean clientMistake(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpException http && http.getCode() / 100 == 4) {
                return true;
            }
        }
        return false;
    }

    static void send(HttpServletResponse response, int status, String code, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        String body = "{\"error\":{\"status\":" + status + ",\"code\":\"" + code + "\",\"message\":\""
                + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}}";
        response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    }

    /** Answers 404 for paths no route covers, and records them; the counting filter never sees them. */
    static final class NoRouteServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        private final transient RoutingStats routing;

        NoRouteServlet(RoutingStats routing) {
            this.routing = routing;
        }

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            routing.unrouted();
            send(response, 404, "no_route", "No passthrough route covers this path.");
        }
    }
}
