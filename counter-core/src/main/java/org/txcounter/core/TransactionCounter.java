package org.txcounter.core;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DedupeConfig;
import org.txcounter.core.ingress.IngressCounter;
import org.txcounter.core.interval.FlushScheduler;
import org.txcounter.core.interval.IntervalFlusher;
import org.txcounter.core.interval.IntervalFlusher.JournalState;
import org.txcounter.core.interval.IntervalSchedule;
import org.txcounter.core.interval.IntervalSummary;
import org.txcounter.core.journal.Journal;
import org.txcounter.core.ledger.LedgerFinding;
import org.txcounter.core.ledger.LedgerSigner;
import org.txcounter.core.ledger.LedgerVerifier;
import org.txcounter.core.node.NodeIdentity;
import org.txcounter.core.stamp.StampAuthority;
import org.txcounter.core.stamp.StampSecrets;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.Dialect;
import org.txcounter.core.store.MonthCount;
import org.txcounter.core.store.ReportRow;

/**
 * The counter as a runtime embeds it: the meter that hooks record into, the flusher that writes an interval
 * summary at every boundary, and the store that answers counts and reports.
 *
 * <pre>{@code
 * try (TransactionCounter counter = TransactionCounter.start(config, Clock.systemUTC())) {
 *     TransportCounter http = counter.meter().counter(Transport.HTTP);   // once, at deploy time
 *     http.record();                                                     // per inbound request
 * }                                                                      // final flush on close
 * }</pre>
 *
 * <p>Thread-safe. Recording never blocks on the database: it only touches the meter.
 */
