package org.txcounter.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.interval.InFlightIds;
import org.txcounter.core.interval.IntervalFlusher;
import org.txcounter.core.interval.IntervalSummary;
import org.txcounter.core.journal.Journal;
import org.txcounter.service.api.ApiAccess;
import org.txcounter.service.api.CounterMetrics;
import org.txcounter.service.api.ManagementApi;
import org.txcounter.service.config.SecretStore;
import org.txcounter.service.config.ServiceConfig;
import org.txcounter.service.config.ServiceToml;
import org.txcounter.service.runtime.RoutingStats;
import org.txcounter.service.security.PasswordHashing;
import org.txcounter.service.statement.Billing;

/**
 * The exit status of every command, case by case, against the operator's guide's table ("Exit status" under "The
 * command line", {@code docs/operators-guide.md}): every status the guide gives a command is produced here by a real
 * run, and every run here is one the guide describes. The API commands talk to a real management API over HTTP on a
 * free port.
 */
class ExitCodesTest {

    private static final Logger LOG = LoggerFactory.getLogger(ExitCodesTest.class);
    private static final String PASSWORD = "exit codes admin password";
    /** No service listens here: a connection is refused at once. */
    private static final String NOWHERE = "http://127.0.0.1:1";
    /** The month closed before the cases run: long past, and no node counted in it. */
    private static final String CLOSED = "2024-06";

    private static Path dir;
    private static Path toml;
    private static Path passwordFile;
    private static TransactionCounter counter;
    private static Javalin api;
    private static Billing billing;
    private static String url;

    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final InputStream originalIn = System.in;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** One run: the command line, what is typed on stdin, the exit status and what stdout or stderr must say. */
    record Case(String command, int status, String why, List<String> args, String stdin, String says) {
        @Override
        public String toString() {
            return command + " → " + status + ": " + why;
        }
    }

