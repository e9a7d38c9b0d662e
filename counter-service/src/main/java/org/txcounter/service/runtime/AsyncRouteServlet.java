package org.txcounter.service.runtime;

import jakarta.jms.JMSException;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.hooks.http.CountingFilter;

/**
 * An async passthrough route: puts the request body on a queue, stamped as already counted, and answers
 * {@code 202 Accepted}. The runtime's own inbound endpoint on that queue then does the work without counting the
 * message a second time.
 *
 * <p>The body is read without blocking: a client uploading slowly holds its connection, not one of the listener's
 * threads, so slow uploads cannot take the route from other clients (the listener's minimum data rate and idle
 * timeout end the slowest). A body over {@code maxBodyBytes} is answered 413 as soon as it passes the limit.
 *
 * <p>Thread safety: one instance serves every request of its route; each request's reading state is its own.
 */
final class AsyncRouteServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AsyncRouteServlet.class);

    private final transient JmsSender sender;
    private final String queue;
    private final int maxBodyBytes;
    private final transient Optional<IngressCounter> ingress;

    /**
     * @param maxBodyBytes {@code [jms] max_message_size}: a larger body is answered 413, never queued
     * @param ingress      the counter, to withdraw a request whose body was malformed; empty when counting is off
     */
    AsyncRouteServlet(JmsSender sender, String queue, int maxBodyBytes, Optional<IngressCounter> ingress) {
        this.sender = sender;
        this.queue = queue;
        this.maxBodyBytes = maxBodyBytes;
        this.ingress = ingress;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > maxBodyBytes) {
            tooLarge(response);
            return;
        }
        AsyncContext async = request.startAsync();
        // The listener's idle timeout and minimum data rate bound the upload; no second timer here.
        async.setTimeout(0);
        ServletInputStream in = request.getInputStream();
        in.setReadListener(new BodyReader(request, response, async, in));
    }

    private void tooLarge(HttpServletResponse response) throws IOException {
        response.setHeader("Connection", "close");
        RuntimeErrors.send(response, 413, "payload_too_large",
                "The request body is larger than " + maxBodyBytes + " bytes, the most an async route queues.");
    }

    /** Reads one request's body as it arrives, on whatever thread the container calls it from. */
    private final class BodyReader implements ReadListener {
        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private final AsyncContext async;
        private final ServletInputStream in;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private final byte[] buffer = new byte[8192];
        private boolean done;

        BodyReader(HttpServletRequest request, HttpServletResponse response, AsyncContext async,
                ServletInputStream in) {
            this.request = request;
            this.response = response;
            this.async = async;
            this.in = in;
        }

        @Override
        public void onDataAvailable() throws IOException {
            while (!done && in.isReady()) {
                int read = in.read(buffer);
                if (read < 0) {
                    return;
                }
                body.write(buffer, 0, read);
                if (body.size() > maxBodyBytes) {
                    done = true;
                    tooLarge(response);
                    async.complete();
                    return;
                }
            }
        }

        @Override
        public void onAllDataRead() throws IOException {
            if (done) {
                return;
            }
            done = true;
            // The body arrived on a container thread: it is sent on as from the request the filter took in.
            IngressCounter.Scope resumed = ingress.flatMap(counting -> CountingFilter.resume(request, counting))
                    .orElse(null);
            try {
                String messageId;
                try {
                    messageId = sender.send(queue, body.toByteArray(), request.getContentType());
                } catch (JMSException | RuntimeException e) {
                    LOG.error("Could not put a request for {} on queue {}: {}", request.getRequestURI(), queue,
                            e.toString());
                    RuntimeErrors.send(response, 503, "queue_unavailable",
                            "The request could not be queued; the broker is not reachable. Try again later.");
                    return;
                }
                response.setStatus(HttpServletResponse.SC_ACCEPTED);
                response.setContentType("application/json");
                response.getOutputStream().write(("{\"queue\":\"" + queue + "\",\"messageId\":\"" + messageId
                        + "\"}").getBytes(StandardCharsets.UTF_8));
            } finally {
                if (resumed != null) {
                    resumed.close();
                }
                async.complete();
            }
        }

        @Override
        public void onError(Throwable failure) {
            // The upload failed (too slow, cut off, malformed): nothing was queued.
            done = true;
            try {
                if (RuntimeErrors.clientMistake(failure)) {
                    // The client's mistake: answered 400 and no transaction.
                    ingress.ifPresent(counting -> CountingFilter.refused(request, counting));
                    if (!response.isCommitted()) {
                        response.setHeader("Connection", "close");
                        RuntimeErrors.send(response, 400, "bad_request", "The request body is malformed (its "
                                + "chunked encoding or its length); it was not queued.");
                    }
                }
            } catch (IOException e) {
                // The client is gone.
            } finally {
                async.complete();
            }
        }
    }
}
