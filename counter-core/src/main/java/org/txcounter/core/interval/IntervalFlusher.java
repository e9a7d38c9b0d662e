package org.txcounter.core.interval;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.TransactionMeter;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.store.StoreException;

/**
 * Closes intervals on the schedule's boundaries and hands them to the store in sequence order.
 *
 * <p>At each boundary the meter is drained ({@link TransactionMeter#drain()}), the drained counts become one
 * {@link IntervalSummary} with the node's next sequence number, and every summary not yet acknowledged is written
 * oldest first. A write that fails leaves that summary and all later ones queued for the next call, so a
 * database outage delays writes but loses and reorders nothing. Intervals in which nothing was counted are
 * not written and take no sequence number.
 *
 * <p>Time comes only from the injected {@link Clock}: the flusher never sleeps. {@link FlushScheduler} calls
 * {@link #flushDue()} at each boundary in production; tests advance a fake clock and call it themselves.
 *
 * <p>Thread model: recording threads touch only the meter. The methods here are synchronized with each other;
 * they run on the scheduler's thread, at shutdown, or in tests.
 */
public final class IntervalFlusher {

    /** How many closed intervals wait for the database at most: a week of one-minute intervals. */
    public static final int DEFAULT_MAX_QUEUED = 7 * 24 * 60;

    private final LongAdder writes = new LongAdder();
    private final LongAdder writeFailures = new LongAdder();
    private final LongAdder writeNanos = new LongAdder();
    private static final Logger LOG = LoggerFactory.getLogger(IntervalFlusher.class);

    private final TransactionMeter meter;
    private final IntervalSink sink;
    private final IntervalSchedule schedule;
    private final Clock clock;
    private final String nodeId;
    private final Deque<IntervalSummary> unwritten = new ArrayDeque<>();
    private long lastSeq;
    private Instant currentStart;
    private Instant currentEnd;
    private int failedAttempts;
    private TransportCounts drainedSinceStart = TransportCounts.zero();
    private final int maxQueued;
    private boolean nearLimitWarned;
    private final InFlightMessages inFlight;
    private volatile RuntimeException lastWriteFailure;

    /**
     * @param lastSeq the highest sequence number this node has already written; the next interval gets the next
     */
    public IntervalFlusher(TransactionMeter meter, IntervalSink sink, IntervalSchedule schedule, Clock clock,
            String nodeId, long lastSeq) {
        this(meter, sink, schedule, clock, nodeId, lastSeq, InFlightMessages.NONE, DEFAULT_MAX_QUEUED);
    }

    /**
     * @param inFlight the JMS messages counted and not completed, journaled with the counts
     */
    public IntervalFlusher(TransactionMeter meter, IntervalSink sink, IntervalSchedule schedule, Clock clock,
            String nodeId, long lastSeq, InFlightMessages inFlight) {
        this(meter, sink, schedule, clock, nodeId, lastSeq, inFlight, DEFAULT_MAX_QUEUED);
    }

    /**
     * @param maxQueued how many closed intervals may wait for the database; beyond that the open interval is
     *                  extended instead of closed (except at a month start), so counts are kept at a coarser grain
     *                  rather than dropped
     */
    IntervalFlusher(TransactionMeter meter, IntervalSink sink, IntervalSchedule schedule, Clock clock,
            String nodeId, long lastSeq, int maxQueued) {
        this(meter, sink, schedule, clock, nodeId, lastSeq, InFlightMessages.NONE, maxQueued);
    }

    private IntervalFlusher(TransactionMeter meter, IntervalSink sink, IntervalSchedule schedule, Clock clock,
            String nodeId, long lastSeq, InFlightMessages inFlight, int maxQueued) {
        this.inFlight = Objects.requireNonNull(inFlight, "inFlight");
        this.maxQueued = maxQueued;
        this.meter = Objects.requireNonNull(meter, "meter");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.lastSeq = lastSeq;
        Instant now = now();
        this.currentStart = now;
        this.currentEnd = schedule.endOf(now);
    }

