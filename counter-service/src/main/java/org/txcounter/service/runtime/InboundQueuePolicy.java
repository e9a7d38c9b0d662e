package org.txcounter.service.runtime;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.filter.Filter;
import org.apache.activemq.artemis.core.filter.impl.FilterImpl;
import org.apache.activemq.artemis.core.postoffice.RoutingStatus;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.MessageReference;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.RoutingContext;
import org.apache.activemq.artemis.core.server.ServerConsumer;
import org.apache.activemq.artemis.core.server.impl.AckReason;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerMessagePlugin;
import org.apache.activemq.artemis.core.transaction.Transaction;
import org.apache.activemq.artemis.core.transaction.TransactionOperationAbstract;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.IngressCounter;

/**
 * What the embedded broker does for the inbound endpoints' queues beyond storing messages.
 *
 * <p><b>Oversized messages.</b> A message whose body is larger than {@code [jms] max_message_size} is never handed
 * to an endpoint, whose JMS client would read it into memory whole (a text message is read before the listener
 * runs): the endpoints consume with {@link #consumerSelector}, which leaves such a message in the queue. Artemis
 * has already streamed its body to a file in {@code large-messages/} (any message over 100 KiB travels in chunks),
 * so it costs disk, not heap. When the message is committed to an inbound queue it is counted once, as a JMS
 * transaction that entered (through {@link IngressCounter#jmsMessage}, so a valid stamp is honoured as for any
 * message), logged once with its size, queue and id, and moved unread to {@code DLQ} by the broker's own
 * dead-letter move, which copies the body file to file. A crash before the move leaves it in the queue, where the
 * sweep at the next start moves it without counting it again; no consumer ever receives it, so it can never take
 * the service down.
 *
 * <p><b>Ids the broker gave up on.</b> A message an endpoint took in and did not complete is owed: its next delivery
 * is not counted ({@link IngressCounter#jmsMessage}). When the broker dead-letters it (after
 * {@value EmbeddedBroker#MAX_DELIVERY_ATTEMPTS} failed deliveries) or expires it, no delivery follows, so the id is
 * released ({@link IngressCounter#abandonedByBroker}): a producer that reuses it has its message counted.
 *
 * <p>Thread-safe: the broker calls it from any of its threads; the dead-letter moves run on one thread of its own.
 */
final class InboundQueuePolicy implements ActiveMQServerMessagePlugin {

    private static final Logger LOG = LoggerFactory.getLogger(InboundQueuePolicy.class);
    /** Artemis' property holding a streamed (large) message's body size, set before the message is routed. */
    private static final String LARGE_BODY_SIZE = Message.HDR_LARGE_BODY_SIZE.toString();
    /** How often a move is retried while a committed message is not yet in its queue. */
    private static final long RETRY_MILLIS = 50;
    private static final int MAX_RETRIES = 200;

    private final Set<String> inboundQueues;
    private final int maxMessageSize;
    private final Optional<IngressCounter> ingress;
    private final Filter oversized;
    private final ScheduledExecutorService mover;
    private final AtomicLong oversizedMessages = new AtomicLong();
    private final Map<String, AtomicInteger> pendingMoves = new ConcurrentHashMap<>();
    private volatile ActiveMQServer server;

    InboundQueuePolicy(Set<String> inboundQueues, int maxMessageSize, Optional<IngressCounter> ingress) {
        this.inboundQueues = Set.copyOf(inboundQueues);
        this.maxMessageSize = maxMessageSize;
        this.ingress = ingress;
        try {
            this.oversized = FilterImpl.createFilter(LARGE_BODY_SIZE + " > " + maxMessageSize);
        } catch (ActiveMQException e) {
            throw new IllegalStateException("The oversized-message filter does not parse", e);
        }
        this.mover = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "broker-dead-letter-mover");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The selector of the endpoints' consumers: only messages within the limit reach them. */
    static String consumerSelector(int maxMessageSize) {
        return LARGE_BODY_SIZE + " IS NULL OR " + LARGE_BODY_SIZE + " <= " + maxMessageSize;
    }

    int maxMessageSize() {
        return maxMessageSize;
    }

    @Override
    public void registered(ActiveMQServer server) {
        this.server = server;
    }

