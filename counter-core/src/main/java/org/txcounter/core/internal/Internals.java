package org.txcounter.core.internal;

import java.lang.invoke.MethodHandles;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.TransactionMeter;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DeploymentToml;
import org.txcounter.core.interval.InFlightIds;
import org.txcounter.core.interval.InFlightMessages;
import org.txcounter.core.interval.IntervalFlusher;
import org.txcounter.core.ledger.LedgerCheck;
import org.txcounter.core.ledger.LedgerFinding;
import org.txcounter.core.ledger.LedgerKeys;
import org.txcounter.core.ledger.LedgerSigner;
import org.txcounter.core.ledger.LedgerVerifier;
import org.txcounter.core.ledger.VerifyCheckpoint;
import org.txcounter.core.stamp.StampAuthority;
import org.txcounter.core.stamp.StampSecrets;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.Dialect;
import org.txcounter.core.store.EmbeddedH2;
import org.txcounter.core.store.ImportedMonth;
import org.txcounter.core.store.LedgerAnchor;
import org.txcounter.core.store.ReadCache;

/**
 * The engine behind the public API, for counter-service and our other modules: the store, the flusher, the
 * ledger and the stamp authority of a running counter. This package is not exported; an embedder uses
 * {@link TransactionCounter} and the hooks, whose public methods name only exported types.
 *
 * <pre>{@code
 * CounterStore store = Internals.store(counter);            // the service's statements, imports, month close
 * Internals.flusher(counter).flushDue();                    // tests that drive a fake clock
 * }</pre>
 *
 * <p>The API classes (and {@link DeploymentToml}) hand their internals over once, from their static initialisers
 * ({@link #grant}); this class makes sure they have before it uses them. Thread-safe: stateless apart from those three
 * write-once references.
 */
public final class Internals {

    /** What {@link TransactionCounter} gives this class. */
    public interface CounterAccess {
        CounterStore store(TransactionCounter counter);

        IntervalFlusher flusher(TransactionCounter counter);

        LedgerKeys ledgerKeys(TransactionCounter counter);

        /** The counter's reads from memory, asking the database on its reader threads when they must. */
        ReadCache reads(TransactionCounter counter);
    }

    /** What {@link IngressCounter} gives this class. */
    public interface IngressAccess {
        IngressCounter create(TransactionMeter meter, Optional<StampAuthority> stamps, boolean httpChaining,
                int redeliveryIds, Clock clock);

        Optional<StampAuthority> stamps(IngressCounter ingress);

        InFlightMessages inFlight(IngressCounter ingress);

        void restoreInFlight(IngressCounter ingress, InFlightIds ids);
    }

    /** What {@link DeploymentToml} gives this class. */
    @FunctionalInterface
    public interface ConfigAccess {
        CounterConfig readWholeFile(TomlDocument file, UnaryOperator<String> systemProperties,
                UnaryOperator<String> environment, UnaryOperator<String> secrets);
    }

    private static volatile CounterAccess counters;
    private static volatile IngressAccess ingresses;
    private static volatile ConfigAccess configs;

    private Internals() {
    }

    /** Called once, by {@link TransactionCounter}'s static initialiser. */
    public static void grant(CounterAccess access) {
        if (counters != null) {
            throw new IllegalStateException("The counter's internals were handed over already.");
        }
        counters = Objects.requireNonNull(access, "access");
    }

    /** Called once, by {@link IngressCounter}'s static initialiser. */
    public static void grant(IngressAccess access) {
        if (ingresses != null) {
            throw new IllegalStateException("The ingress counter's internals were handed over already.");
        }
        ingresses = Objects.requireNonNull(access, "access");
    }

    /** Called once, by {@link DeploymentToml}'s static initialiser. */
    public static void grant(ConfigAccess access) {
        if (configs != null) {
            throw new IllegalStateException("The configuration reader's internals were handed over already.");
        }
        configs = Objects.requireNonNull(access, "access");
    }

    private static CounterAccess counters() {
        if (counters == null) {
            initialise(TransactionCounter.class);
        }
        return counters;
    }

    private static IngressAccess ingresses() {
        if (ingresses == null) {
            initialise(IngressCounter.class);
        }
        return ingresses;
    }

    private static ConfigAccess configs() {
        if (configs == null) {
            initialise(DeploymentToml.class);
        }
        return configs;
    }

    private static void initialise(Class<?> type) {
        try {
            MethodHandles.lookup().ensureInitialized(type);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot initialise " + type.getName(), e);
        }
    }

    /**
     * The counter's sections of a file that is all the caller's, such as the standalone service's: read as
     * {@link DeploymentToml} reads a host's, except that every {@code [[datasource]]} entry is checked (none is a
     * host's), and that {@code secrets} resolves each {@code $secret{alias}} the counter's keys refer to (null: no
     * such alias). The caller checks the file's other sections.
     */
    public static CounterConfig readCounterSections(TomlDocument file, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment, UnaryOperator<String> secrets) {
        return configs().readWholeFile(file, systemProperties, environment, secrets);
    }