    /** The clock's time to the millisecond: the precision the store keeps, so the stored interval is the summary. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** The end of the open interval: when {@link #flushDue()} next has work to do. */
    public synchronized Instant nextBoundary() {
        return currentEnd;
    }

    /**
     * Closes the open interval if the clock has reached its end, then writes whatever is queued.
     *
     * @return the number of intervals still waiting to be written
     */
    public synchronized int flushDue() {
        Instant now = now();
        if (!now.isBefore(currentEnd)) {
            boolean monthStart = !schedule.billingMonth(currentEnd).equals(schedule.billingMonth(currentStart));
            if (unwritten.size() >= maxQueued && !monthStart) {
                // The database has been away for a long time: keep counting in the open interval.
                currentEnd = schedule.endOf(now);
                LOG.error("{} intervals are waiting for the database, the most that are kept apart; the open "
                        + "interval (since {}) now grows until they are written. Nothing is lost, but the ledger "
                        + "gets coarser. Restore the database connection.", unwritten.size(), currentStart);
            } else {
                close(currentEnd);
                currentStart = schedule.startOf(now);
                currentEnd = schedule.endOf(now);
            }
        }
        warnNearLimit();
        return writeQueued();
    }

    /** Why the last write failed, if the last attempt failed; empty once a write succeeded again. */
    public Optional<RuntimeException> lastWriteFailure() {
        return Optional.ofNullable(lastWriteFailure);
    }

    /** The most intervals kept apart while the database is away. */
    public int maxQueued() {
        return maxQueued;
    }

    /** Writes of an interval to the database since start: how many succeeded, failed, and their total time. */
    public WriteStats writeStats() {
        return new WriteStats(writes.sum(), writeFailures.sum(), writeNanos.sum());
    }

    /**
     * @param succeeded   intervals written
     * @param failed      attempts that failed (the interval stayed queued)
     * @param nanosWriting time spent in successful writes, in nanoseconds
     */
    public record WriteStats(long succeeded, long failed, long nanosWriting) {
    }

    private void warnNearLimit() {
        boolean near = unwritten.size() >= maxQueued * 8L / 10;
        if (near && !nearLimitWarned) {
            LOG.warn("{} of at most {} intervals are waiting for the database. Beyond {}, new intervals are merged "
                    + "into the open one. Restore the database connection.", unwritten.size(), maxQueued, maxQueued);
        }
        nearLimitWarned = near;
    }

    /**
     * Closes the open interval now, before its boundary, and writes everything queued: the final flush of a
     * graceful stop.
     *
     * @return the number of intervals that could not be written
     */
    public synchronized int flushNow() {
        Instant now = now();
        if (!now.isBefore(currentEnd)) {
            return flushDue();
        }
        // An interval is at least a millisecond long, so a stop in the millisecond an interval opened still
        // writes what was counted in it.
        Instant end = now.isAfter(currentStart) ? now : currentStart.plusMillis(1);
        close(end);
        if (end.isBefore(currentEnd)) {
            currentStart = end;
        } else {
            currentStart = currentEnd;
            currentEnd = schedule.endOf(currentStart);
        }
        return writeQueued();
    }

    /** What this node has counted and the store has not yet acknowledged: drained-and-queued plus still open. */
    public TransportCounts unflushed() {
        TransportCounts open = TransportCounts.of(meter.pending());
        synchronized (this) {
            for (IntervalSummary summary : unwritten) {
                open = open.plus(summary.counts());
            }
        }
        return open;
    }