    /**
     * Moves what oversized messages an earlier run left in the inbound queues (committed, counted, not yet moved
     * when it stopped). Call once the broker has started; they are not counted again.
     */
    void sweepLeftovers() {
        for (String queue : inboundQueues) {
            int moved = moveOversized(queue);
            if (moved > 0) {
                LOG.warn("Moved {} message(s) larger than [jms] max_message_size = {} bytes, left in queue {} by the "
                        + "previous run, to {} unread. They were counted when they arrived.", moved, maxMessageSize,
                        queue, EmbeddedBroker.DEAD_LETTER_ADDRESS);
            }
        }
    }

    @Override
    public void afterMessageRoute(Message message, RoutingContext context, boolean direct, boolean rejectDuplicates,
            RoutingStatus result) {
        if (result != RoutingStatus.OK || !message.isLargeMessage()) {
            return;
        }
        String queue = message.getAddress();
        Object size = message.getObjectProperty(Message.HDR_LARGE_BODY_SIZE);
        if (queue == null || !inboundQueues.contains(queue) || !(size instanceof Long bytes)
                || bytes <= maxMessageSize) {
            return;
        }
        String stamp = message.getStringProperty(IngressCounter.JMS_PROPERTY);
        String messageId = message.getUserID() == null ? null : "ID:" + message.getUserID();
        Transaction tx = context.getTransaction();
        if (tx == null) {
            arrived(queue, messageId, stamp, bytes);
        } else {
            tx.addOperation(new TransactionOperationAbstract() {
                @Override
                public void afterCommit(Transaction committed) {
                    arrived(queue, messageId, stamp, bytes);
                }
            });
        }
    }

    private void arrived(String queue, String messageId, String stamp, long bytes) {
        boolean counted = ingress.map(counting -> {
            try (IngressCounter.Scope scope = counting.jmsMessage(queue, stamp, messageId)) {
                scope.complete();
                return scope.counted();
            }
        }).orElse(false);
        long total = oversizedMessages.incrementAndGet();
        LOG.warn("Message {} on queue {} has a {}-byte body, over [jms] max_message_size = {} bytes: {}, moved to {} "
                + "unread ({} such message(s) since the start). Raise max_message_size if messages this large are "
                + "expected, and resend it from queue {}.", messageId, queue, bytes, maxMessageSize,
                ingress.isEmpty() ? "not counted (counting is off)"
                        : counted ? "counted as one transaction" : "not counted (stamped or owed)",
                EmbeddedBroker.DEAD_LETTER_ADDRESS, total, EmbeddedBroker.deadLetterQueue(queue));
        pendingMoves.computeIfAbsent(queue, q -> new AtomicInteger()).incrementAndGet();
        mover.execute(() -> moveArrived(queue, 0));
    }

    /** The committed message may reach its queue after the commit callbacks: retried until it is there. */
    private void moveArrived(String queue, int attempt) {
        AtomicInteger pending = pendingMoves.get(queue);
        int moved = moveOversized(queue);
        int left = pending.addAndGet(-moved);
        if (left > 0 && attempt < MAX_RETRIES) {
            mover.schedule(() -> moveArrived(queue, attempt + 1), RETRY_MILLIS, TimeUnit.MILLISECONDS);
        } else if (left > 0) {
            pending.set(0);
            LOG.error("{} oversized message(s) counted on queue {} were not found there to move to {} within {} ms; "
                    + "the next start moves what is left.", left, queue, EmbeddedBroker.DEAD_LETTER_ADDRESS,
                    RETRY_MILLIS * MAX_RETRIES);
        }
    }

    private int moveOversized(String queue) {
        ActiveMQServer broker = server;
        Queue target = broker == null ? null : broker.locateQueue(SimpleString.of(queue));
        if (target == null) {
            return 0;
        }
        try {
            return target.sendMessagesToDeadLetterAddress(oversized);
        } catch (Exception e) {
            LOG.error("Could not move oversized messages from queue {} to {}: {}. The next start tries again.", queue,
                    EmbeddedBroker.DEAD_LETTER_ADDRESS, e.toString());
            return 0;
        }
    }

    @Override
    public void messageAcknowledged(Transaction tx, MessageReference ref, AckReason reason, ServerConsumer consumer) {
        if ((reason == AckReason.KILLED || reason == AckReason.EXPIRED) && ingress.isPresent()
                && inboundQueues.contains(ref.getQueue().getName().toString())) {
            Object userId = ref.getMessage().getUserID();
            if (userId != null) {
                ingress.get().abandonedByBroker("ID:" + userId);
            }
        }
    }

    /** Stops the mover; what it did not move, the next start's sweep does. */
    void close() {
        mover.shutdown();
    }
}
