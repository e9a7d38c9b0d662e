package org.txcounter.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.txcounter.core.Await;
import org.txcounter.core.MutableClock;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.interval.IntervalFlusher.JournalState;
import org.txcounter.core.interval.IntervalSummary;
import org.txcounter.core.journal.Journal;
import org.txcounter.core.ledger.LedgerKeys;
import org.txcounter.core.ledger.LedgerVerifier;
import org.txcounter.core.store.Adjustment;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.EmbeddedH2;
import org.txcounter.core.store.MonthClosure;
import org.txcounter.core.store.TestDatabases;
import org.txcounter.service.config.SecretStore;
import org.txcounter.service.config.ServiceConfig;
import org.txcounter.service.config.ServiceToml;
import org.txcounter.service.statement.Forecasts;
import org.txcounter.service.statement.MonthCloser;
import org.txcounter.service.statement.SignedStatement;
import org.txcounter.service.statement.StatementKey;

/**
 * A late interval across the month close, for real: the packaged service counts requests and is SIGKILLed with them
 * only in its journal; the month is then closed (a fake clock puts the close after the month's grace period); the
 * restarted service replays its journal into the closed month. The closed statement stays exactly as issued and
 * verifies, and the replayed transactions are an adjustment on the next month's statement, with their origin. On
 * the embedded H2 database and on PostgreSQL (the service as the runtime account).
 */
class LateIntervalIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REQUESTS = 40;

    @TempDir
    Path workDir;

    private OkBackend backend;

    @BeforeEach
    void startBackend() throws Exception {
        backend = new OkBackend();
    }

    @AfterEach
    void stopBackend() {
        backend.close();
    }

    static Stream<Arguments> databases() {
        return Stream.of(Arguments.of("H2"), Arguments.of("PostgreSQL"));
    }

    private Path writeConfig(String database) throws Exception {
        String datasource = "";
        if (database.equals("PostgreSQL")) {
            DataSourceConfig owner = TestDatabases.postgres();
            TestDatabases.migrate(owner);
            TestDatabases.wipe(owner);
            DataSourceConfig app = TestDatabases.postgresApp();
            datasource = """
                    [[datasource]]
                    id = "WSO2_TRANSACTION_DB"
                    url = "%s"
                    username = "%s"
                    password = "$secret{db_password}"

                    [secrets]
                    db_password = "[%s]"
                    """.formatted(app.url(), app.username(), app.password());
        }
        Path file = workDir.resolve("deployment.toml");
        Files.writeString(file, """
                [node]
                id = "late-node"
                data_dir = "%s"

                [management_api]
                port = 0

                [passthrough]
                port = 0

                [[passthrough.route]]
                prefix = "/api"
                backend = "http://127.0.0.1:%d/backend"

                [journal]
                interval_ms = 200

                %s""".formatted(workDir.resolve("data").toString().replace("\\", "\\\\"), backend.port(), datasource));
        return file;
    }

    private static long journalled(Journal journal) throws Exception {
        Optional<JournalState> state = journal.read();
        return state.map(s -> s.intervals().stream().mapToLong(i -> i.counts().total()).sum()).orElse(0L);
    }

    /** The service's month-close side, in this JVM, on the fake clock, with the service's own key and ledger key. */
    private record Closer(CounterStore store, MonthCloser closer) implements AutoCloseable {
        @Override
        public void close() {
            store.close();
        }
    }

    private static Closer closer(ServiceConfig service, Clock clock) {
        CounterConfig config = service.counter();
        LedgerKeys keys = Internals.ledgerKeys(config);
        CounterStore store = CounterStore.open(EmbeddedH2.secure(config.dataSource(), config.dataDir()), clock,
                keys.current());
        Forecasts forecasts = new Forecasts(store, config.billingZone(), clock, () -> 0L);
        MonthCloser closer = new MonthCloser(store, config.updateInterval(), config.billingZone(), config.closeGrace(),
                config.dedupe().deploymentId(),
                StatementKey.from(SecretStore.open(service.secretStore(), name -> null)),
                clock, month -> store.check(new LedgerVerifier(keys), month, month).findings(), forecasts::project);
        return new Closer(store, closer);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aJournalReplayedAfterTheCloseLeavesTheStatementAsIssuedAndAdjustsTheNextMonth(String database)
            throws Exception {
        Path file = writeConfig(database);
        ServiceConfig service = ServiceToml.read(file);
        CounterConfig config = service.counter();
        // Counting must stay within one update interval (one minute) so that the journal holds every request: start
        // in the first half of a minute. At most 30 s of waiting.
        while (LocalDateTime.now(ZoneOffset.UTC).getSecond() >= 30) {
            Thread.sleep(200);
        }
        ServiceProcess first = ServiceProcess.start(workDir);
        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < REQUESTS; i++) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + first.passthroughPort() + "/api/item")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
        }
        Journal journal = new Journal(config.dataDir());
        assertThat(Await.awaitValue(Duration.ofSeconds(5), "the journal holds every request",
                () -> journalled(journal), journalled -> journalled >= REQUESTS)).isEqualTo(REQUESTS);
        first.kill();
        assertThat(journal.read().orElseThrow().intervals()).extracting(IntervalSummary::billingMonth)
                .containsOnly(month);

        Instant monthEnd = month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        MutableClock clock = new MutableClock(monthEnd.plus(config.closeGrace()).plusSeconds(60));
        MonthClosure closed;
        try (Closer closing = closer(service, clock)) {
            closed = closing.closer().close(month, "auditor-test");
        }
        JsonNode issued = JSON.readTree(closed.statement()).get("statement");
        long inStatement = issued.at("/totals/total").asLong();
        assertThat(inStatement).as("what the database had before the kill").isBetween(0L, (long) REQUESTS);

        ServiceProcess second = ServiceProcess.start(workDir);
        assertThat(second.terminate()).isEqualTo(143);

        clock.set(monthEnd.plus(Duration.ofDays(31)).plus(config.closeGrace()).plusSeconds(3600));
        try (Closer checking = closer(service, clock)) {
            MonthClosure after = checking.store().closure(month).orElseThrow();
            assertThat(after.statement()).as("the closed statement, byte for byte").isEqualTo(closed.statement());
            assertThat(SignedStatement.verify(after.statement(), checking.closer().key().publicKey()).valid())
                    .isTrue();
            assertThat(checking.store().count(month).total()).isEqualTo(inStatement);

            YearMonth next = month.plusMonths(1);
            assertThat(checking.store().adjustmentsInto(next)).extracting(Adjustment::originMonth).containsOnly(month);
            JsonNode nextStatement = JSON.readTree(checking.closer().close(next, "auditor-test").statement())
                    .get("statement");
            assertThat(nextStatement.at("/adjustments/total").asLong()).isEqualTo(REQUESTS - inStatement);
            assertThat(nextStatement.at("/billableTotal").asLong()).isEqualTo(
                    nextStatement.at("/totals/total").asLong() + REQUESTS - inStatement);
            for (JsonNode adjustment : nextStatement.at("/adjustments/rows")) {
                assertThat(adjustment.get("originMonth").asText()).isEqualTo(month.toString());
                assertThat(adjustment.get("nodeId").asText()).isEqualTo("late-node");
            }
            assertThat(nextStatement.at("/ledgerCheck/valid").asBoolean()).as("ledger with the adjustment").isTrue();
            assertThat(checking.store().count(month).total() + nextStatement.at("/adjustments/total").asLong())
                    .as("every request counted exactly once").isEqualTo(REQUESTS);
        }
    }
}
