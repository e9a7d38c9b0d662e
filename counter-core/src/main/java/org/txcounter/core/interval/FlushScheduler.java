package org.txcounter.core.interval;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flusher's three threads, all daemons, none of which waits for another:
 * <ul>
 *   <li>the timer closes the open interval at each boundary ({@link IntervalFlusher#closeDue()}, memory only);</li>
 *   <li>the journal task rewrites the journal at a fixed rate, so a hanging database never delays it;</li>
 *   <li>the store thread is the only one that talks to the database: it connects (and keeps trying while the
 *       database is away), writes the queued intervals as soon as one closes, retries failed writes every few
 *       seconds, and checks on the database when it has nothing to write.</li>
 * </ul>
 * <p>Housekeeping tasks ({@link #every}) run on the timers' threads too.
 *
 * <p>Thread-safe: {@link #start()} once, then {@link #finish(Duration)} from any thread.
 */
public final class FlushScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(FlushScheduler.class);
    /** How long the store thread waits before trying the database again after a failure. */
    static final Duration RETRY_DELAY = Duration.ofSeconds(5);
    /**
     * The timer looks at the clock at least this often, so a clock that jumps (a suspended host, a test's clock)
     * closes its interval within a second of the jump rather than at the boundary computed before it.
     */
    private static final long MAX_TIMER_SLEEP_MILLIS = 1_000;

    private final IntervalFlusher flusher;
    private final Clock clock;
    private final Runnable journalTask;
    private final Duration journalInterval;
    private final BooleanSupplier storeReady;
    private final ScheduledThreadPoolExecutor timers;
    private final Thread storeThread;
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean stopping;

    /**
     * @param journalTask     rewrites the journal; runs every {@code journalInterval} on its own thread
     * @param storeReady      runs on the store thread before each round of writes: connects to the database if it
     *                        is not connected yet, checks on it otherwise; false when it cannot be used now
     */
    public FlushScheduler(IntervalFlusher flusher, Clock clock, Runnable journalTask, Duration journalInterval,
            BooleanSupplier storeReady) {
        this.flusher = flusher;
        this.clock = clock;
        this.journalTask = journalTask;
        this.journalInterval = journalInterval;
        this.storeReady = storeReady;
        this.timers = new ScheduledThreadPoolExecutor(2, runnable -> {
            Thread thread = new Thread(runnable, "txn-counter-flush");
            thread.setDaemon(true);
            return thread;
        });
        timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timers.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        this.storeThread = new Thread(this::storeLoop, "txn-counter-store");
        storeThread.setDaemon(true);
    }

    public void start() {
        storeThread.start();
        scheduleBoundary();
        // At a fixed rate, not with a fixed delay: a rewrite's state is taken one interval after the previous one's
        // whatever the previous write took, so a hard stop loses at most one interval plus one write, not one
        // interval plus two. Rewrites never overlap; one that overran is followed at once by the next.
        timers.scheduleAtFixedRate(journalTask, journalInterval.toMillis(), journalInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Has the store thread write what is queued now, instead of at its next round. */
    public void writeSoon() {
        wake.release();
    }

    /**
     * Runs a housekeeping task (such as sweeping the spent stamps) every {@code period} on the timers' threads,
     * so that no request thread pays for it. Call after {@link #start()}; the task must be short and do no I/O.
     */
    public void every(Runnable task, Duration period) {
        timers.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("A housekeeping task failed; it runs again in {} ms.", period.toMillis(), e);
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void onTimer() {
        try {
            if (flusher.closeDue() > 0) {
                wake.release();
            }
        } catch (RuntimeException e) {
            LOG.error("Closing the interval failed unexpectedly; the timer tries again in a second.", e);
        }
        scheduleBoundary();
    }

    private void scheduleBoundary() {
        long untilBoundary = Math.max(0, Duration.between(clock.instant(), flusher.nextBoundary()).toMillis());
        if (!timers.isShutdown()) {
            timers.schedule(this::onTimer, Math.min(untilBoundary, MAX_TIMER_SLEEP_MILLIS), TimeUnit.MILLISECONDS);
        }
    }

    private void storeLoop() {
        while (!stopping) {
            try {
                if (storeReady.getAsBoolean()) {
                    flusher.writeQueued();
                }
            } catch (RuntimeException e) {
                LOG.error("The store thread failed unexpectedly; it tries again in {} s.", RETRY_DELAY.toSeconds(), e);
            }
            // A closed interval wakes the thread at once; otherwise it retries or checks on the database then.
            try {
                if (wake.tryAcquire(RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS)) {
                    wake.drainPermits();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Stops the timers, has the store thread write what is queued (the caller closed the open interval first) and
     * waits for that at most {@code timeout}, whatever the database does; then stops the store thread. A write
     * still hanging then is abandoned on its daemon thread; what it did not acknowledge stays in the journal.
     *
     * @return the number of intervals not written
     */
    public int finish(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        timers.shutdown();
        wake.release();
        int left = flusher.awaitWritten(deadline);
        stopping = true;
        // Woken, not interrupted: an interrupt in the middle of a commit to the embedded H2 database closes its file
        // channel for every thread (ClosedByInterruptException), and H2 writes on the committing thread.
        wake.release();
        // The timer tasks only touch memory and the journal file; they end within milliseconds.
        if (!timers.awaitTermination(500, TimeUnit.MILLISECONDS)) {
            LOG.warn("The flush timer did not stop within 500 ms; continuing shutdown.");
        }
        return left;
    }
}
