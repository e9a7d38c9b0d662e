package org.txcounter.core.interval;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link IntervalFlusher#flushDue()} at each interval boundary, and once more a short while later when writes
 * are waiting (so a database that comes back is used before the next boundary); and rewrites the journal at a
 * fixed rate on a second thread, with any housekeeping tasks ({@link #every}). Both threads are daemons.
 */
public final class FlushScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FlushScheduler.class);
    private static final Duration RETRY_DELAY = Duration.ofSeconds(5);

    private final IntervalFlusher flusher;
    private final Clock clock;
    private final Runnable journalTask;
    private final Duration journalInterval;
    private final ScheduledThreadPoolExecutor executor;

    /**
     * @param journalTask     rewrites the journal; runs every {@code journalInterval} on its own thread, so a slow
     *                        database write never delays it
     */
    public FlushScheduler(IntervalFlusher flusher, Clock clock, Runnable journalTask, Duration journalInterval) {
        this.flusher = flusher;
        this.clock = clock;
        this.journalTask = journalTask;
        this.journalInterval = journalInterval;
        this.executor = new ScheduledThreadPoolExecutor(2, runnable -> {
            Thread thread = new Thread(runnable, "txn-counter-flush");
            thread.setDaemon(true);
            return thread;
        });
        // A stop must not wait for the next boundary's task, only for a flush already running.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    public void start() {
        scheduleNext(0);
        executor.scheduleWithFixedDelay(journalTask, journalInterval.toMillis(), journalInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Runs a housekeeping task (such as sweeping the spent stamps) every {@code period} on the journal's thread,
     * so that no request thread pays for it. Call after {@link #start()}; the task must be short and do no I/O.
     */
    public void every(Runnable task, Duration period) {
        executor.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("A housekeeping task failed; it runs again in {} ms.", period.toMillis(), e);
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        int waiting = 0;
        try {
            waiting = flusher.flushDue();
        } catch (RuntimeException e) {
            LOG.error("The interval flush failed unexpectedly; it runs again at the next boundary.", e);
        }
        scheduleNext(waiting);
    }

    private void scheduleNext(int waiting) {
        Instant now = clock.instant();
        long untilBoundary = Math.max(0, Duration.between(now, flusher.nextBoundary()).toMillis());
        long delay = waiting > 0 ? Math.min(untilBoundary, RETRY_DELAY.toMillis()) : untilBoundary;
        if (!executor.isShutdown()) {
            executor.schedule(this::run, delay, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the timer and waits for a flush in progress to finish; does not flush. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("The flush thread did not stop within 30 s; continuing shutdown.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
