package org.txcounter.core.interval;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionMeter;
import org.txcounter.core.Transport;

class IntervalFlusherTest {

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:20Z");
    private final TransactionMeter meter = new TransactionMeter();
    private final IntervalSchedule schedule = new IntervalSchedule(Duration.ofMinutes(1), ZoneOffset.UTC);

    /** Keeps what it is given; fails the writes it is told to fail. */
    private static final class ListSink implements IntervalSink {
        final List<IntervalSummary> written = new ArrayList<>();
        int failNext;

        @Override
        public void write(IntervalSummary interval) {
            if (failNext > 0) {
                failNext--;
                throw new IllegalStateException("database unreachable");
            }
            written.add(interval);
        }
    }

    @Test
    void nothingIsWrittenBeforeTheBoundary() {
        ListSink sink = new ListSink();
        IntervalFlusher flusher = new IntervalFlusher(meter, sink, schedule, clock, "node-a", 0);
        meter.counter(Transport.HTTP).record();
        clock.advance(Duration.ofSeconds(39));

        assertThat(flusher.flushDue()).isZero();
        assertThat(sink.written).isEmpty();
        assertThat(flusher.unflushed().get(Transport.HTTP)).isEqualTo(1);
    }

    @Test
    void theBoundaryClosesTheIntervalWithTheNextSequenceNumber() {
        ListSink sink = new ListSink();
        IntervalFlusher flusher = new IntervalFlusher(meter, sink, schedule, clock, "node-a", 41);
        meter.counter(Transport.HTTP).record();
        meter.counter(Transport.JMS).record();
        meter.counter(Transport.JMS).record();
        clock.set(Instant.parse("2026-11-24T10:01:00Z"));

        flusher.flushDue();

        assertThat(sink.written).hasSize(1);
        IntervalSummary summary = sink.written.get(0);
        assertThat(summary.seq()).isEqualTo(42);
        assertThat(summary.start()).isEqualTo(Instant.parse("2026-11-24T10:00:20Z"));
        assertThat(summary.end()).isEqualTo(Instant.parse("2026-11-24T10:01:00Z"));
        assertThat(summary.billingMonth()).isEqualTo(YearMonth.of(2026, 11));
        assertThat(summary.counts().get(Transport.HTTP)).isEqualTo(1);
        assertThat(summary.counts().get(Transport.JMS)).isEqualTo(2);
        assertThat(flusher.nextBoundary()).isEqualTo(Instant.parse("2026-11-24T10:02:00Z"));
    }

    @Test
    void idleIntervalsWriteNothingAndTakeNoSequenceNumber() {
        ListSink sink = new ListSink();
        IntervalFlusher flusher = new IntervalFlusher(meter, sink, schedule, clock, "node-a", 0);
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(1));
            flusher.flushDue();
        }
        meter.counter(Transport.HTTP).record();
        clock.advance(Duration.ofMinutes(1));
        flusher.flushDue();

        assertThat(sink.written).extracting(IntervalSummary::seq).containsExactly(1L);
    }

    @Test
    void failedWritesAreKeptAndRetriedInOrder() {
        ListSink sink = new ListSink();
        IntervalFlusher flusher = new IntervalFlusher(meter, sink, schedule, clock, "node-a", 0);
        sink.failNext = 3;
        for (int i = 1; i <= 3; i++) {
            for (int r = 0; r < i; r++) {
                meter.counter(Transport.HTTP).record();
            }
            clock.advance(Duration.ofMinutes(1));
            assertThat(flusher.flushDue()).isEqualTo(i);
        }
        assertThat(flusher.unflushed().get(Transport.HTTP)).isEqualTo(6);

        clock.advance(Duration.ofMinutes(1));
        assertThat(flusher.flushDue()).isZero();

        assertThat(sink.written).extracting(IntervalSummary::seq).containsExactly(1L, 2L, 3L);
        assertThat(sink.written).extracting(s -> s.counts().get(Transport.HTTP)).containsExactly(1L, 2L, 3L);
        assertThat(flusher.unflushed().total()).isZero();
    }

    @Test
    void beyondTheQueueLimitTheOpenIntervalGrowsAndNothingIsLost() {
        ListSink sink = new ListSink();
        IntervalFlusher flusher = new IntervalFlusher(meter, sink, schedule, clock, "node-a", 0, 3);
        sink.failNext = Integer.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            meter.counter(Transport.HTTP).record();
            clock.advance(Duration.ofMinutes(1));
            assertThat(flusher.flushDue()).isEqualTo(Math.min(i + 1, 3));
        }
        assertThat(flusher.queued()).extracting(IntervalSummary::seq).containsExactly(1L, 2L, 3L);
        assertThat(flusher.unflushed().get(Transport.HTTP)).isEqualTo(6);

        sink.failNext = 0;
        clock.advance(Duration.ofMinutes(1));
        assertThat(flusher.flushDue()).isZero();
        clock.advance(Duration.ofMinutes(1));
        flusher.flushDue();

        assertThat(sink.written).extracting(IntervalSummary::seq).containsExactly(1L, 2L, 3L, 4L);
        assertThat(sink.written.get(3).counts().get(Transport.HTTP)).isEqualTo(3);
        assertThat(sink.written.get(3).start()).isEqualTo(Instant.parse("2026-11-24T10:03:00Z"));
        assertThat(flusher.unflushed().total()).isZero();
    }

    @Test
    void flushNowClosesThePartialInterval() {
        ListSink sink = new ListSink();
        IntervalFlusher flusher = new IntervalFlusher(meter, sink, schedule, clock, "node-a", 0);
        meter.counter(Transport.JMS).record();
        clock.advance(Duration.ofSeconds(10));

        assertThat(flusher.flushNow()).isZero();

        assertThat(sink.written).hasSize(1);
        assertThat(sink.written.get(0).end()).isEqualTo(Instant.parse("2026-11-24T10:00:30Z"));
        assertThat(sink.written.get(0).counts().get(Transport.JMS)).isEqualTo(1);
    }

    @Test
    void aLateTickOpensTheIntervalThatContainsNow() {
        ListSink sink = new ListSink();
        IntervalFlusher flusher = new IntervalFlusher(meter, sink, schedule, clock, "node-a", 0);
        meter.counter(Transport.HTTP).record();
        clock.set(Instant.parse("2026-11-24T10:03:30Z"));

        flusher.flushDue();

        assertThat(sink.written.get(0).end()).isEqualTo(Instant.parse("2026-11-24T10:01:00Z"));
        assertThat(flusher.nextBoundary()).isEqualTo(Instant.parse("2026-11-24T10:04:00Z"));
    }
}
