package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.CounterConfig;

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
        counter.store().close();
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
            assertThat(second.store().ledger("node-j")).extracting(row -> row.seq()).containsExactly(1L, 1L);
        }
    }

    @Test
    void anOpenIntervalThatWasWrittenAfterTheLastJournalIsNotWrittenAgain() {
        TransactionCounter first = open();
        record(first, Transport.HTTP, 10);
        first.writeJournal();
        record(first, Transport.HTTP, 5);
        clock.advance(Duration.ofMinutes(1));
        assertThat(first.flusher().flushDue()).isZero();
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
        first.store().close();
        first.close();
        assertThat(Files.readString(dataDir.resolve("journal"))).contains("interval 1 ").contains("JMS=7");

        try (TransactionCounter second = open()) {
            assertThat(second.count(second.currentMonth()).counts().get(Transport.JMS)).isEqualTo(7);
            record(second, Transport.JMS, 1);
            clock.advance(Duration.ofMinutes(1));
            second.flusher().flushDue();
            assertThat(second.store().ledger("node-j")).extracting(row -> row.seq()).containsExactly(1L, 2L);
        }
        try (TransactionCounter third = open()) {
            assertThat(third.count(third.currentMonth()).counts().get(Transport.JMS)).isEqualTo(8);
            assertThat(third.verifyLedger()).isEmpty();
        }
    }
}
