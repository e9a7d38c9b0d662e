package org.txcounter.core.hooks.jms.javax;

import javax.jms.JMSException;
import javax.jms.Message;
import javax.jms.MessageListener;
import java.util.Objects;
import org.txcounter.core.ingress.IngressCounter;

/**
 * Wraps the {@code javax.jms} listener of an inbound endpoint so that every message is counted as it arrives,
 * before the endpoint's own listener runs. For {@code jakarta.jms} runtimes use the twin in
 * {@code org.txcounter.core.hooks.jms.jakarta}; both delegate the decision to {@link IngressCounter}.
 *
 * <pre>{@code
 * consumer.setMessageListener(new CountingMessageListener(ingress, "orders", endpointListener));
 * }</pre>
 *
 * <p>The queue is the one the consumer was created on: a stamp is honoured only on the queue it was issued for.
 * Thread-safe if the delegate is.
 */
public final class CountingMessageListener implements MessageListener {

    private final IngressCounter ingress;
    private final String queue;
    private final MessageListener delegate;

    /** @param queue the queue the consumer takes messages from */
    public CountingMessageListener(IngressCounter ingress, String queue, MessageListener delegate) {
        this.ingress = Objects.requireNonNull(ingress, "ingress");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public void onMessage(Message message) {
        try (IngressCounter.Scope scope = JavaxMessages.enter(ingress, queue, message)) {
            delegate.onMessage(message);
        }
    }

    /**
     * Counts a message received synchronously ({@code consumer.receive()}) from {@code queue}; close the scope
     * when handled.
     */
    public static IngressCounter.Scope received(IngressCounter ingress, String queue, Message message) {
        return JavaxMessages.enter(ingress, queue, message);
    }

    static final class JavaxMessages {
        private JavaxMessages() {
        }

        static IngressCounter.Scope enter(IngressCounter ingress, String queue, Message message) {
            String stamp;
            String id;
            boolean redelivered;
            try {
                stamp = message.getStringProperty(IngressCounter.JMS_PROPERTY);
            } catch (JMSException | RuntimeException e) {
                stamp = null;
            }
            try {
                id = message.getJMSMessageID();
                redelivered = message.getJMSRedelivered();
            } catch (JMSException e) {
                id = null;
                redelivered = false;
            }
            return ingress.jmsMessage(queue, stamp, id, redelivered);
        }
    }
}
