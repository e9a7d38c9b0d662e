package org.txcounter.core.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * How a deployment recognises what it already counted: the stamp it puts on messages and requests it sends
 * itself, and the redelivery window. From {@code [deduplication]} in {@code deployment.toml}.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param deploymentId     names the deployment in every stamp; nodes that share it and the secret trust each other
 * @param stampSecret      the HMAC key shared by every node of the deployment; empty means one is generated on
 *                         first start and kept in the data directory (fine for a single node)
 * @param stampLifetime    how long a stamp stays valid: the longest a message may wait on a queue and still count
 *                         as the second half of an already-counted pair
 * @param httpChaining     whether a call from another node of the deployment through the passthrough counts once
 * @param redeliveryWindow how many JMS messages taken in and not completed each node remembers at most, so that
 *                         their redeliveries are not counted again
 * @param spentStamps      how many stamps one stamp lifetime may spend on a node at an even rate; fixes the memory
 *                         of its spent-stamp set (about 20 bytes a stamp, see docs/operators-guide.md, "Spent stamps")
 */
public record DedupeConfig(String deploymentId, Optional<byte[]> stampSecret, Duration stampLifetime,
        boolean httpChaining, int redeliveryWindow, int spentStamps) {

    public static final String DEFAULT_DEPLOYMENT_ID = "default";
    public static final Duration DEFAULT_STAMP_LIFETIME = Duration.ofHours(24);
    public static final int DEFAULT_REDELIVERY_WINDOW = 100_000;
    public static final int MIN_SECRET_BYTES = 32;
    public static final int DEFAULT_SPENT_STAMPS = 1_000_000;

    public DedupeConfig {
        NodeIds.requireValid(deploymentId);
        Objects.requireNonNull(stampSecret, "stampSecret");
        Objects.requireNonNull(stampLifetime, "stampLifetime");
        stampSecret = stampSecret.map(byte[]::clone);
    }

    /** With the default {@link #DEFAULT_SPENT_STAMPS}. */
    public DedupeConfig(String deploymentId, Optional<byte[]> stampSecret, Duration stampLifetime,
            boolean httpChaining, int redeliveryWindow) {
        this(deploymentId, stampSecret, stampLifetime, httpChaining, redeliveryWindow, DEFAULT_SPENT_STAMPS);
    }

    public static DedupeConfig defaults() {
        return new DedupeConfig(DEFAULT_DEPLOYMENT_ID, Optional.empty(), DEFAULT_STAMP_LIFETIME, true,
                DEFAULT_REDELIVERY_WINDOW);
    }

    @Override
    public Optional<byte[]> stampSecret() {
        return stampSecret.map(byte[]::clone);
    }

    /** Prints everything but the secret. */
    @Override
    public String toString() {
        return "DedupeConfig[deploymentId=" + deploymentId + ", stampSecret=" + (stampSecret.isPresent() ? "(set)"
                : "(generated)") + ", stampLifetime=" + stampLifetime + ", httpChaining=" + httpChaining
                + ", redeliveryWindow=" + redeliveryWindow + ", spentStamps=" + spentStamps + "]";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DedupeConfig that && deploymentId.equals(that.deploymentId)
                && stampSecret.isPresent() == that.stampSecret.isPresent()
                && (stampSecret.isEmpty() || Arrays.equals(stampSecret.get(), that.stampSecret.get()))
                && stampLifetime.equals(that.stampLifetime) && httpChaining == that.httpChaining
                && redeliveryWindow == that.redeliveryWindow && spentStamps == that.spentStamps;
    }

    @Override
    public int hashCode() {
        return Objects.hash(deploymentId, stampLifetime, httpChaining, redeliveryWindow, spentStamps);
    }
}
