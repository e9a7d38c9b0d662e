package org.txcounter.core.ledger;

import java.util.List;
import java.util.Optional;

/**
 * What one ledger check found, how many rows it read, and, for a clean check of the whole ledger or of what was
 * written since a checkpoint, the checkpoint the next check may resume from. Immutable and thread-safe.
 */
public record LedgerCheck(List<LedgerFinding> findings, long rowsRead, Optional<VerifyCheckpoint> checkpoint) {

    public LedgerCheck {
        findings = List.copyOf(findings);
    }
}
