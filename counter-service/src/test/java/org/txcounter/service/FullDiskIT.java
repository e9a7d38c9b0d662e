package org.txcounter.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.Await;
import org.txcounter.core.NodeStatus;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.IntervalRow;
import org.txcounter.core.store.TestDatabases;

/**
 * The packaged service with its data directory and its logs on a file system that fills up, counting into
 * PostgreSQL: a tmpfs of {@link #DISK_MB} MB the test mounts (mounting needs root, as the CI machine runs; elsewhere
 * the test is skipped and says why). A full tmpfs refuses a write with ENOSPC exactly as a full disk does.
 */
class FullDiskIT {

    private static final int DISK_MB = 16;
    private static final int CLIENTS = 8;
    private static final Duration JOURNAL_INTERVAL = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path workDir;

    private Path disk;
    private OkBackend backend;

    @BeforeEach
    void mountDisk() throws Exception {
        disk = workDir.resolve("disk");
        Files.createDirectories(disk);
        Result mounted = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + DISK_MB + "m,mode=700", "tmpfs",
                disk.toString()));
        Assumptions.assumeTrue(mounted.status() == 0, "A full file system is made by mounting a tmpfs, which needs "
                + "root: `mount` said: " + mounted.output());
        backend = new OkBackend();
    }

    @AfterEach
    void unmountDisk() throws Exception {
        if (backend != null) {
            backend.close();
        }
        run(List.of("umount", "-l", disk.toString()));
    }

    /**
     * Full, then space again, then full and SIGKILL: readiness is DOWN (journal) and shows the log files while
     * full, both come back without a restart, and the kill while full loses at most one journal interval of
     * traffic, because each failed journal rewrite sends the open interval to the database.
     */
    @Test
    void aFullDataDiskIsShownKeepsTheLossBoundThroughTheDatabaseAndRecoversWithoutARestart() throws Exception {
        DataSourceConfig owner = TestDatabases.postgres();
        TestDatabases.migrate(owner);
        TestDatabases.wipe(owner);
        DataSourceConfig app = TestDatabases.postgresApp();
        Files.writeString(workDir.resolve("deployment.toml"), """
                [node]
                id = "full-node"
                data_dir = "%s"

                [management_api]
                port = 0

                [passthrough]
                port = 0

                [[passthrough.route]]
                prefix = "/api"
                backend = "http://127.0.0.1:%d/backend"

                [journal]
                interval_ms = %d

                """.formatted(disk.resolve("data"), backend.port(), JOURNAL_INTERVAL.toMillis())
                + PostgresToml.datasource(app.url(), app, ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder command = new ProcessBuilder(java, "-Dtxcounter.log.dir=" + disk.resolve("logs"), "-jar",
                Path.of("target", "txcounter.jar").toAbsolutePath().toString()).directory(workDir.toFile());
        ServiceProcess service = ServiceProcess.start(command);
        Api api = new Api(service.managementPort(), service.generatedPassword());
        awaitRegistered();
        Path filler = disk.resolve("filler");

        Traffic traffic = new Traffic(service.passthroughPort());
        double finalRate;
        try {
            traffic.await("traffic flows", 200);
            fill(filler);
            JsonNode full = api.awaitReady("readiness DOWN with the journal failing",
                    ready -> ready.path("checks").path("journal").asText().startsWith("FAILING"));
            assertThat(full.path("status").asText()).isEqualTo("DOWN");
            assertThat(api.awaitReady("the log files shown as failing",
                    ready -> ready.path("checks").path("logs").asText().startsWith("FAILING"))
                    .path("checks").path("logs").asText()).contains(disk.resolve("logs").toString());
            assertThat(api.metrics()).contains("txn_journal_failing 1.0");

            // Space again: the journal is written, the node is ready, the logs are written, without a restart.
            Files.delete(filler);
            JsonNode recovered = api.awaitReady("readiness UP with the journal written again",
                    ready -> ready.path("status").asText().equals("UP"));
            assertThat(recovered.path("checks").path("journal").asText()).isEqualTo("UP");
            // Something to log before each look: logback finds the file writable again only when it writes.
            Await.awaitValue(Duration.ofSeconds(120), "the log files written again (logback retries at growing "
                    + "intervals)", () -> {
                        api.logSomething();
                        return api.ready();
                    }, ready -> ready.path("checks").path("logs").asText().equals("UP"));
            api.logSomething();
            assertThat(Files.readString(disk.resolve("logs").resolve("txcounter.log")))
                    .contains("login throttle record(s) of every address");

            // Full again, and killed while full.
            fill(filler);
            api.awaitReady("readiness DOWN again", ready -> ready.path("status").asText().equals("DOWN"));
            long fullSince = System.nanoTime();
            long answeredWhenFull = traffic.successes();
            // Three failed rewrites, each sending the open interval to the database: the database then holds
            // intervals the journal on disk never heard of, as after any longer stretch on a full disk.
            long failures = api.journalWriteFailures();
            api.await("three more failed journal rewrites", () -> api.journalWriteFailures() >= failures + 3);
            traffic.await("traffic flows while the disk is full", answeredWhenFull + 1_000);
            // The rate of the traffic a kill now can lose: the last stretch's, not the whole run's.
            finalRate = (traffic.successes() - answeredWhenFull) / ((System.nanoTime() - fullSince) / 1e9);
            service.kill();
        } finally {
            traffic.stop();
        }
        Files.delete(filler);

        ServiceProcess second = ServiceProcess.start(command);
        assertThat(second.terminate()).isEqualTo(143);
        long counted = storedInPostgres();
        long lost = traffic.successes() - counted;
        long bound = (long) Math.ceil(finalRate * JOURNAL_INTERVAL.toMillis() / 1000.0 * 1.5) + CLIENTS;
        System.out.printf("SIGKILL on a full disk: %d attempts, %d answered, %.0f req/s at the end, %d in the "
                + "database, %d lost, bound %d%n", traffic.attempts(), traffic.successes(), finalRate, counted, lost,
                bound);
        assertThat(counted).as("nothing counted twice").isLessThanOrEqualTo(traffic.attempts());
        assertThat(lost).as("at most one journal interval of traffic lost (rate %.0f/s)", finalRate)
                .isLessThanOrEqualTo(bound);
    }

    /** Writes {@code filler} until the file system refuses: from then on, every write on it fails with ENOSPC. */
    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (long written = 0; written <= DISK_MB * 1024L * 1024L; written += block.length) {
                out.write(block);
                out.flush();
            }
        } catch (IOException e) {
            assertThat(e.getMessage()).contains("No space left on device");
            return;
        }
        throw new AssertionError("the tmpfs took more than its size");
    }

    private static void awaitRegistered() throws InterruptedException {
        try (CounterStore store = CounterStore.open(TestDatabases.postgres(), Clock.systemUTC())) {
            Await.awaitUpTo(Duration.ofSeconds(60), "the service registered", () -> store.nodes().stream()
                    .map(NodeStatus::nodeId).anyMatch("full-node"::equals));
        }
    }

    private static long storedInPostgres() {
        try (CounterStore store = CounterStore.open(TestDatabases.postgres(), Clock.systemUTC())) {
            return store.ledger("full-node").stream().mapToLong(IntervalRow::count).sum();
        }
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s", command).isTrue();
        return new Result(process.exitValue(), output.strip());
    }

    private record Result(int status, String output) {
    }

    /** The service's management API through curl (its TLS certificate is the self-signed one it generated). */
    private record Api(int port, String password) {

        JsonNode ready() throws Exception {
            return JSON.readTree(curl("/health/ready"));
        }

        String metrics() throws Exception {
            return curl("/metrics");
        }

        long journalWriteFailures() throws Exception {
            return metrics().lines().filter(line -> line.startsWith("txn_journal_write_failures_total "))
                    .mapToLong(line -> (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
                    .findFirst().orElseThrow();
        }

        /** Waits (at most 120 s) until {@code condition} holds. */
        void await(String what, Callable<Boolean> condition) throws Exception {
            Await.awaitValue(Duration.ofSeconds(120), what, condition, Boolean::booleanValue);
        }

        /** An administrator's action that the service logs (a WARN in txcounter.log). */
        void logSomething() throws Exception {
            curl("-X", "POST", "/management/throttles/clear");
        }

        /** Reads readiness (at most 120 s) until {@code condition} holds, and returns that answer. */
        JsonNode awaitReady(String what, Predicate<JsonNode> condition) throws Exception {
            return Await.awaitValue(Duration.ofSeconds(120), what, this::ready, condition);
        }

        private String curl(String... pathAndOptions) throws Exception {
            List<String> command = new ArrayList<>(List.of("curl", "-sk", "--max-time", "10", "-u",
                    "admin:" + password));
            for (String part : pathAndOptions) {
                command.add(part.startsWith("/") ? "https://127.0.0.1:" + port + part : part);
            }
            Result result = run(command);
            assertThat(result.status()).as("%s: %s", command, result.output()).isZero();
            return result.output();
        }
    }

    /** {@link #CLIENTS} clients sending requests through the passthrough until stopped. */
    private static final class Traffic {

        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong attempts = new AtomicLong();
        private final AtomicLong successes = new AtomicLong();
        private final List<Thread> threads = new ArrayList<>();

        Traffic(int port) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).build();
            for (int c = 0; c < CLIENTS; c++) {
                Thread thread = new Thread(() -> {
                    while (running.get()) {
                        attempts.incrementAndGet();
                        try {
                            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + port + "/api/item"))
                                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                            if (response.statusCode() == 200) {
                                successes.incrementAndGet();
                            }
                        } catch (IOException e) {
                            // The service went away mid-request: an attempt, not a success.
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "traffic-" + c);
                thread.start();
                threads.add(thread);
            }
        }

        /** Waits (at most 60 s) until {@code successes} requests were answered. */
        void await(String what, long successes) throws InterruptedException {
            Await.awaitUpTo(Duration.ofSeconds(60), what, () -> this.successes.get() >= successes);
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
        }

        long attempts() {
            return attempts.get();
        }

        long successes() {
            return successes.get();
        }
    }
}
