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

class StampAuthorityTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_SECRET = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:00Z");
    private final StampAuthority stamps = new StampAuthority("prod", SECRET, Duration.ofHours(1), clock);

    @Test
    void aFreshStampIsValidOnceOnANode() {
        String stamp = stamps.issue();

        assertThat(stamps.verify(stamp)).isEqualTo(StampVerdict.VALID);
        assertThat(stamps.verify(stamp)).isEqualTo(StampVerdict.REPLAYED);
    }

    @Test
    void anotherNodeWithTheSameSecretAcceptsIt() {
        StampAuthority otherNode = new StampAuthority("prod", SECRET, Duration.ofHours(1), clock);

        assertThat(otherNode.verify(stamps.issue())).isEqualTo(StampVerdict.VALID);
    }

    @Test
    void aStampFromAnotherSecretIsBadAndFromAnotherDeploymentIsForeign() {
        StampAuthority outsider = new StampAuthority("prod", OTHER_SECRET, Duration.ofHours(1), clock);
        StampAuthority staging = new StampAuthority("staging", SECRET, Duration.ofHours(1), clock);

        assertThat(stamps.verify(outsider.issue())).isEqualTo(StampVerdict.BAD_SIGNATURE);
        assertThat(stamps.verify(staging.issue())).isEqualTo(StampVerdict.FOREIGN_DEPLOYMENT);
    }

    @Test
    void stampsExpireAfterTheirLifetimeAndMayNotComeFromTheFuture() {
        String stamp = stamps.issue();
        clock.advance(Duration.ofHours(1).plusMillis(1));
        assertThat(stamps.verify(stamp)).isEqualTo(StampVerdict.EXPIRED);

        MutableClock ahead = MutableClock.at("2026-11-24T12:00:00Z");
        String future = new StampAuthority("prod", SECRET, Duration.ofHours(1), ahead).issue();
        assertThat(stamps.verify(future)).isEqualTo(StampVerdict.EXPIRED);
    }

    @Test
    void garbageIsMalformedAndNothingIsMissing() {
        assertThat(stamps.verify(null)).isEqualTo(StampVerdict.MISSING);
        assertThat(stamps.verify("")).isEqualTo(StampVerdict.MISSING);
        assertThat(stamps.verify("hello")).isEqualTo(StampVerdict.MALFORMED);
        assertThat(stamps.verify("v1.prod.abc.notanumber.sig")).isEqualTo(StampVerdict.MALFORMED);
        assertThat(stamps.verify("v1.prod.abc.1.***")).isEqualTo(StampVerdict.MALFORMED);
        assertThat(stamps.verify("v2.prod.abc.1.c2ln")).isEqualTo(StampVerdict.MALFORMED);
        assertThat(stamps.verify("v1." + "x".repeat(300))).isEqualTo(StampVerdict.MALFORMED);
    }

    /** Changing any one character of a valid stamp never yields a valid one. */
    @RepeatedTest(40)
    void anyEditBreaksTheSignature(RepetitionInfo repetition) {
        Random random = new Random(42L + repetition.getCurrentRepetition());
        String stamp = stamps.issue();
        int position = random.nextInt(stamp.length());
        char replacement = stamp.charAt(position) == 'A' ? 'B' : 'A';
        String edited = stamp.substring(0, position) + replacement + stamp.substring(position + 1);

        assertThat(stamps.verify(edited)).isNotEqualTo(StampVerdict.VALID);
    }

    @Test
    void aStampRewrittenForAnotherTimeOrDeploymentFailsItsSignature() {
        String[] parts = stamps.issue().split("\\.");
        String laterTime = String.join(".", parts[0], parts[1], parts[2], "9999999999999", parts[4]);
        String otherId = String.join(".", parts[0], parts[1],
                Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[12]), parts[3], parts[4]);

        assertThat(stamps.verify(laterTime)).isEqualTo(StampVerdict.BAD_SIGNATURE);
        assertThat(stamps.verify(otherId)).isEqualTo(StampVerdict.BAD_SIGNATURE);
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> new StampAuthority("prod", new byte[16], Duration.ofHours(1), clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The stamp secret must be at least 32 bytes. Found: 16 bytes");
    }
}
