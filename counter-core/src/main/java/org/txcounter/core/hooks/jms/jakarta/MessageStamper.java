package org.txcounter.core.hooks.jms.jakarta;

import jakarta.jms.JMSException;
import jakarta.jms.Message;
import java.util.Objects;
import java.util.Optional;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.OwnDestinations;

/**
 * Stamps a {@code jakarta.jms} message the runtime is about to send while it handles an inbound transaction, so
 * that the deployment's own consumer does not count it again. Call it just before {@code producer.send(message)}.
 * Only a message for a queue the deployment consumes itself ({@link OwnDestinations}) is stamped, with a stamp
 * for that queue alone; a message for any other queue goes out without one.
 *
 * <p>Thread-safe.
 */
// Its signatures name jakarta.messaging types: a host that uses this hook has that API (the module
// requires it static only), and one that does not need not have it, even to compile.
@SuppressWarnings("exports")
public final class MessageStamper {

    private final IngressCounter ingress;
    private final OwnDestinations own;

    public MessageStamper(IngressCounter ingress, OwnDestinations own) {
        this.ingress = Objects.requireNonNull(ingress, "ingress");
        this.own = Objects.requireNonNull(own, "own");
    }

    /**
     * Sets the stamp property if the current thread is handling an inbound transaction and {@code queue} is one
     * of the deployment's own; returns the message. Pass a message the runtime created, never an inbound one
     * passed on as it is: a stamp an outside producer put on it would travel with it.
     */
    public <M extends Message> M stamp(M message, String queue) throws JMSException {
        Optional<String> stamp = own.queue(queue).flatMap(ingress::stampFor);
        if (stamp.isPresent()) {
            message.setStringProperty(IngressCounter.JMS_PROPERTY, stamp.get());
        }
        return message;
    }
}