    @BeforeAll
    static void startService() throws Exception {
        dir = Files.createTempDirectory("exit-codes");
        passwordFile = dir.resolve("password");
        Files.writeString(passwordFile, PASSWORD);
        toml = dir.resolve("deployment.toml");
        Files.writeString(toml, """
                [node]
                id = "exit-node"
                data_dir = "%s"

                [management_api]
                tls = false
                port = 0

                [[management_api.user]]
                name = "admin"
                password_hash = "%s"
                role = "admin"

                [secret_store]
                keystore = "%s"
                """.formatted(dir.resolve("data"), PasswordHashing.hash(PASSWORD.toCharArray()),
                dir.resolve("secret-store.p12")));
        ServiceConfig config = ServiceToml.read(toml);
        counter = TransactionCounter.open(config.counter(), Clock.systemUTC());
        billing = Billing.create(config, counter, SecretStore.openOrCreate(config.secretStore(), name -> null),
                Clock.systemUTC());
        api = ManagementApi.create(counter, ApiAccess.of(config.managementSecurity().users(),
                config.managementSecurity(), Clock.systemUTC()), ManagementApi.Listener.plain("127.0.0.1", 0),
                new CounterMetrics(counter, new RoutingStats(), billing), billing).start();
        url = "http://127.0.0.1:" + api.port();
        Files.writeString(dir.resolve("bad.toml"), "[management_api]\nprot = 9164\n");
        Files.writeString(dir.resolve("routes.toml"), "[node]\ndata_dir = \"" + dir.resolve("data-routes")
                + "\"\n\n[[passthrough.route]]\nprefix = \"/api\"\nbackend = \"http://127.0.0.1:1/\"\n");
        Files.writeString(dir.resolve("no-database.toml"), """
                [[datasource]]
                id = "WSO2_TRANSACTION_DB"
                url = "jdbc:postgresql://127.0.0.1:1/transactiondb"
                username = "txn_app"
                password = "[not used]"
                pool_options.maxWait = 1000

                [node]
                data_dir = "%s"

                [management_api]
                port = %d
                """.formatted(dir.resolve("data-no-database"), 0));
        Files.writeString(dir.resolve("migrate.toml"), "[node]\ndata_dir = \"" + dir.resolve("data-migrate") + "\"\n");
        // MI's table in an in-memory H2 database that lives as long as this JVM.
        try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:mi-exit;DB_CLOSE_DELAY=-1");
                Statement statement = connection.createStatement()) {
            statement.executeUpdate("CREATE TABLE CURRENT_STATS (TIME_STAMP DATE NOT NULL, NODE_ID VARCHAR(40) NOT "
                    + "NULL, TRANSACTION_COUNT INT NOT NULL, TRANSACTION_COUNT_ENCRYPTED VARCHAR(400) NOT NULL)");
            statement.executeUpdate("INSERT INTO CURRENT_STATS VALUES (DATE '2025-01-01', 'mi-1', 10, 'x')");
        }
        // A closed month's statement and the public key, for verify-statement; a copy of it with its month changed.
        String pw = passwordFile.toString();
        assertThat(Commands.run("close-month", "--month", CLOSED, "--url", url, "--password-file", pw,
                toml.toString())).isZero();
        assertThat(Commands.run("statement", "--month", CLOSED, "--out", dir.resolve("statement.json").toString(),
                "--url", url, "--password-file", pw, toml.toString())).isZero();
        assertThat(Commands.run("statement", "--public-key", "--out", dir.resolve("public-key.pem").toString(),
                "--url", url, "--password-file", pw, toml.toString())).isZero();
        // A closed month with rows on a database of its own, its archive, and a copy of that with a row changed.
        Path archiveToml = ArchivedMonthFixture.prepare(dir);
        assertThat(Commands.run("archive", "--month", "2024-01", "--out", dir.resolve("archive.gz").toString(),
                archiveToml.toString())).isZero();
        ArchivedMonthFixture.rewrite(dir.resolve("archive.gz"), dir.resolve("changed-archive.gz"),
                text -> text.replaceFirst("(?m)^(row archive-node 1 HTTP \\d+ \\d+) 5 ", "$1 50 "));
        String statement = Files.readString(dir.resolve("statement.json"));
        assertThat(statement).contains("\"" + CLOSED + "\"");
        Files.writeString(dir.resolve("changed.json"), statement.replace("\"" + CLOSED + "\"", "\"2024-07\""));
    }

    /** A configuration whose data directory holds a journal of one interval of 12, cut short if asked. */
    private static String journalConfig(String name, boolean cutShort) {
        try {
            Path data = dir.resolve(name);
            Files.createDirectories(data);
            Journal journal = new Journal(data);
            Instant start = Instant.parse("2026-11-30T10:00:00Z");
            journal.write(new IntervalFlusher.JournalState("exit-node", 6, true, List.of(new IntervalSummary(
                    "exit-node", 7, start, start.plusSeconds(60), YearMonth.of(2026, 11),
                    TransportCounts.of(Map.of(Transport.HTTP, 12L)))), InFlightIds.of(new long[0])));
            if (cutShort) {
                byte[] bytes = Files.readAllBytes(journal.file());
                Files.write(journal.file(), java.util.Arrays.copyOf(bytes, bytes.length / 2));
            }
            Path config = dir.resolve(name + ".toml");
            Files.writeString(config, "[node]\nid = \"exit-node\"\ndata_dir = \"" + data + "\"\n");
            return config.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }


    @AfterAll
    static void stopService() {
        api.stop();
        billing.close();
        counter.close();
    }

    @BeforeEach
    void capture() {
        LOG.debug("capturing stdout and stderr");
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        System.setIn(originalIn);
    }

    static List<Case> cases() throws IOException {
        String config = toml.toString();
        String pw = passwordFile.toString();
        String bad = dir.resolve("bad.toml").toString();
        String noDatabase = dir.resolve("no-database.toml").toString();
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("serve", 2, "wrong configuration", List.of("serve", bad), "", "prot"));
        String routes = dir.resolve("routes.toml").toString();
        cases.add(new Case("serve", 2, "--reporting with a passthrough route", List.of("serve", "--reporting",
                routes), "", routes + " configures 1 [[passthrough.route]] and 0 [[inbound_endpoint]], but serve "
                + "--reporting counts nothing and runs no integration runtime."));
        cases.add(new Case("migrate", 0, "done", List.of("migrate", dir.resolve("migrate.toml").toString()), "",
                "migration(s)"));
        cases.add(new Case("migrate", 1, "the database does not answer", List.of("migrate", noDatabase), "",
                "Failed: Cannot connect to datasource"));
        cases.add(new Case("migrate", 2, "wrong configuration", List.of("migrate", bad), "", "prot"));
        cases.add(new Case("count", 0, "done", List.of("count", "--url", url, "--password-file", pw, config), "",
                "transactions"));
        cases.add(new Case("count", 1, "no service answers", List.of("count", "--url", NOWHERE, "--password-file",
                pw, config), "", "No management API answers"));
        cases.add(new Case("count", 2, "--month without --year", List.of("count", "--month", "3", "--url", url,
                "--password-file", pw, config), "", "Give --year and --month together"));
        cases.add(new Case("report", 0, "done", List.of("report", "--start", "2026-11", "--out",
                dir.resolve("report.csv").toString(), "--url", url, "--password-file", pw, config), "",
                "Wrote the CSV report of 2026-11 to " + dir.resolve("report.csv")));
        cases.add(new Case("report", 1, "no service answers", List.of("report", "--start", "2026-11", "--url",
                NOWHERE, "--password-file", pw, config), "", "No management API answers"));
        cases.add(new Case("report", 2, "month 13", List.of("report", "--start", "2026-13", "--url", url,
                "--password-file", pw, config), "", "--start must be a month written YYYY-MM"));
        cases.add(new Case("nodes", 0, "done", List.of("nodes", "--url", url, "--password-file", pw, config), "",
                "exit-node"));
        cases.add(new Case("nodes", 1, "wrong password", List.of("nodes", "--url", url, "--password-file",
                bad, config), "", "401"));
        cases.add(new Case("nodes", 2, "no password", List.of("nodes", "--url", url, config), "",
                "No password: set TXN_PASSWORD"));
        cases.add(new Case("verify", 0, "the ledger is intact", List.of("verify", "--url", url, "--password-file",
                pw, config), "", "The ledger is intact"));
        cases.add(new Case("verify", 1, "no service answers", List.of("verify", "--url", NOWHERE,
                "--password-file", pw, config), "", "No management API answers"));
        cases.add(new Case("verify", 2, "unknown option", List.of("verify", "--bogus", config), "",
                "Unknown option: '--bogus'"));
        cases.add(new Case("import-mi", 0, "done", List.of("import-mi", "--from", "jdbc:h2:mem:mi-exit", config),
                "", "Imported"));
        cases.add(new Case("import-mi", 1, "MI's database does not answer", List.of("import-mi", "--from",
                "jdbc:postgresql://127.0.0.1:1/mi", config), "", "Cannot read MI's CURRENT_STATS table"));
        cases.add(new Case("import-mi", 2, "no --from", List.of("import-mi", config), "",
                "Missing required option: '--from=JDBC-URL'"));
        cases.add(new Case("hash-password", 0, "done", List.of("hash-password"), "a long enough password\n",
                "pbkdf2-sha256$600000$"));
        cases.add(new Case("hash-password", 1, "the password is too short", List.of("hash-password"), "short\n",
                "at least 12 characters"));
        cases.add(new Case("hash-password", 2, "unknown option", List.of("hash-password", "--rounds", "3"), "",
                "Unknown option"));
        cases.add(new Case("encrypt-secret", 0, "done", List.of("encrypt-secret", "--alias", "db_password", config),
                "a secret value\n", "db_password = \"enc:v1:"));
        cases.add(new Case("encrypt-secret", 1, "no value given", List.of("encrypt-secret", "--alias", "db_password",
                config), "", "No value given for db_password."));
        cases.add(new Case("encrypt-secret", 2, "no --alias", List.of("encrypt-secret", config), "",
                "Missing required option: '--alias=NAME'"));
        cases.add(new Case("close-month", 0, "done", List.of("close-month", "--month", "2024-05", "--url", url,
                "--password-file", pw, config), "", "Closed 2024-05 at "));
        cases.add(new Case("close-month", 1, "already closed", List.of("close-month", "--month", CLOSED, "--url",
                url, "--password-file", pw, config), "", "409"));
        cases.add(new Case("close-month", 2, "month 13", List.of("close-month", "--month", "2024-13", "--url", url,
                "--password-file", pw, config), "", "--month must be a month written YYYY-MM"));
        cases.add(new Case("statement", 0, "done", List.of("statement", "--month", CLOSED, "--format", "csv",
                "--out", dir.resolve("statement.csv").toString(), "--url", url, "--password-file", pw, config), "",
                "Wrote " + dir.resolve("statement.csv")));
        cases.add(new Case("statement", 1, "the month is not closed", List.of("statement", "--month", "2024-01",
                "--url", url, "--password-file", pw, config), "", "404"));
        cases.add(new Case("statement", 2, "neither --month nor --public-key", List.of("statement", "--url", url,
                "--password-file", pw, config), "", "Give --month YYYY-MM, or --public-key"));
        String publicKey = dir.resolve("public-key.pem").toString();
        cases.add(new Case("verify-statement", 0, "authentic and unchanged", List.of("verify-statement",
                dir.resolve("statement.json").toString(), "--public-key", publicKey), "", "authentic and unchanged"));
        cases.add(new Case("verify-statement", 1, "changed", List.of("verify-statement",
                dir.resolve("changed.json").toString(), "--public-key", publicKey), "", "does NOT verify"));
        cases.add(new Case("verify-statement", 2, "no --public-key", List.of("verify-statement",
                dir.resolve("statement.json").toString()), "", "Missing required option: '--public-key=KEY'"));
        // A PDF's first bytes: not UTF-8 text (0xE2 0xE3 0xCF 0xD3 after the header, as PDF writers put them).
        Path pdf = dir.resolve("statement.pdf");
        Files.write(pdf, new byte[] {'%', 'P', 'D', 'F', '-', '1', '.', '7', '\n', '%', (byte) 0xE2, (byte) 0xE3,
                (byte) 0xCF, (byte) 0xD3, '\n'});
        cases.add(new Case("verify-statement", 2, "a PDF instead of the JSON", List.of("verify-statement",
                pdf.toString(), "--public-key", publicKey), "", "is not text: a statement is checked in its signed "
                + "JSON form"));
        String archiveToml = dir.resolve("archive.toml").toString();
        String archive = dir.resolve("archive.gz").toString();
        String changedArchive = dir.resolve("changed-archive.gz").toString();
        String archiveKey = dir.resolve("archive-public-key.pem").toString();
        cases.add(new Case("archive", 0, "written", List.of("archive", "--month", "2024-01", "--out",
                dir.resolve("archive-again.gz").toString(), archiveToml), "", "Wrote the archive of 2024-01"));
        cases.add(new Case("archive", 1, "the month is not closed", List.of("archive", "--month", "2024-02",
                archiveToml), "", "Month 2024-02 is not closed"));
        cases.add(new Case("archive", 2, "no --month", List.of("archive", archiveToml), "",
                "Missing required option: '--month=YYYY-MM'"));
        cases.add(new Case("verify-archive", 0, "authentic and whole", List.of("verify-archive", archive,
                "--public-key", archiveKey), "", "is authentic and whole"));
        cases.add(new Case("verify-archive", 1, "a row changed", List.of("verify-archive", changedArchive,
                "--public-key", archiveKey), "", "does NOT verify"));
        cases.add(new Case("verify-archive", 2, "no --public-key", List.of("verify-archive", archive), "",
                "Missing required option: '--public-key=KEY'"));
        cases.add(new Case("remove-archived", 1, "the archive does not verify", List.of("remove-archived",
                "--month", "2024-01", "--archive", changedArchive, archiveToml), "", "does NOT verify"));
        cases.add(new Case("remove-archived", 2, "no --archive", List.of("remove-archived", "--month", "2024-01",
                archiveToml), "", "Missing required option: '--archive=FILE'"));
        cases.add(new Case("remove-archived", 0, "removed", List.of("remove-archived", "--month", "2024-01",
                "--archive", archive, archiveToml), "", "Removed the 6 ledger rows of 2024-01"));
        String wholeJournal = journalConfig("journal-whole", false);
        String damagedJournal = journalConfig("journal-damaged", true);
        cases.add(new Case("journal", 0, "whole", List.of("journal", wholeJournal), "", "is whole: node exit-node, "
                + "1 interval(s) (seq 7 to 7) with 12 transaction(s)"));
        cases.add(new Case("journal", 1, "damaged", List.of("journal", damagedJournal), "", "was cut short"));
        cases.add(new Case("journal", 2, "unknown option", List.of("journal", "--repair", wholeJournal), "",
                "Unknown option: '--repair'"));
        cases.add(new Case("throttles", 0, "listed", List.of("throttles", "--url", url, "--password-file", pw,
                config), "", "(failures are kept for 900 s"));
        cases.add(new Case("throttles", 1, "no service answers", List.of("throttles", "--url", NOWHERE,
                "--password-file", pw, config), "", "No management API answers"));
        cases.add(new Case("throttles", 2, "--clear with --clear-all", List.of("throttles", "--clear", "127.0.0.2",
                "--clear-all", "--url", url, "--password-file", pw, config), "",
                "Give --clear ADDRESS or --clear-all, not both."));
        cases.add(new Case("acknowledge-gap", 0, "nothing to acknowledge", List.of("acknowledge-gap", "--url", url,
                "--password-file", pw, config), "", "Nothing to acknowledge: this node did not start without a "
                + "journal"));
        cases.add(new Case("acknowledge-gap", 1, "no service answers", List.of("acknowledge-gap", "--url", NOWHERE,
                "--password-file", pw, config), "", "No management API answers"));
        cases.add(new Case("acknowledge-gap", 2, "no password", List.of("acknowledge-gap", "--url", url, config), "",
                "No password: set TXN_PASSWORD"));
        cases.add(new Case("(unknown command)", 2, "a mistyped command", List.of("reprot"), "",
                "Unknown command: reprot. The commands are: serve, migrate, count, report, nodes, verify, import-mi"));
        cases.add(new Case("--help", 0, "help", List.of("--help"), "", "import-mi"));
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void exitsWithTheStatusTheReadmeGives(Case run) {
        System.setIn(new ByteArrayInputStream(run.stdin().getBytes(StandardCharsets.UTF_8)));
        int status = Commands.run(run.args().toArray(String[]::new));
        String said = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertThat(status).as("%s said:%n%s", run.args(), said).isEqualTo(run.status());
        assertThat(said).contains(run.says());
    }

    @Test
    void theCasesCoverExactlyTheReadmesTable() throws Exception {
        Map<String, Set<Integer>> readme = readmeTable();
        Map<String, Set<Integer>> tested = new TreeMap<>();
        for (Case run : cases()) {
            tested.computeIfAbsent(run.command(), command -> new TreeSet<>()).add(run.status());
        }
        assertThat(tested).isEqualTo(readme);
    }

    @Test
    void serveWithTheManagementPortTakenCreatesNothingAndPrintsNoPassword() throws Exception {
        Path work = Files.createTempDirectory("port-taken");
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Path config = work.resolve("deployment.toml");
            Files.writeString(config, "[node]\ndata_dir = \"" + work.resolve("data") + "\"\n\n[management_api]\nport = "
                    + taken.getLocalPort() + "\n");
            assertThat(Commands.run("serve", config.toString())).isEqualTo(2);
            assertThat(work.resolve("data")).doesNotExist();
            assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContainIgnoringCase("password");
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("Cannot start: Cannot listen on 127.0.0.1:"
                    + taken.getLocalPort() + " (").contains("another process uses the port. Free it, or set "
                    + "[management_api] port in deployment.toml. Nothing was created or changed.")
                    .doesNotContain("..");
        }
    }

    @Test
    void verifyWithACheckpointFileCreatesItOwnerOnlyResumesFromItAndRefusesAForgedOne() throws Exception {
        Path checkpoint = dir.resolve("checks").resolve("ledger.checkpoint");
        List<String> args = List.of("verify", "--checkpoint", checkpoint.toString(), "--url", url, "--password-file",
                passwordFile.toString(), toml.toString());

        assertThat(Commands.run(args.toArray(String[]::new))).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("The ledger is intact (whole ledger, ")
                .contains("The next check resumes from " + checkpoint + ".");
        assertThat(Files.getPosixFilePermissions(checkpoint)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String first = Files.readString(checkpoint);
        assertThat(first).startsWith("txcounter-verify-checkpoint v1\n");

        out.reset();
        assertThat(Commands.run(args.toArray(String[]::new))).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("The ledger is intact (since the checkpoint of ");

        Files.writeString(checkpoint, Files.readString(checkpoint).replaceFirst("(?m)^rows \\d+$", "rows 12345"));
        out.reset();
        assertThat(Commands.run(args.toArray(String[]::new))).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8))
                .contains("The checkpoint was refused: the checkpoint of ").contains("does not match its MAC");
        assertThat(Files.readString(checkpoint)).as("a refused checkpoint is left as it was").contains("rows 12345");

        err.reset();
        assertThat(Commands.run("verify", "--checkpoint", checkpoint.toString(), "--month", "2026-11", "--url", url,
                "--password-file", passwordFile.toString(), toml.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--checkpoint resumes a check of the whole ledger");
    }

    /** Command → the statuses the operator's guide's exit status table lists for it. */
    private static Map<String, Set<Integer>> readmeTable() throws Exception {
        String readme = Files.readString(Path.of("..", "docs", "operators-guide.md"));
        int start = readme.indexOf("| command | 0 | 1 | 2 |");
        assertThat(start).as("the operator's guide has the exit status table").isPositive();
        Map<String, Set<Integer>> table = new TreeMap<>();
        Pattern row = Pattern.compile("^\\| `?([^|`]+?)`? \\|(.*)\\|(.*)\\|(.*)\\|$");
        for (String line : readme.substring(start).lines().skip(2).takeWhile(l -> l.startsWith("|")).toList()) {
            Matcher matcher = row.matcher(line);
            assertThat(matcher.matches()).as(line).isTrue();
            Set<Integer> statuses = new TreeSet<>();
            Stream.of(0, 1, 2).filter(status -> !matcher.group(status + 2).isBlank()).forEach(statuses::add);
            table.put(matcher.group(1).strip(), statuses);
        }
        return table;
    }
}
