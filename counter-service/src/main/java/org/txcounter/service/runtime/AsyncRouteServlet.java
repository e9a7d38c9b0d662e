package org.txcounter.service.runtime;

import jakarta.jms.JMSException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An async passthrough route: puts the request body on a queue, stamped as already counted, and answers
 * {@code 202 Accepted}. The runtime's own inbound endpoint on that queue then does the work without counting the
 * message a second time.
 */
final class AsyncRouteServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AsyncRouteServlet.class);

    private final transient JmsSender sender;
    private final String queue;
    private final int maxBodyBytes;

    /** @param maxBodyBytes {@code [jms] max_message_size}: a larger body is answered 413, never queued */
    AsyncRouteServlet(JmsSender sender, String queue, int maxBodyBytes) {
        this.sender = sender;
        this.queue = queue;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(maxBodyBytes + 1);
        }
        if (body.length > maxBodyBytes) {
            RuntimeErrors.send(response, 413, "payload_too_large",
                    "The request body is larger than " + maxBodyBytes + " bytes, the most an async route queues.");
            return;
        }
        String messageId;
        try {
            messageId = sender.send(queue, body, request.getContentType());
        } catch (JMSException | RuntimeException e) {
            LOG.error("Could not put a request for {} on queue {}: {}", request.getRequestURI(), queue, e.toString());
            RuntimeErrors.send(response, 503, "queue_unavailable",
                    "The request could not be queued; the broker is not reachable. Try again later.");
            return;
        }
        response.setStatus(HttpServletResponse.SC_ACCEPTED);
        response.setContentType("application/json");
        response.getOutputStream().write(("{\"queue\":\"" + queue + "\",\"messageId\":\"" + messageId + "\"}")
                .getBytes(StandardCharsets.UTF_8));
    }
}
