package org.txcounter.service.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.txcounter.core.Await.awaitUpTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounter;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.IntervalRow;
import org.txcounter.core.store.TcpProxy;
import org.txcounter.core.store.TestDatabases;

/**
 * A real PostgreSQL behind a proxy that stops forwarding without closing anything, for three intervals, under
 * traffic: the journal keeps its rhythm, the API keeps answering, and the totals are exact afterwards.
 */
class HangingDatabaseIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The figures: the journal's age sampled every 200 ms, and each endpoint's answer time. */
    private static final Duration SAMPLE_EVERY = Duration.ofMillis(200);
    private static final Duration MAX_JOURNAL_AGE = Duration.ofMillis(1_500);
    private static final Duration MAX_ANSWER = Duration.ofMillis(500);

    @TempDir
    Path dataDir;

    /**
     * How long this JVM's threads could not run at all (jHiccup's method: a thread that sleeps 5 ms and adds up what
     * it overslept). The shared 2-core machine can starve every thread for a second; such a stall is not the
     * counter waiting. A time measured here is reported raw and with the stalls during it taken off; the lock or
     * I/O wait the test is after is not a stall (this thread takes no lock and does no I/O), so it stays in.
     */
    private static final class StallMeter implements AutoCloseable {
        private final AtomicLong stalledNanos = new AtomicLong();
        private final Thread thread;
        private volatile boolean running = true;

        StallMeter() {
            thread = new Thread(() -> {
                while (running) {
                    long before = System.nanoTime();
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                    long overslept = System.nanoTime() - before - 5_000_000;
                    // The first 5 ms of oversleep are ordinary timer slack.
                    if (overslept > 5_000_000) {
                        stalledNanos.addAndGet(overslept);
                    }
                }
            }, "stall-meter");
            thread.setDaemon(true);
            thread.setPriority(Thread.MAX_PRIORITY);
            thread.start();
        }

        long stalledNanos() {
            return stalledNanos.get();
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
        }
    }

    @Test
    void aDatabaseThatHangsForThreeIntervalsFreezesNeitherTheJournalNorTheApiAndLosesNothing() throws Exception {
        DataSourceConfig direct = TestDatabases.postgres();
        TestDatabases.migrate(direct);
        TestDatabases.wipe(direct);
        URI uri = URI.create(direct.url().substring("jdbc:".length()));
        MutableClock clock = MutableClock.at("2026-11-24T10:00:05Z");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long recorded;
        Map<String, Long> slowest = new ConcurrentHashMap<>();
        Map<String, Integer> lastStatus = new ConcurrentHashMap<>();
        AtomicLong oldestJournal = new AtomicLong();
        AtomicBoolean sawNotReady = new AtomicBoolean();
        Map<String, Long> slowestRaw = new ConcurrentHashMap<>();
        AtomicLong lastJournalAt = new AtomicLong();
        AtomicLong stallAtJournal = new AtomicLong();
        try (TcpProxy proxy = new TcpProxy(uri.getHost(), uri.getPort()); StallMeter stalls = new StallMeter()) {
            DataSourceConfig viaProxy = DataSourceConfig.of(direct.id(), "jdbc:" + uri.getScheme() + "://127.0.0.1:"
                    + proxy.port() + uri.getRawPath(), direct.username(), direct.password());
            TransactionCounter counter = TransactionCounter.start(CounterConfig.builder().dataSource(viaProxy)
                    .dataDir(dataDir).nodeId("hang").journalInterval(Duration.ofSeconds(1))
                    .finalFlushTimeout(Duration.ofSeconds(5)).build(), clock);
            Javalin app = TestApi.plain(counter, clock);
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong count = new AtomicLong();
            Thread traffic = new Thread(() -> {
                TransportCounter handle = counter.meter().counter(Transport.HTTP);
                while (running.get()) {
                    for (int i = 0; i < 100; i++) {
                        handle.record();
                    }
                    count.addAndGet(100);
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "traffic");
            AtomicBoolean measuring = new AtomicBoolean();
            AtomicLong rounds = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (running.get()) {
                    // The first rounds load classes and warm the JIT: not what is measured.
                    boolean measured = measuring.get();
                    counter.journalAge().filter(age -> measured).ifPresent(age -> {
                        long now = System.nanoTime();
                        long writtenAt = now - age.toNanos();
                        if (writtenAt - lastJournalAt.get() > 1_000_000) {
                            lastJournalAt.set(writtenAt);
                            stallAtJournal.set(stalls.stalledNanos());
                        }
                        long stalled = stalls.stalledNanos() - stallAtJournal.get();
                        oldestJournal.accumulateAndGet((age.toNanos() - stalled) / 1_000_000, Math::max);
                        slowestRaw.merge("journal age", age.toMillis(), Math::max);
                    });
                    for (String path : new String[] {"/transaction/count", "/metrics", "/health/ready"}) {
                        long started = System.nanoTime();
                        long stalledBefore = stalls.stalledNanos();
                        int status;
                        try {
                            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + app.port() + path))
                                    .header("Authorization", TestUsers.admin()).timeout(Duration.ofSeconds(30))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                            status = response.statusCode();
                            if (path.equals("/health/ready") && status == 503 && JSON.readTree(response.body())
                                    .at("/checks/databaseState").asText().equals("NOT_ANSWERING")) {
                                sawNotReady.set(true);
                            }
                        } catch (Exception e) {
                            status = -1;
                        }
                        long took = System.nanoTime() - started;
                        long stalled = stalls.stalledNanos() - stalledBefore;
                        if (measured) {
                            slowest.merge(path, (took - stalled) / 1_000_000, Math::max);
                            slowestRaw.merge(path, took / 1_000_000, Math::max);
                        }
                        lastStatus.put(path, status);
                    }
                    rounds.incrementAndGet();
                    try {
                        Thread.sleep(SAMPLE_EVERY.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "sampler");
            try {
                awaitUpTo(Duration.ofSeconds(30), counter::connected);
                traffic.start();
                sampler.start();
                awaitUpTo(Duration.ofSeconds(60), () -> rounds.get() >= 5);
                measuring.set(true);
                Thread.sleep(1_000);

                proxy.hang();
                for (int interval = 1; interval <= 3; interval++) {
                    clock.advance(Duration.ofMinutes(1));
                    int expected = interval;
                    // The timer closes the interval within a second; the store thread's write of it hangs.
                    awaitUpTo(Duration.ofSeconds(5), () -> Internals.flusher(counter).queued().size() >= expected);
                    Thread.sleep(2_500);
                }
                assertThat(Internals.flusher(counter).queued()).hasSize(3);
                assertThat(sawNotReady).as("/health/ready reported the database as not answering").isTrue();

                proxy.restore();
                awaitUpTo(Duration.ofSeconds(30), () -> Internals.flusher(counter).queued().isEmpty());
                // The round under way may have asked before the queue drained; the one after it asks after.
                long drainedAt = rounds.get();
                awaitUpTo(Duration.ofSeconds(30), () -> rounds.get() >= drainedAt + 2);
                running.set(false);
                traffic.join();
                sampler.join();
                recorded = count.get();
                assertThat(lastStatus).containsEntry("/health/ready", 200).containsEntry("/transaction/count", 200);
            } finally {
                running.set(false);
                app.stop();
                counter.close();
            }
        }
        System.out.printf("Hang: %d recorded; less the machine's stalls: oldest journal %d ms, slowest answers %s; "
                + "raw: %s%n", recorded, oldestJournal.get(), slowest, slowestRaw);
        try (CounterStore store = CounterStore.open(direct, Clock.systemUTC())) {
            assertThat(store.ledger("hang").stream().mapToLong(IntervalRow::count).sum()).isEqualTo(recorded);
        }
        assertThat(oldestJournal.get()).as("the journal's age, sampled every %d ms", SAMPLE_EVERY.toMillis())
                .isLessThanOrEqualTo(MAX_JOURNAL_AGE.toMillis());
        assertThat(slowest).hasSize(3).allSatisfy((path, millis) -> assertThat(millis)
                .as("slowest answer of %s", path).isLessThanOrEqualTo(MAX_ANSWER.toMillis()));
    }
}
