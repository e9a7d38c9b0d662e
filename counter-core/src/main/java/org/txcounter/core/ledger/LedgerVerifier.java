package org.txcounter.core.ledger;

import java.util.ArrayList;
import java.util.Collections;
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
        return new Run(heads, Integer.MIN_VALUE, Integer.MAX_VALUE, true, Map.of(), 0);
    }

    /**
     * Starts a check of the rows of billing periods {@code fromPeriod} to {@code toPeriod} (yyyymm, inclusive): each
     * node's rows of those periods, linked to the row before them and the row after them (or the head), and the
     * rollup of those periods. It gives no checkpoint.
     */
    public Run startRange(List<NodeHead> heads, int fromPeriod, int toPeriod) {
        return new Run(heads, fromPeriod, toPeriod, false, Map.of(), 0);
    }

    /**
     * Starts a check of what was written since a checkpoint of an earlier clean check: each node's rows after the
     * row the checkpoint names, and the whole rollup against the checkpoint's sums plus the new rows.
     *
     * @throws IllegalArgumentException if the checkpoint does not match its MAC under the key it names
     */
    public Run resume(List<NodeHead> heads, VerifyCheckpoint checkpoint) {
        Optional<LedgerSigner> signer = keys.byId(checkpoint.keyId());
        if (signer.isEmpty() || !LedgerSigner.same(signer.get().checkpointMac(checkpoint.content()),
                checkpoint.mac())) {
            throw new IllegalArgumentException("the checkpoint of " + checkpoint.takenAt() + " does not match its MAC"
                    + (signer.isEmpty() ? " (it names ledger key id \"" + checkpoint.keyId() + "\", which this "
                            + "deployment does not have)" : "") + "; run a full check without it");
        }
        return new Run(heads, Integer.MIN_VALUE, Integer.MAX_VALUE, true, checkpoint, checkpoint.sums(),
                checkpoint.rows());
    }

    /**
     * One check of the ledger, fed node by node in node-id order: a {@link #walk} per node that has rows, then
     * {@link #verifyWhole} for each node whose walk was not intact, then {@link #finish}.
     */
    public final class Run {
        private final List<NodeHead> heads;
        private final Map<String, NodeHead> headByNode = new HashMap<>();
        private final Map<String, Walk> walks = new TreeMap<>();
        /** Each node's archived ranges, by their first sequence number. */
        private final Map<String, TreeMap<Long, ArchivedRange>> archived = new HashMap<>();
        private final Map<String, Long> ledgerSums;
        private final List<LedgerFinding> findings = new ArrayList<>();
        private final int fromPeriod;
        private final int toPeriod;
        private final boolean wholeLedger;
        private final VerifyCheckpoint since;
        private final long priorRows;
        private long rows;
        private boolean finished;

        private Run(List<NodeHead> heads, int fromPeriod, int toPeriod, boolean wholeLedger,
                Map<String, Long> sums, long priorRows) {
            this(heads, fromPeriod, toPeriod, wholeLedger, null, sums, priorRows);
        }

        private Run(List<NodeHead> heads, int fromPeriod, int toPeriod, boolean wholeLedger,
                VerifyCheckpoint since, Map<String, Long> sums, long priorRows) {
            this.heads = List.copyOf(heads);
            heads.forEach(head -> headByNode.put(head.nodeId(), head));
            this.fromPeriod = fromPeriod;
            this.toPeriod = toPeriod;
            this.wholeLedger = wholeLedger;
            this.since = since;
            this.ledgerSums = new TreeMap<>(sums);
            this.priorRows = priorRows;
        }

        /**
         * Takes the record a removed month left of a node's rows ({@code txn_archived}): checks its MAC, makes its
         * last row the start of what stays online, and, unless the run resumes from a checkpoint (whose sums hold
         * them), adds its counts to the sums of its period when that period is checked. A record whose MAC does not
         * match is a finding when its period is checked, and is never taken as a start. Give every record before the
         * first {@link #walk}.
         */
        public void archived(ArchivedRange range) {
            Optional<LedgerSigner> signer = keys.byId(range.keyId());
            if (signer.isEmpty() || !LedgerSigner.same(signer.get().archivedMac(range.content()), range.mac())) {
                if (!inRange(range.period())) {
                    return;
                }
                findings.add(new LedgerFinding(LedgerFinding.Kind.EDITED, range.nodeId(), range.lastSeq(), null,
                        "the record of the rows of period " + range.period() + " (seq " + range.firstSeq() + " to "
                                + range.lastSeq() + ") removed to the archive with SHA-256 " + range.archiveSha256()
                                + (signer.isEmpty() ? " names ledger key id \"" + range.keyId() + "\", which this "
                                        + "deployment does not have" : " no longer matches its MAC")));
                return;
            }
            archived.computeIfAbsent(range.nodeId(), node -> new TreeMap<>()).put(range.firstSeq(), range);
            if (since == null) {
                addArchived(range);
            }
        }

        private void addArchived(ArchivedRange range) {
            if (inRange(range.period())) {
                range.counts().forEach((transport, count) -> ledgerSums.merge(sumKey(range.period(), range.nodeId(),
                        transport), count, Long::sum));
            }
        }

        /** The last row a node's removed months end with: the row its online rows follow; empty if none. */
        public Optional<SignedRow> archivedEnd(String nodeId) {
            TreeMap<Long, ArchivedRange> ranges = archived.get(nodeId);
            return ranges == null || ranges.isEmpty() ? Optional.empty()
                    : Optional.of(ranges.lastEntry().getValue().last());
        }

        /** The nodes with removed months. */
        public Set<String> archivedNodes() {
            return Collections.unmodifiableSet(archived.keySet());
        }

        /** Whether this run resumes from a checkpoint. */
        public boolean resuming() {
            return since != null;
        }

        /** The row of a node's chain this check starts after: the checkpoint's, when resuming; else none. */
        public Optional<VerifyCheckpoint.Point> resumePoint(String nodeId) {
            return since == null ? Optional.empty() : Optional.ofNullable(since.nodes().get(nodeId));
        }

        /**
         * Whether the row read back at a node's {@link #resumePoint} is still the one the checkpoint names. When it
         * is not (gone, or changed since), or the checkpoint names no row of the node, the node's sums from the
         * checkpoint are replaced by its archived ranges' counts, and the node must be walked from the end of its
         * archived rows, or else from its first row.
         */
        public boolean resumesAt(String nodeId, SignedRow stored) {
            VerifyCheckpoint.Point point = resumePoint(nodeId).orElse(null);
            if (point != null && stored != null && stored.seq() == point.seq()
                    && stored.transport().equals(point.transport()) && point.mac().equals(stored.mac())) {
                return true;
            }
            ledgerSums.keySet().removeIf(key -> key.split("\\|")[1].equals(nodeId));
            archived.getOrDefault(nodeId, new TreeMap<>()).values().forEach(this::addArchived);
            return false;
        }

        /** The walk of one node's whole chain, to be given its rows in {@link #CHAIN_ORDER}. */
        public Walk walk(String nodeId) {
            return walk(nodeId, null);
        }

        /**
         * The walk of one node's rows that follow {@code after} (the row before the first one given, or null when
         * the walk starts at the chain's first row), to be given them in {@link #CHAIN_ORDER}.
         */
        public Walk walk(String nodeId, SignedRow after) {
            Walk walk = new Walk(nodeId, headByNode.get(nodeId), after, this);
            walks.put(nodeId, walk);
            return walk;
        }

        /** Tells apart what is wrong with a node whose walk of its whole chain was not intact, from all its rows. */
        public void verifyWhole(String nodeId, List<SignedRow> rows) {
            verifyWhole(nodeId, rows, null, null);
        }

        /**
         * Tells apart what is wrong with a node whose walk was not intact, from the rows walked, the row before them
         * ({@code after}, or null from the chain's first row) and the row after them ({@code next}, or null when
         * they end the chain, whose head is then checked).
         */
        public void verifyWhole(String nodeId, List<SignedRow> rows, SignedRow after, SignedRow next) {
            List<SignedRow> chain = new ArrayList<>(rows.size() + 2);
            if (after != null) {
                chain.add(after);
            }
            chain.addAll(rows);
            if (next != null) {
                chain.add(next);
            }
            verifyChain(nodeId, chain, next == null ? headByNode.get(nodeId) : null, next == null,
                    after == null ? null : after.prevMac(), findings);
        }

        /**
         * Checks the heads of nodes without rows (for a check of the whole ledger) and the rollup of the periods
         * checked against the rows walked; returns every finding.
         */
        public List<LedgerFinding> finish(List<RollupRow> rollup) {
            if (wholeLedger) {
                for (NodeHead head : heads) {
                    if (!walks.containsKey(head.nodeId()) && head.lastMac() != null) {
                        findings.add(new LedgerFinding(LedgerFinding.Kind.DELETED, head.nodeId(), head.lastSeq(),
                                null, "the node's head names seq " + head.lastSeq() + " but the node has no ledger "
                                        + "rows at all"));
                    }
                }
            }
            verifyRollup(ledgerSums, rollup.stream().filter(row -> inRange(row.period())).toList(), findings);
            finished = true;
            return findings;
        }

        /** How many ledger rows this check has read (not counting those of the checks before its checkpoint). */
        public long rows() {
            return rows;
        }

        /**
         * A checkpoint to resume from next time: present after {@link #finish} of a whole or resumed check that
         * found nothing, signed with the current ledger key.
         */
        public Optional<VerifyCheckpoint> checkpoint(java.time.Instant takenAt) {
            if (!finished || !wholeLedger || !findings.isEmpty()) {
                return Optional.empty();
            }
            Map<String, VerifyCheckpoint.Point> points = new TreeMap<>();
            walks.forEach((node, walk) -> {
                if (walk.last != null) {
                    points.put(node, new VerifyCheckpoint.Point(walk.last.seq(), walk.last.transport(),
                            walk.last.mac()));
                }
            });
            return Optional.of(VerifyCheckpoint.signed(takenAt, priorRows + rows, points, ledgerSums, keys.current()));
        }

        private boolean inRange(int period) {
            return period >= fromPeriod && period <= toPeriod;
        }
    }

    /**
     * One node's rows taken in chain order, keeping only the last one: intact when every row is signed with a key
     * this verifier has and its MAC matches, each row follows the one before it (the first follows the row the walk
     * starts after, or none), and the chain goes on as it should after the last: the row after it follows it, or,
     * at the chain's end, the node's signed head names it. It also adds every row of the periods checked to the
     * rollup's sums.
     */
    public final class Walk {
        private final String nodeId;
        private final NodeHead head;
        private final Run run;
        private SignedRow last;
        private SignedRow next;
        private boolean intact;

        private Walk(String nodeId, NodeHead head, SignedRow after, Run run) {
            this.nodeId = nodeId;
            this.head = head;
            this.run = run;
            this.last = after;
            this.intact = after == null || (after.nodeId().equals(nodeId) && after.mac() != null && genuine(after));
        }

        public void accept(SignedRow row) {
            run.rows++;
            if (run.inRange(row.period())) {
                run.ledgerSums.merge(sumKey(row.period(), row.nodeId(), row.transport()), row.count(), Long::sum);
            }
            if (intact) {
                intact = row.nodeId().equals(nodeId) && row.mac() != null && genuine(row)
                        && (last == null ? row.prevMac() == null || row.prevMac().isEmpty()
                                : CHAIN_ORDER.compare(last, row) < 0 && last.mac().equals(row.prevMac()));
            }
            last = row;
        }

        /** The walk ends before the end of the chain: {@code next} is the row after the last one given. */
        public void endsBefore(SignedRow next) {
            this.next = next;
        }

        /** Whether the node's chain is whole and unchanged, as far as the rows given show. */
        public boolean intact() {
            if (!intact || last == null) {
                return false;
            }
            if (next != null) {
                return next.nodeId().equals(nodeId) && next.mac() != null && genuine(next)
                        && CHAIN_ORDER.compare(last, next) < 0 && last.mac().equals(next.prevMac());
            }
            return head != null && head.lastMac() != null
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

    private void verifyChain(String nodeId, List<SignedRow> rows, NodeHead head, boolean toHead, String knownPrevMac,
            List<LedgerFinding> findings) {
        rows.sort(CHAIN_ORDER);
        Set<String> macs = new HashSet<>();
        if (knownPrevMac != null && !knownPrevMac.isEmpty()) {
            // The row the rows follow is not checked here: the first row read may point at it.
            macs.add(knownPrevMac);
        }
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
        if (toHead) {
            verifyHead(nodeId, head, genuineByMac, macs, findings);
        }
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
                    || (previous.seq() == row.seq() && previous.transport().compareTo(row.transport()) >= 0))) {
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
