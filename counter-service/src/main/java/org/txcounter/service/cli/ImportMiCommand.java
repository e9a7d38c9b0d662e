package org.txcounter.service.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.ImportResult;
import org.txcounter.core.store.ImportedMonth;
import org.txcounter.core.store.MiHistory;
import org.txcounter.core.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Imports WSO2 MI's counter history (its {@code CURRENT_STATS} table) into this deployment's database as signed,
 * imported monthly totals, each month's own traffic attributed to it ({@link MiHistory}). Running it again adds
 * nothing. Prints, per month, MI's own sum and the corrected total.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "import-mi", mixinStandardHelpOptions = true,
        description = "Import the monthly counts of WSO2 MI's transaction counter (its CURRENT_STATS table) as "
                + "signed imported totals; again: no change.")
final class ImportMiCommand implements Callable<Integer> {

    static final String PASSWORD_VARIABLE = "TXN_MI_PASSWORD";

    @Mixin
    ConfigFile configFile = new ConfigFile();

    @Option(names = "--from", required = true, paramLabel = "JDBC-URL",
            description = "MI's transaction database, e.g. jdbc:mysql://mi-db:3306/WSO2_TRANSACTION_DB")
    String from;

    @Option(names = {"-u", "--user"}, description = "The account to read MI's database with.")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "Read that account's password from this file. Default: the " + PASSWORD_VARIABLE
                    + " environment variable, else a prompt.")
    Path passwordFile;

    @Override
    public Integer call() {
        if (!from.startsWith("jdbc:")) {
            throw CliException.usage("--from must be a JDBC URL such as jdbc:postgresql://host:5432/db. Found: "
                    + from);
        }
        CounterConfig config = configFile.read().counter();
        List<ImportedMonth> months = readMi();
        if (months.isEmpty()) {
            System.out.println("MI's CURRENT_STATS at " + from + " has no rows; nothing to import.");
            return 0;
        }
        ImportResult result;
        try (CounterStore store = Internals.openStore(config, Clock.systemUTC(),
                Internals.ledgerKeys(config).current())) {
            result = store.importMonths(months);
        } catch (StoreException e) {
            throw new CliException(e.getMessage());
        }
        System.out.printf("%-8s %8s %14s %14s %14s%n", "MONTH", "NODE IDS", "MI REPORTED", "TRAFFIC",
                "MI OVER-COUNT");
        Map<YearMonth, long[]> byMonth = new TreeMap<>();
        for (ImportedMonth month : months) {
            long[] sums = byMonth.computeIfAbsent(month.month(), key -> new long[3]);
            sums[0]++;
            sums[1] += month.rawCount();
            sums[2] += month.count();
        }
        byMonth.forEach((month, sums) -> System.out.printf("%-8s %8d %14d %14d %14d%n", month, sums[0], sums[1],
                sums[2], sums[1] - sums[2]));
        System.out.println("Imported " + result.added().size() + " month total(s) of MI node ids into "
                + config.dataSource().id() + " (" + config.dataSource().url() + "); " + result.unchanged().size()
                + " were imported before and are unchanged. Reports and verify mark them as imported from MI.");
        return 0;
    }

    private List<ImportedMonth> readMi() {
        DriverManager.setLoginTimeout(30);
        try (Connection connection = user == null ? DriverManager.getConnection(from)
                : DriverManager.getConnection(from, user, password())) {
            connection.setReadOnly(true);
            return MiHistory.attribute(MiHistory.read(connection));
        } catch (SQLException e) {
            throw new CliException("Cannot read MI's CURRENT_STATS table at " + from
                    + (user == null ? "" : " as " + user) + ": " + e.getMessage() + ". Check the URL, the account "
                    + "and that it may read CURRENT_STATS.");
        } catch (IllegalArgumentException e) {
            throw new CliException("Nothing was imported: " + e.getMessage());
        }
    }

    private String password() {
        return Passwords.read(passwordFile, PASSWORD_VARIABLE, " for " + user + " on MI's database",
                "Password for " + user + " on " + from + ": ");
    }
}
