package org.txcounter.service.runtime;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.IngressCounter.Completion;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.OwnDestinations;
import org.txcounter.core.hooks.jms.jakarta.CountingMessageListener;
import org.txcounter.core.hooks.jms.jakarta.MessageStamper;
import org.txcounter.service.config.RuntimeConfig;

/**
 * One JMS inbound endpoint: consumes a queue in transacted sessions, counts each message through
 * {@link CountingMessageListener}, and forwards it to an HTTP backend or to another queue. A message is
 * committed only when the forward succeeded; otherwise it is rolled back and the broker delivers it again, and
 * the redelivery is recognised and not counted twice. The counter learns of each commit after it returned, so a
 * message is remembered as in flight (and journaled) until the broker has it committed. A forward is stamped only
 * when it goes to a destination the deployment consumes itself (an own queue, a peer node); the message's own
 * stamp, if any, is never passed on.
 *
 * <p>Each consumer has its own session and its own listener thread; a session is used by its thread only.
 */
final class InboundEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InboundEndpoint.class);
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(30);

    private final RuntimeConfig.InboundEndpoint config;
    private final int maxMessageSize;
    private final List<JMSContext> sessions = new ArrayList<>();
    private final HttpClient http;
    private final Optional<IngressCounter> ingress;
    private final OwnDestinations own;

    private InboundEndpoint(RuntimeConfig.InboundEndpoint config, int maxMessageSize, HttpClient http,
            Optional<IngressCounter> ingress, OwnDestinations own) {
        this.config = config;
        this.maxMessageSize = maxMessageSize;
        this.http = http;
        this.ingress = ingress;
        this.own = own;
    }

    /**
     * @param maxMessageSize the largest body read: a larger message is rolled back unread
     * @param selector       the consumers' selector: the embedded broker's leaves oversized messages to the broker,
     *                       which dead-letters them without any delivery; empty for an external broker
     * @param own            the deployment's own destinations: only a forward to one of them is stamped
     */
    static InboundEndpoint start(RuntimeConfig.InboundEndpoint config, int maxMessageSize, Optional<String> selector,
            JMSContext connection, Optional<IngressCounter> ingress, OwnDestinations own, HttpClient http) {
        InboundEndpoint endpoint = new InboundEndpoint(config, maxMessageSize, http, ingress, own);
        Optional<MessageStamper> stamper = ingress.map(counting -> new MessageStamper(counting, own));
        for (int i = 0; i < config.concurrency(); i++) {
            JMSContext session = connection.createContext(JMSContext.SESSION_TRANSACTED);
            endpoint.sessions.add(session);
            JMSConsumer consumer = session.createConsumer(session.createQueue(config.queue()), selector.orElse(null));
            MessageListener handler = message -> endpoint.handle(session, stamper, ingress, message);
            consumer.setMessageListener(ingress.<MessageListener>map(counting ->
                    new CountingMessageListener(counting, config.queue(), handler, Completion.BY_LISTENER))
                    .orElse(handler));
        }
        LOG.info("Inbound endpoint {} consumes queue {} with {} consumer(s) and forwards to {}.", config.name(),
                config.queue(), config.concurrency(), config.forwardTo().map(URI::toString)
                        .orElseGet(() -> "queue " + config.forwardToQueue().orElseThrow()));
        return endpoint;
    }

    private void handle(JMSContext session, Optional<MessageStamper> stamper, Optional<IngressCounter> ingress,
            Message message) {
        boolean done = false;
        try {
            long size = bodySize(message);
            if (size > maxMessageSize) {
                refuseOversized(message, size);
                return;
            }
            byte[] body = body(message);
            String contentType = message.getStringProperty(JmsSender.CONTENT_TYPE_PROPERTY);
            if (config.forwardTo().isPresent()) {
                done = forwardOverHttp(body, contentType, message.getJMSMessageID());
            } else {
                BytesMessage copy = session.createBytesMessage();
                copy.writeBytes(body);
                if (contentType != null) {
                    copy.setStringProperty(JmsSender.CONTENT_TYPE_PROPERTY, contentType);
                }
                if (stamper.isPresent()) {
                    stamper.get().stamp(copy, config.forwardToQueue().orElseThrow());
                }
                session.createProducer().send(session.createQueue(config.forwardToQueue().orElseThrow()), copy);
                done = true;
            }
        } catch (JMSException | IOException | RuntimeException e) {
            LOG.warn("Endpoint {} could not forward message from queue {}: {}. The message is rolled back and "
                    + "delivered again.", config.name(), config.queue(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            settle(session, ingress, done);
        }
    }

    /** Commits a forwarded message, rolls back any other, and tells the counter which. */
    private static void settle(JMSContext session, Optional<IngressCounter> ingress, boolean done) {
        if (done) {
            session.commit();
            // Only now is the message the broker's no longer: until here a crash or rollback brings it back.
            ingress.ifPresent(IngressCounter::completed);
        } else {
            // Before the rollback: the broker may redeliver to another of the endpoint's consumers at once.
            ingress.ifPresent(IngressCounter::rollingBack);
            session.rollback();
        }
    }

    private boolean forwardOverHttp(byte[] body, String contentType, String messageId)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(config.forwardTo().orElseThrow())
                .timeout(FORWARD_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        // Only a peer node of the deployment gets a stamp, for itself alone; any other backend gets none.
        ingress.flatMap(counting -> own.http(config.forwardTo().orElseThrow()).flatMap(counting::stampFor))
                .ifPresent(stamp -> request.header(IngressCounter.HTTP_HEADER, stamp));
        HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 == 2) {
            return true;
        }
        LOG.warn("Endpoint {}: {} answered {} for message {}; it is rolled back and delivered again.",
                config.name(), config.forwardTo().orElseThrow(), response.statusCode(), messageId);
        return false;
    }

    /**
     * The body's size as the message states it, read before the body: a streamed {@code BytesMessage} is not in
     * memory yet. A text message is (the JMS client reads it before the listener runs).
     */
    private static long bodySize(Message message) throws JMSException {
        if (message instanceof BytesMessage bytes) {
            return bytes.getBodyLength();
        }
        if (message instanceof TextMessage text) {
            String value = text.getText();
            return value == null ? 0 : value.length();
        }
        return 0;
    }

    /**
     * A message larger than the limit from an external broker: rolled back unread, so that the broker's redelivery
     * limit moves it to its dead-letter queue; its redeliveries are not counted again. Logged at its first delivery.
     */
    private void refuseOversized(Message message, long size) throws JMSException {
        if (!message.getJMSRedelivered()) {
            LOG.warn("Endpoint {}: message {} on queue {} has a {}-byte body, over [jms] max_message_size = {} "
                    + "bytes. It is counted once and rolled back unread at every delivery until the broker "
                    + "dead-letters it. Raise max_message_size if messages this large are expected.", config.name(),
                    message.getJMSMessageID(), config.queue(), size, maxMessageSize);
        }
    }

    private static byte[] body(Message message) throws JMSException {
        if (message instanceof BytesMessage bytes) {
            byte[] body = new byte[(int) bytes.getBodyLength()];
            bytes.readBytes(body);
            return body;
        }
        if (message instanceof TextMessage text) {
            String value = text.getText();
            return value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
        }
        return message.getBody(byte[].class);
    }

    @Override
    public void close() {
        for (JMSContext session : sessions) {
            session.close();
        }
    }
}
