package org.txcounter.mi;

import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.synapse.AbstractExtendedSynapseHandler;
import org.apache.synapse.MessageContext;
import org.apache.synapse.core.axis2.Axis2MessageContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.OwnDestinations;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.internal.Internals;

/**
 * Counts WSO2 Micro Integrator's transactions with counter-core. Enabled by one entry in MI's
 * {@code conf/deployment.toml}:
 * <pre>{@code
 * [[synapse_handlers]]
 * name = "TransactionCounter"
 * class = "org.txcounter.mi.TransactionCounterHandler"
 * }</pre>
 *
 * <p>What MI's own counter counted is counted, once, synchronously in the request in-flow: a request entering a REST
 * API or proxy service through the HTTP(S) passthrough ({@code http}, {@code https}) as HTTP, and a message entering
 * a JMS proxy ({@code jms}) or a JMS inbound endpoint (no incoming transport, Synapse property {@code isInbound}) as
 * JMS. Every decision is counter-core's ({@link IngressCounter}): a message stamped by this deployment for the queue
 * it arrives on is the second half of a pair already counted; a redelivery ({@code JMS_REDELIVERED}) of a message this
 * node took in is not counted again. In the request out-flow, a message sent to one of the deployment's own queues
 * ({@code [deduplication] own_queues}) or peer nodes while a transaction is handled gets a fresh stamp in
 * {@code TRANSPORT_HEADERS}, which MI sends as a JMS property (or HTTP header); nothing sent elsewhere carries one.
 *
 * <p>MI's JMS transport and inbound endpoints commit or acknowledge after mediation, which a handler does not see:
 * every JMS message is therefore held as taken in and not completed, so its redelivery is recognised, and a delivery
 * whose redelivered flag is not set is a new message whatever its id ({@link IngressCounter#firstDelivery}).
 *
 * <p>Every method returns {@code true} and never throws into mediation: a failure is logged once, with what to do,
 * counted ({@link #failures()}), and the message goes on. {@link #handleServerInit()} starts the counter without
 * waiting for the database; {@link #handleServerShutDown()} writes the final flush.
 *
 * <p>Thread-safe: MI calls one instance from all its worker threads; the running counter is published once.
 */
public final class TransactionCounterHandler extends AbstractExtendedSynapseHandler {

    /** The axis2 property that marks a message context this handler has taken in (MI's flows may repeat). */
    static final String TAKEN_IN = "TXN_COUNTER_TAKEN_IN";
    /** The Synapse property set by inbound endpoints, and the one that carries their name. */
    static final String IS_INBOUND = "isInbound";
    static final String INBOUND_ENDPOINT_NAME = "inbound.endpoint.name";
    /** axis2's property of the transport headers ({@code org.apache.axis2.context.MessageContext.TRANSPORT_HEADERS}). */
    static final String TRANSPORT_HEADERS = org.apache.axis2.context.MessageContext.TRANSPORT_HEADERS;
    static final String JMS_MESSAGE_ID = "JMS_MESSAGE_ID";
    static final String JMS_REDELIVERED = "JMS_REDELIVERED";
    static final String JMS_DESTINATION = "JMS_DESTINATION";

    private static final Logger LOG = LoggerFactory.getLogger(TransactionCounterHandler.class);

    private final Supplier<CounterConfig> configuration;
    private final Clock clock;
    private final LongAdder failures = new LongAdder();
    private final AtomicBoolean failureLogged = new AtomicBoolean();
    private volatile Running running;

    /** The handler MI instantiates: its configuration is MI's {@code <carbon.home>/conf/deployment.toml}. */
    public TransactionCounterHandler() {
        this(() -> MiConfiguration.read(System::getProperty, System::getenv), Clock.systemUTC());
    }

    TransactionCounterHandler(Supplier<CounterConfig> configuration, Clock clock) {
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
        if (now != null) {
            try {
                now.inFlow(synCtx);
            } catch (RuntimeException | LinkageError e) {
                failed("in the request in-flow", e);
            }
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

    @Override
    public boolean handleResponseInFlow(MessageContext synCtx) {
        return true;
    }

    @Override
    public boolean handleResponseOutFlow(MessageContext synCtx) {
        return true;
    }

    @Override
    public boolean handleArtifactDeployment(String artifactName, String artifactType, String startTime) {
        return true;
    }

    @Override
    public boolean handleArtifactUnDeployment(String artifactName, String artifactType, String unDeployTime) {
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

    private void failed(String where, Throwable e) {
        failures.increment();
        if (failureLogged.compareAndSet(false, true)) {
            LOG.error("The transaction counter could not handle a message {}: {}. The message went on, possibly "
                    + "uncounted; further failures are only counted (failures()). Report this with the stack trace "
                    + "and MI's version.", where, e.toString(), e);
        }
    }

    /** The counter and what it stamps toward; shared by MI's worker threads. */
    private static final class Running {
        private final TransactionCounter counter;
        private final IngressCounter ingress;
        private final OwnDestinations own;

        Running(TransactionCounter counter, OwnDestinations own) {
            this.counter = counter;
            this.ingress = counter.ingress();
            this.own = own;
        }

        void inFlow(MessageContext synCtx) {
            org.apache.axis2.context.MessageContext axis2 = ((Axis2MessageContext) synCtx).getAxis2MessageContext();
            if (axis2.getProperty(TAKEN_IN) != null) {
                return;
            }
            Map<String, Object> headers = headers(axis2, false);
            String transport = axis2.getIncomingTransportName();
            IngressCounter.Scope scope;
            if ("http".equals(transport) || "https".equals(transport)) {
                scope = ingress.httpRequest(take(headers, IngressCounter.HTTP_HEADER));
            } else if ("jms".equals(transport)) {
                scope = jms(headers, queue(headers, null));
            } else if (transport == null && isInbound(synCtx) && headers != null
                    && headers.get(JMS_MESSAGE_ID) != null) {
                scope = jms(headers, queue(headers, synCtx.getProperty(INBOUND_ENDPOINT_NAME)));
            } else if (transport == null && isInbound(synCtx)) {
                // An HTTP inbound endpoint: the listener is MI's, the request an HTTP transaction.
                scope = ingress.httpRequest(take(headers, IngressCounter.HTTP_HEADER));
            } else {
                return;
            }
            // MI commits or acknowledges after mediation, out of the handler's sight: the scope closes now, and a JMS
            // message stays held as not completed, so its redelivery is recognised.
            scope.close();
            axis2.setProperty(TAKEN_IN, Boolean.TRUE);
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
            if (axis2.getProperty(TAKEN_IN) == null || Internals.stamps(ingress).isEmpty() || synCtx.getTo() == null) {
                return;
            }
            String address = synCtx.getTo().getAddress();
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