    /** The counter's store: its database, for the service's reports, statements, imports and month close. */
    public static CounterStore store(TransactionCounter counter) {
        return counters().store(counter);
    }

    /**
     * The counter's interval flusher; a counter {@link TransactionCounter#open opened} without a timer is driven here.
     */
    public static IntervalFlusher flusher(TransactionCounter counter) {
        return counters().flusher(counter);
    }

    /**
     * Walks every node's ledger chain and the monthly rollup, and names each row that was edited, deleted,
     * inserted or reordered and each rollup that differs from its rows. Empty for an untouched ledger.
     */
    public static List<LedgerFinding> verifyLedger(TransactionCounter counter) {
        CounterAccess access = counters();
        return access.store(counter).verify(new LedgerVerifier(access.ledgerKeys(counter)));
    }

    /**
     * The ledger check of {@link #verifyLedger}, scoped: the whole ledger when {@code from}, {@code to} and
     * {@code since} are all null; the months {@code from} to {@code to}; or what was written since a checkpoint.
     *
     * @throws IllegalArgumentException if {@code since} does not match its MAC
     */
    public static LedgerCheck checkLedger(TransactionCounter counter, YearMonth from, YearMonth to,
            VerifyCheckpoint since) {
        CounterAccess access = counters();
        LedgerVerifier verifier = new LedgerVerifier(access.ledgerKeys(counter));
        CounterStore store = access.store(counter);
        if (since != null) {
            return store.check(verifier, since);
        }
        return from == null ? store.check(verifier) : store.check(verifier, from, to);
    }

    /**
     * The monthly totals imported from MI's counter from {@code from} to {@code to}, from the counter's
     * {@link ReadCache}; waits for the database at most {@code wait} when it must be asked.
     */
    public static List<ImportedMonth> imported(TransactionCounter counter, YearMonth from, YearMonth to,
            Duration wait) {
        return counters().reads(counter).imported(from, to, wait);
    }

    /**
     * What {@code compute} makes of the counter's reads (the management API's rendered report), held by its
     * {@link ReadCache} until what they return may have changed: {@link ReadCache#derived}.
     */
    public static <T> T derived(TransactionCounter counter, String key, Duration wait, Supplier<T> compute) {
        return counters().reads(counter).derived(key, wait, compute);
    }

    /**
     * Each node's last ledger row per month from {@code from} to {@code to}, from the counter's {@link ReadCache};
     * waits for the database at most {@code wait} when it must be asked.
     */
    public static List<LedgerAnchor> anchors(TransactionCounter counter, YearMonth from, YearMonth to,
            Duration wait) {
        return counters().reads(counter).anchors(from, to, wait);
    }

    /**
     * Opens the configured store, signing with {@code signer}, with its schema current, for commands that work on
     * the database directly: the embedded H2 database is created and migrated here; any other must have been
     * migrated, else this fails naming the command.
     */
    public static CounterStore openStore(CounterConfig config, Clock clock, LedgerSigner signer) {
        org.txcounter.core.config.DataSourceConfig dataSource = EmbeddedH2.secure(config.dataSource(),
                config.dataDir());
        CounterStore store = CounterStore.open(dataSource, clock, signer);
        try {
            if (store.dialect() == Dialect.H2 && dataSource.url().startsWith("jdbc:h2:file:")) {
                // The embedded default belongs to this process alone: it is created and kept current here.
                store.migrate();
            } else {
                store.requireCurrentSchema();
            }
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * The deployment's ledger keys: the current one from {@code [ledger] key} (or generated into the data
     * directory) and the retired ones that still check older rows.
     */
    public static LedgerKeys ledgerKeys(CounterConfig config) {
        return LedgerKeys.resolve(config.ledgerKey(), config.ledgerKeyId(), config.retiredLedgerKeys(),
                StampSecrets.resolve(config.dedupe().stampSecret(), config.dataDir()), config.dataDir());
    }

    /**
     * A stand-alone ingress decision over {@code meter}, as the counter builds its own: for benchmarks and tests.
     *
     * @param stamps        the deployment's stamp authority; empty means no deduplication: everything is counted
     * @param httpChaining  whether a valid stamp on an HTTP request means it was already counted
     * @param redeliveryIds how many JMS messages taken in and not completed are remembered at most
     */
    public static IngressCounter ingressCounter(TransactionMeter meter, Optional<StampAuthority> stamps,
            boolean httpChaining, int redeliveryIds, Clock clock) {
        return ingresses().create(meter, stamps, httpChaining, redeliveryIds, clock);
    }

    /** The stamp authority of {@code ingress}, for housekeeping and metrics; empty when stamping is off. */
    public static Optional<StampAuthority> stamps(IngressCounter ingress) {
        return ingresses().stamps(ingress);
    }

    /** The messages taken in and not completed, which the journal keeps with the counts. */
    public static InFlightMessages inFlight(IngressCounter ingress) {
        return ingresses().inFlight(ingress);
    }

    /** Takes back the in-flight messages the previous run's journal held; call before the first message. */
    public static void restoreInFlight(IngressCounter ingress, InFlightIds ids) {
        ingresses().restoreInFlight(ingress, ids);
    }
}
