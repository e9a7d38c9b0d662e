package org.txcounter.core.ledger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Walks every node's chain and names each row that was edited, deleted, inserted or reordered, checks each
 * node's signed chain head, and checks the monthly rollup against the sum of the ledger.
 *
 * <p>How each kind is told apart, for a node's rows:
 * <ul>
 *   <li>a row whose MAC does not match its content is EDITED if the chain still points at it (the next row's
 *       {@code prev_mac}, or the node's head), else INSERTED;</li>
 *   <li>a row whose {@code prev_mac} names a MAC that no row of the node has follows a DELETED row;</li>
 *   <li>rows whose chain order (following {@code prev_mac}) is not their sequence order are REORDERED;</li>
 *   <li>a head whose own MAC fails, or that does not name the chain's last row, is a HEAD_MISMATCH (rows cut off
 *       the end of the chain show up here).</li>
 * </ul>
 *
 * <p>Each row and head is checked with the key whose id it records ({@link LedgerKeys}); one that names a key id
 * the verifier has no key for is UNKNOWN_KEY and otherwise taken as it stands, so that one missing retired key
 * does not make every later row look deleted or inserted.
 *
 * <p>A check reads the ledger as a stream ({@link #start}): each node's rows pass once through a {@link Walk} in
 * chain order, which keeps only the last row and the rollup's sums, so an intact ledger of any size is checked in
 * constant memory. A walk that meets anything else (a failing MAC, a broken link, a head that does not name the
 * last row) says so, and that node's chain is then read whole and told apart as above: the findings are the same
 * as if the whole ledger had been read at once.
 *
 * <p>The verifier is thread-safe and keeps no state between checks; a {@link Run} and its walks belong to the one
 * thread that reads the ledger.
 */
public final class LedgerVerifier {

    private final LedgerKeys keys;

    public LedgerVerifier(LedgerKeys keys) {
        this.keys = keys;
    }

    /** Checks a ledger held in memory, exactly as a {@link Run} over the same rows would. */
    public List<LedgerFinding> verify(List<SignedRow> rows, List<NodeHead> heads, List<RollupRow> rollup) {
        Map<String, List<SignedRow>> byNode = rows.stream().collect(Collectors.groupingBy(SignedRow::nodeId,
                TreeMap::new, Collectors.toList()));
        Run run = start(heads);
        for (Map.Entry<String, List<SignedRow>> node : byNode.entrySet()) {
            List<SignedRow> chain = new ArrayList<>(node.getValue());
            chain.sort(CHAIN_ORDER);
            Walk walk = run.walk(node.getKey());
            chain.forEach(walk::accept);
            if (!walk.intact()) {
                run.verifyWhole(node.getKey(), chain);
            }
        }
        return run.finish(rollup);
    }

    /** The order a node's rows are chained in, and the order a {@link Walk} takes them in. */
    public static final Comparator<SignedRow> CHAIN_ORDER = Comparator.comparingLong(SignedRow::seq)
            .thenComparing(SignedRow::transport);

    /** Starts a check of the whole ledger, whose nodes have these heads ({@code txn_node}). */
    public Run start(List<NodeHead> heads) {
        return new Run(heads);
    }

    /**
     * One check of the ledger, fed node by node in node-id order: a {@link #walk} per node that has rows, then
     * {@link #verifyWhole} for each node whose walk was not intact, then {@link #finish}.
     */
    public final class Run {
        private final List<NodeHead> heads;
        private final Map<String, NodeHead> headByNode = new HashMap<>();
        private final Set<String> walked = new HashSet<>();
        private final Map<String, Long> ledgerSums = new TreeMap<>();
        private final List<LedgerFinding> findings = new ArrayList<>();

        private Run(List<NodeHead> heads) {
            this.heads = List.copyOf(heads);
            heads.forEach(head -> headByNode.put(head.nodeId(), head));
        }

        /** The walk of one node's rows, to be given them in {@link #CHAIN_ORDER}. */
        public Walk walk(String nodeId) {
            walked.add(nodeId);
            return new Walk(nodeId, headByNode.get(nodeId), ledgerSums);
        }

        /** Tells apart what is wrong with a node whose walk was not intact, from all its rows. */
        public void verifyWhole(String nodeId, List<SignedRow> rows) {
            verifyChain(nodeId, new ArrayList<>(rows), headByNode.get(nodeId), findings);
        }

        /** Checks the heads of nodes without rows and the rollup against the rows walked; returns every finding. */
        public List<LedgerFinding> finish(List<RollupRow> rollup) {
            for (NodeHead head : heads) {
                if (!walked.contains(head.nodeId()) && head.lastMac() != null) {
                    findings.add(new LedgerFinding(LedgerFinding.Kind.DELETED, head.nodeId(), head.lastSeq(), null,
                            "the node's head names seq " + head.lastSeq() + " but the node has no ledger rows at "
                                    + "all"));
                }
            }
            verifyRollup(ledgerSums, rollup, findings);
            return findings;
        }
    }

    /**
     * One node's rows taken in chain order, keeping only the last one: intact when every row is signed with a key
     * this verifier has and its MAC matches, each row follows the one before it (the first follows none), and the
     * node's signed head names the last row. It also adds every row to the rollup's sums.
     */
    public final class Walk {
        private final String nodeId;
        private final NodeHead head;
        private final Map<String, Long> ledgerSums;
        private SignedRow last;
        private boolean intact = true;

        private Walk(String nodeId, NodeHead head, Map<String, Long> ledgerSums) {
            this.nodeId = nodeId;
            this.head = head;
            this.ledgerSums = ledgerSums;
        }

        public void accept(SignedRow row) {
            ledgerSums.merge(sumKey(row.period(), row.nodeId(), row.transport()), row.count(), Long::sum);
            if (intact) {
                intact = row.nodeId().equals(nodeId) && row.mac() != null && genuine(row)
                        && (last == null ? row.prevMac() == null || row.prevMac().isEmpty()
                                : CHAIN_ORDER.compare(last, row) < 0 && last.mac().equals(row.prevMac()));
            }
            last = row;
        }

        /** Whether the node's chain is whole and unchanged, as far as the rows given show. */
        public boolean intact() {
            return intact && last != null && head != null && head.lastMac() != null
                    && (head.keyId() == null || keys.byId(head.keyId()).isPresent())
                    && signersOf(head.keyId()).stream().anyMatch(signer -> LedgerSigner.same(
                            signer.nodeMac(nodeId, head.lastSeq(), head.lastMac()), head.nodeMac()))
                    && head.lastMac().equals(last.mac()) && head.lastSeq() == last.seq();
        }
    }

    /** Whether the row's MAC matches its content under the key it names (or any key, for rows without a key id). */
    private boolean genuine(SignedRow row) {
        if (row.keyId() != null && keys.byId(row.keyId()).isEmpty()) {
            return false;
        }
        return signersOf(row.keyId()).stream().anyMatch(signer -> LedgerSigner.same(signer.rowMac(row.nodeId(),
                row.seq(), row.transport(), row.startMillis(), row.endMillis(), row.period(), row.count(),
                row.prevMac()), row.mac()));
    }

    private static String sumKey(int period, String nodeId, String transport) {
        return period + "|" + nodeId + "|" + transport;
    }

    /**
     * Checks one monthly total imported from another counter against its MAC; an EDITED finding when they differ.
     */
    public Optional<LedgerFinding> verifyImported(String source, String nodeId, int period, long rawCount, long count,
            String mac) {
        // Imported totals record no key id: any key of this deployment's may have signed them.
        for (LedgerSigner key : keys.forRowsWithoutId()) {
            if (LedgerSigner.same(key.importedMac(source, nodeId, period, rawCount, count), mac)) {
                return Optional.empty();
            }
        }
        return Optional.of(new LedgerFinding(LedgerFinding.Kind.EDITED, nodeId, -1, null, "the total imported from "
                + source + " for period " + period + " (" + source + " count " + rawCount + ", corrected " + count
                + ") no longer matches its MAC"));
    }

    private void verifyChain(String nodeId, List<SignedRow> rows, NodeHead head, List<LedgerFinding> findings) {
        rows.sort(CHAIN_ORDER);
        Set<String> macs = new HashSet<>();
        Set<String> pointedAt = new HashSet<>();
        for (SignedRow row : rows) {
            if (row.mac() != null) {
                macs.add(row.mac());
            }
            if (row.prevMac() != null && !row.prevMac().isEmpty()) {
                pointedAt.add(row.prevMac());
            }
        }
        if (head != null && head.lastMac() != null) {
            pointedAt.add(head.lastMac());
        }
        Map<String, SignedRow> genuineByMac = new HashMap<>();
        List<SignedRow> failing = new ArrayList<>();
        for (SignedRow row : rows) {
            if (row.mac() == null) {
                findings.add(new LedgerFinding(LedgerFinding.Kind.UNSIGNED, nodeId, row.seq(), row.transport(),
                        "written before the ledger was signed; it cannot be checked"));
            } else if (row.keyId() != null && keys.byId(row.keyId()).isEmpty()) {
                findings.add(new LedgerFinding(LedgerFinding.Kind.UNKNOWN_KEY, nodeId, row.seq(), row.transport(),
                        "signed with ledger key id \"" + row.keyId() + "\", which this node does not have; add it as "
                                + "a [[ledger.retired_key]] to check the row"));
                genuineByMac.put(row.mac(), row);
            } else if (genuine(row)) {
                genuineByMac.put(row.mac(), row);
            } else {
                failing.add(row);
            }
        }
        for (SignedRow row : failing) {
            // A failing row whose MAC the chain points at, and that no genuine row already carries, is the
            // genuine row edited; anything else (a made-up MAC, or a copy of another row's) was inserted.
            if (pointedAt.contains(row.mac()) && !genuineByMac.containsKey(row.mac())) {
                findings.add(new LedgerFinding(LedgerFinding.Kind.EDITED, nodeId, row.seq(), row.transport(),
                        "the row's content no longer matches its MAC (count now " + row.count() + ", interval "
                                + row.startMillis() + ".." + row.endMillis() + ", period " + row.period() + ")"));
                genuineByMac.put(row.mac(), row);
            } else {
                findings.add(new LedgerFinding(LedgerFinding.Kind.INSERTED, nodeId, row.seq(), row.transport(),
                        "no genuine row has this content and MAC (count " + row.count() + ", period " + row.period()
                                + ")"));
            }
        }
        for (SignedRow row : genuineByMac.values()) {
            if (row.prevMac() != null && !row.prevMac().isEmpty() && !macs.contains(row.prevMac())) {
                findings.add(new LedgerFinding(LedgerFinding.Kind.DELETED, nodeId, row.seq(), row.transport(),
                        "the row before seq " + row.seq() + " " + row.transport() + " is missing: no row has the "
                                + "MAC it follows"));
            }
        }
        verifyOrder(nodeId, genuineByMac, findings);
        verifyHead(nodeId, head, genuineByMac, macs, findings);
    }

    /** The key a row or head names, or every key that may have signed one written before key ids. */
    private List<LedgerSigner> signersOf(String keyId) {
        return keyId == null ? keys.forRowsWithoutId() : keys.byId(keyId).map(List::of).orElse(List.of());
    }

    private static void verifyOrder(String nodeId, Map<String, SignedRow> genuineByMac,
            List<LedgerFinding> findings) {
        for (SignedRow row : genuineByMac.values()) {
            SignedRow previous = row.prevMac() == null ? null : genuineByMac.get(row.prevMac());
            if (previous != null && (previous.seq() > row.seq()
                    || previous.seq() == row.seq() && previous.transport().compareTo(row.transport()) >= 0)) {
                findings.add(new LedgerFinding(LedgerFinding.Kind.REORDERED, nodeId, row.seq(), row.transport(),
                        "the chain places seq " + previous.seq() + " " + previous.transport() + " before it"));
            }
        }
    }

    private void verifyHead(String nodeId, NodeHead head, Map<String, SignedRow> genuineByMac, Set<String> macs,
            List<LedgerFinding> findings) {
        if (head == null) {
            findings.add(new LedgerFinding(LedgerFinding.Kind.HEAD_MISMATCH, nodeId, -1, null,
                    "the node has ledger rows but no entry in txn_node"));
            return;
        }
        if (head.lastMac() == null) {
            return;
        }
        if (head.keyId() != null && keys.byId(head.keyId()).isEmpty()) {
            findings.add(new LedgerFinding(LedgerFinding.Kind.UNKNOWN_KEY, nodeId, head.lastSeq(), null,
                    "the node's head is signed with ledger key id \"" + head.keyId() + "\", which this node does not "
                            + "have; add it as a [[ledger.retired_key]] to check it"));
        } else if (signersOf(head.keyId()).stream().noneMatch(signer -> LedgerSigner.same(
                signer.nodeMac(nodeId, head.lastSeq(), head.lastMac()), head.nodeMac()))) {
            findings.add(new LedgerFinding(LedgerFinding.Kind.HEAD_MISMATCH, nodeId, head.lastSeq(), null,
                    "the node's head (last_seq " + head.lastSeq() + ") does not match its MAC"));
        } else if (!macs.contains(head.lastMac())) {
            findings.add(new LedgerFinding(LedgerFinding.Kind.DELETED, nodeId, head.lastSeq(), null,
                    "the node's last row (seq " + head.lastSeq() + ") is missing from the ledger"));
        } else {
            SignedRow last = genuineByMac.get(head.lastMac());
            if (last != null && last.seq() != head.lastSeq()) {
                findings.add(new LedgerFinding(LedgerFinding.Kind.HEAD_MISMATCH, nodeId, head.lastSeq(), null,
                        "the node's head names seq " + head.lastSeq() + " but its MAC is that of seq " + last.seq()));
            }
        }
    }

    private static void verifyRollup(Map<String, Long> ledgerSums, List<RollupRow> rollup,
            List<LedgerFinding> findings) {
        Map<String, Long> rollupSums = new TreeMap<>();
        for (RollupRow row : rollup) {
            rollupSums.put(sumKey(row.period(), row.nodeId(), row.transport()), row.count());
        }
        Set<String> keys = new TreeSet<>(ledgerSums.keySet());
        keys.addAll(rollupSums.keySet());
        for (String key : keys) {
            long ledger = ledgerSums.getOrDefault(key, 0L);
            long monthly = rollupSums.getOrDefault(key, 0L);
            if (ledger != monthly) {
                String[] parts = key.split("\\|");
                findings.add(new LedgerFinding(LedgerFinding.Kind.ROLLUP_MISMATCH, parts[1], -1, parts[2],
                        "period " + parts[0] + ": the monthly rollup says " + monthly + " but the ledger rows add up "
                                + "to " + ledger));
            }
        }
    }
}
