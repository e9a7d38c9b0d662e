package org.txcounter.core.hooks.jms;

import org.txcounter.core.IngressCounter;

/**
 * What the counting listeners of {@code jakarta.jms} and {@code javax.jms} share: a message taken in through the
 * ingress decision, which needs two things of it, read through a {@link MessageView} of the API's message: the stamp
 * property ({@link IngressCounter#JMS_PROPERTY}) and the message id. A stamp the provider cannot read (a property of
 * another type, a provider error) is taken as none, so the message is counted; an id it cannot give is taken as
 * none, so the message is counted and not remembered for redelivery.
 *
 * <p>Not exported: the listeners in {@code hooks.jms.jakarta} and {@code hooks.jms.javax} are the API.
 *
 * <p>Thread-safe: stateless.
 */
public final class JmsIngress {

    private JmsIngress() {
    }

    /**
     * How one JMS API's message gives what the decision reads. Each API implements it once, as a constant, so that
     * taking a message in allocates nothing for the view.
     */
    public interface MessageView<M> {
        /** The stamp property, or null. */
        String stamp(M message) throws Exception;

        /** The message id, or null. */
        String id(M message) throws Exception;
    }

    /** Takes {@code message}, received from {@code queue}, in: see {@link IngressCounter#jmsMessage}. */
    public static <M> IngressCounter.Scope enter(IngressCounter ingress, String queue, M message,
            MessageView<M> view) {
        String stamp;
        try {
            stamp = view.stamp(message);
        } catch (Exception e) {
            stamp = null;
        }
        String id;
        try {
            id = view.id(message);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            id = null;
        }
        return ingress.jmsMessage(queue, stamp, id);
    }
}
