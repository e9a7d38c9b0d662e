package org.txcounter.core.hooks.jms;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.txcounter.core.hooks.jms.jakarta.CountingMessageListener;
import org.txcounter.core.hooks.jms.jakarta.MessageStamper;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.IngressCounter.Completion;
import org.txcounter.core.OwnDestinations;

/** The scenarios through the {@code jakarta.jms} adapter. Runs with only Artemis's jakarta client on the classpath. */
class JakartaJmsAdapterIT extends JmsAdapterScenarios {

    @Override
    Jms connect(IngressCounter ingress) throws Exception {
        ConnectionFactory factory = (ConnectionFactory) ArtemisClients.connectionFactory(BROKER_URL);
        Connection connection = factory.createConnection();
        connection.start();
        Session producerSession = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer producer = producerSession.createProducer(null);
        List<Session> consumerSessions = new ArrayList<>();
        return new Jms() {
            @Override
            public synchronized void send(String queue, String body, String stamp) throws JMSException {
                TextMessage message = producerSession.createTextMessage(body);
                if (stamp != null) {
                    message.setStringProperty(IngressCounter.JMS_PROPERTY, stamp);
                }
                producer.send(producerSession.createQueue(queue), message);
            }

            @Override
            public synchronized void sendStamped(String queue, String body) throws JMSException {
                producer.send(producerSession.createQueue(queue),
                        new MessageStamper(ingress, new OwnDestinations(Set.of(queue), List.of()))
                                .stamp(producerSession.createTextMessage(body), queue));
            }

            @Override
            public void consume(String queue, MessageHandler handler) throws JMSException {
                Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
                consumerSessions.add(session);
                MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
                Jms self = this;
                consumer.setMessageListener(new CountingMessageListener(ingress, queue, message -> {
                    try {
                        boolean ok = handler.handle(((TextMessage) message).getText(), message.getJMSRedelivered(),
                                self);
                        if (ok) {
                            session.commit();
                            ingress.completed();
                        } else {
                            ingress.rollingBack();
                            session.rollback();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, Completion.BY_LISTENER));
            }

            @Override
            public void close() throws JMSException {
                connection.close();
            }
        };
    }
}
