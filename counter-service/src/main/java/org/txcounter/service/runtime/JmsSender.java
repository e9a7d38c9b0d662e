package org.txcounter.service.runtime;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.txcounter.core.hooks.jms.jakarta.MessageStamper;

/**
 * Puts messages on queues from request threads. JMS sessions are single-threaded, so each send borrows a session
 * from a small pool; all of them share the runtime's one connection. Thread-safe.
 */
final class JmsSender implements AutoCloseable {

    static final String CONTENT_TYPE_PROPERTY = "TxnContentType";

    private final JMSContext connection;
    private final Optional<MessageStamper> stamper;
    private final BlockingQueue<JMSContext> idle;

    JmsSender(JMSContext connection, Optional<MessageStamper> stamper, int poolSize) {
        this.connection = connection;
        this.stamper = stamper;
        this.idle = new ArrayBlockingQueue<>(poolSize);
    }

    /**
     * Sends the body, stamped if the current thread handles an inbound transaction and the deployment consumes
     * {@code queueName} itself; returns the message id.
     */
    String send(String queueName, byte[] body, String contentType) throws JMSException {
        JMSContext session = idle.poll();
        if (session == null) {
            session = connection.createContext(JMSContext.AUTO_ACKNOWLEDGE);
        }
        boolean healthy = false;
        try {
            Queue queue = session.createQueue(queueName);
            BytesMessage message = session.createBytesMessage();
            message.writeBytes(body);
            if (contentType != null) {
                message.setStringProperty(CONTENT_TYPE_PROPERTY, contentType);
            }
            if (stamper.isPresent()) {
                stamper.get().stamp(message, queueName);
            }
            session.createProducer().send(queue, message);
            healthy = true;
            return message.getJMSMessageID();
        } finally {
            if (!healthy || !idle.offer(session)) {
                session.close();
            }
        }
    }

    @Override
    public void close() {
        for (JMSContext session = idle.poll(); session != null; session = idle.poll()) {
            session.close();
        }
    }
}
