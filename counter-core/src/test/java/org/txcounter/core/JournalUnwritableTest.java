package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.txcounter.core.Await.awaitUpTo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.IntervalRow;
import org.txcounter.core.store.TestDatabases;

/**
 * A journal that cannot be written (here its temporary file's name is taken by a directory, as a full disk or a
 * lost permission refuses the file): the counter says so at once, and keeps its loss bound through the database,
 * which receives each second's counts instead of waiting for the interval's end; when the journal can be written
 * again it says so and goes back to intervals, without a restart.
 */
class JournalUnwritableTest {

    @TempDir
    Path dirs;

    @Test
    void whileTheJournalCannotBeWrittenTheCountsGoToTheDatabaseEverySecond() throws Exception {
        DataSourceConfig database = TestDatabases.h2(dirs.resolve("db"));
        TestDatabases.migrate(database);
        Path dataDir = dirs.resolve("data");
        CounterConfig config = CounterConfig.builder().dataSource(database).nodeId("unwritable").dataDir(dataDir)
                .billingZone(ZoneOffset.UTC).journalInterval(Duration.ofMillis(200))
                .updateInterval(Duration.ofMinutes(60)).build();
        try (TransactionCounter counter = TransactionCounter.start(config, Clock.systemUTC())) {
            TransportCounter http = counter.meter().counter(Transport.HTTP);
            awaitUpTo(Duration.ofSeconds(30), counter::connected);
            assertThat(counter.journalFailure()).isEmpty();

            Path blocker = blockTheJournal(dataDir.resolve("journal"));
            awaitUpTo(Duration.ofSeconds(10), () -> counter.journalFailure().isPresent());
            for (int i = 0; i < 250; i++) {
                http.record();
            }
            // Within about a second (the journal's interval and a write), everything counted is in the database:
            // the hour-long interval did not have to end.
            awaitUpTo(Duration.ofSeconds(5), () -> stored(database) == 250);
            assertThat(counter.journalFailure()).hasValueSatisfying(failure -> assertThat(failure)
                    .startsWith("since ").contains(blocker.toString()));
            assertThat(counter.journalWriteFailures()).isPositive();

            Files.delete(blocker.resolve("in-the-way"));
            Files.delete(blocker);
            awaitUpTo(Duration.ofSeconds(10), () -> counter.journalFailure().isEmpty());
            for (int i = 0; i < 7; i++) {
                http.record();
            }
            // Back to intervals: the next counts wait for their interval's end (or, here, the stop).
            assertThat(Internals.flusher(counter).unflushed().get(Transport.HTTP)).isEqualTo(7);
        }
        assertThat(stored(database)).isEqualTo(257);
    }

    /**
     * Puts a directory that is not empty where the journal is, as a file system that refuses the journal's file
     * would (a full disk, lost permissions; this test may run as root, whom permissions do not stop): every rewrite's
     * move onto it fails. The journal thread may replace the file between the two steps; then it tries again.
     */
    private static Path blockTheJournal(Path journal) throws IOException {
        Path directory = Files.createTempDirectory(journal.getParent(), "blocker");
        Files.createFile(directory.resolve("in-the-way"));
        for (int attempt = 0; ; attempt++) {
            try {
                Files.move(directory, journal, StandardCopyOption.REPLACE_EXISTING);
                return journal;
            } catch (IOException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    private static long stored(DataSourceConfig database) {
        try (CounterStore store = CounterStore.open(database, Clock.systemUTC())) {
            return store.ledger("unwritable").stream().mapToLong(IntervalRow::count).sum();
        }
    }
}
