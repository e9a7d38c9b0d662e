package org.txcounter.mi;

import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.axis2.addressing.EndpointReference;
import org.apache.synapse.AbstractExtendedSynapseHandler;
import org.apache.synapse.MessageContext;
import org.apache.synapse.config.SynapseConfiguration;
import org.apache.synapse.core.axis2.Axis2MessageContext;
import org.apache.synapse.endpoints.AbstractEndpoint;
import org.apache.synapse.endpoints.EndpointDefinition;
import org.apache.synapse.inbound.InboundEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.OwnDestinations;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.internal.Internals;

/**
 * The Synapse handler that counts WSO2 Micro Integrator's transactions with counter-core. MI does not load it
 * directly: {@link TransactionCounterHandler}, compiled for Java 8, checks the JDK and hands every call to it.
 *
 * <p><b>What is counted</b>, once, in the request in-flow: every request or message entering a REST API, a proxy
 * service or an inbound endpoint, under the transport it came by ({@link MiTransports}). An inbound endpoint
 * (Synapse property {@code isInbound}, its name in {@code inbound.endpoint.name}) is labelled by its
 * {@code protocol}, read from MI's configuration once per endpoint; an API or proxy by the axis2 transport that
 * received it. Nothing that MI makes itself is a transaction: a scheduled task's injection and a message processor's
 * forward reach the in-flow with no incoming transport, and a call over MI's {@code local} transport is part of a
 * transaction already counted. Every decision is counter-core's ({@link IngressCounter}): a message stamped by this
 * deployment for the queue it arrives on is the second half of a pair already counted; a redelivery
 * ({@code JMS_REDELIVERED}) of a message this node took in is not counted again. MI's own
 * {@code INTERNAL_TRANSACTION_COUNTED} property is not honoured: any producer can set it.
 *
 * <p><b>Stamps where MI sends.</b> In the request out-flow (Axis2Sender.sendOn l.84, before the send at l.89) the
 * message's {@code To} is still the incoming request's path, or unset for JMS: the endpoint's address reaches only the
 * cloned outgoing axis2 context (Axis2FlexibleMEPClient l.416-419). So the destination is read the way MI is about to
 * send: from the leaf endpoint that {@code AbstractEndpoint.send} stored as {@code last_endpoint} (l.398), its
 * definition's address evaluated for this message (an {@code <http uri-template>} included); only a send without an
 * address (a {@code <default/>} endpoint, or {@code <send/>} with none) goes to {@code To}. A message to one of the
 * deployment's own queues or peer nodes while a transaction is handled gets a fresh stamp in
 * {@code TRANSPORT_HEADERS}, which MI sends as a JMS property (or HTTP header); nothing sent elsewhere carries one,
 * and where the endpoint and an absolute {@code To} disagree (an endpoint left over from an earlier send) nothing is
 * stamped and the send is counted in {@link #ambiguousSends()}. A blocking call ({@code <call blocking="true">}) and
 * a message processor's forward never pass the out-flow (BlockingMsgSender): what they send to an own destination is
 * counted again by its consumer; {@link #callsWithoutOutFlow()} counts the blocking calls made while a transaction
 * was handled, {@link #forwardsWithoutOutFlow()} the processors' forwards.
 *
 * <p>MI's JMS transport and inbound endpoints commit or acknowledge after mediation, which a handler does not see:
 * every JMS message is therefore held as taken in and not completed, so its redelivery is recognised, and a delivery
 * whose redelivered flag is not set is a new message whatever its id ({@link IngressCounter#firstDelivery}).
 *
 * <p>Every method returns {@code true} and never throws into mediation: a failure is logged once, with what to do,
 * counted ({@link #failures()}), and the message goes on. {@link #handleServerInit()} starts the counter without
 * waiting for the database; {@link #handleServerShutDown()} writes the final flush. A message in the in-flow while
 * the counter is not running (before the start, after the stop, or when it could not start) is counted in
 * {@link #notCounted()} and logged once.
 *
 * <p>Thread-safe: MI calls one instance from all its worker threads; the running counter is published once.
 */
