package org.txcounter.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/**
 * The streaming check against reading every chain whole: on intact ledgers every walk is intact and nothing is
 * found; on ledgers tampered at random (seeded) the findings are exactly those of the whole-chain analysis.
 */
class LedgerVerifierTest {

    private static final LedgerSigner KEY = new LedgerSigner("k1",
            "a ledger key of at least thirty-two bytes".getBytes(StandardCharsets.UTF_8));
    private static final LedgerVerifier VERIFIER = new LedgerVerifier(new LedgerKeys(KEY, List.of(), List.of(KEY)));
    private static final String[] TRANSPORTS = {"HTTP", "JMS"};

    /** A deployment's ledger: rows, heads and the rollup that matches them. */
    private record Ledger(List<SignedRow> rows, List<NodeHead> heads, List<RollupRow> rollup) {
    }

    @Test
    void anIntactLedgerIsWalkedIntactAndNothingIsFound() {
        Ledger ledger = ledger(new Random(1), 3, 2_500);
        LedgerVerifier.Run run = VERIFIER.start(ledger.heads());
        Map<String, List<SignedRow>> byNode = byNode(ledger.rows());
        for (Map.Entry<String, List<SignedRow>> node : byNode.entrySet()) {
            LedgerVerifier.Walk walk = run.walk(node.getKey());
            node.getValue().forEach(walk::accept);
            assertThat(walk.intact()).as("node %s", node.getKey()).isTrue();
        }
        assertThat(run.finish(ledger.rollup())).isEmpty();
    }

    @RepeatedTest(200)
    void aTamperedLedgerGivesExactlyTheFindingsOfTheWholeChainAnalysis(RepetitionInfo repetition) {
        Random random = new Random(repetition.getCurrentRepetition());
        Ledger ledger = ledger(random, 1 + random.nextInt(3), 1 + random.nextInt(40));
        List<SignedRow> rows = new ArrayList<>(ledger.rows());
        List<NodeHead> heads = new ArrayList<>(ledger.heads());
        int changes = 1 + random.nextInt(3);
        for (int i = 0; i < changes && !rows.isEmpty(); i++) {
            tamper(random, rows, heads);
        }

        List<LedgerFinding> streamed = VERIFIER.verify(rows, heads, ledger.rollup());

        LedgerVerifier.Run whole = VERIFIER.start(heads);
        for (Map.Entry<String, List<SignedRow>> node : byNode(rows).entrySet()) {
            LedgerVerifier.Walk walk = whole.walk(node.getKey());
            node.getValue().forEach(walk::accept);
            whole.verifyWhole(node.getKey(), node.getValue());
        }
        assertThat(streamed).isEqualTo(whole.finish(ledger.rollup()));
    }

    private static void tamper(Random random, List<SignedRow> rows, List<NodeHead> heads) {
        int at = random.nextInt(rows.size());
        SignedRow row = rows.get(at);
        switch (random.nextInt(7)) {
            case 0 -> rows.set(at, with(row, row.seq(), row.count() + 1 + random.nextInt(100), row.prevMac(),
                    row.mac()));
            case 1 -> rows.remove(at);
            case 2 -> rows.add(with(row, row.seq() + 1_000, row.count(), row.mac(), row.mac()));
            case 3 -> {
                SignedRow other = rows.get(random.nextInt(rows.size()));
                if (other.nodeId().equals(row.nodeId()) && other.seq() != row.seq()) {
                    rows.set(at, with(row, other.seq(), row.count(), row.prevMac(), row.mac()));
                    rows.set(rows.indexOf(other), with(other, row.seq(), other.count(), other.prevMac(),
                            other.mac()));
                }
            }
            case 4 -> rows.removeIf(r -> r.nodeId().equals(row.nodeId()) && r.seq() >= row.seq());
            case 5 -> heads.replaceAll(head -> head.nodeId().equals(row.nodeId())
                    ? new NodeHead(head.nodeId(), head.lastSeq() + 1, head.lastMac(), head.nodeMac(), head.keyId())
                    : head);
            default -> rows.set(at, new SignedRow(row.nodeId(), row.seq(), row.transport(), row.startMillis(),
                    row.endMillis(), row.period(), row.count(), row.prevMac(), row.mac(), "k-unknown"));
        }
    }

    private static SignedRow with(SignedRow row, long seq, long count, String prevMac, String mac) {
        return new SignedRow(row.nodeId(), seq, row.transport(), row.startMillis(), row.endMillis(), row.period(),
                count, prevMac, mac, row.keyId());
    }

    /** Nodes node-0.. each with {@code seqs} intervals of both transports, chained and signed as the store does. */
    private static Ledger ledger(Random random, int nodes, int seqs) {
        List<SignedRow> rows = new ArrayList<>();
        List<NodeHead> heads = new ArrayList<>();
        Map<String, Long> sums = new TreeMap<>();
        for (int n = 0; n < nodes; n++) {
            String node = "node-" + n;
            String previous = "";
            for (long seq = 1; seq <= seqs; seq++) {
                long start = 1_790_000_000_000L + seq * 60_000;
                int period = 202_611 + (int) (seq / 1_000);
                for (String transport : TRANSPORTS) {
                    long count = random.nextInt(1_000);
                    String mac = KEY.rowMac(node, seq, transport, start, start + 60_000, period, count, previous);
                    rows.add(new SignedRow(node, seq, transport, start, start + 60_000, period, count, previous, mac,
                            KEY.keyId()));
                    sums.merge(period + "|" + node + "|" + transport, count, Long::sum);
                    previous = mac;
                }
            }
            heads.add(new NodeHead(node, seqs, previous, KEY.nodeMac(node, seqs, previous), KEY.keyId()));
        }
        List<RollupRow> rollup = sums.entrySet().stream().map(sum -> {
            String[] key = sum.getKey().split("\\|");
            return new RollupRow(Integer.parseInt(key[0]), key[1], key[2], sum.getValue());
        }).toList();
        return new Ledger(List.copyOf(rows), List.copyOf(heads), rollup);
    }

    private static Map<String, List<SignedRow>> byNode(List<SignedRow> rows) {
        return rows.stream().sorted(LedgerVerifier.CHAIN_ORDER).collect(Collectors.groupingBy(SignedRow::nodeId,
                TreeMap::new, Collectors.toList()));
    }
}
