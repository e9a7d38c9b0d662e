package org.txcounter.loadtests;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import org.txcounter.core.ReportRow;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.ledger.ArchivedRange;
import org.txcounter.core.ledger.LedgerCheck;
import org.txcounter.core.ledger.LedgerVerifier;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.LedgerAnchor;
import org.txcounter.core.store.MonthArchive;
import org.txcounter.core.store.MonthClosure;
import org.txcounter.loadtests.LoadDatabases.Vendor;
import org.txcounter.service.config.SecretStore;
import org.txcounter.service.statement.Forecasts;
import org.txcounter.service.statement.LedgerArchive;
import org.txcounter.service.statement.MonthCloser;
import org.txcounter.service.statement.StatementKey;

/**
 * Retention at deployment size, on a month {@link LedgerFiller} filled: closes the month (its ledger check included),
 * writes its archive, checks the archive as {@code verify-archive} does, removes the month's rows as
 * {@code remove-archived} does, and shows that the statement, the report and the ledger anchors are what they were
 * and the ledger check is clean. Each step goes through the classes the commands use; each is timed, with the heap
 * it needed at most.
 *
 * <p>Settings (system properties): {@code db} (postgresql or mariadb, default postgresql), {@code month} (the filled
 * month, default 2026-10). Run it under {@code -Xmx256m} to show that no step holds the month in memory.
 *
 * <p>Runs on its main thread; not for use from several threads.
 */
public final class ArchiveLoad {

    private ArchiveLoad() {
    }

    public static void main(String[] args) throws Exception {
        Vendor vendor = Vendor.named(System.getProperty("db", "postgresql"));
        YearMonth month = YearMonth.parse(System.getProperty("month", "2026-10"));
        Path work = Files.createTempDirectory("archive-load");
        Clock clock = Clock.systemUTC();
        LedgerVerifier verifier = new LedgerVerifier(LoadDatabases.keys());
        StatementKey key = StatementKey.from(SecretStore.openOrCreate(work.resolve("secrets.p12"), name -> null));
        System.out.printf("Archiving %s on %s (%s), max heap %d MiB%n", month, vendor.label(), vendor.url(),
                Runtime.getRuntime().maxMemory() >> 20);
        long rowsBefore = rows(vendor);
        long bytesBefore = vendor == Vendor.POSTGRESQL ? tableBytes(vendor) : -1;
        try (CounterStore app = CounterStore.open(vendor.app(), clock, LoadDatabases.signer());
                CounterStore owner = CounterStore.open(vendor.owner(), clock, LoadDatabases.signer())) {
            ZoneId zone = ZoneId.of("UTC");
            MonthCloser closer = new MonthCloser(app, Duration.ofMinutes(1), zone, Duration.ofDays(3), "load",
                    key, clock, closing -> app.check(verifier, closing, closing).findings(),
                    new Forecasts(app, zone, clock, () -> 0L)::project);
            MonthClosure closure = step("close the month (its ledger check included)",
                    () -> app.closure(month).orElseGet(() -> closer.close(month, "load")));
            List<ReportRow> report = app.report(month, month);
            List<LedgerAnchor> anchors = step("the month's ledger anchors (the MI report's)",
                    () -> app.anchors(month, month));

            Path file = work.resolve("ledger-archive-load-" + month + ".gz");
            MonthArchive outline = app.archiveOutline(month);
            LedgerArchive.Written written = step("archive: write the signed archive file", () -> LedgerArchive.write(
                    file, outline, rows -> app.forEachRow(outline, rows), "load", zone, closure.statement(), key,
                    clock.instant()));
            System.out.printf("  %,d rows of %d nodes, %,d transactions; %,d bytes (%.1f bytes a row)%n",
                    outline.rows(), outline.nodes().size(), outline.total(), Files.size(file),
                    (double) Files.size(file) / outline.rows());
            LedgerArchive.Verdict verdict = step("verify-archive: check the file with the public key",
                    () -> LedgerArchive.read(file, key.publicKey()));
            require(verdict.valid(), verdict.message());
            require(verdict.sha256().equals(written.sha256()), "the archive read back has another SHA-256");
            List<ArchivedRange> removed = step("remove-archived: remove the month's rows in one transaction",
                    () -> owner.removeArchived(verdict.outline(), verdict.sha256(), "load"));
            require(removed.size() == outline.nodes().size(), removed.size() + " records for "
                    + outline.nodes().size() + " nodes");

            require(app.closure(month).orElseThrow().statement().equals(closure.statement()),
                    "the statement changed");
            require(app.report(month, month).equals(report), "the report changed");
            require(app.anchors(month, month).equals(anchors), "the ledger anchors changed");
            LedgerCheck whole = step("verify: the whole ledger after the removal", () -> app.check(verifier));
            require(whole.findings().isEmpty(), "the ledger check found " + whole.findings());
            LedgerCheck range = step("verify --month: the removed month", () -> app.check(verifier, month, month));
            require(range.findings().isEmpty(), "the month's check found " + range.findings());
            System.out.printf("Statement, report (%d rows) and anchors (%d) unchanged; the whole check read %,d "
                    + "rows, the month's %,d, both clean.%n", report.size(), anchors.size(), whole.rowsRead(),
                    range.rowsRead());
        }
        System.out.printf("txn_interval: %,d rows before, %,d after", rowsBefore, rows(vendor));
        if (bytesBefore >= 0) {
            System.out.printf("; %,d bytes before, %,d after (the space is reused once VACUUM runs)", bytesBefore,
                    tableBytes(vendor));
        }
        System.out.println();
    }

    private static <T> T step(String what, Callable<T> action) throws Exception {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        long started = System.nanoTime();
        T result = action.call();
        double seconds = (System.nanoTime() - started) / 1e9;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf("%-62s %8.1f s, peak heap %4d MiB%n", what, seconds, peak >> 20);
        return result;
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalStateException("Retention at size failed: " + problem);
        }
    }

    private static long rows(Vendor vendor) throws SQLException {
        return single(vendor, "SELECT COUNT(*) FROM txn_interval");
    }

    private static long tableBytes(Vendor vendor) throws SQLException {
        return single(vendor, "SELECT pg_total_relation_size('txn_interval')");
    }

    private static long single(Vendor vendor, String sql) throws SQLException {
        DataSourceConfig owner = vendor.owner();
        try (Connection connection = DriverManager.getConnection(owner.url(), owner.username(), owner.password());
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }
}
