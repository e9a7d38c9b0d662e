package org.txcounter.core.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionMeter;
import org.txcounter.core.Transport;
import org.txcounter.core.stamp.StampAuthority;
import org.txcounter.core.stamp.StampVerdict;

class IngressCounterTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:00Z");
    private final TransactionMeter meter = new TransactionMeter();
    private final StampAuthority stamps = new StampAuthority("prod", SECRET, Duration.ofHours(1), clock);

    private IngressCounter ingress(boolean httpChaining) {
        return new IngressCounter(meter, Optional.of(stamps), httpChaining, 1000, clock);
    }

    @Test
    void anAsyncPairCountsOnce() {
        IngressCounter ingress = ingress(true);
        String stamp;
        try (IngressCounter.Scope request = ingress.httpRequest(null)) {
            assertThat(request.counted()).isTrue();
            stamp = ingress.currentStamp().orElseThrow();
            assertThat(ingress.currentStamp()).contains(stamp);
        }
        assertThat(ingress.currentStamp()).isEmpty();
        try (IngressCounter.Scope message = ingress.jmsMessage(stamp, "ID:1", false)) {
            assertThat(message.counted()).isFalse();
            // What the consumer sends on continues the same transaction: it is stamped too.
            assertThat(ingress.currentStamp()).isPresent();
        }

        assertThat(meter.pending()).containsEntry(Transport.HTTP, 1L).containsEntry(Transport.JMS, 0L);
    }

    @Test
    void forgedStampsAreCountedAndReported() {
        IngressCounter ingress = ingress(true);
        for (int i = 0; i < 10; i++) {
            ingress.jmsMessage("v1.prod.AAAAAAAAAAAAAAAA.1795514400000.AAAA", "ID:" + i, false).close();
        }

        assertThat(meter.pending()).containsEntry(Transport.JMS, 10L);
        assertThat(ingress.rejectedStampTotal()).isEqualTo(10);
        assertThat(ingress.rejectedStamps()).containsEntry(StampVerdict.BAD_SIGNATURE, 10L);
    }

    @Test
    void aRedeliveredMessageIsCountedOnce() {
        IngressCounter ingress = ingress(true);
        ingress.jmsMessage(null, "ID:7", false).close();
        ingress.jmsMessage(null, "ID:7", true).close();
        ingress.jmsMessage(null, "ID:7", true).close();

        assertThat(meter.pending()).containsEntry(Transport.JMS, 1L);
        assertThat(ingress.redeliveriesSkipped()).isEqualTo(2);
    }

    @Test
    void aRedeliveredStampedMessageIsNotCountedEither() {
        IngressCounter ingress = ingress(true);
        String stamp = stamps.issue();
        ingress.jmsMessage(stamp, "ID:8", false).close();
        ingress.jmsMessage(stamp, "ID:8", true).close();

        assertThat(meter.pending()).containsEntry(Transport.JMS, 0L);
        assertThat(ingress.rejectedStampTotal()).isZero();
    }

    @Test
    void aRepeatedIdWithoutTheRedeliveredFlagIsANewMessage() {
        IngressCounter ingress = ingress(true);
        ingress.jmsMessage(null, "ID:9", false).close();
        ingress.jmsMessage(null, "ID:9", false).close();

        assertThat(meter.pending()).containsEntry(Transport.JMS, 2L);
    }

    @Test
    void httpChainingCountsOnceWhenOnAndTwiceWhenOff() {
        IngressCounter on = ingress(true);
        on.httpRequest(stamps.issue()).close();
        assertThat(meter.pending()).containsEntry(Transport.HTTP, 0L);

        IngressCounter off = ingress(false);
        off.httpRequest(stamps.issue()).close();
        assertThat(meter.pending()).containsEntry(Transport.HTTP, 1L);
    }

    @Test
    void withoutStampsEverythingIsCountedAndNothingIsStamped() {
        IngressCounter ingress = new IngressCounter(meter, Optional.empty(), true, 1000, clock);
        try (IngressCounter.Scope scope = ingress.httpRequest("v1.anything")) {
            assertThat(scope.counted()).isTrue();
            assertThat(ingress.currentStamp()).isEmpty();
        }
    }

    @Test
    void nestedScopesRestoreTheOuterOne() {
        IngressCounter ingress = ingress(true);
        try (IngressCounter.Scope outer = ingress.httpRequest(null)) {
            assertThat(outer.counted()).isTrue();
            String outerStamp = ingress.currentStamp().orElseThrow();
            try (IngressCounter.Scope inner = ingress.jmsMessage(null, "ID:1", false)) {
                assertThat(inner.counted()).isTrue();
                assertThat(ingress.currentStamp().orElseThrow()).isNotEqualTo(outerStamp);
            }
            assertThat(ingress.currentStamp()).contains(outerStamp);
        }
    }
}
