package org.txcounter.service.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.javalin.Javalin;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.internal.Internals;

/**
 * The MI-compatible endpoints as WSO2's own Go clients read them: {@code src/test/go/miclient} logs in, decodes
 * the count and the report into exactly the structs {@code mi} and {@code apictl} declare (Go's standard library
 * only, unknown fields refused), and writes the report with {@code encoding/csv} as {@code mi transaction report}
 * does. The file must equal {@code mi-report.csv} byte for byte: the ledger key, node id and clock are fixed, so
 * the ledger MACs in the fourth column are too.
 *
 * <p>Needs {@code go} on the PATH (Debian's {@code golang-go}, which {@code .ci/run} installs). Without it the test
 * is skipped with the reason, unless {@code TXN_TEST_GO_REQUIRED=true} (as in CI), where it fails.
 */
class MiGoClientTest {

    private static final byte[] LEDGER_KEY = "a fixed ledger key for the Go client test, 32+ bytes"
            .getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void misGoClientDecodesLoginCountAndReportAndWritesTheExpectedCsv() throws Exception {
        String go = goCommand();
        MutableClock clock = MutableClock.at("2026-09-30T23:58:00Z");
        TransactionCounter counter = TransactionCounter.open(CounterConfig.builder().dataDir(dir.resolve("data"))
                .nodeId("mi-node-1").ledgerKey(LEDGER_KEY).build(), clock);
        Javalin app = TestApi.plain(counter, clock);
        try {
            record(counter, Transport.HTTP, 7);
            record(counter, Transport.JMS, 2);
            clock.set(Instant.parse("2026-10-01T00:00:00Z"));
            Internals.flusher(counter).flushDue();
            record(counter, Transport.HTTP, 30);
            clock.advance(Duration.ofMinutes(1));
            Internals.flusher(counter).flushDue();
            record(counter, Transport.JMS, 4);
            clock.advance(Duration.ofMinutes(1));
            Internals.flusher(counter).flushDue();

            Path csv = dir.resolve("report.csv");
            Path source = Path.of("src", "test", "go", "miclient", "main.go").toAbsolutePath();
            List<String> command = List.of(go, "run", source.toString(), "http://127.0.0.1:" + app.port(),
                    TestUsers.VIEWER, TestUsers.VIEWER_PASSWORD, "2026", "10", "2026-09", "2026-10", csv.toString());
            String output = run(command);

            assertThat(output).isEqualTo("count 2026-10 34\nreport rows 3\n");
            byte[] expected;
            try (var in = MiGoClientTest.class.getResourceAsStream("mi-report.csv")) {
                expected = in.readAllBytes();
            }
            assertThat(new String(Files.readAllBytes(csv), StandardCharsets.UTF_8))
                    .isEqualTo(new String(expected, StandardCharsets.UTF_8));
            assertThat(Files.readAllBytes(csv)).isEqualTo(expected);
        } finally {
            app.stop();
            counter.close();
        }
    }

    private static void record(TransactionCounter counter, Transport transport, int times) {
        TransportCounter handle = counter.meter().counter(transport);
        for (int i = 0; i < times; i++) {
            handle.record();
        }
    }

    private String run(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        Path output = dir.resolve("go-output.txt");
        Path errors = dir.resolve("go-errors.txt");
        builder.redirectOutput(output.toFile()).redirectError(errors.toFile());
        if (System.getenv("HOME") == null) {
            builder.environment().put("GOCACHE", dir.resolve("go-cache").toString());
        }
        Process process = builder.start();
        // The first run compiles net/http into an empty build cache: minutes on a small machine, seconds after.
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("go run did not finish within 10 minutes");
        }
        assertThat(process.exitValue()).as("go run failed:\n%s", Files.readString(errors)).isZero();
        return Files.readString(output);
    }

    private static String goCommand() {
        Optional<String> found = Optional.empty();
        List<String> path = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "")
                .split(File.pathSeparator)));
        path.add("/usr/lib/go/bin");
        for (String directory : path) {
            File candidate = new File(directory, "go");
            if (candidate.canExecute()) {
                found = Optional.of(candidate.getAbsolutePath());
                break;
            }
        }
        if (found.isEmpty()) {
            String reason = "No go command on the PATH: install Debian's golang-go to run MI's Go client";
            if ("true".equalsIgnoreCase(System.getenv("TXN_TEST_GO_REQUIRED"))) {
                fail(reason + " (TXN_TEST_GO_REQUIRED=true, so this fails instead of skipping)");
            }
            Assumptions.abort(reason);
        }
        return found.get();
    }
}
