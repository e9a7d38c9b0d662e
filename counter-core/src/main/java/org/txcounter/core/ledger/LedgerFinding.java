package org.txcounter.core.ledger;

/**
 * One thing the verifier found wrong.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param kind      what is wrong
 * @param nodeId    the node whose chain or rollup it is in
 * @param seq       the sequence number of the row concerned, or -1 when none applies
 * @param transport the transport of the row concerned, or {@code null}
 * @param detail    what was found, with the values, for the operator
 */
public record LedgerFinding(Kind kind, String nodeId, long seq, String transport, String detail) {

    public enum Kind {
        /** A genuine row whose content was changed: its MAC no longer matches, but the chain still points at it. */
        EDITED,
        /** A row that was removed: the next row points at a MAC no row has. */
        DELETED,
        /** A row nobody wrote: its MAC does not match and nothing in the chain points at it. */
        INSERTED,
        /** Rows whose chain order differs from their sequence order. */
        REORDERED,
        /** The node's chain head (last sequence number and MAC) does not match its last row or its own MAC. */
        HEAD_MISMATCH,
        /** The monthly rollup differs from the sum of the ledger rows. */
        ROLLUP_MISMATCH,
        /** A row written before the ledger was signed: it cannot be checked. */
        UNSIGNED,
        /**
         * A row or head signed with a key id this verifier has no key for: it cannot be checked until that key is
         * configured as a {@code [[ledger.retired_key]]}.
         */
        UNKNOWN_KEY
    }
}
