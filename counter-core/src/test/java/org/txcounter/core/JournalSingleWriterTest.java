package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.interval.IntervalFlusher.JournalState;
import org.txcounter.core.journal.Journal;

/**
 * The journal has one writer: the timer's rewrites and the two at a graceful stop go through one serialised path,
 * so no rename fails for want of the temporary file another writer moved, and the journal a stop leaves is the
 * final state, not an older snapshot renamed last. The timer here rewrites the journal every millisecond, so that
 * its writes and the stop's overlap in every round.
 */
class JournalSingleWriterTest {

    private static final int STOPS = 25;

    @TempDir
    Path dataDir;

    @Test
    void gracefulStopsUnderTrafficLeaveTheFinalJournalAndNoFailedWrite() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(TransactionCounter.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        log.addAppender(appender);
        try {
            for (int stop = 1; stop <= STOPS; stop++) {
                TransactionCounter counter = TransactionCounter.start(CounterConfig.builder().dataDir(dataDir)
                        .nodeId("single-writer").journalInterval(Duration.ofMillis(1)).build(), Clock.systemUTC());
                TransportCounter http = counter.meter().counter(Transport.HTTP);
                Thread traffic = new Thread(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        http.record();
                    }
                });
                traffic.start();
                Thread.sleep(20 + stop % 7);
                traffic.interrupt();
                traffic.join();
                counter.close();
                JournalState last = Internals.flusher(counter).journalState();
                JournalState onDisk = new Journal(dataDir).read().orElseThrow();
                assertThat(onDisk.lastSeq()).as("stop %d", stop).isEqualTo(last.lastSeq());
                assertThat(onDisk.intervals()).as("stop %d", stop).isEqualTo(last.intervals());
            }
        } finally {
            log.detachAppender(appender);
        }
        List<String> journalWarnings = appender.list.stream().filter(event -> event.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).filter(message -> message.contains("journal")).toList();
        assertThat(journalWarnings).isEmpty();
    }
}
