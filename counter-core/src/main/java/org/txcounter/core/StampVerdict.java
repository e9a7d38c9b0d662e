package org.txcounter.core;

/**
 * What checking a stamp found. Only {@link #VALID} lets a message through uncounted.
 *
 * <p>Immutable; safe to share between threads.
 */
public enum StampVerdict {
    /** Signed by this deployment for the destination it arrived at, unexpired, not spent before on this node. */
    VALID,
    /** No stamp: an ordinary inbound message, counted. */
    MISSING,
    /** Not in the stamp format at all. */
    MALFORMED,
    /**
     * The signature does not match the content and destination: forged, edited, or issued for another queue or
     * node than the one it arrived at.
     */
    BAD_SIGNATURE,
    /** Correctly signed, but for another deployment id. */
    FOREIGN_DEPLOYMENT,
    /** Correctly signed, but older than the stamp lifetime or dated in the future beyond the allowed skew. */
    EXPIRED,
    /** Correctly signed and unexpired, but already used once on this node: a copied stamp. */
    REPLAYED,
    /**
     * Correctly signed and unexpired, but the node's set of spent stamps had no room to record it: counted, so that
     * a stamp is never free twice.
     */
    UNRECORDED;

    /** Whether this verdict counts as a rejected stamp (anything present but not valid). */
    public boolean rejected() {
        return this != VALID && this != MISSING;
    }
}
