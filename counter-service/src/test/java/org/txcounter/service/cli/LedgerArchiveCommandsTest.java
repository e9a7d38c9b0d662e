package org.txcounter.service.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.txcounter.core.Await.awaitUpTo;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.ReportRow;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.ledger.LedgerCheck;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.LedgerAnchor;
import org.txcounter.service.config.ServiceToml;

/**
 * A month archived, its archive checked offline, its rows removed: its statement, report and anchors are what they
 * were, the ledger check stays clean, and every refusal leaves the database as it was. On the embedded H2 database,
 * with the commands run as an operator runs them.
 */
class LedgerArchiveCommandsTest {

    private static final YearMonth MONTH = ArchivedMonthFixture.MONTH;

    @TempDir
    Path dir;

    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void capture() {
        PrintStream both = new PrintStream(out, true, StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private String said() {
        String text = out.toString(StandardCharsets.UTF_8);
        out.reset();
        return text;
    }

    /** What the month looks like from the outside: its statement, report rows and ledger anchors. */
    private record Seen(String statement, List<ReportRow> report, List<LedgerAnchor> anchors, int rows) {
    }

    private Seen look(CounterConfig config) throws InterruptedException {
        try (TransactionCounter counter = TransactionCounter.open(config, Clock.systemUTC())) {
            awaitUpTo(Duration.ofSeconds(60), counter::connect);
            CounterStore store = Internals.store(counter);
            LedgerCheck whole = Internals.checkLedger(counter, null, null, null);
            assertThat(whole.findings()).as("the whole ledger check").isEmpty();
            assertThat(Internals.checkLedger(counter, MONTH, MONTH, null).findings()).as("the month's check").isEmpty();
            return new Seen(store.closure(MONTH).orElseThrow().statement(), store.report(MONTH, MONTH.plusMonths(1)),
                    store.anchors(MONTH, MONTH.plusMonths(1)), store.ledger("archive-node").size());
        }
    }

    @Test
    void anArchivedAndRemovedMonthKeepsItsStatementReportAndCheckAndItsArchiveVerifiesOffline() throws Exception {
        Path toml = ArchivedMonthFixture.prepare(dir);
        CounterConfig config = ServiceToml.read(toml).counter();
        Seen before = look(config);
        assertThat(before.rows()).as("January's 6 rows and February's 2").isEqualTo(8);
        Path archive = dir.resolve("archives").resolve("2024-01.gz");
        String key = dir.resolve("archive-public-key.pem").toString();

        assertThat(Commands.run("archive", "--month", "2024-02", "--out", archive.toString(), toml.toString()))
                .isEqualTo(1);
        assertThat(said()).contains("Month 2024-02 is not closed");
        assertThat(Commands.run("archive", "--month", "2024-01", "--out", archive.toString(), toml.toString()))
                .isZero();
        assertThat(said()).contains("Wrote the archive of 2024-01 to " + archive.toAbsolutePath() + ": 6 ledger rows "
                + "of 1 node(s), 54 transactions, signed with SHA256:");
        assertThat(Files.getPosixFilePermissions(archive)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        assertThat(Commands.run("verify-archive", archive.toString(), "--public-key", key)).isZero();
        assertThat(said()).contains("The archive of 2024-01 of deployment ").contains(" is authentic and whole: "
                + "signed by SHA256:").contains("6 rows of 1 node(s), 54 transactions, every row linked to the one "
                + "before it.");
        Path statement = dir.resolve("statement.json");
        Files.writeString(statement, before.statement());
        assertThat(Commands.run("verify-archive", archive.toString(), "--public-key", key, "--statement",
                statement.toString())).isZero();
        assertThat(said()).contains("It is the archive of the statement given.");

        Path edited = dir.resolve("edited.gz");
        ArchivedMonthFixture.rewrite(archive, edited,
                text -> text.replaceFirst("(?m)^(row archive-node 2 HTTP \\d+ \\d+) 6 ", "$1 60 "));
        assertThat(Commands.run("verify-archive", edited.toString(), "--public-key", key)).isEqualTo(1);
        assertThat(said()).contains("The archive of 2024-01 does NOT verify: it holds 6 rows with 108 transactions, "
                + "not the 6 rows with 54 its header says.");
        Path resigned = dir.resolve("cut.gz");
        ArchivedMonthFixture.rewrite(archive, resigned,
                text -> text.replaceFirst("(?m)^row archive-node 3 JMS .*\\n", ""));
        assertThat(Commands.run("remove-archived", "--month", "2024-01", "--archive", resigned.toString(),
                toml.toString())).isEqualTo(1);
        assertThat(said()).contains("does NOT verify");
        assertThat(look(config)).as("nothing removed").isEqualTo(before);

        assertThat(Commands.run("remove-archived", "--month", "2024-01", "--archive", archive.toString(),
                toml.toString())).isZero();
        assertThat(said()).contains("Removed the 6 ledger rows of 2024-01 (1 node(s), 54 transactions)");
        Seen after = look(config);
        assertThat(after.rows()).as("February's 2 rows are left").isEqualTo(2);
        assertThat(after.statement()).isEqualTo(before.statement());
        assertThat(after.report()).isEqualTo(before.report());
        assertThat(after.anchors()).isEqualTo(before.anchors());

        assertThat(Commands.run("remove-archived", "--month", "2024-01", "--archive", archive.toString(),
                toml.toString())).isEqualTo(1);
        assertThat(said()).contains("The ledger rows of 2024-01 were removed to an archive at ");
        YearMonth recent = YearMonth.now(Clock.systemUTC());
        assertThat(Commands.run("archive", "--month", recent.toString(), toml.toString())).isEqualTo(1);
        assertThat(said()).contains("Month " + recent + " is kept online until " + recent.plusMonths(2)
                + ": [billing] archive_after_months = 1");
        assertThat(Commands.run("archive", toml.toString())).isEqualTo(2);
        assertThat(said()).contains("Missing required option: '--month=YYYY-MM'");
    }
}
