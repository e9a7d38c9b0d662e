package org.txcounter.core.stamp;

/** What checking a stamp found. Only {@link #VALID} lets a message through uncounted. */
public enum StampVerdict {
    /** Signed by this deployment, unexpired, not seen before on this node. */
    VALID,
    /** No stamp: an ordinary inbound message, counted. */
    MISSING,
    /** Not in the stamp format at all. */
    MALFORMED,
    /** The signature does not match the content: forged or edited. */
    BAD_SIGNATURE,
    /** Correctly signed, but for another deployment id. */
    FOREIGN_DEPLOYMENT,
    /** Correctly signed, but older than the stamp lifetime or dated in the future beyond the allowed skew. */
    EXPIRED,
    /** Correctly signed and unexpired, but already used once on this node: a copied stamp. */
    REPLAYED;

    /** Whether this verdict counts as a rejected stamp (anything present but not valid). */
    public boolean rejected() {
        return this != VALID && this != MISSING;
    }
}