    /**
     * A consistent picture of everything not yet acknowledged, for the journal: the queued intervals, and what the
     * open interval holds so far as the interval it would become if it closed now (it takes the next sequence
     * number, so a replay can tell whether the database already has it), and the JMS messages in flight.
     */
    public synchronized JournalState journalState() {
        Instant now = now();
        List<IntervalSummary> pending = new ArrayList<>(unwritten);
        InFlightMessages.Snapshot held = inFlight.snapshot(meter);
        TransportCounts open = held.pending();
        if (!open.isZero()) {
            Instant end = now.isAfter(currentStart) ? now : currentStart.plusMillis(1);
            if (end.isAfter(currentEnd)) {
                end = currentEnd;
            }
            pending.add(new IntervalSummary(nodeId, lastSeq + 1, currentStart, end,
                    schedule.billingMonth(currentStart), open));
        }
        return new JournalState(nodeId, lastSeq, pending.size() - unwritten.size() == 1, pending, held.ids());
    }

    /**
     * What the journal holds.
     *
     * @param lastSeq     the highest sequence number assigned to a closed interval
     * @param openIsLast  whether the last of {@code intervals} is the open interval's partial count
     * @param intervals   queued intervals, oldest first, then the open one's partial count if any
     * @param inFlight    the JMS messages counted and not completed, read at the same instant as the counts
     */
    public record JournalState(String nodeId, long lastSeq, boolean openIsLast, List<IntervalSummary> intervals,
            InFlightIds inFlight) {
        public JournalState {
            intervals = List.copyOf(intervals);
            Objects.requireNonNull(inFlight, "inFlight");
        }
    }

    /** Everything this node has counted since it started: closed intervals plus the open one. Only grows. */
    public TransportCounts countedSinceStart() {
        TransportCounts open = TransportCounts.of(meter.pending());
        synchronized (this) {
            return drainedSinceStart.plus(open);
        }
    }

    /** The intervals closed but not yet acknowledged, oldest first. */
    public synchronized List<IntervalSummary> queued() {
        return List.copyOf(unwritten);
    }

    private void close(Instant end) {
        TransportCounts counts = meter.drain();
        if (counts.isZero()) {
            if (unwritten.isEmpty()) {
                try {
                    sink.heartbeat(nodeId, end);
                } catch (RuntimeException e) {
                    LOG.debug("Could not record that node {} was idle until {}: {}", nodeId, end, e.toString());
                }
            }
            return;
        }
        drainedSinceStart = drainedSinceStart.plus(counts);
        lastSeq++;
        IntervalSummary summary = new IntervalSummary(nodeId, lastSeq, currentStart, end,
                schedule.billingMonth(currentStart), counts);
        unwritten.addLast(summary);
    }

    private int writeQueued() {
        while (!unwritten.isEmpty()) {
            IntervalSummary next = unwritten.peekFirst();
            long started = System.nanoTime();
            try {
                sink.write(next);
                writeNanos.add(System.nanoTime() - started);
                writes.increment();
            } catch (RuntimeException e) {
                writeFailures.increment();
                failedAttempts++;
                lastWriteFailure = e;
                if (e instanceof StoreException store && !store.outage()) {
                    LOG.error("Cannot write {}: {} This is not a database outage and retrying does not fix it; {} "
                            + "interval(s) with {} transactions are kept and retried at every boundary until it is "
                            + "fixed ({} failed attempts so far).", next.describe(), e.getMessage(), unwritten.size(),
                            totalQueued(), failedAttempts);
                    return unwritten.size();
                }
                LOG.warn("Could not write {}: {}. {} interval(s) with {} transactions are kept in memory and retried "
                        + "at the next interval boundary ({} failed attempts so far). Check that the database is "
                        + "reachable.", next.describe(), e.toString(), unwritten.size(), totalQueued(),
                        failedAttempts);
                return unwritten.size();
            }
            unwritten.removeFirst();
            lastWriteFailure = null;
            if (failedAttempts > 0) {
                LOG.info("Wrote {} after {} failed attempts.", next.describe(), failedAttempts);
                failedAttempts = 0;
            }
        }
        return 0;
    }

    private long totalQueued() {
        long total = 0;
        for (IntervalSummary summary : unwritten) {
            total += summary.counts().total();
        }
        return total;
    }
}
