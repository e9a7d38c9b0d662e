package org.txcounter.mi;

import java.util.Map;
import java.util.TreeMap;
import org.apache.axis2.addressing.EndpointReference;
import org.apache.synapse.config.SynapseConfiguration;
import org.apache.synapse.core.axis2.Axis2MessageContext;
import org.apache.synapse.endpoints.AbstractEndpoint;
import org.apache.synapse.endpoints.EndpointDefinition;
import org.apache.synapse.inbound.InboundEndpoint;

/**
 * Message contexts as MI's transports, inbound endpoints and senders hand them to the handler, each step
 * reproducing the MI source it names (wso2-synapse v4.0.0-wso2v215 unless said otherwise). What MI leaves unset at a
 * step stays unset here: above all {@code To} in the request out-flow, which is still the incoming request's.
 */
final class MiFlows {

    private MiFlows() {
    }

    /** MI's deployed artifacts: inbound endpoints by name, with their protocol (SynapseConfiguration l.398-409). */
    static SynapseConfiguration configuration() {
        return new SynapseConfiguration();
    }

    /** Deploys an inbound endpoint: {@code protocol} as in {@code <inboundEndpoint protocol=...>}, null for a class. */
    static void deployInbound(SynapseConfiguration configuration, String name, String protocol) {
        InboundEndpoint endpoint = new InboundEndpoint();
        endpoint.setName(name);
        endpoint.setProtocol(protocol);
        if (protocol == null) {
            endpoint.setClassImpl("com.example.CustomPollingConsumer");
        }
        configuration.addInboundEndpoint(name, endpoint);
    }

    /**
     * A request entering a REST API or proxy through the passthrough over {@code transport} (http or https): the
     * passthrough's headers map is case-insensitive, and {@code To} is the request line's URI, a path
     * (passthru ServerWorker l.385 and l.447).
     */
    static Axis2MessageContext apiRequest(String transport) {
        Axis2MessageContext synCtx = context(transport, new TreeMap<>(String.CASE_INSENSITIVE_ORDER), null);
        synCtx.getAxis2MessageContext().setTo(new EndpointReference("/orders/v1/place"));
        return synCtx;
    }

    /** A message received by a proxy over another axis2 transport (vfs, rabbitmq, mailto, local, ...). */
    static Axis2MessageContext proxyMessage(String transport) {
        return context(transport, new TreeMap<>(), null);
    }

    /**
     * A message entering a JMS proxy from {@code queue}: the axis2 JMS transport sets {@code JMS_DESTINATION} to the
     * plain queue name (axis2 JMSUtils l.549) and the redelivered flag as a string; {@code To} stays unset.
     */
    static Axis2MessageContext jmsProxy(String queue, String messageId, String redelivered, String stamp) {
        Map<String, Object> headers = new TreeMap<>();
        headers.put(CountingHandler.JMS_DESTINATION, queue);
        headers.put(CountingHandler.JMS_MESSAGE_ID, messageId);
        headers.put(CountingHandler.JMS_REDELIVERED, redelivered);
        if (stamp != null) {
            headers.put("TxnCounterStamp", stamp);
        }
        return context("jms", headers, null);
    }

    /**
     * A message entering a JMS inbound endpoint: no incoming transport, {@code isInbound} and the endpoint's name set
     * by the inbound endpoint (Axis2SynapseEnvironment.injectInbound l.454-483 reads them), {@code JMS_DESTINATION}
     * the plain queue name and the flag a Boolean (micro-integrator 4.3.0, inbound JMSUtils l.342-344).
     */
    static Axis2MessageContext jmsInbound(SynapseConfiguration configuration, String name, String queue,
            String messageId, boolean redelivered, String stamp) {
        Map<String, Object> headers = new TreeMap<>();
        headers.put(CountingHandler.JMS_DESTINATION, queue);
        headers.put(CountingHandler.JMS_MESSAGE_ID, messageId);
        headers.put(CountingHandler.JMS_REDELIVERED, redelivered);
        if (stamp != null) {
            headers.put("TxnCounterStamp", stamp);
        }
        return inbound(configuration, name, headers);
    }

