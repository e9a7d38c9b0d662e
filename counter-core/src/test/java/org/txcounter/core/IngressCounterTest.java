package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.stamp.StampAuthority;

class IngressCounterTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static final String ORDERS = StampAuthority.queueDestination("orders");

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:00Z");
    private final TransactionMeter meter = new TransactionMeter();
    private final StampAuthority stamps = new StampAuthority("prod", "node-1", SECRET, Duration.ofHours(1), 1_000,
            clock);

    private IngressCounter ingress(boolean httpChaining) {
        return Internals.ingressCounter(meter, Optional.of(stamps), httpChaining, 1000, clock);
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
        try (IngressCounter.Scope message = ingress.jmsMessage("orders", stamp, "ID:1")) {
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
            ingress.jmsMessage("orders", "v2.prod.AAAAAAAAAAAAAAAA.1795514400000.AAAA", "ID:" + i).close();
        }

        assertThat(meter.pending()).containsEntry(Transport.JMS, 10L);
        assertThat(ingress.rejectedStampTotal()).isEqualTo(10);
        assertThat(ingress.rejectedStamps()).containsEntry(StampVerdict.BAD_SIGNATURE, 10L);
    }

    @Test
    void aMessageRolledBackAndRedeliveredIsCountedOnce() {
        IngressCounter ingress = ingress(true);
        ingress.jmsMessage("orders", null, "ID:7").close();
        ingress.jmsMessage("orders", null, "ID:7").close();
        try (IngressCounter.Scope third = ingress.jmsMessage("orders", null, "ID:7")) {
            assertThat(third.counted()).isFalse();
            third.complete();
        }

        assertThat(meter.pending()).containsEntry(Transport.JMS, 1L);
        assertThat(ingress.redeliveriesSkipped()).isEqualTo(2);
        assertThat(ingress.inFlightStats().held()).isZero();
    }

    @Test
    void aFirstDeliveryForgetsAnEarlierRecordOfItsIdAndARedeliveryIsStillRecognised() {
        IngressCounter ingress = ingress(true);
        // A runtime that does not see completion leaves each message held as not completed.
        ingress.jmsMessage("orders", null, "ID:1").close();
        ingress.jmsMessage("orders", null, "ID:1").close();
        assertThat(meter.pending()).containsEntry(Transport.JMS, 1L);
        // The broker says this delivery is a first one: the same id is a new message.
        ingress.firstDelivery("ID:1");
        ingress.jmsMessage("orders", null, "ID:1").close();
        assertThat(meter.pending()).containsEntry(Transport.JMS, 2L);
        assertThat(ingress.redeliveriesSkipped()).isEqualTo(1);
    }

    @Test
    void aRedeliveredStampedMessageIsNotCountedEither() {
        IngressCounter ingress = ingress(true);
        String stamp = stamps.issue(ORDERS);
        ingress.jmsMessage("orders", stamp, "ID:8").close();
        ingress.jmsMessage("orders", stamp, "ID:8").close();

        assertThat(meter.pending()).containsEntry(Transport.JMS, 0L);
        assertThat(ingress.redeliveriesSkipped()).isEqualTo(1);
        assertThat(ingress.rejectedStampTotal()).isZero();
    }

    @Test
    void aMessageThatShowsUpAgainAfterItsDeliveryCompletedIsCountedEveryTime() {
        IngressCounter ingress = ingress(true);
        for (int i = 0; i < 11; i++) {
            try (IngressCounter.Scope scope = ingress.jmsMessage("orders", null, "ID:9")) {
                assertThat(scope.counted()).isTrue();
                scope.complete();
            }
        }

        assertThat(meter.pending()).containsEntry(Transport.JMS, 11L);
        assertThat(ingress.redeliveriesSkipped()).isZero();
    }

    @Test
    void aSecondDeliveryWhileTheFirstIsStillBeingHandledIsCounted() {
        IngressCounter ingress = ingress(true);
        try (IngressCounter.Scope first = ingress.jmsMessage("orders", null, "ID:10");
                IngressCounter.Scope second = ingress.jmsMessage("orders", null, "ID:10")) {
            assertThat(first.counted()).isTrue();
            assertThat(second.counted()).isTrue();
        }
    }

    @Test
    void aRedeliveryThatReachesAnotherConsumerBeforeTheRollbackReturnedIsRecognised() {
        IngressCounter ingress = ingress(true);
        IngressCounter.Scope first = ingress.jmsMessage("orders", null, "ID:12");
        first.rollingBack();
        try (IngressCounter.Scope second = ingress.jmsMessage("orders", null, "ID:12")) {
            assertThat(second.counted()).isFalse();
            second.complete();
        }
        first.close();

        assertThat(meter.pending()).containsEntry(Transport.JMS, 1L);
        assertThat(ingress.inFlightStats().held()).isZero();
    }

    @Test
    void aMessageWithoutAnIdIsAlwaysCounted() {
        IngressCounter ingress = ingress(true);
        ingress.jmsMessage("orders", null, null).close();
        ingress.jmsMessage("orders", null, null).close();

        assertThat(meter.pending()).containsEntry(Transport.JMS, 2L);
        assertThat(ingress.inFlightStats().held()).isZero();
    }

    @Test
    void completedOutsideAScopeDoesNothingAndInsideCompletesTheInnermost() {
        IngressCounter ingress = ingress(true);
        ingress.completed();
        try (IngressCounter.Scope message = ingress.jmsMessage("orders", null, "ID:11")) {
            ingress.completed();
        }
        assertThat(ingress.jmsMessage("orders", null, "ID:11").counted()).isTrue();
    }

    /**
     * An attacker who knows ids (its own messages', or those of anyone's) and can make any message redelivered,
     * against a broker that rolls messages back at random: however the fakes are mixed in, every message, genuine
     * or fake, counts exactly once.
     */
    @ParameterizedTest(name = "seed {0}, fakes {1}")
    @CsvSource({"1, 0", "2, 0", "3, 0", "4, 200", "5, 500", "6, 2000"})
    void noSequenceOfFakedIdsAndRedeliveriesMakesAMessageFree(long seed, int fakes) {
        IngressCounter ingress = ingress(true);
        Random random = new Random(seed);
        int genuine = 1_000;
        List<String> queue = new ArrayList<>();
        for (int i = 0; i < genuine; i++) {
            queue.add("ID:genuine-" + i);
        }
        for (int i = 0; i < fakes; i++) {
            queue.add(random.nextInt(queue.size()), queue.get(random.nextInt(queue.size())));
        }
        int completed = 0;
        while (!queue.isEmpty()) {
            String id = queue.remove(0);
            try (IngressCounter.Scope delivery = ingress.jmsMessage("orders", null, id)) {
                if (random.nextInt(10) < 3) {
                    // Rolled back: the broker puts it back somewhere in the queue.
                    queue.add(random.nextInt(queue.size() + 1), id);
                } else {
                    delivery.complete();
                    completed++;
                }
            }
        }

        assertThat(completed).isEqualTo(genuine + fakes);
        // Each message, genuine or faked, is one transaction: every rollback's redelivery is skipped, and a
        // fake never uses up more than the one uncompleted delivery it stands in for.
        assertThat(meter.pending().get(Transport.JMS)).isEqualTo(genuine + fakes);
        assertThat(ingress.inFlightStats().held()).isZero();
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
        IngressCounter ingress = Internals.ingressCounter(meter, Optional.empty(), true, 1000, clock);
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
            try (IngressCounter.Scope inner = ingress.jmsMessage("orders", null, "ID:1")) {
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

        ingress.jmsMessage("orders-out", forOrders, "ID:20").close();
        ingress.httpRequest(forOrders).close();
        ingress.httpRequest(forOtherNode).close();
        assertThat(meter.pending()).containsEntry(Transport.JMS, 1L).containsEntry(Transport.HTTP, 2L);
        assertThat(ingress.rejectedStamps()).containsEntry(StampVerdict.BAD_SIGNATURE, 3L);

        ingress.jmsMessage("orders", forOrders, "ID:21").close();
        ingress.jmsMessage("orders", forOrders, "ID:22").close();
        assertThat(meter.pending()).containsEntry(Transport.JMS, 2L);
        assertThat(ingress.rejectedStamps()).containsEntry(StampVerdict.REPLAYED, 1L);
    }
}