public final class TransactionCounter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionCounter.class);

    private final String nodeId;
    private final TransactionMeter meter;
    private final CounterStore store;
    private final IntervalFlusher flusher;
    private final IntervalSchedule schedule;
    private final Clock clock;
    private final IngressCounter ingress;
    private final LedgerSigner signer;
    private final Journal journal;
    private volatile long lastJournalWrite;
    private final Duration finalFlushTimeout;
    private final Duration updateInterval;
    private final AtomicLong nextJournalWarning = new AtomicLong();
    private FlushScheduler scheduler;

    private TransactionCounter(String nodeId, TransactionMeter meter, CounterStore store, IntervalFlusher flusher,
            IntervalSchedule schedule, Clock clock, IngressCounter ingress, LedgerSigner signer, Journal journal,
            Duration finalFlushTimeout, Duration updateInterval) {
        this.nodeId = nodeId;
        this.updateInterval = updateInterval;
        this.finalFlushTimeout = finalFlushTimeout;
        this.journal = journal;
        this.signer = signer;
        this.meter = meter;
        this.ingress = ingress;
        this.store = store;
        this.flusher = flusher;
        this.schedule = schedule;
        this.clock = clock;
    }

    /**
     * Opens the store, brings its schema up to date, registers this node and starts flushing at every interval
     * boundary.
     */
    public static TransactionCounter start(CounterConfig config, Clock clock) {
        TransactionCounter counter = open(config, clock);
        counter.scheduler = new FlushScheduler(counter.flusher, clock, counter::writeJournal,
                config.journalInterval());
        counter.scheduler.start();
        LOG.info("Counting transactions as node {} into {}; intervals of {} minute(s), billing months in {}, journal "
                + "every {} ms in {}.", counter.nodeId, config.dataSource().id(), config.updateInterval().toMinutes(),
                config.billingZone(), config.journalInterval().toMillis(), counter.journal.file().toAbsolutePath());
        return counter;
    }

    /**
     * Like {@link #start} but without the timer: the caller drives {@link #flusher()} itself, as tests with a
     * fake clock do.
     */
    public static TransactionCounter open(CounterConfig config, Clock clock) {
        String nodeId = NodeIdentity.resolve(config.nodeId(), config.dataDir());
        byte[] stampSecret = StampSecrets.resolve(config.dedupe().stampSecret(), config.dataDir());
        LedgerSigner signer = ledgerSigner(config, stampSecret);
        CounterStore store = CounterStore.open(config.dataSource(), clock, signer);
        try {
            if (store.dialect() == Dialect.H2 && config.dataSource().url().startsWith("jdbc:h2:file:")) {
                // The embedded default belongs to this process alone: it is created and kept current here.
                store.migrate();
            } else {
                store.requireCurrentSchema();
            }
            long lastSeq = store.registerNode(nodeId);
            TransactionMeter meter = new TransactionMeter();
            IntervalSchedule schedule = new IntervalSchedule(config.updateInterval(), config.billingZone());
            Journal journal = new Journal(config.dataDir());
            Optional<JournalState> left = readJournal(journal, nodeId);
            lastSeq = replay(journal, left, store, lastSeq);
            DedupeConfig dedupe = config.dedupe();
            StampAuthority stamps = new StampAuthority(dedupe.deploymentId(), stampSecret, dedupe.stampLifetime(),
                    clock);
            IngressCounter ingress = new IngressCounter(meter, Optional.of(stamps), dedupe.httpChaining(),
                    dedupe.redeliveryWindow(), clock);
            left.ifPresent(state -> ingress.restoreInFlight(state.inFlight()));
            IntervalFlusher flusher = new IntervalFlusher(meter, store, schedule, clock, nodeId, lastSeq,
                    ingress.inFlight());
            TransactionCounter counter = new TransactionCounter(nodeId, meter, store, flusher, schedule, clock, ingress,
                    signer, journal, config.finalFlushTimeout(), config.updateInterval());
            counter.writeJournal();
            return counter;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The journal the previous run left, if any; refused if it belongs to another node. */
    private static Optional<JournalState> readJournal(Journal journal, String nodeId) {
        Optional<JournalState> state;
        try {
            state = journal.read();
        } catch (IOException e) {
            throw new ConfigException("Cannot read the journal " + journal.file().toAbsolutePath() + ": "
                    + e.getMessage() + ". It holds counts not yet in the database; restore it, or move it away to "
                    + "start without them.", e);
        }
        if (state.isPresent() && !state.get().nodeId().equals(nodeId)
                && (!state.get().intervals().isEmpty() || state.get().inFlight().size() > 0)) {
            throw new ConfigException("The journal " + journal.file().toAbsolutePath() + " belongs to node "
                    + state.get().nodeId() + " but this runtime is node " + nodeId + ". Start it as "
                    + state.get().nodeId() + " once so the journal is written, or move the journal away to discard "
                    + "its counts.");
        }
        return state;
    }

    /**
     * Writes what the previous run left in the journal: its queued intervals (a repeat of one the database already
     * has changes nothing) and the partial count of its open interval, unless the database already has that
     * interval in full. Returns the node's highest written sequence number afterwards.
     */
    private static long replay(Journal journal, Optional<JournalState> state, CounterStore store, long lastSeq) {
        if (state.isEmpty() || state.get().intervals().isEmpty()) {
            return lastSeq;
        }
        JournalState left = state.get();
        long written = lastSeq;
        List<IntervalSummary> intervals = left.intervals();
        for (int i = 0; i < intervals.size(); i++) {
            IntervalSummary interval = intervals.get(i);
            boolean partial = left.openIsLast() && i == intervals.size() - 1;
            if (partial && written >= interval.seq()) {
                continue;
            }
            store.write(interval);
            written = Math.max(written, interval.seq());
        }
        LOG.info("Replayed the journal {}: {} interval(s) from the previous run are in the database now.",
                journal.file().toAbsolutePath(), intervals.size());
        return written;
    }

    /** Rewrites the journal with what the database has not acknowledged; a failure is logged once a minute. */
    void writeJournal() {
        try {
            journal.write(flusher.journalState());
            lastJournalWrite = clock.millis();
        } catch (IOException | RuntimeException e) {
            long now = clock.millis();
            long next = nextJournalWarning.get();
            if (now >= next && nextJournalWarning.compareAndSet(next, now + 60_000)) {
                LOG.warn("Cannot write the journal {}: {}. Until it is written again a hard stop may lose more "
                        + "than a second of counts. Check the data directory's disk and permissions.",
                        journal.file().toAbsolutePath(), e.toString());
            }
        }
    }

    /**
     * The signer of the deployment's ledger: {@code [ledger] key}, or else a key derived from the stamp secret,
     * which every node of a deployment shares.
     */
    public static LedgerSigner ledgerSigner(CounterConfig config, byte[] stampSecret) {
        return config.ledgerKey().map(LedgerSigner::new).orElseGet(() -> LedgerSigner.derivedFrom(stampSecret));
    }

    public String nodeId() {
        return nodeId;
    }

    /** Where hooks take their per-transport handles. */
    public TransactionMeter meter() {
        return meter;
    }

    /** Where the ingress hooks (servlet filter, JMS listeners, stampers) decide what counts. */
    public IngressCounter ingress() {
        return ingress;
    }

    public IntervalFlusher flusher() {
        return flusher;
    }

    public CounterStore store() {
        return store;
    }

    /** How often intervals close. */
    public Duration updateInterval() {
        return updateInterval;
    }

    /** The time now, from the counter's clock. */
    public Instant now() {
        return clock.instant();
    }

    public ZoneId billingZone() {
        return schedule.billingZone();
    }

    /** The billing month it is now. */
    public YearMonth currentMonth() {
        return schedule.billingMonth(clock.instant());
    }

    /**
     * How long ago the journal was last written, or empty before its first write: the counts a hard stop now
     * would lose at most are those of this period.
     */
    public Optional<Duration> journalAge() {
        long last = lastJournalWrite;
        return last == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(Math.max(0, clock.millis() - last)));
    }

    /** What this node has counted that the database does not have yet. */
    public TransportCounts unflushed() {
        return flusher.unflushed();
    }

    /** The written total of a month across all nodes. */
    public MonthCount count(YearMonth month) {
        return store.count(month);
    }

    /** The billing report from {@code from} to {@code to} inclusive. */
    public List<ReportRow> report(YearMonth from, YearMonth to) {
        return store.report(from, to);
    }

    /**
     * Walks every node's ledger chain and the monthly rollup, and names each row that was edited, deleted,
     * inserted or reordered and each rollup that differs from its rows. Empty for an untouched ledger.
     */
    public List<LedgerFinding> verifyLedger() {
        return store.verify(new LedgerVerifier(signer));
    }

    /**
     * Stops the timers and writes what was counted up to now, waiting at most the configured final-flush timeout.
     * The journal is rewritten first, so whatever the database does not take in time is written at the next start.
     */
    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.close();
        }
        writeJournal();
        CompletableFuture<Integer> flush = CompletableFuture.supplyAsync(flusher::flushNow, runnable -> {
            Thread thread = new Thread(runnable, "txn-counter-final-flush");
            thread.setDaemon(true);
            thread.start();
        });
        try {
            int left = flush.get(finalFlushTimeout.toMillis(), TimeUnit.MILLISECONDS);
            writeJournal();
            if (left > 0) {
                LOG.error("Stopped with {} interval(s) not written to the database ({}); they are kept in the journal "
                        + "{} and written at the next start.", left, flusher.unflushed(),
                        journal.file().toAbsolutePath());
            }
        } catch (TimeoutException e) {
            LOG.error("The final flush did not finish within {} ms; what it had not written is in the journal {} and "
                    + "is written at the next start.", finalFlushTimeout.toMillis(), journal.file().toAbsolutePath());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.error("The final flush failed; the journal {} keeps the counts for the next start.",
                    journal.file().toAbsolutePath(), e.getCause());
        }
        store.close();
    }
}
