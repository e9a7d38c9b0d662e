package org.txcounter.service.statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.config.DedupeConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.store.ImportedMonth;
import org.txcounter.core.store.MonthAlreadyClosedException;
import org.txcounter.core.store.MonthClosure;
import org.txcounter.core.store.TestDatabases;
import org.txcounter.service.cli.Commands;
import org.txcounter.service.config.SecretStore;
import org.txcounter.service.config.ServiceConfig;

/**
 * Closing a month with a fake clock, on H2 and PostgreSQL: refused while a node that reported in the month is silent
 * and the grace period runs, with the node named; closed after it with the silent span on the statement; closed at
 * once when every node reported past the month's end. The statements then verify offline, and do not once a digit,
 * a row or the signature is changed; their PDF shows the totals and every node.
 */
class MonthCloseTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Duration MINUTE = Duration.ofMinutes(1);
    /** 23:50 on 30 November 2026 in Berlin. */
    private static final Instant BEFORE_END = Instant.parse("2026-11-30T22:50:00Z");
    private static final Instant MONTH_END = Instant.parse("2026-11-30T23:00:00Z");
    private static final YearMonth NOVEMBER = YearMonth.of(2026, 11);

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    static Stream<Arguments> databases() {
        return Stream.of(Arguments.of("H2"), Arguments.of("PostgreSQL"));
    }

    private DataSourceConfig database(String name) {
        if (name.equals("H2")) {
            return TestDatabases.h2(dir.resolve("shared"));
        }
        DataSourceConfig postgres = TestDatabases.postgres();
        TestDatabases.migrate(postgres);
        TestDatabases.wipe(postgres);
        return postgres;
    }

    private CounterConfig config(DataSourceConfig dataSource, String node) {
        return CounterConfig.builder().dataSource(dataSource).dataDir(dir.resolve(node)).nodeId(node)
                .billingZone(BERLIN).dedupe(new DedupeConfig("finance-eu", Optional.of(
                        "a shared stamp secret of at least 32 bytes".getBytes(StandardCharsets.UTF_8)),
                        Duration.ofMinutes(60), true, 1000))
                // Nodes that write to one database share the ledger key, as docs/operations.md "Several nodes" says.
                .ledgerKey("a shared ledger key of at least 32 bytes".getBytes(StandardCharsets.UTF_8))
                .build();
    }

    private TransactionCounter counter(CounterConfig config, MutableClock clock) {
        TransactionCounter counter = TransactionCounter.open(config, clock);
        opened.add(counter);
        return counter;
    }

    private Billing billing(CounterConfig config, TransactionCounter counter, MutableClock clock) {
        Billing billing = Billing.create(ServiceConfig.defaults(config), counter,
                SecretStore.openOrCreate(dir.resolve("secrets/secret-store.p12"), name -> null), clock);
        opened.add(billing);
        return billing;
    }

    private static void record(TransactionCounter counter, Transport transport, int times) {
        TransportCounter handle = counter.meter().counter(transport);
        for (int i = 0; i < times; i++) {
            handle.record();
        }
    }

    /** Two nodes count until 23:55; node-b then goes silent, node-a reports past the month's end. */
    private record Deployment(MutableClock clock, TransactionCounter a, TransactionCounter b, Billing billing) {
    }

    private Deployment twoNodes(String databaseName, boolean bReportsPastEnd) {
        DataSourceConfig database = database(databaseName);
        MutableClock clock = new MutableClock(BEFORE_END);
        CounterConfig configA = config(database, "node-a");
        TransactionCounter a = counter(configA, clock);
        TransactionCounter b = counter(config(database, "node-b"), clock);
        for (int minute = 0; minute < 5; minute++) {
            record(a, Transport.HTTP, 10);
            record(a, Transport.JMS, 3);
            record(b, Transport.HTTP, 7);
            clock.advance(MINUTE);
            Internals.flusher(a).flushDue();
            Internals.flusher(b).flushDue();
        }
        for (int minute = 0; minute < 7; minute++) {
            clock.advance(MINUTE);
            Internals.flusher(a).flushDue();
            if (bReportsPastEnd) {
                Internals.flusher(b).flushDue();
            }
        }
        return new Deployment(clock, a, b, billing(configA, a, clock));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aSilentNodeHoldsTheCloseUntilTheGracePeriodEndsAndIsThenListedWithItsSilentSpan(String databaseName)
            throws Exception {
        Deployment deployment = twoNodes(databaseName, false);
        MonthCloser closer = deployment.billing().closer();

        assertThatThrownBy(() -> closer.close(NOVEMBER, "ops"))
                .isInstanceOf(CloseRefusedException.class)
                .hasMessageContaining("node-b (last reported 2026-11-30T22:55:00Z)")
                .hasMessageNotContaining("node-a")
                .hasMessageContaining("grace period ends at 2026-12-03T23:00:00Z");
        assertThat(closer.closeDue()).as("nothing closes on its own within the grace period").isEmpty();

        deployment.clock().set(MONTH_END.plus(Duration.ofDays(3)));
        assertThat(closer.closeDue()).containsExactly(NOVEMBER);

        MonthClosure closure = Internals.store(deployment.a()).closure(NOVEMBER).orElseThrow();
        assertThat(closure.closedBy()).isEqualTo(MonthCloser.AUTOMATIC);
        JsonNode statement = JSON.readTree(closure.statement()).get("statement");
        assertThat(statement.get("deployment").asText()).isEqualTo("finance-eu");
        assertThat(statement.get("timeZone").asText()).isEqualTo("Europe/Berlin");
        assertThat(statement.at("/totals/total").asLong()).isEqualTo(5 * (10 + 3 + 7));
        assertThat(statement.at("/totals/byTransport/HTTP").asLong()).isEqualTo(5 * 17);
        assertThat(statement.at("/totals/byTransport/JMS").asLong()).isEqualTo(5 * 3);
        JsonNode silentB = node(statement, "node-b").at("/coverage/silentSpans");
        assertThat(silentB).hasSize(1);
        assertThat(silentB.get(0).get("start").asText()).isEqualTo("2026-11-30T22:55:00Z");
        assertThat(silentB.get(0).get("end").asText()).isEqualTo("2026-11-30T23:00:00Z");
        assertThat(silentB.get(0).get("intervals").asLong()).isEqualTo(5);
        assertThat(node(statement, "node-b").at("/coverage/presentIntervals").asLong()).isEqualTo(5);
        assertThat(node(statement, "node-b").at("/coverage/expectedIntervals").asLong()).isEqualTo(10);
        assertThat(node(statement, "node-a").at("/coverage/silentSpans")).isEmpty();
        assertThat(node(statement, "node-a").at("/chainHead/seq").asLong()).isEqualTo(5);
        assertThat(node(statement, "node-a").at("/chainHead/mac").asText()).as("base64url HMAC-SHA256").hasSize(43);
        assertThat(statement.at("/ledgerCheck/valid").asBoolean()).isTrue();

        assertThatThrownBy(() -> closer.close(NOVEMBER, "ops")).isInstanceOf(MonthAlreadyClosedException.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void monthlyTotalsImportedFromMiAreOnTheStatementAndBilledBesideTheLedger(String databaseName)
            throws Exception {
        Deployment deployment = twoNodes(databaseName, true);
        // MI's counter said 2,500 for mi-node-1 in November; 900 of it happened in November (import-mi's figures).
        Internals.store(deployment.a()).importMonths(List.of(new ImportedMonth(NOVEMBER, "mi-node-1", "MI", 2500, 900,
                null)));

        MonthClosure closure = deployment.billing().closer().close(NOVEMBER, "ops");

        JsonNode statement = JSON.readTree(closure.statement()).get("statement");
        assertThat(statement.at("/totals/total").asLong()).isEqualTo(100);
        assertThat(statement.at("/importedMi/total").asLong()).isEqualTo(900);
        JsonNode imported = statement.at("/importedMi/rows/0");
        assertThat(imported.get("nodeId").asText()).isEqualTo("mi-node-1");
        assertThat(imported.get("reportedCount").asLong()).isEqualTo(2500);
        assertThat(imported.get("mac").asText()).as("signed under the ledger key").hasSize(43);
        assertThat(statement.get("billableTotal").asLong()).isEqualTo(100 + 900);
        assertThat(StatementFormats.csv(closure.statement()))
                .contains("imported,2026-11,mi-node-1,MI,900,imported from MI (it reported 2500)\r\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void withEveryNodeReportedPastTheEndTheMonthClosesAtOnce(String databaseName) throws Exception {
        Deployment deployment = twoNodes(databaseName, true);

        MonthClosure closure = deployment.billing().closer().close(NOVEMBER, "ops");

        assertThat(closure.closedAt()).isEqualTo(Instant.parse("2026-11-30T23:02:00Z"));
        JsonNode statement = JSON.readTree(closure.statement()).get("statement");
        assertThat(statement.get("closedBy").asText()).isEqualTo("ops");
        assertThat(statement.at("/totals/total").asLong()).isEqualTo(100);
        assertThat(node(statement, "node-b").at("/coverage/silentSpans")).isEmpty();
        assertThat(statement.get("rows")).hasSize(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void verifyStatementAcceptsTheUntouchedStatementAndRefusesADigitARowOrAnotherMonthsSignature(
            String databaseName) throws Exception {
        Deployment deployment = twoNodes(databaseName, true);
        MonthCloser closer = deployment.billing().closer();
        String november = closer.close(NOVEMBER, "ops").statement();
        String october = closer.close(YearMonth.of(2026, 10), "ops").statement();
        Path key = Files.writeString(dir.resolve("key.pem"), closer.key().publicKeyPem());

        assertThat(verify(november, key)).as("untouched").isZero();
        assertThat(verify(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(november)), key))
                .as("only re-formatted").isZero();
        assertThat(verify(october, key)).as("October, untouched").isZero();

        String digitChanged = november.replace("\"count\":50,", "\"count\":51,");
        assertThat(digitChanged).isNotEqualTo(november);
        assertThat(verify(digitChanged, key)).as("one digit changed").isEqualTo(1);

        ObjectNode rowRemoved = (ObjectNode) JSON.readTree(november);
        ((ArrayNode) rowRemoved.get("statement").get("rows")).remove(0);
        assertThat(verify(rowRemoved.toString(), key)).as("one row removed").isEqualTo(1);

        ObjectNode otherSignature = (ObjectNode) JSON.readTree(november);
        otherSignature.set("signature", JSON.readTree(october).get("signature"));
        assertThat(verify(otherSignature.toString(), key)).as("October's signature").isEqualTo(1);

        Path otherKey = Files.writeString(dir.resolve("other.pem"), StatementKey.from(SecretStore.openOrCreate(
                dir.resolve("other/secret-store.p12"), name -> null)).publicKeyPem());
        assertThat(verify(november, otherKey)).as("another deployment's key").isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void thePdfShowsTheTotalsAndEveryNodeAndRendersToANonEmptyPage(String databaseName) throws Exception {
        Deployment deployment = twoNodes(databaseName, false);
        deployment.clock().set(MONTH_END.plus(Duration.ofDays(3)));
        String document = deployment.billing().closer().close(NOVEMBER, "ops").statement();

        byte[] pdf = StatementFormats.pdf(document);

        try (PDDocument read = Loader.loadPDF(pdf)) {
            String text = new PDFTextStripper().getText(read);
            assertThat(text).contains("Deployment: finance-eu", "Month: 2026-11 (Europe/Berlin",
                    "Total transactions: 100", "HTTP: 85", "JMS: 15", "Billable total: 100", "node-a", "node-b",
                    "silent 2026-11-30T22:55:00Z to 2026-11-30T23:00:00Z", "Ed25519",
                    StatementKey.fingerprint(deployment.billing().closer().key().publicKey()));
            BufferedImage page = new PDFRenderer(read).renderImageWithDPI(0, 72);
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            assertThat(ImageIO.write(page, "png", png)).isTrue();
            assertThat(png.size()).isPositive();
            long inked = 0;
            for (int y = 0; y < page.getHeight(); y++) {
                for (int x = 0; x < page.getWidth(); x++) {
                    if ((page.getRGB(x, y) & 0xffffff) != 0xffffff) {
                        inked++;
                    }
                }
            }
            assertThat(inked).as("pixels that are not white on page 1").isGreaterThan(1000);
        }
        String csv = StatementFormats.csv(document);
        assertThat(csv).contains("row,2026-11,node-a,HTTP,50,\r\n", "row,2026-11,node-a,JMS,15,\r\n",
                "row,2026-11,node-b,HTTP,35,\r\n", "total,2026-11,,ALL,100,\r\n",
                "signature,2026-11,,,,Ed25519 SHA256:");
    }

    private int verify(String document, Path key) throws Exception {
        Path file = Files.writeString(Files.createTempFile(dir, "statement", ".json"), document);
        return Commands.run("verify-statement", file.toString(), "--public-key", key.toString());
    }

    private static JsonNode node(JsonNode statement, String nodeId) {
        for (JsonNode node : statement.get("nodes")) {
            if (node.get("nodeId").asText().equals(nodeId)) {
                return node;
            }
        }
        throw new AssertionError("no node " + nodeId + " in " + statement);
    }
}