public final class CountingHandler extends AbstractExtendedSynapseHandler {

    /** The axis2 property that marks a message context this handler has taken in (MI's flows may repeat). */
    static final String TAKEN_IN = "TXN_COUNTER_TAKEN_IN";
    /** Synapse properties set by MI (SynapseConstants.IS_INBOUND, INBOUND_ENDPOINT_NAME, LAST_ENDPOINT). */
    static final String IS_INBOUND = "isInbound";
    static final String INBOUND_ENDPOINT_NAME = "inbound.endpoint.name";
    static final String LAST_ENDPOINT = "last_endpoint";
    /**
     * SynapseConstants.BLOCKING_SENDER_ERROR: set by BlockingMsgSender (l.254) on the message it sent, before it
     * calls the handlers' response in-flow.
     */
    static final String BLOCKING_SENDER_ERROR = "blocking.sender.error";
    /**
     * axis2's property of the transport headers ({@code org.apache.axis2.context.MessageContext.TRANSPORT_HEADERS}).
     */
    static final String TRANSPORT_HEADERS = org.apache.axis2.context.MessageContext.TRANSPORT_HEADERS;
    static final String JMS_MESSAGE_ID = "JMS_MESSAGE_ID";
    static final String JMS_REDELIVERED = "JMS_REDELIVERED";
    static final String JMS_DESTINATION = "JMS_DESTINATION";

    private static final Logger LOG = LoggerFactory.getLogger(CountingHandler.class);

    private final Supplier<CounterConfig> configuration;
    private final Clock clock;
    private final LongAdder failures = new LongAdder();
    private final AtomicBoolean failureLogged = new AtomicBoolean();
    private final LongAdder notCounted = new LongAdder();
    private final AtomicBoolean notCountedLogged = new AtomicBoolean();
    private final LongAdder ambiguousSends = new LongAdder();
    private final LongAdder callsWithoutOutFlow = new LongAdder();
    private final LongAdder forwardsWithoutOutFlow = new LongAdder();
    private volatile Running running;

    /** The handler for MI: its configuration is MI's {@code <carbon.home>/conf/deployment.toml}. */
    public CountingHandler() {
        this(() -> MiConfiguration.read(System::getProperty, System::getenv, MiSecrets.fromMi()),
                Clock.systemUTC());
    }

