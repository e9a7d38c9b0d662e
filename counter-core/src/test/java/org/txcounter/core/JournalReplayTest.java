package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.interval.IntervalFlusher;

/**
 * A crash is simulated by dropping the counter without its final flush: the store's pool is closed under it, as
 * a killed process would leave things. The next start must write exactly what the journal holds, once.
 */
class JournalReplayTest {

    @TempDir
    Path dataDir;

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:10Z");

    private TransactionCounter open() {
        return TransactionCounter.open(CounterConfig.builder().dataDir(dataDir).nodeId("node-j").build(), clock);
    }

    private static void record(TransactionCounter counter, Transport transport, int times) {
        TransportCounter handle = counter.meter().counter(transport);
        for (int i = 0; i < times; i++) {
            handle.record();
        }
    }

    private static void crash(TransactionCounter counter) {
        Internals.store(counter).close();
    }

    @Test
    void whatTheJournalHoldsIsWrittenAtTheNextStart() {
        TransactionCounter first = open();
        record(first, Transport.HTTP, 10);
        record(first, Transport.JMS, 4);
        clock.advance(Duration.ofSeconds(5));
        first.writeJournal();
        record(first, Transport.HTTP, 3);
        crash(first);

        try (TransactionCounter second = open()) {
            assertThat(second.count(second.currentMonth()).counts().get(Transport.HTTP)).isEqualTo(10);
            assertThat(second.count(second.currentMonth()).counts().get(Transport.JMS)).isEqualTo(4);
            assertThat(Internals.store(second).ledger("node-j")).extracting(row -> row.seq()).containsExactly(1L, 1L);
        }
    }

    /**
     * Messages counted and not completed at a crash are journaled with their counts; after the restart the
     * broker's redelivery of each is recognised, and a message completed before the journal rewrite is counted
     * if it shows up again.
     */
    @Test
    void jmsMessagesInFlightAtACrashAreNotCountedAgainAfterTheRestart() throws Exception {
        TransactionCounter first = open();
        for (int i = 0; i < 5; i++) {
            first.ingress().jmsMessage("orders", null, "ID:in-flight-" + i).close();
        }
        try (IngressCounter.Scope done = first.ingress().jmsMessage("orders", null, "ID:done")) {
            done.complete();
        }
        IngressCounter.Scope handling = first.ingress().jmsMessage("orders", null, "ID:handling");
        first.writeJournal();
        assertThat(Files.readAllLines(dataDir.resolve("journal"))).filteredOn(line -> line.startsWith("in-flight"))
                .singleElement().satisfies(line -> assertThat(line.split(" ")).hasSize(1 + 6));
        crash(first);
        handling.close();

        try (TransactionCounter second = open()) {
            for (String id : new String[] {"ID:in-flight-0", "ID:in-flight-1", "ID:in-flight-2", "ID:in-flight-3",
                    "ID:in-flight-4", "ID:handling", "ID:done", "ID:new"}) {
                try (IngressCounter.Scope redelivered = second.ingress().jmsMessage("orders", null, id)) {
                    redelivered.complete();
                }
            }
            assertThat(second.ingress().redeliveriesSkipped()).isEqualTo(6);
            assertThat(second.meter().pending().get(Transport.JMS)).isEqualTo(2);
            assertThat(second.count(second.currentMonth()).counts().get(Transport.JMS)).isEqualTo(7);
            assertThat(second.ingress().inFlightStats().held()).isZero();
        }
    }

    /** The journal's counts and in-flight ids are one snapshot, whatever consumers do while it is taken. */
    @Test
    void everyJournalHoldsTheIdOfEveryMessageItCountsAndNoOther() throws Exception {
        TransactionCounter counter = open();
        int consumers = 4;
        int perConsumer = 5_000;
        Thread[] threads = new Thread[consumers];
        for (int c = 0; c < consumers; c++) {
            int consumer = c;
            threads[c] = new Thread(() -> {
                for (int i = 0; i < perConsumer; i++) {
                    // Never completed: each message counted stays in flight, so counts and ids must match.
                    counter.ingress().jmsMessage("orders", null, "ID:" + consumer + "-" + i).close();
                }
            });
            threads[c].start();
        }
        int journals = 0;
        boolean running = true;
        while (running) {
            running = false;
            for (Thread thread : threads) {
                running |= thread.isAlive();
            }
            IntervalFlusher.JournalState state = Internals.flusher(counter).journalState();
            long counted = state.intervals().stream().mapToLong(interval -> interval.counts().get(Transport.JMS))
                    .sum();
            assertThat(state.inFlight().size()).as("journal %d", journals).isEqualTo(counted);
            journals++;
        }
        assertThat(Internals.flusher(counter).journalState().inFlight().size()).isEqualTo(consumers * perConsumer);
        assertThat(journals).isGreaterThan(1);
        counter.close();
    }

    @Test
    void anOpenIntervalThatWasWrittenAfterTheLastJournalIsNotWrittenAgain() {
        TransactionCounter first = open();
        record(first, Transport.HTTP, 10);
        first.writeJournal();
        record(first, Transport.HTTP, 5);
        clock.advance(Duration.ofMinutes(1));
        assertThat(Internals.flusher(first).flushDue()).isZero();
        crash(first);

        try (TransactionCounter second = open()) {
            assertThat(second.count(second.currentMonth()).total()).isEqualTo(15);
        }
    }

    @Test
    void intervalsTheDatabaseRefusedStayInTheJournalAcrossAStop() throws Exception {
        TransactionCounter first = open();
        record(first, Transport.JMS, 7);
        clock.advance(Duration.ofMinutes(1));
        Internals.store(first).close();
        first.close();
        assertThat(Files.readString(dataDir.resolve("journal"))).contains("interval 1 ").contains("JMS=7");

        try (TransactionCounter second = open()) {
            assertThat(second.count(second.currentMonth()).counts().get(Transport.JMS)).isEqualTo(7);
            record(second, Transport.JMS, 1);
            clock.advance(Duration.ofMinutes(1));
            Internals.flusher(second).flushDue();
            assertThat(Internals.store(second).ledger("node-j")).extracting(row -> row.seq()).containsExactly(1L, 2L);
        }
        try (TransactionCounter third = open()) {
            assertThat(third.count(third.currentMonth()).counts().get(Transport.JMS)).isEqualTo(8);
            assertThat(Internals.verifyLedger(third)).isEmpty();
        }
    }
}
