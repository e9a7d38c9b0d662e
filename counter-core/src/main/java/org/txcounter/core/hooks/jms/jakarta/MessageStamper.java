package org.txcounter.core.hooks.jms.jakarta;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import java.util.Objects;
import java.util.Optional;
import org.txcounter.core.ingress.IngressCounter;

/**
 * Stamps a {@code jakarta.jms} message the runtime is about to send while it handles an inbound transaction, so
 * that the runtime's own consumer does not count it again. Call it just before {@code producer.send(message)}.
 */
public final class MessageStamper {

    private final IngressCounter ingress;

    public MessageStamper(IngressCounter ingress) {
        this.ingress = Objects.requireNonNull(ingress, "ingress");
    }

    /** Sets the stamp property if the current thread is handling an inbound transaction; returns the message. */
    public <M extends Message> M stamp(M message) throws JMSException {
        Optional<String> stamp = ingress.currentStamp();
        if (stamp.isPresent()) {
            message.setStringProperty(IngressCounter.JMS_PROPERTY, stamp.get());
        }
        return message;
    }
}
