package org.txcounter.mi;

import java.util.Map;
import java.util.TreeMap;
import org.apache.axis2.addressing.EndpointReference;
import org.apache.synapse.core.axis2.Axis2MessageContext;

/** Message contexts as MI's transports and inbound endpoints hand them to the handler: real axis2 contexts. */
final class MiFlows {

    private MiFlows() {
    }

    /** A request entering a REST API or proxy through the passthrough over {@code transport} (http or https). */
    static Axis2MessageContext apiRequest(String transport) {
        return context(transport, new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
    }

    /** A message entering a JMS proxy from {@code queue}; the JMS transport writes the flag as a string. */
    static Axis2MessageContext jmsProxy(String queue, String messageId, String redelivered, String stamp) {
        Map<String, Object> headers = new TreeMap<>();
        headers.put(TransactionCounterHandler.JMS_DESTINATION, "queue://" + queue);
        headers.put(TransactionCounterHandler.JMS_MESSAGE_ID, messageId);
        headers.put(TransactionCounterHandler.JMS_REDELIVERED, redelivered);
        if (stamp != null) {
            headers.put("TxnCounterStamp", stamp);
        }
        return context("jms", headers);
    }

    /** A message entering a JMS inbound endpoint: no incoming transport, the flag a Boolean. */
    static Axis2MessageContext inboundEndpoint(String name, String queue, String messageId, boolean redelivered) {
        Map<String, Object> headers = new TreeMap<>();
        headers.put(TransactionCounterHandler.JMS_DESTINATION, "ActiveMQQueue[" + queue + "]");
        headers.put(TransactionCounterHandler.JMS_MESSAGE_ID, messageId);
        headers.put(TransactionCounterHandler.JMS_REDELIVERED, redelivered);
        Axis2MessageContext synCtx = context(null, headers);
        synCtx.setProperty(TransactionCounterHandler.IS_INBOUND, true);
        synCtx.setProperty(TransactionCounterHandler.INBOUND_ENDPOINT_NAME, name);
        return synCtx;
    }

    /** The same context on its way out, to {@code address} (a send or call mediator's endpoint). */
    static Axis2MessageContext sendingTo(Axis2MessageContext synCtx, String address) {
        synCtx.getAxis2MessageContext().setTo(new EndpointReference(address));
        return synCtx;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> headers(Axis2MessageContext synCtx) {
        return (Map<String, Object>) synCtx.getAxis2MessageContext()
                .getProperty(org.apache.axis2.context.MessageContext.TRANSPORT_HEADERS);
    }

    private static Axis2MessageContext context(String transport, Map<String, Object> headers) {
        org.apache.axis2.context.MessageContext axis2 = new org.apache.axis2.context.MessageContext();
        axis2.setIncomingTransportName(transport);
        axis2.setProperty(org.apache.axis2.context.MessageContext.TRANSPORT_HEADERS, headers);
        return new Axis2MessageContext(axis2, null, null);
    }
}
