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

    private static final String ORDERS = StampAuthority.queueDestination("orders");

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:00Z");
    private final TransactionMeter meter = new TransactionMeter();
    private final StampAuthority stamps = new StampAuthority("prod", "node-1", SECRET, Duration.ofHours(1), 1_000, clock);

    private IngressCounter ingress(boolean httpChaining) {
        return new IngressCounter(meter, Optional.of(stamps), httpChaining, 1000, clock);
    }

    @Test
    void anAsyncPairCountsOnce() {
        IngressCounter ingress = ingress(true);
        String stamp;
        try (IngressCounter.Scope request = ingress.httpRequest(null)) {
            assertThat(request.counted()).isTrue();
            stamp = ingress.stampFor(ORDERS).orElseThrow();
            // Each send gets a stamp of its own: a stamp is spent by one consumer, once.
            assertThat(ingress.stampFor(ORDERS).orElseThrow()).isNotEqualTo(stamp);
        }
        assertThat(ingress.stampFor(ORDERS)).isEmpty();
        try (IngressCounter.Scope message = ingress.jmsMessage("orders", stamp, "ID:1", false)) {
            assertThat(message.counted()).isFalse();
            // What the consumer sends on to an own destination continues the same transaction: it is stamped too.
            assertThat(ingress.stampFor(StampAuthority.queueDestination("billing"))).isPresent();
        }

        assertThat(meter.pending()).containsEntry(Transport.HTTP, 1L).containsEntry(Transport.JMS, 0L);
    }

    @Test
    void forgedStampsAreCountedAndReported() {
        IngressCounter ingress = ingress(true);
        for (int i = 0; i < 10; i++) {
            ingress.jmsMessage("orders", "v2.prod.AAAAAAAAAAAAAAAA.1795514400000.AAAA", "ID:" + i, false).close();
        }

        assertThat(meter.pending()).containsEntry(Transport.JMS, 10L);
        assertThat(ingress.rejectedStampTotal()).isEqualTo(10);
        assertThat(ingress.rejectedStamps()).containsEntry(StampVerdict.BAD_SIGNATURE, 10L);
    }

    @Test
    void aRedeliveredMessageIsCountedOnce() {
        IngressCounter ingress = ingress(true);
        ingress.jmsMessage("orders", null, "ID:7", false).close();
        ingress.jmsMessage("orders", null, "ID:7", true).close();
        ingress.jmsMessage("orders", null, "ID:7", true).close();

        assertThat(meter.pending()).containsEntry(Transport.JMS, 1L);
        assertThat(ingress.redeliveriesSkipped()).isEqualTo(2);
    }

    @Test
    void aRedeliveredStampedMessageIsNotCountedEither() {
        IngressCounter ingress = ingress(true);
        String stamp = stamps.issue(ORDERS);
        ingress.jmsMessage("orders", stamp, "ID:8", false).close();
        ingress.jmsMessage("orders", stamp, "ID:8", true).close();

        assertThat(meter.pending()).containsEntry(Transport.JMS, 0L);
        assertThat(ingress.rejectedStampTotal()).isZero();
    }

    @Test
    void aRepeatedIdWithoutTheRedeliveredFlagIsANewMessage() {
        IngressCounter ingress = ingress(true);
        ingress.jmsMessage("orders", null, "ID:9", false).close();
        ingress.jmsMessage("orders", null, "ID:9", false).close();

        assertThat(meter.pending()).containsEntry(Transport.JMS, 2L);
    }

    @Test
    void httpChainingCountsOnceWhenOnAndTwiceWhenOff() {
        IngressCounter on = ingress(true);
        on.httpRequest(stamps.issue(stamps.httpDestination())).close();
        assertThat(meter.pending()).containsEntry(Transport.HTTP, 0L);

        IngressCounter off = ingress(false);
        off.httpRequest(stamps.issue(stamps.httpDestination())).close();
        assertThat(meter.pending()).containsEntry(Transport.HTTP, 1L);
    }

    @Test
    void withoutStampsEverythingIsCountedAndNothingIsStamped() {
        IngressCounter ingress = new IngressCounter(meter, Optional.empty(), true, 1000, clock);
        try (IngressCounter.Scope scope = ingress.httpRequest("v2.anything")) {
            assertThat(scope.counted()).isTrue();
            assertThat(ingress.stampFor(ORDERS)).isEmpty();
        }
    }

    @Test
    void nestedScopesRestoreTheOuterOne() {
        IngressCounter ingress = ingress(true);
        try (IngressCounter.Scope outer = ingress.httpRequest(null)) {
            assertThat(outer.counted()).isTrue();
            try (IngressCounter.Scope inner = ingress.jmsMessage("orders", null, "ID:1", false)) {
                assertThat(inner.counted()).isTrue();
                assertThat(ingress.stampFor(ORDERS)).isPresent();
            }
            assertThat(ingress.stampFor(ORDERS)).isPresent();
        }
        assertThat(ingress.stampFor(ORDERS)).isEmpty();
    }

    @Test
    void aStampIsHonouredOnlyOnTheQueueOrNodeItWasIssuedFor() {
        IngressCounter ingress = ingress(true);
        String forOrders = stamps.issue(ORDERS);
        String forOtherNode = stamps.issue(StampAuthority.nodeDestination("node-2"));

        ingress.jmsMessage("orders-out", forOrders, "ID:20", false).close();
        ingress.httpRequest(forOrders).close();
        ingress.httpRequest(forOtherNode).close();
        assertThat(meter.pending()).containsEntry(Transport.JMS, 1L).containsEntry(Transport.HTTP, 2L);
        assertThat(ingress.rejectedStamps()).containsEntry(StampVerdict.BAD_SIGNATURE, 3L);

        ingress.jmsMessage("orders", forOrders, "ID:21", false).close();
        ingress.jmsMessage("orders", forOrders, "ID:22", false).close();
        assertThat(meter.pending()).containsEntry(Transport.JMS, 2L);
        assertThat(ingress.rejectedStamps()).containsEntry(StampVerdict.REPLAYED, 1L);
    }
}