    CountingHandler(Supplier<CounterConfig> configuration, Clock clock) {
        this.configuration = Objects.requireNonNull(configuration, "configuration");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Reads the configuration and starts the counter; never waits for the database. */
    @Override
    public boolean handleServerInit() {
        try {
            CounterConfig config = configuration.get();
            if (!config.enabled()) {
                LOG.info("The transaction counter is disabled ([transaction_counter] enable = false, or the "
                        + "enableTransactionCounter property or variable); MI's transactions are not counted.");
                return true;
            }
            TransactionCounter counter = TransactionCounter.start(config, clock);
            running = new Running(counter, config.ownDestinations());
        } catch (RuntimeException | LinkageError e) {
            LOG.error("The transaction counter did not start, so MI's transactions are not counted: {}. Correct "
                    + "[transaction_counter] or its [[datasource]] in conf/deployment.toml and restart MI; MI itself "
                    + "runs on.", e.getMessage(), e);
        }
        return true;
    }

    /** Stops counting and writes what was counted, waiting for the database at most the final-flush timeout. */
    @Override
    public boolean handleServerShutDown() {
        Running stopping = running;
        running = null;
        if (stopping != null) {
            try {
                stopping.counter.close();
            } catch (RuntimeException | LinkageError e) {
                LOG.error("The transaction counter's final flush failed: {}. What it did not write is in its "
                        + "journal and is written at the next start.", e.getMessage(), e);
            }
        }
        return true;
    }

    /** Counts a request or message entering an API, a proxy service or an inbound endpoint. */
    @Override
    public boolean handleRequestInFlow(MessageContext synCtx) {
        Running now = running;
        if (now == null) {
            uncounted();
            return true;
        }
        try {
            now.inFlow(synCtx);
        } catch (RuntimeException | LinkageError e) {
            failed("in the request in-flow", e);
        }
        return true;
    }

    /** Stamps a message sent to one of the deployment's own destinations while a transaction is handled. */
    @Override
    public boolean handleRequestOutFlow(MessageContext synCtx) {
        Running now = running;
        if (now != null) {
            try {
                now.outFlow(synCtx);
            } catch (RuntimeException | LinkageError e) {
                failed("in the request out-flow", e);
            }
        }
        return true;
    }

    /**
     * BlockingMsgSender (l.254-255) calls this on the very message it sent, after the call returned: a send no
     * out-flow saw. Inside a transaction it is a blocking call; outside one, a message processor's forward (or a
     * task's call).
     */
    @Override
    public boolean handleResponseInFlow(MessageContext synCtx) {
        try {
            if (synCtx instanceof Axis2MessageContext axis2Context
                    && synCtx.getProperty(BLOCKING_SENDER_ERROR) != null) {
                if (axis2Context.getAxis2MessageContext().getProperty(TAKEN_IN) != null) {
                    callsWithoutOutFlow.increment();
                } else {
                    forwardsWithoutOutFlow.increment();
                }
            }
        } catch (RuntimeException | LinkageError e) {
            failed("in the response in-flow", e);
        }
        return true;
    }

    @Override
    public boolean handleResponseOutFlow(MessageContext synCtx) {
        return true;
    }

    /** An inbound endpoint redeployed (or removed) may have another protocol: its label is read again. */
    @Override
    public boolean handleArtifactDeployment(String artifactName, String artifactType, String startTime) {
        forget(artifactName);
        return true;
    }

    @Override
    public boolean handleArtifactUnDeployment(String artifactName, String artifactType, String unDeployTime) {
        forget(artifactName);
        return true;
    }

    @Override
    public boolean handleError(MessageContext synCtx) {
        return true;
    }

    /** The running counter, or empty before {@link #handleServerInit()}, after shutdown, or when disabled. */
    public Optional<TransactionCounter> counter() {
        Running now = running;
        return now == null ? Optional.empty() : Optional.of(now.counter);
    }

    /** How many messages the handler could not handle since start (each went on, possibly uncounted). */
    public long failures() {
        return failures.sum();
    }

    /** Messages that entered while the counter was not running, and so were not counted. */
    public long notCounted() {
        return notCounted.sum();
    }

    /** Sends to an own destination left unstamped because the endpoint and {@code To} named different places. */
    public long ambiguousSends() {
        return ambiguousSends.sum();
    }

    /** Blocking calls made while a transaction was handled: their destination was not stamped. */
    public long callsWithoutOutFlow() {
        return callsWithoutOutFlow.sum();
    }

    /**
     * Blocking sends made outside a transaction: message processors' forwards (and tasks' calls). A forward of a
     * stored message to an own destination is counted again by its consumer.
     */
    public long forwardsWithoutOutFlow() {
        return forwardsWithoutOutFlow.sum();
    }

    private void forget(String artifactName) {
        Running now = running;
        if (now != null && artifactName != null) {
            now.inbound.remove(artifactName);
        }
    }

    private void uncounted() {
        notCounted.increment();
        if (notCountedLogged.compareAndSet(false, true)) {
            LOG.warn("A message entered MI while the transaction counter was not running (before it started, after "
                    + "it stopped, or because it could not start): it was not counted. Further ones are only counted "
                    + "(notCounted()). If the counter did not start, the error above says why.");
        }
    }

    private void failed(String where, Throwable e) {
        failures.increment();
        if (failureLogged.compareAndSet(false, true)) {
            LOG.error("The transaction counter could not handle a message {}: {}. The message went on, possibly "
                    + "uncounted; further failures are only counted (failures()). Report this with the stack trace "
                    + "and MI's version.", where, e.toString(), e);
        }
    }

    /** The counter, its handles and what it stamps toward; shared by MI's worker threads. */
    private final class Running {
        private final TransactionCounter counter;
        private final IngressCounter ingress;
        private final OwnDestinations own;
        private final Map<Transport, TransportCounter> handles = new EnumMap<>(Transport.class);
        /** Each inbound endpoint's transport, read from MI's configuration the first time it delivers. */
        private final ConcurrentMap<String, Transport> inbound = new ConcurrentHashMap<>();

        Running(TransactionCounter counter, OwnDestinations own) {
            this.counter = counter;
            this.ingress = counter.ingress();
            this.own = own;
            for (Transport transport : Transport.values()) {
                handles.put(transport, counter.meter().counter(transport));
            }
        }

        void inFlow(MessageContext synCtx) {
            org.apache.axis2.context.MessageContext axis2 = ((Axis2MessageContext) synCtx).getAxis2MessageContext();
            if (axis2.getProperty(TAKEN_IN) != null) {
                return;
            }
            Map<String, Object> headers = headers(axis2, false);
            Transport transport;
            Object endpointName = null;
            if (isInbound(synCtx)) {
                endpointName = synCtx.getProperty(INBOUND_ENDPOINT_NAME);
                transport = inboundTransport(synCtx.getConfiguration(), endpointName);
            } else {
                transport = MiTransports.ofListener(axis2.getIncomingTransportName());
                if (transport == null) {
                    return;
                }
            }
            IngressCounter.Scope scope = switch (transport) {
                case HTTP -> ingress.httpRequest(take(headers, IngressCounter.HTTP_HEADER));
                case JMS -> jms(headers, queue(headers, endpointName));
                default -> ingress.otherTransport(handles.get(transport));
            };
            // MI commits or acknowledges after mediation, out of the handler's sight: the scope closes now, and a JMS
            // message stays held as not completed, so its redelivery is recognised.
            scope.close();
            axis2.setProperty(TAKEN_IN, Boolean.TRUE);
        }

        private Transport inboundTransport(SynapseConfiguration configuration, Object name) {
            if (!(name instanceof String endpoint)) {
                return Transport.CUSTOM;
            }
            Transport known = inbound.get(endpoint);
            if (known != null) {
                return known;
            }
            InboundEndpoint definition = configuration == null ? null : configuration.getInboundEndpoint(endpoint);
            if (definition == null) {
                // Not (or no longer) in MI's configuration: labelled, but not remembered.
                return Transport.CUSTOM;
            }
            Transport transport = MiTransports.ofInboundProtocol(definition.getProtocol());
            inbound.put(endpoint, transport);
            return transport;
        }

        private IngressCounter.Scope jms(Map<String, Object> headers, String queue) {
            String stamp = take(headers, IngressCounter.JMS_PROPERTY);
            Object id = headers == null ? null : headers.get(JMS_MESSAGE_ID);
            String messageId = id == null ? null : id.toString();
            if (messageId != null && !redelivered(headers.get(JMS_REDELIVERED))) {
                ingress.firstDelivery(messageId);
            }
            return ingress.jmsMessage(queue, stamp, messageId);
        }

        void outFlow(MessageContext synCtx) {
            org.apache.axis2.context.MessageContext axis2 = ((Axis2MessageContext) synCtx).getAxis2MessageContext();
            Map<String, Object> headers = headers(axis2, false);
            if (headers != null) {
                // A stamp that came in never travels on.
                headers.remove(IngressCounter.JMS_PROPERTY);
                headers.remove(IngressCounter.HTTP_HEADER);
            }
            if (axis2.getProperty(TAKEN_IN) == null || Internals.stamps(ingress).isEmpty()) {
                return;
            }
            String address = destination(synCtx);
            if (address == null) {
                return;
            }
            Optional<String> destination;
            String name;
            if (address.startsWith("jms:")) {
                destination = own.queue(MiDestinations.queueOfAddress(address));
                name = IngressCounter.JMS_PROPERTY;
            } else if (address.startsWith("http://") || address.startsWith("https://")) {
                destination = MiDestinations.uri(address).flatMap(own::http);
                name = IngressCounter.HTTP_HEADER;
            } else {
                return;
            }
            if (destination.isPresent()) {
                headers(axis2, true).put(name, Internals.stamps(ingress).get().issue(destination.get()));
            }
        }

        /**
         * Where MI is about to send the message: the address of the endpoint {@code AbstractEndpoint.send} just
         * stored, evaluated for this message as Axis2FlexibleMEPClient does (l.397-398), or, for a send with no
         * address, {@code To}. Null when an absolute {@code To} names another place than the endpoint: a
         * {@code <send/>} without an endpoint leaves {@code last_endpoint} as an earlier send set it.
         */
        private String destination(MessageContext synCtx) {
            String endpointAddress = null;
            if (synCtx.getProperty(LAST_ENDPOINT) instanceof AbstractEndpoint endpoint
                    && endpoint.getDefinition() != null) {
                EndpointDefinition definition = endpoint.getDefinition();
                endpointAddress = definition.getAddress();
                // What getAddress(synCtx) adds (an <http> endpoint's evaluated template, ${property} values) costs
                // a pattern compiled per call in Synapse: asked for only when the address can have it.
                if (endpointAddress != null && (endpointAddress.contains("${")
                        || synCtx.getProperty(EndpointDefinition.DYNAMIC_URL_VALUE) != null)) {
                    endpointAddress = definition.getAddress(synCtx);
                }
            }
            EndpointReference to = synCtx.getTo();
            String toAddress = to == null ? null : to.getAddress();
            boolean absoluteTo = toAddress != null && (toAddress.startsWith("jms:")
                    || toAddress.startsWith("http://") || toAddress.startsWith("https://"));
            if (endpointAddress == null) {
                return absoluteTo ? toAddress : null;
            }
            if (absoluteTo && !toAddress.equals(endpointAddress)) {
                ambiguousSends.increment();
                return null;
            }
            return endpointAddress;
        }

        private static boolean isInbound(MessageContext synCtx) {
            Object flag = synCtx.getProperty(IS_INBOUND);
            return Boolean.TRUE.equals(flag) || "true".equalsIgnoreCase(String.valueOf(flag));
        }

        /** The inbound endpoint stores the flag as a Boolean, the JMS transport of proxies as the string "true". */
        private static boolean redelivered(Object flag) {
            return Boolean.TRUE.equals(flag) || "true".equalsIgnoreCase(String.valueOf(flag));
        }

        private static String queue(Map<String, Object> headers, Object endpointName) {
            Object destination = headers == null ? null : headers.get(JMS_DESTINATION);
            if (destination != null) {
                return MiDestinations.queueOfDestination(destination.toString());
            }
            return endpointName == null ? "" : endpointName.toString();
        }

        private static String take(Map<String, Object> headers, String name) {
            if (headers == null) {
                return null;
            }
            Object value = headers.remove(name);
            return value == null ? null : value.toString();
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> headers(org.apache.axis2.context.MessageContext axis2, boolean create) {
            Object headers = axis2.getProperty(TRANSPORT_HEADERS);
            if (headers instanceof Map<?, ?> map) {
                return (Map<String, Object>) map;
            }
            if (!create) {
                return null;
            }
            Map<String, Object> fresh = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            axis2.setProperty(TRANSPORT_HEADERS, fresh);
            return fresh;
        }
    }
}
