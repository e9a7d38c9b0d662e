package org.txcounter.service.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.util.List;
import java.util.concurrent.Callable;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.ledger.ArchivedRange;
import org.txcounter.core.store.ArchiveRefusedException;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.EmbeddedH2;
import org.txcounter.service.config.SecretStore;
import org.txcounter.service.config.ServiceConfig;
import org.txcounter.service.statement.LedgerArchive;
import org.txcounter.service.statement.StatementKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Removes a closed month's ledger rows from the database once its archive file is checked against them, with the
 * owner account; leaves the record the ledger check goes on from.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "remove-archived", mixinStandardHelpOptions = true,
        description = "Remove a closed month's ledger rows from the database, with the owner account, after "
                + "checking its archive file (signature, and every row against the database). The rollup, the "
                + "statement and a signed record of what was removed stay, so reports and verify keep working.")
final class RemoveArchivedCommand implements Callable<Integer> {

    @Mixin
    ConfigFile configFile = new ConfigFile();

    @Option(names = "--month", required = true, paramLabel = "YYYY-MM", description = "The month to remove.")
    String month;

    @Option(names = "--archive", required = true, paramLabel = "FILE",
            description = "The month's archive file, as archive wrote it.")
    Path archive;

    @Override
    public Integer call() {
        ServiceConfig service = configFile.read();
        CounterConfig config = service.counter();
        YearMonth removed = ReportCommand.month("--month", month);
        Clock clock = Clock.systemUTC();
        Retention.refuseIfTooRecent(service, removed, clock);
        StatementKey key = StatementKey.from(SecretStore.open(service.secretStore(), System::getenv));
        LedgerArchive.Verdict verdict;
        try {
            verdict = LedgerArchive.read(archive, key.publicKey());
        } catch (IOException e) {
            throw new CliException("Cannot read the archive " + archive.toAbsolutePath() + ": " + e.getMessage()
                    + ". Nothing was removed.");
        }
        if (!verdict.valid()) {
            throw new CliException(verdict.message());
        }
        if (!verdict.outline().month().equals(removed)) {
            throw new CliException("The archive " + archive + " holds " + verdict.outline().month() + ", not "
                    + removed + ". Nothing was removed.");
        }
        String deployment = config.dedupe().deploymentId();
        if (!verdict.deployment().equals(deployment)) {
            throw new CliException("The archive " + archive + " is of deployment " + verdict.deployment()
                    + ", this configuration's is " + deployment + ". Nothing was removed.");
        }
        DataSourceConfig owner = EmbeddedH2.secure(config.migrationDataSource(), config.dataDir());
        try (CounterStore store = CounterStore.open(owner, clock, Internals.ledgerKeys(config).current())) {
            String statement = store.closure(removed).map(closure -> LedgerArchive.sha256(
                    closure.statement().getBytes(StandardCharsets.UTF_8))).orElse("none");
            if (!statement.equals(verdict.statementSha256())) {
                throw new CliException("The archive " + archive + " was written for another statement of "
                        + removed + " (SHA-256 " + verdict.statementSha256() + ") than the database holds ("
                        + statement + "). Nothing was removed.");
            }
            List<ArchivedRange> ranges = store.removeArchived(verdict.outline(), verdict.sha256(),
                    System.getProperty("user.name", "unknown"));
            System.out.println("Removed the " + verdict.outline().rows() + " ledger rows of " + removed + " ("
                    + ranges.size() + " node(s), " + verdict.outline().total() + " transactions) from "
                    + owner.id() + " (" + owner.url() + "). The archive's SHA-256 " + verdict.sha256() + " is "
                    + "recorded with each node's last row, so that verify goes on from there; the month's rollup, "
                    + "reports and statement are unchanged. Keep " + archive + ": it is now the only copy of the "
                    + "rows.");
            return 0;
        } catch (ArchiveRefusedException e) {
            throw new CliException(e.getMessage());
        }
    }
}
