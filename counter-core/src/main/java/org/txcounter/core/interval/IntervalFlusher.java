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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.TransactionMeter;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.store.StoreException;

/**
 * Closes intervals on the schedule's boundaries and hands them to the store in sequence order.
 *
 * <p>At each boundary the meter is drained ({@link TransactionMeter#drain()}) and the drained counts become one
 * {@link IntervalSummary} with the node's next sequence number, queued behind the intervals not yet written
 * ({@link #closeDue()}). Writing is separate ({@link #writeQueued()}): every queued summary is written oldest first,
 * and a summary leaves the queue only after the store's write returned, that is after its commit returned. A
 * write that fails leaves that summary and all later ones queued for the next attempt, so a database outage
 * delays writes but loses and reorders nothing. Intervals in which nothing was counted are not written and take
 * no sequence number.
 *
 * <p>Time comes only from the injected {@link Clock}: the flusher never sleeps. In production
 * {@link FlushScheduler} closes intervals on its timer thread and writes them on a thread of its own; tests
 * advance a fake clock and call {@link #flushDue()} (close, then write on the calling thread) themselves.
 *
 * <p>Thread model: recording threads touch only the meter. Everything else is guarded by this object's monitor,
 * which is only ever held for in-memory work: the store is called with the monitor released, so the journal
 * writer and the readers ({@link #unflushed()}, {@link #journalState()}, {@link #queued()}) never wait for the
 * database. One thread at a time writes; a second caller of {@link #writeQueued()} returns at once.
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
    private final AtomicBoolean writing = new AtomicBoolean();
    /** The idle intervals not yet reported to the store, if any: from the start of the first to the end of the last. */
    private Instant idleFrom;
    private Instant idleUntil;
    /** The journal's open interval from the previous run, replayed here; dropped if the store has it in full. */
    private IntervalSummary replayedPartial;
    /** Whether the sequence numbers assigned so far are guesses to be moved past what the store already has. */
    private boolean provisional;
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
     * Closes the open interval if the clock has reached its end, then writes whatever is queued, on the calling
     * thread: {@link #closeDue()} and {@link #writeQueued()} in one call, for callers that drive the flusher
     * themselves.
     *
     * @return the number of intervals still waiting to be written
     */
    public int flushDue() {
        closeDue();
        return writeQueued();
    }

    /**
     * Closes the open interval if the clock has reached its end. Touches only memory: never waits for the store.
     *
     * @return the number of intervals waiting to be written
     */
    public synchronized int closeDue() {
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
        return unwritten.size();
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
     * Closes the open interval now, before its boundary, and writes everything queued on the calling thread: the
     * final flush of a graceful stop, for callers that drive the flusher themselves.
     *
     * @return the number of intervals that could not be written
     */
    public int flushNow() {
        closeNow();
        return writeQueued();
    }

    /**
     * Closes the open interval now, before its boundary, so that everything counted so far is queued. Touches only
     * memory.
     *
     * @return the number of intervals waiting to be written
     */
    public synchronized int closeNow() {
        Instant now = now();
        if (!now.isBefore(currentEnd)) {
            return closeDue();
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
        return unwritten.size();
    }

    /**
     * Waits until nothing is queued or {@code deadlineNanos} ({@link System#nanoTime()}) has passed, whichever comes
     * first. Waiting releases the monitor, so it never holds up the writer or the readers.
     *
     * @return the number of intervals still waiting to be written
     */
    public synchronized int awaitWritten(long deadlineNanos) throws InterruptedException {
        for (long left = deadlineNanos - System.nanoTime(); !unwritten.isEmpty() && left > 0;
                left = deadlineNanos - System.nanoTime()) {
            wait(Math.max(1, left / 1_000_000));
        }
        return unwritten.size();
    }

    /**
     * Queues what the previous run's journal held, before anything is counted here: its closed intervals keep their
     * sequence numbers, and its open interval's partial count is written as the interval it was unless the store
     * turns out to have that interval in full ({@link #reconcile(long)}). This run's intervals are numbered after
     * them.
     */
    public synchronized void resume(JournalState left) {
        if (!unwritten.isEmpty() || !drainedSinceStart.isZero()) {
            throw new IllegalStateException("resume() must come first, on a flusher that has closed nothing");
        }
        List<IntervalSummary> intervals = left.intervals();
        for (IntervalSummary interval : intervals) {
            unwritten.addLast(interval);
            lastSeq = Math.max(lastSeq, interval.seq());
        }
        lastSeq = Math.max(lastSeq, left.lastSeq());
        if (left.openIsLast() && !intervals.isEmpty()) {
            replayedPartial = intervals.get(intervals.size() - 1);
        }
    }

    /**
     * Marks the sequence numbers assigned from now on as provisional: the flusher was started with no journal and
     * no store to tell it the node's last sequence number, so {@link #reconcile(long)} moves them past the store's.
     */
    public synchronized void numberProvisionally() {
        provisional = true;
    }

    /**
     * Aligns the queue with what the store holds, once the store could be asked: {@code storedLastSeq} is the
     * node's highest written sequence number there. The previous run's partial interval is dropped when the store
     * has that interval in full (it was closed and written after the journal's last rewrite), and provisionally
     * numbered intervals are renumbered to follow the store's. Nothing queued has been written yet at this point.
     */
    public synchronized void reconcile(long storedLastSeq) {
        if (replayedPartial != null && storedLastSeq >= replayedPartial.seq()) {
            unwritten.remove(replayedPartial);
            LOG.info("The journal's open interval {} was written in full before the previous run stopped; its "
                    + "partial count is not written again.", replayedPartial.describe());
        }
        replayedPartial = null;
        if (!provisional && storedLastSeq > lastSeq) {
            // The database holds later intervals of this node than the journal knows of: the data directory was
            // restored from a backup. What the journal still queues was written since (same seq, same content:
            // writing it again changes nothing); new intervals are numbered after what the database holds.
            LOG.info("Node {} already wrote up to seq {}, after the journal's seq {} (a data directory restored from "
                    + "a backup); new intervals are numbered after it.", nodeId, storedLastSeq, lastSeq);
            lastSeq = storedLastSeq;
        }
        if (provisional) {
            provisional = false;
            long shift = storedLastSeq;
            if (shift > 0) {
                Deque<IntervalSummary> renumbered = new ArrayDeque<>();
                for (IntervalSummary interval : unwritten) {
                    renumbered.addLast(new IntervalSummary(interval.nodeId(), interval.seq() + shift,
                            interval.start(), interval.end(), interval.billingMonth(), interval.counts()));
                }
                unwritten.clear();
                unwritten.addAll(renumbered);
                lastSeq += shift;
                LOG.info("Node {} already wrote up to seq {}; the {} interval(s) counted while the database was "
                        + "away are numbered after it.", nodeId, storedLastSeq, unwritten.size());
            }
        }
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
                if (idleUntil == null) {
                    idleFrom = currentStart;
                }
                idleUntil = end;
            }
            return;
        }
        idleUntil = null;
        drainedSinceStart = drainedSinceStart.plus(counts);
        lastSeq++;
        IntervalSummary summary = new IntervalSummary(nodeId, lastSeq, currentStart, end,
                schedule.billingMonth(currentStart), counts);
        unwritten.addLast(summary);
    }

    /**
     * Writes the queued intervals oldest first, each with the monitor released, until the queue is empty or a
     * write fails; then reports an idle interval to the store if one closed with nothing queued. Returns at once if
     * another thread is writing.
     *
     * @return the number of intervals still waiting to be written
     */
    public int writeQueued() {
        if (!writing.compareAndSet(false, true)) {
            synchronized (this) {
                return unwritten.size();
            }
        }
        try {
            return writeAll();
        } finally {
            writing.set(false);
        }
    }

    private int writeAll() {
        while (true) {
            IntervalSummary next;
            synchronized (this) {
                next = unwritten.peekFirst();
            }
            if (next == null) {
                heartbeat();
                return 0;
            }
            long started = System.nanoTime();
            try {
                sink.write(next);
            } catch (RuntimeException e) {
                writeFailures.increment();
                lastWriteFailure = e;
                int queued;
                long transactions;
                int attempts;
                synchronized (this) {
                    attempts = ++failedAttempts;
                    queued = unwritten.size();
                    transactions = totalQueued();
                }
                if (e instanceof StoreException store && !store.outage()) {
                    LOG.error("Cannot write {}: {} This is not a database outage and retrying does not fix it; {} "
                            + "interval(s) with {} transactions are kept and retried until it is fixed ({} failed "
                            + "attempts so far).", next.describe(), e.getMessage(), queued, transactions, attempts);
                } else {
                    LOG.warn("Could not write {}: {}. {} interval(s) with {} transactions are kept and retried "
                            + "({} failed attempts so far). Check that the database is reachable.", next.describe(),
                            e.toString(), queued, transactions, attempts);
                }
                return queued;
            }
            writeNanos.add(System.nanoTime() - started);
            writes.increment();
            lastWriteFailure = null;
            int failedBefore;
            synchronized (this) {
                unwritten.removeFirst();
                failedBefore = failedAttempts;
                failedAttempts = 0;
                notifyAll();
            }
            if (failedBefore > 0) {
                LOG.info("Wrote {} after {} failed attempts.", next.describe(), failedBefore);
            }
        }
    }

    private void heartbeat() {
        Instant start;
        Instant end;
        synchronized (this) {
            start = idleFrom;
            end = idleUntil;
            idleFrom = null;
            idleUntil = null;
        }
        if (end != null) {
            try {
                sink.heartbeat(nodeId, start, end);
            } catch (RuntimeException e) {
                LOG.debug("Could not record that node {} was idle until {}: {}", nodeId, end, e.toString());
            }
        }
    }

    /** Callers hold the monitor. */
    private long totalQueued() {
        long total = 0;
        for (IntervalSummary summary : unwritten) {
            total += summary.counts().total();
        }
        return total;
    }
}
