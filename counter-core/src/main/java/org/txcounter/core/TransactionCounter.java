package org.txcounter.core;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.config.DedupeConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.interval.FlushScheduler;
import org.txcounter.core.interval.IntervalFlusher;
import org.txcounter.core.interval.IntervalFlusher.JournalState;
import org.txcounter.core.interval.IntervalSchedule;
import org.txcounter.core.interval.IntervalSink;
import org.txcounter.core.interval.IntervalSummary;
import org.txcounter.core.io.PrivateFiles;
import org.txcounter.core.journal.Journal;
import org.txcounter.core.journal.JournalDamagedException;
import org.txcounter.core.journal.WrittenSeqMark;
import org.txcounter.core.ledger.LedgerKeys;
import org.txcounter.core.node.NodeIdentity;
import org.txcounter.core.stamp.StampAuthority;
import org.txcounter.core.stamp.StampSecrets;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.Dialect;
import org.txcounter.core.store.EmbeddedH2;
import org.txcounter.core.store.ReadCache;
import org.txcounter.core.store.StoreException;

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
 * <p>Thread-safe. Recording never blocks on the database: it only touches the meter. Only the store thread (or,
 * without the timer, the caller of {@link #open}) talks to the database for writing; the journal is written by one
 * thread of its own, whoever asks for it; {@link #unflushed()} and {@link #databaseStatus()} read memory;
 * {@link #count}, {@link #report}, {@link #daily} and {@link #nodes} answer from memory until something they return
 * is written ({@link ReadCache}: at once for this counter's own writes, within
 * {@link ReadCache#OTHER_WRITERS_CHECKED_EVERY} for other nodes'), and otherwise ask the database on reader threads
 * and wait for it at most a given time ({@link #API_READ_WAIT} for the management API). The counter starts, counts
 * and journals while its database is down,
 * and connects (schema check, node registration, journal replay) when it is back.
 *
 * <p>Why one long class: it is the lifecycle of a node (start, connect, journal, stop) and the facade a runtime
 * calls, and both read the same state (the database status, the journal's failure, the node-id check). The
 * journal's writing and the start's node-id check are the parts that split off first.
 */
public final class TransactionCounter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionCounter.class);
    /**
     * The longest a query from the management API waits for the database before it fails (and the API answers
     * 503): well below the half second within which the API must answer, well above what the rollup queries take.
     */
    public static final Duration API_READ_WAIT = Duration.ofMillis(300);
    /** The longest {@link #count(YearMonth)} and {@link #report(YearMonth, YearMonth)} wait for the database. */
    public static final Duration READ_WAIT = Duration.ofSeconds(10);
    /**
     * How long a start waits for the database to tell whether another live node holds this node's id; a database
     * that takes longer is asked again by the store thread, and the start goes on without waiting.
     */
    static final Duration START_CHECK_WAIT = Duration.ofSeconds(2);
    /** A node whose last write or idle report is older than its interval and this is no longer running. */
    private static final Duration LIVE_GRACE = Duration.ofSeconds(30);
    /** How long a call may wait for the database before readiness reports it as not answering. */
    public static final Duration NOT_ANSWERING_AFTER = Duration.ofSeconds(2);
    /** How often the store thread checks on the database when it has nothing to write. */
    private static final long PROBE_NANOS = Duration.ofSeconds(5).toNanos();
    /** How often it checks the schema then: the check reads the migration history and the migrations. */
    private static final long SCHEMA_RECHECK_NANOS = Duration.ofMinutes(1).toNanos();
    /** While the database stays down, its warning is repeated once a minute, not at every attempt. */
    private static final long WARN_EVERY_NANOS = Duration.ofMinutes(1).toNanos();
    private static final long STORE_CLOSE_WAIT_MILLIS = 1_000;

    private final String nodeId;
    private final TransactionMeter meter;
    private final CounterStore store;
    /** Answers count, report, daily and nodes from memory until something is written. */
    private final ReadCache reads;
    private final IntervalFlusher flusher;
    private final IntervalSchedule schedule;
    private final Clock clock;
    private final IngressCounter ingress;
    private final LedgerKeys ledgerKeys;
    private final Journal journal;
    private volatile long lastJournalWriteNanos;
    private final boolean embedded;
    private final AtomicBoolean connecting = new AtomicBoolean();
    private volatile boolean connected;
    private volatile DatabaseStatus status;
    /** When the call the store thread is waiting on began ({@link System#nanoTime()}), or 0 when it waits on none. */
    private volatile long callStartedNanos;
    private volatile String call = "";
    private volatile long lastAnswerNanos;
    private volatile long lastSchemaCheckNanos;
    private volatile long lastDatabaseWarningNanos;
    private final ThreadPoolExecutor readers;
    private final Duration finalFlushTimeout;
    private final Duration updateInterval;
    private final AtomicLong nextJournalWarning = new AtomicLong();
    /** Whether the previous run left a journal, and the last sequence number it knew of (-1 without one). */
    private final long journalLastSeq;
    /**
     * The last sequence number this data directory knows its node wrote: the journal's, or the written-seq mark's
     * when that is higher (the journal could not be written); -1 when it knows of none.
     */
    private final long knownSeq;
    /** Where each written sequence number is recorded for the next start's check; null when reporting. */
    private final WrittenSeqMark writtenSeq;
    /** Set while another live node holds this node's id; the database is not written meanwhile. */
    private volatile String nodeConflict;
    /**
     * Set when this node started without a journal after it had counted before: what may have been lost, until an
     * operator acknowledges it. Checked once a run, at the database's first answer about the node.
     */
    private final AtomicReference<String> journalGap = new AtomicReference<>();
    private final AtomicBoolean journalGapChecked = new AtomicBoolean();
    /** Set from the first failed journal rewrite until the next one that succeeds. */
    private volatile JournalFailure journalFailure;
    /** Whether the last write of the spent stamps failed; the journal thread alone reads and sets it. */
    private boolean spentStampsFailing;
    private final LongAdder journalWriteFailures = new LongAdder();
    private final Duration journalInterval;
    /** The one thread that writes the journal ({@link #writeJournal()}). */
    private final ExecutorService journalWriter = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "txn-counter-journal");
        thread.setDaemon(true);
        return thread;
    });
    /** Reads the store and counts nothing: no node of its own, no journal, no flush ({@link #openForReporting}). */
    private final boolean reporting;
    private FlushScheduler scheduler;
    /** In reporting mode, the thread that connects and then checks on the database every few seconds. */
    private ScheduledExecutorService probe;

    static {
        Internals.grant(new Internals.CounterAccess() {
            @Override
            public CounterStore store(TransactionCounter counter) {
                return counter.store;
            }

            @Override
            public IntervalFlusher flusher(TransactionCounter counter) {
                return counter.flusher;
            }

            @Override
            public LedgerKeys ledgerKeys(TransactionCounter counter) {
                return counter.ledgerKeys;
            }

            @Override
            public ReadCache reads(TransactionCounter counter) {
                return counter.reads;
            }
        });
    }

    private TransactionCounter(String nodeId, TransactionMeter meter, CounterStore store, IntervalFlusher flusher,
            IntervalSchedule schedule, Clock clock, IngressCounter ingress, LedgerKeys ledgerKeys, Journal journal,
            Duration finalFlushTimeout, Duration updateInterval, Duration journalInterval, boolean embedded,
            boolean reporting, long journalLastSeq, long knownSeq, WrittenSeqMark writtenSeq) {
        this.nodeId = nodeId;
        this.journalInterval = journalInterval;
        this.journalLastSeq = journalLastSeq;
        this.knownSeq = knownSeq;
        this.writtenSeq = writtenSeq;
        this.reporting = reporting;
        this.embedded = embedded;
        this.status = new DatabaseStatus(DatabaseStatus.State.CONNECTING, "Not connected yet since the start.",
                clock.instant());
        // Two threads and a short queue: a database that hangs ties up two threads, and further reads fail at
        // once instead of piling up.
        this.readers = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(8),
                runnable -> {
                    Thread thread = new Thread(runnable, "txn-counter-read");
                    thread.setDaemon(true);
                    return thread;
                });
        this.updateInterval = updateInterval;
        this.finalFlushTimeout = finalFlushTimeout;
        this.journal = journal;
        this.ledgerKeys = ledgerKeys;
        this.meter = meter;
        this.ingress = ingress;
        this.store = store;
        this.flusher = flusher;
        this.schedule = schedule;
        this.clock = clock;
        this.reads = new ReadCache(store, clock, schedule.billingZone(), this::read);
    }

    /**
     * Starts counting and flushing at every interval boundary without waiting for the database: the store thread
     * brings the schema up to date (the embedded H2 file) or checks it, registers this node and writes what the
     * previous run's journal kept, as soon as the database answers, and keeps trying until it does.
     */
    public static TransactionCounter start(CounterConfig config, Clock clock) {
        TransactionCounter counter = create(config, clock, false);
        counter.refuseWhenAnotherNodeHoldsTheId(START_CHECK_WAIT);
        counter.scheduler = new FlushScheduler(counter.flusher, clock, counter::writeJournal,
                counter.journalInterval, counter::storeReady);
        counter.scheduler.start();
        Internals.stamps(counter.ingress)
                .ifPresent(stamps -> counter.scheduler.every(stamps::sweep, stamps.sweepInterval()));
        LOG.info("Counting transactions as node {} into {}; intervals of {} minute(s), billing months in {}, journal "
                + "every {} ms in {}.", counter.nodeId, counter.store.description(),
                        config.updateInterval().toMinutes(),
                config.billingZone(), config.journalInterval().toMillis(), counter.journal.file().toAbsolutePath());
        return counter;
    }

    /**
     * Like {@link #start} but without the timer: intervals are written at {@link #close()}, or when our own tests
     * with a fake clock drive the flusher through the internal API. Connects to the database once, on the calling
     * thread, and writes what the journal kept; if the database cannot be used, the counter is open all the same
     * and {@link #connect()} tries again.
     */
    public static TransactionCounter open(CounterConfig config, Clock clock) {
        TransactionCounter counter = create(config, clock, false);
        if (counter.connect()) {
            counter.flusher.writeQueued();
        }
        return counter;
    }

    /**
     * Opens the store for reporting on what other nodes write, without counting: this process is no node (it
     * registers none, so it appears in no node list), keeps no journal and writes nothing. It connects on a thread of
     * its own, and then checks on the database every few seconds, so {@link #databaseStatus()} follows outages. A
     * data directory whose journal still holds another run's unwritten counts is refused: start that node counting
     * once to write them.
     */
    public static TransactionCounter openForReporting(CounterConfig config, Clock clock) {
        TransactionCounter counter = create(config, clock, true);
        counter.probe = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "txn-counter-probe");
            thread.setDaemon(true);
            return thread;
        });
        counter.probe.scheduleWithFixedDelay(counter::storeReady, 0, PROBE_NANOS, TimeUnit.NANOSECONDS);
        LOG.info("Reporting on {} without counting: this process is no node and writes no intervals.",
                config.dataSource().id());
        return counter;
    }

    private static TransactionCounter create(CounterConfig config, Clock clock, boolean reporting) {
        ownerOnlyDataDirectory(config.dataDir());
        String nodeId = NodeIdentity.resolve(config.nodeId(), config.dataDir());
        byte[] stampSecret = StampSecrets.resolve(config.dedupe().stampSecret(), config.dataDir());
        LedgerKeys ledgerKeys = LedgerKeys.resolve(config.ledgerKey(), config.ledgerKeyId(),
                config.retiredLedgerKeys(), stampSecret, config.dataDir());
        Journal journal = new Journal(config.dataDir());
        Optional<JournalState> left = readJournal(journal, nodeId);
        if (reporting && left.isPresent()
                && (!left.get().intervals().isEmpty() || left.get().inFlight().size() > 0)) {
            throw new ConfigException("The journal " + journal.file().toAbsolutePath() + " holds "
                    + left.get().intervals().size() + " interval(s) that node " + nodeId + " counted and has not "
                    + "written, which a reporting start would leave unwritten. Start the node counting once so that "
                    + "they are written, or give the reporting instance a data_dir of its own.");
        }
        CounterStore store;
        boolean embedded;
        if (config.hostDataSource().isPresent()) {
            // The host's database is the host's: checked, never migrated, never closed here.
            store = CounterStore.onHostDataSource(config.hostDataSource().get(), clock, ledgerKeys.current(),
                    config.dataSource().timeouts().statement());
            embedded = false;
        } else {
            DataSourceConfig dataSource = EmbeddedH2.secure(config.dataSource(), config.dataDir());
            store = CounterStore.openWithoutConnecting(dataSource, clock, ledgerKeys.current());
            // The embedded default belongs to this process alone: it is created and kept current here.
            embedded = store.dialect() == Dialect.H2 && dataSource.url().startsWith("jdbc:h2:file:");
        }
        try {
            if (embedded && !CounterStore.canMigrate()) {
                throw new ConfigException("The embedded database " + store.description() + " is created and "
                        + "migrated by the counter, which needs Flyway: add org.flywaydb:flyway-core:12.4.0 to the "
                        + "classpath, or give the counter a datasource whose schema was created "
                        + "(CounterConfig.builder().dataSource(...), or [[datasource]] in deployment.toml).");
            }
            TransactionMeter meter = new TransactionMeter();
            IntervalSchedule schedule = new IntervalSchedule(config.updateInterval(), config.billingZone());
            TransactionCounter[] self = new TransactionCounter[1];
            IntervalSink sink = new IntervalSink() {
                @Override
                public void write(IntervalSummary interval) {
                    // Nothing is written before the node is registered and the queue lined up with the database.
                    if (!self[0].connect()) {
                        throw new StoreException("Not connected to " + store.description() + " yet: "
                                + self[0].databaseStatus().detail());
                    }
                    self[0].call("writing " + interval.describe(), () -> {
                        store.write(interval);
                        return null;
                    });
                    if (self[0].writtenSeq != null) {
                        self[0].writtenSeq.record(interval.seq());
                    }
                }

                @Override
                public void heartbeat(String node, Instant intervalStart, Instant intervalEnd) {
                    self[0].call("recording that the node was idle", () -> {
                        store.heartbeat(node, intervalStart, intervalEnd);
                        return null;
                    });
                }
            };
            DedupeConfig dedupe = config.dedupe();
            StampAuthority stamps = new StampAuthority(dedupe.deploymentId(), nodeId, stampSecret,
                    dedupe.stampLifetime(), dedupe.spentStamps(), clock);
            if (!reporting) {
                keepSpentStamps(stamps, config.dataDir());
            }
            IngressCounter ingress = Internals.ingressCounter(meter, Optional.of(stamps), dedupe.httpChaining(),
                    dedupe.redeliveryWindow(), clock);
            left.ifPresent(state -> Internals.restoreInFlight(ingress, state.inFlight()));
            IntervalFlusher flusher = new IntervalFlusher(meter, sink, schedule, clock, nodeId, 0,
                    Internals.inFlight(ingress));
            if (left.isPresent()) {
                flusher.resume(left.get());
            } else {
                flusher.numberProvisionally();
            }
            long journalLastSeq = left.map(JournalState::lastSeq).orElse(-1L);
            long knownSeq = reporting ? journalLastSeq
                    : Math.max(journalLastSeq, WrittenSeqMark.read(config.dataDir(), nodeId));
            TransactionCounter counter = new TransactionCounter(nodeId, meter, store, flusher, schedule, clock, ingress,
                    ledgerKeys, journal, config.finalFlushTimeout(), config.updateInterval(), config.journalInterval(),
                    embedded, reporting, journalLastSeq, knownSeq, reporting ? null : openWrittenSeq(config.dataDir(),
                    nodeId));
            self[0] = counter;
            if (!reporting) {
                counter.writeJournal();
            }
            return counter;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** What the previous run left in the journal, if anything; refuses a damaged journal or another node's. */
    private static Optional<JournalState> readJournal(Journal journal, String nodeId) {
        Optional<JournalState> state;
        try {
            state = journal.read();
        } catch (JournalDamagedException e) {
            throw new ConfigException("The journal " + e.getMessage() + ". It holds counts not yet in the "
                    + "database, so the counter does not start on it: restore it from a backup, or see what it holds "
                    + "with `txcounter journal` and keep what can be trusted with `txcounter journal --salvage` (the "
                    + "damaged file and the lines set aside are kept beside it).", e);
        } catch (IOException e) {
            throw new ConfigException("Cannot read the journal " + journal.file().toAbsolutePath() + ": "
                    + e.getMessage() + ". It holds counts not yet in the database; restore it, or move it away to "
                    + "start without them.", e);
        }
        if (state.isPresent() && !state.get().nodeId().equals(nodeId)) {
            if (state.get().intervals().isEmpty() && state.get().inFlight().size() == 0) {
                // Another node's journal with nothing in it: nothing to keep, and its sequence numbers are not ours.
                return Optional.empty();
            }
            throw new ConfigException("The journal " + journal.file().toAbsolutePath() + " belongs to node "
                    + state.get().nodeId() + " but this runtime is node " + nodeId + ". Start it as "
                    + state.get().nodeId() + " once so the journal is written, or move the journal away to discard "
                    + "its counts.");
        }
        if (state.isPresent() && !state.get().intervals().isEmpty()) {
            LOG.info("The journal {} holds {} interval(s) from the previous run; they are written to the database "
                    + "once it answers.", journal.file().toAbsolutePath(), state.get().intervals().size());
        }
        return state;
    }

    /**
     * Connects to the database if this counter has not yet: brings the embedded H2 file's schema up to date or
     * checks the schema, registers the node and lines up the queued intervals with what the database holds. Called
     * by the store thread until it succeeds; a caller that drives the flusher itself may call it too.
     *
     * @return whether the counter is connected now
     */
    public boolean connect() {
        if (connected) {
            return true;
        }
        if (!connecting.compareAndSet(false, true)) {
            return false;
        }
        try {
            long storedLastSeq = call("connecting", () -> {
                if (embedded) {
                    store.migrate();
                } else {
                    store.requireCurrentSchema();
                }
                return reporting ? 0L : store.registerNode(nodeId);
            });
            lastSchemaCheckNanos = System.nanoTime();
            if (reporting) {
                connected = true;
                LOG.info("Connected to the database {} for reporting.", store.description());
                return true;
            }
            if (!ownsTheId(storedLastSeq)) {
                return false;
            }
            call("recording that the node runs", () -> {
                store.reportRunning(nodeId);
                return null;
            });
            flusher.reconcile(storedLastSeq);
            // This directory now knows the node's row: a start right after a hard stop that lost the journal is
            // then told apart from another runtime with the same id, even before the first interval is written.
            if (writtenSeq != null) {
                writtenSeq.record(storedLastSeq);
            }
            connected = true;
            LOG.info("Connected to the database as node {} (last written seq {}); {} interval(s) queued for it.",
                    nodeId, storedLastSeq, flusher.queued().size());
            return true;
        } catch (StoreException.SchemaMismatchException e) {
            // The database answers, but with a schema this release cannot use: readiness says which command fixes it.
            setStatus(DatabaseStatus.State.SCHEMA_OUTDATED, e.getMessage());
            return false;
        } catch (StoreException e) {
            if (!e.outage()) {
                // A node-id conflict: the database answers and refuses this node; readiness names the refusal.
                setStatus(DatabaseStatus.State.DOWN, e.getMessage());
            }
            return false;
        } catch (RuntimeException e) {
            return false;
        } finally {
            connecting.set(false);
        }
    }

    /**
     * Whether this runtime may write as node {@link #nodeId} now that the database says the node wrote up to
     * {@code storedLastSeq}. Not when another node with the same id is alive: its last write or idle report is
     * within one interval (plus {@link #LIVE_GRACE}), and this data directory either has no journal or knows of
     * fewer intervals than the database holds (a crash of this very node leaves at most the open interval unknown).
     * Then nothing is written (two writers of one node would fight over its sequence numbers), readiness says so,
     * and counting goes on into the journal; the next attempt asks again, so this node takes over once the other
     * has stopped. A node that starts without a journal after it had counted is told what may have been lost.
     */
    private boolean ownsTheId(long storedLastSeq) {
        NodeStatus stored = call("reading node " + nodeId, () -> store.nodes()).stream()
                .filter(node -> node.nodeId().equals(nodeId)).findFirst().orElse(null);
        // Only the first answer tells what the database held before this run: later ones include its own writes.
        boolean firstAnswer = journalGapChecked.compareAndSet(false, true);
        if (stored == null) {
            return true;
        }
        Instant now = clock.instant();
        Optional<Instant> lastReport = stored.lastFlushAt();
        boolean otherAlive = lastReport.isPresent()
                && lastReport.get().isAfter(now.minus(updateInterval).minus(LIVE_GRACE));
        boolean unknownToThisDirectory = knownSeq < 0 || storedLastSeq > knownSeq + 1;
        if (otherAlive && unknownToThisDirectory) {
            String conflict = "Node " + nodeId + " is already counting elsewhere: the database shows it "
                    + (storedLastSeq > 0 ? "wrote up to seq " + storedLastSeq : "registered") + ", its last report at "
                    + lastReport.get() + " ("
                    + Duration.between(lastReport.get(), now).toSeconds() + " s ago), while this data directory "
                    + journal.file().toAbsolutePath().getParent() + (knownSeq < 0 ? " has no journal"
                            : " knows only of seq " + knownSeq) + ". Two runtimes with one node id would "
                    + "overwrite each other's intervals, so this one writes nothing: give it its own id ([node] id "
                    + "in deployment.toml, or remove that key and the node-id file so one is generated), or stop the "
                    + "other. If the other was this node, stopped hard less than " + updateInterval.plus(LIVE_GRACE)
                    .toSeconds() + " s ago, start again after that.";
            if (!conflict.equals(nodeConflict)) {
                LOG.error("{}", conflict);
            }
            nodeConflict = conflict;
            setStatus(DatabaseStatus.State.DOWN, conflict);
            return false;
        }
        nodeConflict = null;
        if (firstAnswer && journalLastSeq < 0 && (storedLastSeq > 0 || lastReport.isPresent())) {
            String before = storedLastSeq > 0 ? "it counted before: the database holds its intervals up to seq "
                    + storedLastSeq + stored.lastIntervalEnd().map(end -> ", the last ending at " + end).orElse("")
                    + lastReport.map(at -> ", last written at " + at).orElse("")
                    : "it ran before (its last report at " + lastReport.get() + ") and the database holds no "
                            + "interval of it";
            String gap = "Node " + nodeId + " starts without a journal in " + journal.file().toAbsolutePath()
                    .getParent() + ", but " + before + ". If it was stopped hard, what it counted after that was in "
                    + "the journal and is lost; if the journal was moved or deleted by mistake, stop this node and "
                    + "put it back. Once looked into, acknowledge it (txcounter acknowledge-gap) to end this "
                    + "readiness detail.";
            LOG.warn("{}", gap);
            journalGap.set(gap);
        }
        return true;
    }

    /**
     * Gives the database up to {@code wait} to say whether another live node holds this node's id, and refuses the
     * start if one does. A database that does not answer in time is left to the store thread.
     */
    private void refuseWhenAnotherNodeHoldsTheId(Duration wait) {
        Thread check = new Thread(this::connect, "txn-counter-start-check");
        check.setDaemon(true);
        check.start();
        try {
            check.join(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String conflict = nodeConflict;
        if (conflict != null) {
            journalWriter.shutdownNow();
            readers.shutdown();
            closeStore();
            closeWrittenSeq();
            throw new ConfigException(conflict);
        }
    }

    /** Why this node writes nothing while another live node holds its id, or empty. */
    public Optional<String> nodeConflict() {
        return Optional.ofNullable(nodeConflict);
    }

    /** What this node may have lost when it started without a journal after it had counted, or empty. */
    public Optional<String> journalGap() {
        return Optional.ofNullable(journalGap.get());
    }

    /**
     * Ends the report of a start without a journal (readiness shows it until then), once an operator has looked
     * into it; returns what was acknowledged, or empty if there was nothing to acknowledge.
     */
    public Optional<String> acknowledgeJournalGap() {
        return Optional.ofNullable(journalGap.getAndSet(null));
    }

    /**
     * Before each round of writes on the store thread: connects if need be; otherwise, when the database has not
     * answered for a while, asks it a trivial query, and once a minute checks its schema too.
     */
    private boolean storeReady() {
        if (!connected) {
            return connect();
        }
        long now = System.nanoTime();
        if (now - lastAnswerNanos < PROBE_NANOS) {
            return true;
        }
        return check(now - lastSchemaCheckNanos >= SCHEMA_RECHECK_NANOS);
    }

    /**
     * Asks the database whether it answers and its schema is the current one, and records the outcome for
     * {@link #databaseStatus()}. The store thread does this on its own every few seconds when it has nothing to
     * write; a caller that drives the flusher itself calls it. Connects first if the counter is not connected.
     *
     * @return whether the database can be used
     */
    public boolean checkDatabase() {
        return connected ? check(true) : connect();
    }

    private boolean check(boolean schemaToo) {
        try {
            return call("checking the database", () -> {
                if (!store.reachable()) {
                    throw new StoreException("The database " + store.description() + " did not answer a query.");
                }
                if (schemaToo) {
                    lastSchemaCheckNanos = System.nanoTime();
                    if (!store.schemaCurrent()) {
                        throw new SchemaOutdated();
                    }
                }
                return true;
            });
        } catch (SchemaOutdated e) {
            setStatus(DatabaseStatus.State.SCHEMA_OUTDATED, "The schema of " + store.description() + " is not the "
                    + "one this release needs. Run: java -jar txcounter.jar migrate [deployment.toml] with an account "
                    + "that may alter tables; counting goes on meanwhile.");
            return false;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The schema check failed on a database that answers. */
    private static final class SchemaOutdated extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SchemaOutdated() {
            super("the schema is not the current one", null, false, false);
        }
    }

    /**
     * Runs one call to the database on the calling thread and keeps {@link #databaseStatus()} up to date: while it
     * waits, readiness can tell how long; its outcome sets the state.
     */
    private <T> T call(String what, Supplier<T> work) {
        call = what;
        callStartedNanos = System.nanoTime();
        try {
            T result = work.get();
            lastAnswerNanos = System.nanoTime();
            if (status.state() != DatabaseStatus.State.UP) {
                if (status.state() != DatabaseStatus.State.CONNECTING) {
                    LOG.info("The database answers again (it was {} since {}).", status.state(), status.since());
                }
                setStatus(DatabaseStatus.State.UP, "");
            }
            return result;
        } catch (StoreException e) {
            if (!e.outage()) {
                // The database answered, with a refusal of its own kind (node conflict, sequence gap, schema):
                // it is up, and the flusher and readiness name the refusal.
                lastAnswerNanos = System.nanoTime();
                throw e;
            }
            throw down(what, e);
        } catch (RuntimeException e) {
            throw down(what, e);
        } finally {
            callStartedNanos = 0;
        }
    }

    /** Records that the database could not be used while doing {@code what}; returns {@code e} to throw. */
    private RuntimeException down(String what, RuntimeException e) {
        long now = System.nanoTime();
        String detail = DatabaseProblem.of(e).describe(String.valueOf(e.getMessage()));
        if (status.state() != DatabaseStatus.State.DOWN || now - lastDatabaseWarningNanos > WARN_EVERY_NANOS) {
            lastDatabaseWarningNanos = now;
            LOG.warn("The database cannot be used while {}: {}. Counting goes on and the journal keeps the "
                    + "counts; the counter tries again every few seconds (this warning repeats once a minute "
                    + "while it lasts).", what, detail);
        }
        setStatus(DatabaseStatus.State.DOWN, detail);
        return e;
    }

    private void setStatus(DatabaseStatus.State state, String detail) {
        DatabaseStatus current = status;
        status = new DatabaseStatus(state, detail, state == current.state() ? current.since() : clock.instant());
    }

    /**
     * Where the database stands, from memory: never waits for it. A call that has waited longer than
     * {@link #NOT_ANSWERING_AFTER} makes it {@link DatabaseStatus.State#NOT_ANSWERING}.
     */
    public DatabaseStatus databaseStatus() {
        long started = callStartedNanos;
        long waited = started == 0 ? 0 : System.nanoTime() - started;
        DatabaseStatus last = status;
        if (waited > NOT_ANSWERING_AFTER.toNanos()) {
            // A retry after a failure waits for a connection as long as the pool lets it, while the pool's own
            // attempts may fail the same way again: the failure it retries is what is known, not a hang.
            String detail = last.state() == DatabaseStatus.State.DOWN
                    ? "No answer for " + waited / 1_000_000 + " ms while " + call + ", retrying after " + last.detail()
                    : "HANGS: no answer from " + store.description() + " for " + waited / 1_000_000 + " ms while "
                            + call + " (nothing failed and nothing came back: check the database's host, its load "
                            + "and the network to it).";
            return new DatabaseStatus(DatabaseStatus.State.NOT_ANSWERING, detail, clock.instant().minusNanos(waited));
        }
        return last;
    }

    /** The written-seq mark for this run, or null (with a warning) when it cannot be created. */
    private static WrittenSeqMark openWrittenSeq(Path dataDir, String nodeId) {
        try {
            return WrittenSeqMark.open(dataDir, nodeId);
        } catch (IOException e) {
            LOG.warn("Cannot create the written-seq mark in {}: {}. This run counts as usual; if it stops hard while "
                    + "its journal cannot be written, the next start may take its last intervals for another node's "
                    + "and wait until the id's last report is old.", dataDir.toAbsolutePath(), e.toString());
            return null;
        }
    }

    /** Puts back the stamps this node spent before and keeps every stamp it spends from now on on disk. */
    private static void keepSpentStamps(StampAuthority stamps, Path dataDir) {
        try {
            int restored = stamps.keepSpentIn(dataDir);
            if (restored > 0) {
                LOG.info("Restored {} spent stamp(s) from {}: none of them is honoured again before it expires.",
                        restored, stamps.spentFile().orElseThrow().toAbsolutePath());
            }
        } catch (IOException e) {
            throw new ConfigException("Cannot read or write the spent stamps in " + dataDir.toAbsolutePath()
                    + ": " + e + ". Give the service's user write access to the data directory, or free space "
                    + "in it.", e);
        }
    }

    /**
     * Creates the data directory with mode 700, or closes an existing one that its group or others could enter: it
     * holds the secrets, the journal and the embedded database.
     */
    private static void ownerOnlyDataDirectory(Path dataDir) {
        try {
            if (PrivateFiles.ownerOnlyDirectory(dataDir)) {
                LOG.warn("The data directory {} was open to its group or to others; it is now owner-only (700).",
                        dataDir.toAbsolutePath());
            }
        } catch (IOException e) {
            throw new ConfigException("Cannot create the data directory " + dataDir.toAbsolutePath()
                    + " owner-only: " + e.getMessage() + ". Create it for this user, or set [node] data_dir.", e);
        }
    }

    /**
     * Rewrites the journal with what the database has not acknowledged, and returns when it is written; a failure is
     * logged once a minute. Every rewrite (the timer's, and the two at {@link #close()}) runs on the one journal
     * thread, which takes the state when it writes it: rewrites never overlap, and a later one always holds a later
     * state. After the last one at {@link #close()} the thread is gone and a call does nothing.
     */
    void writeJournal() {
        try {
            journalWriter.submit(this::writeJournalNow).get();
        } catch (RejectedExecutionException e) {
            // Closed: the final rewrite was made.
        } catch (ExecutionException e) {
            throw new IllegalStateException("The journal thread failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * On the journal thread only. While the journal cannot be written (a full disk, a read-only file system, lost
     * permissions), the loss bound is kept through the database instead: each failed rewrite closes the open
     * interval and has the store thread write it at once, so a hard stop loses at most what was counted since the
     * last failed rewrite, as long as the database takes the writes. With the database away too, everything counted
     * since the journal's last write is at risk. The first failure and the recovery are logged, and
     * {@link #journalFailure()} tells readiness.
     */
    private void writeJournalNow() {
        writeSpentStamps();
        try {
            journal.write(flusher.journalState());
            lastJournalWriteNanos = System.nanoTime();
            JournalFailure ended = journalFailure;
            if (ended != null) {
                journalFailure = null;
                LOG.info("The journal {} is written again; it could not be from {} until now ({}).",
                        journal.file().toAbsolutePath(), ended.since(), ended.error());
            }
        } catch (IOException | RuntimeException e) {
            journalWriteFailures.increment();
            long now = clock.millis();
            if (journalFailure == null) {
                journalFailure = new JournalFailure(clock.instant(), e.toString());
                nextJournalWarning.set(now + 60_000);
                LOG.error("Cannot write the journal {}: {}. Until it is written again, the counts are written to the "
                        + "database every {} ms instead of at the interval's end, and readiness is DOWN; if the "
                        + "database is away too, a hard stop loses everything counted since the journal's last write. "
                        + "Free space in the data directory, or give its user write access back.",
                        journal.file().toAbsolutePath(), e.toString(), journalInterval.toMillis());
            } else {
                long next = nextJournalWarning.get();
                if (now >= next && nextJournalWarning.compareAndSet(next, now + 60_000)) {
                    LOG.warn("The journal {} still cannot be written, since {}: {}.", journal.file().toAbsolutePath(),
                            journalFailure.since(), e.toString());
                }
            }
            if (scheduler != null) {
                flusher.closeNow();
                scheduler.writeSoon();
            }
        }
    }

    /** Why the journal could not be written, and since when, while it cannot; empty once it is written again. */
    public Optional<String> journalFailure() {
        JournalFailure failure = journalFailure;
        return failure == null ? Optional.empty()
                : Optional.of("since " + failure.since() + ": " + failure.error());
    }

    /** How many rewrites of the journal failed since the start. */
    public long journalWriteFailures() {
        return journalWriteFailures.sum();
    }

    /** The first of a run of failed journal rewrites, and the last error. */
    private record JournalFailure(Instant since, String error) {
    }

    public String nodeId() {
        return nodeId;
    }

    /** Whether this process only reports on the store and counts nothing ({@link #openForReporting}). */
    public boolean reporting() {
        return reporting;
    }

    /** Where hooks take their per-transport handles. */
    public TransactionMeter meter() {
        return meter;
    }

    /** Where the ingress hooks (servlet filter, JMS listeners, stampers) decide what counts. */
    public IngressCounter ingress() {
        return ingress;
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
        // Elapsed time, not the counter's clock: the age says how much real time a hard stop would lose.
        long last = lastJournalWriteNanos;
        return last == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(Math.max(0, System.nanoTime() - last)));
    }

    /** What this node has counted that the database does not have yet. */
    public TransportCounts unflushed() {
        return flusher.unflushed();
    }

    /** The written total of a month across all nodes; waits for the database at most {@link #READ_WAIT}. */
    public MonthCount count(YearMonth month) {
        return count(month, READ_WAIT);
    }

    /**
     * The written total of a month across all nodes, from memory until something is written ({@link ReadCache});
     * waits for the database at most {@code wait} when it must be asked.
     */
    public MonthCount count(YearMonth month, Duration wait) {
        return reads.count(month, wait);
    }

    /** What all nodes wrote for a month, by day of the billing time zone and transport; waits {@link #READ_WAIT}. */
    public List<DayCount> daily(YearMonth month) {
        return daily(month, READ_WAIT);
    }

    /** What all nodes wrote for a month, by day of the billing time zone and transport, as {@link #count} reads. */
    public List<DayCount> daily(YearMonth month, Duration wait) {
        return reads.daily(month, wait);
    }

    /** The billing report from {@code from} to {@code to} inclusive; waits at most {@link #READ_WAIT}. */
    public List<ReportRow> report(YearMonth from, YearMonth to) {
        return report(from, to, READ_WAIT);
    }

    /** The billing report from {@code from} to {@code to} inclusive, as {@link #count(YearMonth, Duration)} reads. */
    public List<ReportRow> report(YearMonth from, YearMonth to, Duration wait) {
        return reads.report(from, to, wait);
    }

    /** Every node that ever wrote to the database, with where its writing stands, as {@link #count} reads. */
    public List<NodeStatus> nodes(Duration wait) {
        return reads.nodes(wait);
    }

    /**
     * Asks the database on a reader thread and waits at most {@code wait}; fails at once while the store thread is
     * waiting on a database that does not answer.
     *
     * @throws StoreException when the database did not answer in time, or cannot be asked now
     */
    private <T> T read(String what, Supplier<T> query, Duration wait) {
        DatabaseStatus now = databaseStatus();
        if (now.state() == DatabaseStatus.State.NOT_ANSWERING) {
            throw new StoreException("Cannot read " + what + ": " + now.detail());
        }
        Future<T> answer;
        try {
            answer = readers.submit(query::get);
        } catch (RejectedExecutionException e) {
            throw new StoreException("Cannot read " + what + ": earlier reads from " + store.description()
                    + " are still waiting for its answer.", e);
        }
        try {
            return answer.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new StoreException("Cannot read " + what + ": " + store.description() + " did not answer within "
                    + wait.toMillis() + " ms.", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new StoreException("Cannot read " + what + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("Interrupted while reading " + what, e);
        }
    }

    /**
     * On the journal thread only: the stamps spent since the last rewrite, to disk. A failure leaves them honoured
     * once more after a hard stop (never miscounts what was counted); it is logged when it starts and ends.
     */
    private void writeSpentStamps() {
        Optional<StampAuthority> stamps = Internals.stamps(ingress);
        if (stamps.isEmpty()) {
            return;
        }
        try {
            stamps.get().writeSpent();
            if (spentStampsFailing) {
                spentStampsFailing = false;
                LOG.info("The spent stamps are written to {} again.", stamps.get().spentFile().orElseThrow());
            }
        } catch (IOException | RuntimeException e) {
            if (!spentStampsFailing) {
                spentStampsFailing = true;
                LOG.error("Cannot write the spent stamps to {}: {}. Until they are written, a hard stop forgets the "
                        + "stamps spent since, and each may be honoured once more. Free space in the data directory, "
                        + "or give its user write access back.", stamps.get().spentFile().orElseThrow(), e.toString());
            }
        }
    }

    /** On the journal thread, at the stop: the last spent stamps to disk, and the file closed. */
    private void closeSpentStamps() {
        Optional<StampAuthority> stamps = Internals.stamps(ingress);
        if (stamps.isEmpty()) {
            return;
        }
        try {
            stamps.get().closeSpent();
        } catch (IOException e) {
            LOG.error("Cannot write the last spent stamps to {} at the stop: {}. Those spent in the last second may "
                    + "be honoured once more.", stamps.get().spentFile().orElseThrow(), e.toString());
        }
    }

    /** Whether the counter has reached its database since the start (schema checked, node registered). */
    public boolean connected() {
        return connected;
    }

    /**
     * Stops the timers and writes what was counted up to now, waiting for the database at most the configured
     * final-flush timeout, whatever it does. The whole close takes at most that plus 1.5 s plus two journal
     * rewrites: the timers get 500 ms to stop and the pool's close is abandoned after 1 s (at once when the database
     * is not answering). The journal is rewritten before and after the flush, so whatever the database does not take
     * in time is written at the next start.
     */
    @Override
    public void close() {
        close(finalFlushTimeout);
    }

    /**
     * As {@link #close()}, waiting for the database at most {@code flushWait} (and never longer than the configured
     * final-flush timeout): for a host whose own stop has already used part of the time it was given, so that the
     * whole stop keeps one bound.
     */
    public void close(Duration flushWait) {
        Duration wait = flushWait.isNegative() ? Duration.ZERO
                : flushWait.compareTo(finalFlushTimeout) > 0 ? finalFlushTimeout : flushWait;
        if (reporting) {
            probe.shutdown();
            readers.shutdown();
            journalWriter.shutdownNow();
            closeStore();
            return;
        }
        flusher.closeNow();
        writeJournal();
        int left;
        try {
            left = scheduler != null ? scheduler.finish(wait) : finalFlushOnThisThread(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            left = flusher.queued().size();
        }
        writeJournal();
        try {
            journalWriter.submit(this::closeSpentStamps).get();
        } catch (RejectedExecutionException | ExecutionException e) {
            LOG.error("Could not close the spent stamps' file: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The last rewrite: a timer task still running now finds the journal thread gone.
        journalWriter.shutdown();
        if (left > 0) {
            LOG.error("Stopped with {} interval(s) not written to the database within the {} ms left of the "
                    + "final-flush timeout ({}; database {}: {}); they are kept in the journal {} and written at the "
                    + "next start.", left, wait.toMillis(), flusher.unflushed(), databaseStatus().state(),
                    databaseStatus().detail(), journal.file().toAbsolutePath());
        }
        // Not shutdownNow: an interrupted read of the embedded H2 database closes its file for every thread.
        readers.shutdown();
        closeStore();
        closeWrittenSeq();
    }

    /** After the last write: a write abandoned by the final-flush timeout may still record, and then fails quietly. */
    private void closeWrittenSeq() {
        if (writtenSeq != null) {
            writtenSeq.close();
        }
    }

    /** Without the timer: the final flush runs on a daemon thread that is abandoned after the timeout. */
    private int finalFlushOnThisThread(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        Thread flush = new Thread(() -> {
            if (connect()) {
                flusher.writeQueued();
            }
        }, "txn-counter-final-flush");
        flush.setDaemon(true);
        flush.start();
        flush.join(Math.max(1, wait.toMillis()));
        return flusher.awaitWritten(Math.min(deadline, System.nanoTime()));
    }

    /**
     * Closes the pool, waiting at most a second, and not at all when the database is known not to answer: a
     * connection stuck on a silent database must not hold the stop.
     */
    private void closeStore() {
        Thread closing = new Thread(store::close, "txn-counter-store-close");
        closing.setDaemon(true);
        closing.start();
        boolean silent = databaseStatus().state() == DatabaseStatus.State.NOT_ANSWERING;
        long wait = silent ? 1 : STORE_CLOSE_WAIT_MILLIS;
        try {
            closing.join(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closing.isAlive()) {
            LOG.warn(silent ? "The database is not answering: its pool's connections are abandoned without waiting."
                    : "The database pool did not close within {} ms; its connections are abandoned.", wait);
        }
    }
}
