package org.txcounter.core.ledger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a clean ledger check ended, signed under the ledger key, so that the next check reads only what was written
 * since: for each node the last row checked (its sequence number, transport and MAC), and the sums of every row
 * checked by billing period, node and transport, which the monthly rollup is compared against.
 *
 * <p>Its text form is what {@code verify --checkpoint} keeps in a file:
 * <pre>
 * txcounter-verify-checkpoint v1
 * taken 2026-12-02T03:00:00Z
 * rows 8640000
 * node node-1 43200 JMS &lt;mac&gt;
 * sum 202611 node-1 HTTP 123456
 * key k1
 * mac &lt;HMAC-SHA256 of every line above, under ledger key k1&gt;
 * </pre>
 * A checkpoint whose MAC does not match (edited, or signed by a key this deployment lacks) is refused, so it cannot
 * be used to skip rows. Immutable and thread-safe.
 *
 * @param takenAt when the check that produced it started
 * @param rows how many ledger rows the checks up to this checkpoint have read, in total
 * @param nodes each node's last row checked
 * @param sums the rows checked, summed by {@code period|node|transport}
 * @param keyId the id of the ledger key that signed it
 * @param mac the signature over everything else
 */
public record VerifyCheckpoint(Instant takenAt, long rows, Map<String, Point> nodes, Map<String, Long> sums,
        String keyId, String mac) {

    private static final String HEADER = "txcounter-verify-checkpoint v1";

    /** The last row of a node's chain that a check saw intact. */
    public record Point(long seq, String transport, String mac) {
    }

    public VerifyCheckpoint {
        nodes = Collections.unmodifiableMap(new TreeMap<>(nodes));
        sums = Collections.unmodifiableMap(new TreeMap<>(sums));
    }

    /** Signs a checkpoint with the deployment's current ledger key. */
    static VerifyCheckpoint signed(Instant takenAt, long rows, Map<String, Point> nodes, Map<String, Long> sums,
            LedgerSigner signer) {
        VerifyCheckpoint unsigned = new VerifyCheckpoint(takenAt, rows, nodes, sums, signer.keyId(), "");
        return new VerifyCheckpoint(takenAt, rows, nodes, sums, signer.keyId(),
                signer.checkpointMac(unsigned.content()));
    }

    /** The checkpoint as text, ending with its key id and MAC lines. */
    public String encode() {
        return content() + "mac " + mac + "\n";
    }

    /** The lines the MAC covers. */
    String content() {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        text.append("taken ").append(takenAt).append('\n');
        text.append("rows ").append(rows).append('\n');
        nodes.forEach((node, point) -> text.append("node ").append(node).append(' ').append(point.seq()).append(' ')
                .append(point.transport()).append(' ').append(point.mac()).append('\n'));
        sums.forEach((key, count) -> text.append("sum ").append(key.replace('|', ' ')).append(' ').append(count)
                .append('\n'));
        return text.append("key ").append(keyId).append('\n').toString();
    }

    /**
     * Reads a checkpoint's text form; its MAC is not checked here but by {@link LedgerVerifier#resume}.
     *
     * @throws IllegalArgumentException naming the line that is not a checkpoint's
     */
    public static VerifyCheckpoint decode(String text) {
        List<String> lines = new ArrayList<>(text.strip().lines().toList());
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IllegalArgumentException("not a ledger check checkpoint: the first line must be \"" + HEADER
                    + "\"");
        }
        Instant takenAt = null;
        long rows = -1;
        Map<String, Point> nodes = new TreeMap<>();
        Map<String, Long> sums = new TreeMap<>();
        String keyId = null;
        String mac = null;
        for (int i = 1; i < lines.size(); i++) {
            String[] words = lines.get(i).split(" ");
            try {
                switch (words[0]) {
                    case "taken" -> takenAt = Instant.parse(words[1]);
                    case "rows" -> rows = Long.parseLong(words[1]);
                    case "node" -> nodes.put(words[1], new Point(Long.parseLong(words[2]), words[3], words[4]));
                    case "sum" -> sums.put(words[1] + "|" + words[2] + "|" + words[3], Long.parseLong(words[4]));
                    case "key" -> keyId = words[1];
                    case "mac" -> mac = words[1];
                    default -> throw new IllegalArgumentException("unknown entry");
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + (i + 1) + " of the checkpoint is not valid: \""
                        + lines.get(i) + "\"", e);
            }
        }
        if (takenAt == null || rows < 0 || keyId == null || mac == null) {
            throw new IllegalArgumentException("the checkpoint lacks its taken, rows, key or mac line");
        }
        return new VerifyCheckpoint(takenAt, rows, nodes, sums, keyId, mac);
    }
}
