package org.txcounter.core.hooks.jms;

/**
 * Artemis ships its {@code jakarta.jms} and {@code javax.jms} clients as two jars with the same class names, so the
 * two adapter tests run in separate Failsafe executions, each with one client on the classpath (see the pom). The
 * connection factory is therefore created by name: whichever client is present provides it.
 */
final class ArtemisClients {

    private ArtemisClients() {
    }

    static Object connectionFactory(String url) throws ReflectiveOperationException {
        return Class.forName("org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory")
                .getConstructor(String.class)
                .newInstance(url);
    }
}
