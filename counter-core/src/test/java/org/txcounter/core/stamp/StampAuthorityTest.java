package org.txcounter.core.stamp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.txcounter.core.MutableClock;
import org.txcounter.core.StampVerdict;

class StampAuthorityTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_SECRET = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);

    private static final String ORDERS = StampAuthority.queueDestination("orders");

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:00Z");
    private final StampAuthority stamps = new StampAuthority("prod", "node-1", SECRET, Duration.ofHours(1), 1_000,
            clock);

    @Test
    void aFreshStampIsValidOnceOnANode() {
        String stamp = stamps.issue(ORDERS);

        assertThat(stamps.verify(stamp, ORDERS)).isEqualTo(StampVerdict.VALID);
        assertThat(stamps.verify(stamp, ORDERS)).isEqualTo(StampVerdict.REPLAYED);
    }

    @Test
    void anotherNodeWithTheSameSecretAcceptsIt() {
        StampAuthority otherNode = new StampAuthority("prod", "node-2", SECRET, Duration.ofHours(1), 1_000, clock);

        assertThat(otherNode.verify(stamps.issue(ORDERS), ORDERS)).isEqualTo(StampVerdict.VALID);
    }

    @Test
    void aStampFromAnotherSecretIsBadAndFromAnotherDeploymentIsForeign() {
        StampAuthority outsider = new StampAuthority("prod", "node-1", OTHER_SECRET, Duration.ofHours(1), 1_000, clock);
        StampAuthority staging = new StampAuthority("staging", "node-1", SECRET, Duration.ofHours(1), 1_000, clock);

        assertThat(stamps.verify(outsider.issue(ORDERS), ORDERS)).isEqualTo(StampVerdict.BAD_SIGNATURE);
        assertThat(stamps.verify(staging.issue(ORDERS), ORDERS)).isEqualTo(StampVerdict.FOREIGN_DEPLOYMENT);
    }

    @Test
    void stampsExpireAfterTheirLifetimeAndMayNotComeFromTheFuture() {
        String stamp = stamps.issue(ORDERS);
        clock.advance(Duration.ofHours(1).plusMillis(1));
        assertThat(stamps.verify(stamp, ORDERS)).isEqualTo(StampVerdict.EXPIRED);

        MutableClock ahead = MutableClock.at("2026-11-24T12:00:00Z");
        String future = new StampAuthority("prod", "node-1", SECRET, Duration.ofHours(1), 1_000, ahead).issue(ORDERS);
        assertThat(stamps.verify(future, ORDERS)).isEqualTo(StampVerdict.EXPIRED);
    }

    @Test
    void garbageIsMalformedAndNothingIsMissing() {
        assertThat(stamps.verify(null, ORDERS)).isEqualTo(StampVerdict.MISSING);
        assertThat(stamps.verify("", ORDERS)).isEqualTo(StampVerdict.MISSING);
        assertThat(stamps.verify("hello", ORDERS)).isEqualTo(StampVerdict.MALFORMED);
        assertThat(stamps.verify("v2.prod.abc.notanumber.sig", ORDERS)).isEqualTo(StampVerdict.MALFORMED);
        assertThat(stamps.verify("v2.prod.abc.1.***", ORDERS)).isEqualTo(StampVerdict.MALFORMED);
        assertThat(stamps.verify("v3.prod.abc.1.c2ln", ORDERS)).isEqualTo(StampVerdict.MALFORMED);
        assertThat(stamps.verify("v2." + "x".repeat(300), ORDERS)).isEqualTo(StampVerdict.MALFORMED);
    }

    /** Changing any one character of a valid stamp never yields a valid one. */
    @RepeatedTest(40)
    void anyEditBreaksTheSignature(RepetitionInfo repetition) {
        Random random = new Random(42L + repetition.getCurrentRepetition());
        String stamp = stamps.issue(ORDERS);
        int position = random.nextInt(stamp.length());
        char replacement = stamp.charAt(position) == 'A' ? 'B' : 'A';
        String edited = stamp.substring(0, position) + replacement + stamp.substring(position + 1);

        assertThat(stamps.verify(edited, ORDERS)).isNotEqualTo(StampVerdict.VALID);
    }

    @Test
    void aStampRewrittenForAnotherTimeOrDeploymentFailsItsSignature() {
        String[] parts = stamps.issue(ORDERS).split("\\.");
        String laterTime = String.join(".", parts[0], parts[1], parts[2], "9999999999999", parts[4]);
        String otherId = String.join(".", parts[0], parts[1],
                Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[12]), parts[3], parts[4]);

        assertThat(stamps.verify(laterTime, ORDERS)).isEqualTo(StampVerdict.BAD_SIGNATURE);
        assertThat(stamps.verify(otherId, ORDERS)).isEqualTo(StampVerdict.BAD_SIGNATURE);
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> new StampAuthority("prod", "node-1", new byte[16], Duration.ofHours(1), 1_000, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The stamp secret must be at least 32 bytes. Found: 16 bytes");
    }

    @Test
    void aStampIsHonouredOnlyAtTheDestinationItWasIssuedFor() {
        String stamp = stamps.issue(ORDERS);

        assertThat(stamps.verify(stamp, StampAuthority.queueDestination("orders-out"))).isEqualTo(
                StampVerdict.BAD_SIGNATURE);
        assertThat(stamps.verify(stamp, stamps.httpDestination())).isEqualTo(StampVerdict.BAD_SIGNATURE);
        assertThat(stamps.verify(stamp, ORDERS)).isEqualTo(StampVerdict.VALID);
        assertThat(stamps.verify(stamp, ORDERS)).isEqualTo(StampVerdict.REPLAYED);
    }

    @Test
    void aNodeHonoursOnlyHttpStampsIssuedForItself() {
        StampAuthority nodeTwo = new StampAuthority("prod", "node-2", SECRET, Duration.ofHours(1), 1_000, clock);
        String forNodeTwo = stamps.issue(StampAuthority.nodeDestination("node-2"));

        assertThat(stamps.verify(forNodeTwo, stamps.httpDestination())).isEqualTo(StampVerdict.BAD_SIGNATURE);
        assertThat(nodeTwo.verify(forNodeTwo, nodeTwo.httpDestination())).isEqualTo(StampVerdict.VALID);
    }

    @Test
    void aFullSliceRefusesTheStampSoItIsCountedAndNeverFreeTwice() {
        // 160 a lifetime: 10 a slice at an even rate, rounded up to 16.
        StampAuthority small = new StampAuthority("prod", "node-1", SECRET, Duration.ofHours(1), 160, clock);
        assertThat(small.spentStampsPerSlice()).isEqualTo(16);
        java.util.List<String> issued = new java.util.ArrayList<>();
        for (int i = 0; i < 17; i++) {
            issued.add(small.issue(ORDERS));
        }

        for (int i = 0; i < 16; i++) {
            assertThat(small.verify(issued.get(i), ORDERS)).isEqualTo(StampVerdict.VALID);
        }
        assertThat(small.verify(issued.get(16), ORDERS)).isEqualTo(StampVerdict.UNRECORDED);
        assertThat(small.verify(issued.get(16), ORDERS)).isEqualTo(StampVerdict.UNRECORDED);
        for (int i = 0; i < 16; i++) {
            assertThat(small.verify(issued.get(i), ORDERS)).isEqualTo(StampVerdict.REPLAYED);
        }
        assertThat(small.spentStamps()).isEqualTo(16);
        // A stamp issued in the next slice has room again.
        clock.advance(Duration.ofMinutes(4));
        assertThat(small.verify(small.issue(ORDERS), ORDERS)).isEqualTo(StampVerdict.VALID);
    }

    @Test
    void theSweepForgetsOnlyStampsThatCanNoLongerBeValid() {
        String first = stamps.issue(ORDERS);
        assertThat(stamps.verify(first, ORDERS)).isEqualTo(StampVerdict.VALID);

        clock.advance(Duration.ofHours(1));
        stamps.sweep();
        assertThat(stamps.spentStamps()).isEqualTo(1);
        assertThat(stamps.verify(first, ORDERS)).isEqualTo(StampVerdict.REPLAYED);

        // One slice (3 min 45 s of a 1 h lifetime) later every stamp of the first slice has expired.
        clock.advance(Duration.ofSeconds(225).plusMillis(1));
        stamps.sweep();
        assertThat(stamps.spentStamps()).isZero();
        assertThat(stamps.verify(first, ORDERS)).isEqualTo(StampVerdict.EXPIRED);
    }

    /**
     * A million distinct stamps spent at an even rate over a 24 h lifetime, swept every simulated minute as the
     * housekeeping thread does: every one is honoured once, and the spent set's memory is the stated bound (20 slices
     * of 131,072 fingerprints, 20 MiB: under 21 bytes a stamp of capacity) from the first stamp to the last. The heap
     * the set retains is measured too, after a full collection, with a 4 MiB margin for the collector's accounting.
     */
    @Test
    void aMillionDistinctStampsStayWithinTheStatedMemoryBound() {
        long heapBefore = usedHeapAfterGc();
        StampAuthority node = new StampAuthority("prod", "node-1", SECRET, Duration.ofHours(24), 1_000_000, clock);
        long bound = 20L * 131_072 * Long.BYTES;
        assertThat(node.spentStampsMemoryBytes()).isEqualTo(bound).isLessThan(1_000_000L * 21);

        long stepMicros = Duration.ofHours(24).toNanos() / 1_000 / 1_000_000;
        long nextSweep = clock.millis() + 60_000;
        int valid = 0;
        for (int i = 0; i < 1_000_000; i++) {
            String stamp = node.issue(ORDERS);
            if (node.verify(stamp, ORDERS) == StampVerdict.VALID) {
                valid++;
            }
            clock.advance(Duration.ofNanos(stepMicros * 1_000));
            if (clock.millis() >= nextSweep) {
                node.sweep();
                nextSweep += 60_000;
            }
        }
        long heapAfter = usedHeapAfterGc();

        assertThat(valid).isEqualTo(1_000_000);
        assertThat(node.spentStamps()).isEqualTo(1_000_000);
        assertThat(node.spentStampsMemoryBytes()).isEqualTo(bound);
        assertThat(heapAfter - heapBefore).isLessThan(bound + 4L * 1024 * 1024);
    }

    private static long usedHeapAfterGc() {
        java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
