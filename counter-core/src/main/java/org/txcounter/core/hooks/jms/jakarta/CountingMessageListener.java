package org.txcounter.core.hooks.jms.jakarta;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import java.util.Objects;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.IngressCounter.Completion;
import org.txcounter.core.hooks.jms.JmsIngress;

/**
 * Wraps the {@code jakarta.jms} listener of an inbound endpoint so that every message is counted as it arrives,
 * before the endpoint's own listener runs. For {@code javax.jms} runtimes use the twin in
 * {@code org.txcounter.core.hooks.jms.javax}; both delegate the decision to {@link IngressCounter}
 * through {@link JmsIngress}, which holds what they share.
 *
 * <p>The listener must know how its session completes a message, because a message counted and not completed is
 * remembered, and its redelivery is not counted again:
 * <pre>{@code
 * // AUTO_ACKNOWLEDGE: returning normally completes the message
 * consumer.setMessageListener(new CountingMessageListener(ingress, "orders", endpointListener,
 *         Completion.ON_RETURN));
 *
 * // SESSION_TRANSACTED: the endpoint's listener says when it commits or rolls back
 * consumer.setMessageListener(new CountingMessageListener(ingress, "orders", message -> {
 *     if (forward(message)) {
 *         session.commit();
 *         ingress.completed();       // after the commit returned
 *     } else {
 *         ingress.rollingBack();     // before the rollback: the redelivery may reach another consumer first
 *         session.rollback();
 *     }
 * }, Completion.BY_LISTENER));
 * }</pre>
 *
 * <p>The queue is the one the consumer was created on: a stamp is honoured only on the queue it was issued for.
 *
 * <p>Thread-safe, like the listener it wraps: each call works on the calling thread only.
 */
// Its signatures name jakarta.messaging types: a host that uses this hook has that API (the module
// requires it static only), and one that does not need not have it, even to compile.
@SuppressWarnings("exports")
public final class CountingMessageListener implements MessageListener {

    /** What the ingress decision reads of a {@code jakarta.jms} message. */
    private static final JmsIngress.MessageView<Message> VIEW = new JmsIngress.MessageView<>() {
        @Override
        public String stamp(Message message) throws JMSException {
            return message.getStringProperty(IngressCounter.JMS_PROPERTY);
        }

        @Override
        public String id(Message message) throws JMSException {
            return message.getJMSMessageID();
        }
    };

    private final IngressCounter ingress;
    private final String queue;
    private final MessageListener delegate;
    private final Completion completion;

    /** @param queue the queue the consumer takes messages from */
    public CountingMessageListener(IngressCounter ingress, String queue, MessageListener delegate,
            Completion completion) {
        this.ingress = Objects.requireNonNull(ingress, "ingress");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.completion = Objects.requireNonNull(completion, "completion");
    }

    @Override
    public void onMessage(Message message) {
        try (IngressCounter.Scope scope = JmsIngress.enter(ingress, queue, message, VIEW)) {
            delegate.onMessage(message);
            if (completion == Completion.ON_RETURN) {
                scope.complete();
            }
        }
    }

    /**
     * Counts a message received synchronously ({@code consumer.receive()}) from {@code queue}. Call
     * {@link IngressCounter.Scope#complete()} after the message was committed or acknowledged (or
     * {@link IngressCounter.Scope#rollingBack()} before a rollback), and close the scope when it is handled.
     */
    public static IngressCounter.Scope received(IngressCounter ingress, String queue, Message message) {
        return JmsIngress.enter(ingress, queue, message, VIEW);
    }
}