    /** A message entering an inbound endpoint of any other protocol (http, kafka, file, a custom class, ...). */
    static Axis2MessageContext inbound(SynapseConfiguration configuration, String name, Map<String, Object> headers) {
        Axis2MessageContext synCtx = context(null, headers, configuration);
        synCtx.setProperty(CountingHandler.IS_INBOUND, true);
        synCtx.setProperty(CountingHandler.INBOUND_ENDPOINT_NAME, name);
        return synCtx;
    }

    /** An {@code <address uri=...>} endpoint (AddressEndpoint): its definition holds the address. */
    static AbstractEndpoint address(String uri) {
        EndpointDefinition definition = new EndpointDefinition();
        definition.setAddress(uri);
        AbstractEndpoint endpoint = new AbstractEndpoint() { };
        endpoint.setDefinition(definition);
        return endpoint;
    }

    /** A {@code <default/>} endpoint (DefaultEndpoint): no address, the message goes to {@code To}. */
    static AbstractEndpoint defaultEndpoint() {
        AbstractEndpoint endpoint = new AbstractEndpoint() { };
        endpoint.setDefinition(new EndpointDefinition());
        return endpoint;
    }

    /**
     * The message sent through {@code endpoint} by a send or non-blocking call mediator, as far as the handlers'
     * request out-flow sees it: AbstractEndpoint.send stores the endpoint as {@code last_endpoint} (l.398), then
     * Axis2Sender.sendOn calls the out-flow (l.84) before Axis2FlexibleMEPClient applies the address to a clone
     * (l.416-419). {@code To} is left as it was.
     */
    static Axis2MessageContext sendingThrough(Axis2MessageContext synCtx, AbstractEndpoint endpoint) {
        synCtx.setProperty(CountingHandler.LAST_ENDPOINT, endpoint);
        return synCtx;
    }

    /**
     * The message sent through an {@code <http uri-template=...>} endpoint: HTTPEndpoint.processUrlTemplate sets
     * {@code To} and {@code DYNAMIC_URL_VALUE} to the evaluated template (l.144-150) before AbstractEndpoint.send.
     */
    static Axis2MessageContext sendingThroughHttpEndpoint(Axis2MessageContext synCtx, String template,
            String evaluated) {
        synCtx.setProperty(EndpointDefinition.DYNAMIC_URL_VALUE, evaluated);
        synCtx.getAxis2MessageContext().setTo(new EndpointReference(evaluated));
        return sendingThrough(synCtx, address(template));
    }

    /**
     * A {@code <send/>} with no endpoint after an earlier send: {@code To} set by the mediation (a header mediator),
     * {@code last_endpoint} still the earlier one, as SendMediator with no endpoint leaves it.
     */
    static Axis2MessageContext sendingToHeader(Axis2MessageContext synCtx, String to) {
        synCtx.getAxis2MessageContext().setTo(new EndpointReference(to));
        return synCtx;
    }

    /**
     * A blocking call ({@code <call blocking="true">}): BlockingMsgSender sends a new axis2 context without the
     * out-flow, then sets {@code BLOCKING_SENDER_ERROR} and calls the response in-flow on the same message
     * (l.254-255).
     */
    static Axis2MessageContext blockingCallReturned(Axis2MessageContext synCtx) {
        synCtx.setProperty(CountingHandler.BLOCKING_SENDER_ERROR, "false");
        return synCtx;
    }

    /**
     * A message processor's forward of a stored message: the processor (ScheduledMessageForwardingService) sends
     * with BlockingMsgSender, which calls no out-flow and then the response in-flow on the message (l.254-255). The
     * stored message never passed this node's in-flow as a transaction.
     */
    static Axis2MessageContext processorForwarded() {
        Axis2MessageContext synCtx = context(null, new TreeMap<>(), null);
        return blockingCallReturned(synCtx);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> headers(Axis2MessageContext synCtx) {
        return (Map<String, Object>) synCtx.getAxis2MessageContext()
                .getProperty(org.apache.axis2.context.MessageContext.TRANSPORT_HEADERS);
    }

    private static Axis2MessageContext context(String transport, Map<String, Object> headers,
            SynapseConfiguration configuration) {
        org.apache.axis2.context.MessageContext axis2 = new org.apache.axis2.context.MessageContext();
        axis2.setIncomingTransportName(transport);
        axis2.setProperty(org.apache.axis2.context.MessageContext.TRANSPORT_HEADERS, headers);
        return new Axis2MessageContext(axis2, configuration, null);
    }
}
