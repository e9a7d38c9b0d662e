package org.txcounter.service.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.util.concurrent.Callable;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.store.ArchiveRefusedException;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.EmbeddedH2;
import org.txcounter.core.store.MonthArchive;
import org.txcounter.service.config.SecretStore;
import org.txcounter.service.config.ServiceConfig;
import org.txcounter.service.statement.LedgerArchive;
import org.txcounter.service.statement.StatementKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Writes a closed month's ledger rows to a signed archive file, straight from the database; changes nothing there.
 * On the embedded H2 database it runs while the service is stopped, as {@code migrate} does.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "archive", mixinStandardHelpOptions = true,
        description = "Write the ledger rows of a closed month, older than [billing] archive_after_months, to an "
                + "archive file signed with the statement key. Changes nothing in the database: remove-archived "
                + "removes the rows afterwards.")
final class ArchiveCommand implements Callable<Integer> {

    @Mixin
    ConfigFile configFile = new ConfigFile();

    @Option(names = "--month", required = true, paramLabel = "YYYY-MM", description = "The closed month to archive.")
    String month;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write it. Default: "
            + "ledger-archive-<deployment>-<month>.gz in the working directory.")
    Path out;

    @Override
    public Integer call() {
        ServiceConfig service = configFile.read();
        CounterConfig config = service.counter();
        YearMonth archived = ReportCommand.month("--month", month);
        Clock clock = Clock.systemUTC();
        Retention.refuseIfTooRecent(service, archived, clock);
        String deployment = config.dedupe().deploymentId();
        Path file = out != null ? out : Path.of("ledger-archive-" + deployment + "-" + archived + ".gz");
        StatementKey key = StatementKey.from(SecretStore.open(service.secretStore(), System::getenv));
        try (CounterStore store = CounterStore.open(EmbeddedH2.secure(config.dataSource(), config.dataDir()), clock)) {
            MonthArchive outline = store.archiveOutline(archived);
            String statement = store.closure(archived).orElseThrow().statement();
            LedgerArchive.Written written = LedgerArchive.write(file, outline,
                    rows -> store.forEachRow(outline, rows), deployment, config.billingZone(), statement, key,
                    clock.instant());
            System.out.println("Wrote the archive of " + archived + " to " + written.file().toAbsolutePath() + ": "
                    + outline.rows() + " ledger rows of " + outline.nodes().size() + " node(s), " + outline.total()
                    + " transactions, signed with " + StatementKey.fingerprint(key.publicKey()) + ". SHA-256 "
                    + written.sha256() + ".");
            System.out.println("Keep it where the statements are kept; check it with: java -jar txcounter.jar "
                    + "verify-archive " + file + " --public-key statement-public-key.pem. Then remove the rows from "
                    + "the database with: java -jar txcounter.jar remove-archived --month " + archived
                    + " --archive " + file);
            return 0;
        } catch (ArchiveRefusedException e) {
            throw new CliException(e.getMessage());
        } catch (IOException e) {
            throw new CliException("Cannot write the archive " + file.toAbsolutePath() + ": " + e.getMessage()
                    + ". Nothing was changed in the database.");
        }
    }
}
