package org.txcounter.service.statement;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.txcounter.core.io.AtomicFiles;
import org.txcounter.core.ledger.SignedRow;
import org.txcounter.core.store.MonthArchive;

/**
 * The archive file of a closed month's ledger rows, which lets the rows leave the database and still be proven.
 * It is gzip-compressed UTF-8 text, one record a line:
 *
 * <pre>
 * txcounter-ledger-archive v1
 * deployment finance-eu
 * month 2026-09
 * time-zone UTC
 * created 2028-10-02T08:00:00Z
 * statement-sha256 &lt;hex SHA-256 of the month's signed statement, as issued&gt;
 * rows 8640000
 * total 1234567890
 * node node-a first 1 last 43200 rows 86400 prev &lt;MAC the first row links to, or -&gt; end &lt;last MAC&gt;
 * count node-a HTTP 43200 617283945
 * row node-a 1 HTTP &lt;start ms&gt; &lt;end ms&gt; &lt;count&gt; &lt;prev MAC or -&gt; &lt;MAC&gt; &lt;key id or -&gt;
 * ...
 * end
 * signature Ed25519 SHA256:&lt;key fingerprint&gt; &lt;base64 signature&gt;
 * </pre>
 *
 * The signature is the statement key's (Ed25519) over {@code txcounter-ledger-archive v1|} and the hex SHA-256 of
 * every line up to and including {@code end}, so the file verifies offline with the same public key as the
 * statements. The {@code node} lines are the chain heads that tie the month to the rest of the ledger: the MAC its
 * first row links to (the end of the month before) and the MAC of its last row, which the first row left online
 * links to. A reader checks the signature, every row against its node's line (counts, sums, sequence range) and each
 * row's link to the row before it; it cannot check the rows' own MACs, which need the ledger key.
 *
 * <p>Thread-safe: static methods without shared state.
 */
public final class LedgerArchive {

    static final String HEADER = "txcounter-ledger-archive v1";
    private static final String NONE = "-";

    private LedgerArchive() {
    }

    /** A written archive: where, the SHA-256 of the file's bytes, and what it holds. */
    public record Written(Path file, String sha256, MonthArchive outline) {
    }

    /**
     * The result of reading an archive back.
     *
     * @param outline the month as the file holds it, when the file is authentic and consistent; else null
     * @param sha256  the SHA-256 of the file's bytes
     */
    public record Verdict(boolean valid, String message, MonthArchive outline, String deployment,
            String statementSha256, String sha256) {
    }

    /**
     * Writes the archive of {@code outline}'s month to {@code file} (owner-only, replaced only when complete), the
     * rows given by {@code rows} in the outline's order.
     *
     * @param statement the month's signed statement, exactly as issued
     */
    public static Written write(Path file, MonthArchive outline, Consumer<Consumer<SignedRow>> rows,
            String deployment, ZoneId zone, String statement, StatementKey key, Instant created) throws IOException {
        MessageDigest bytes = sha256();
        try {
            AtomicFiles.write(file, target -> {
                MessageDigest content = sha256();
                try (OutputStream raw = new DigestOutputStream(target, bytes);
                        GZIPOutputStream gzip = new GZIPOutputStream(raw, 1 << 16);
                        DigestOutputStream hashed = new DigestOutputStream(gzip, content);
                        Writer out = new BufferedWriter(new OutputStreamWriter(hashed, StandardCharsets.UTF_8),
                                1 << 16)) {
                    line(out, HEADER);
                    line(out, "deployment " + deployment);
                    line(out, "month " + outline.month());
                    line(out, "time-zone " + zone.getId());
                    line(out, "created " + created);
                    line(out, "statement-sha256 " + sha256(statement.getBytes(StandardCharsets.UTF_8)));
                    line(out, "rows " + outline.rows());
                    line(out, "total " + outline.total());
                    for (MonthArchive.Node node : outline.nodes()) {
                        line(out, "node " + node.nodeId() + " first " + node.firstSeq() + " last " + node.lastSeq()
                                + " rows " + node.rows() + " prev " + orNone(node.firstPrevMac()) + " end "
                                + node.last().mac());
                        node.totals().forEach((transport, total) -> uncheckedLine(out, "count " + node.nodeId() + " "
                                + transport + " " + total.rows() + " " + total.count()));
                    }
                    long[] written = {0};
                    rows.accept(row -> {
                        written[0]++;
                        uncheckedLine(out, "row " + row.nodeId() + " " + row.seq() + " " + row.transport() + " "
                                + row.startMillis() + " " + row.endMillis() + " " + row.count() + " "
                                + orNone(row.prevMac()) + " " + row.mac() + " " + orNone(row.keyId()));
                    });
                    if (written[0] != outline.rows()) {
                        throw new IOException("the ledger gave " + written[0] + " rows of " + outline.month()
                                + ", not the " + outline.rows() + " its outline counts: rows were written or removed "
                                + "meanwhile; write the archive again");
                    }
                    line(out, "end");
                    out.flush();
                    hashed.on(false);
                    String digest = hex(content.digest());
                    out.write("signature " + StatementKey.ALGORITHM + " " + StatementKey.fingerprint(key.publicKey())
                            + " " + Base64.getEncoder().encodeToString(key.sign(signed(digest))) + "\n");
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        return new Written(file, hex(bytes.digest()), outline);
    }

    /**
     * Reads {@code file} and checks it with the deployment's statement {@code key}: the signature, and every row
     * against its node's line and the row before it.
     *
     * @throws IOException when the file cannot be read or is not gzip
     */
    public static Verdict read(Path file, PublicKey key) throws IOException {
        MessageDigest bytes = sha256();
        MessageDigest content = sha256();
        Reader reader = new Reader();
        String signatureLine = null;
        try (InputStream raw = new DigestInputStream(Files.newInputStream(file), bytes);
                BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw, 1 << 16),
                        StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            boolean ended = false;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (ended) {
                    if (signatureLine != null) {
                        return reader.invalid("it has text after its signature, on line " + number, hex(bytes));
                    }
                    signatureLine = line;
                    continue;
                }
                content.update((line + "\n").getBytes(StandardCharsets.UTF_8));
                String problem = reader.accept(line, number);
                if (problem != null) {
                    drain(raw);
                    return reader.invalid(problem, hex(bytes));
                }
                ended = line.equals("end");
            }
            drain(raw);
            if (!ended) {
                return reader.invalid("it ends after line " + number + " without its end and signature lines: the "
                        + "file is cut short", hex(bytes));
            }
        }
        String sha = hex(bytes);
        if (signatureLine == null) {
            return reader.invalid("it has no signature line", sha);
        }
        String[] words = signatureLine.split(" ");
        if (words.length != 4 || !words[0].equals("signature") || !words[1].equals(StatementKey.ALGORITHM)) {
            return reader.invalid("its last line is not a signature line", sha);
        }
        String problem = reader.finish();
        if (problem != null) {
            return reader.invalid(problem, sha);
        }
        String expectedKey = StatementKey.fingerprint(key);
        boolean valid;
        try {
            Signature check = Signature.getInstance(StatementKey.ALGORITHM);
            check.initVerify(key);
            check.update(signed(hex(content.digest())));
            valid = check.verify(Base64.getDecoder().decode(words[3]));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            valid = false;
        }
        if (!valid) {
            return reader.invalid(words[2].equals(expectedKey)
                    ? "its content was changed after it was signed with " + expectedKey
                    : "it names the signing key " + words[2] + ", but the public key given is " + expectedKey, sha);
        }
        MonthArchive outline = reader.outline();
        return new Verdict(true, "The archive of " + outline.month() + " of deployment " + reader.deployment
                + " is authentic and whole: signed by " + expectedKey + ", " + outline.rows() + " rows of "
                + outline.nodes().size() + " node(s), " + outline.total() + " transactions, every row linked to the "
                + "one before it. SHA-256 " + sha + ".", outline, reader.deployment, reader.statementSha256, sha);
    }

    /** Reads the lines of an archive in order and checks them as they come; keeps only one node's last row. */
    private static final class Reader {
        private final Map<String, NodeLine> nodes = new LinkedHashMap<>();
        private String deployment;
        private YearMonth month;
        private ZoneId zone;
        private Instant created;
        private String statementSha256;
        private long rows = -1;
        private long total = -1;
        private long rowsRead;
        private long totalRead;
        private NodeLine current;

        /** The problem with this line, or null. */
        String accept(String line, int number) {
            String[] words = line.split(" ");
            try {
                if (number == 1) {
                    return line.equals(HEADER) ? null : "it is not a ledger archive: its first line is not \"" + HEADER
                            + "\"";
                }
                switch (words[0]) {
                    case "deployment" -> deployment = words[1];
                    case "month" -> month = YearMonth.parse(words[1]);
                    case "time-zone" -> zone = ZoneId.of(words[1]);
                    case "created" -> created = Instant.parse(words[1]);
                    case "statement-sha256" -> statementSha256 = words[1];
                    case "rows" -> rows = Long.parseLong(words[1]);
                    case "total" -> total = Long.parseLong(words[1]);
                    case "node" -> {
                        NodeLine node = new NodeLine(words[1], Long.parseLong(words[3]), Long.parseLong(words[5]),
                                Long.parseLong(words[7]), none(words[9]), words[11]);
                        nodes.put(node.nodeId, node);
                    }
                    case "count" -> nodes.get(words[1]).counts.put(words[2],
                            new MonthArchive.Total(Long.parseLong(words[3]), Long.parseLong(words[4])));
                    case "row" -> {
                        return row(words, number);
                    }
                    case "end" -> {
                        return null;
                    }
                    default -> {
                        return "line " + number + " is not an archive line: \"" + abbreviate(line) + "\"";
                    }
                }
                return null;
            } catch (RuntimeException e) {
                return "line " + number + " is not valid: \"" + abbreviate(line) + "\"";
            }
        }

        private String row(String[] words, int number) {
            if (month == null) {
                return "line " + number + " is a row before the month line";
            }
            SignedRow row = new SignedRow(words[1], Long.parseLong(words[2]), words[3], Long.parseLong(words[4]),
                    Long.parseLong(words[5]), month.getYear() * 100 + month.getMonthValue(), Long.parseLong(words[6]),
                    none(words[7]), words[8], none(words[9]));
            NodeLine node = nodes.get(row.nodeId());
            if (node == null) {
                return "line " + number + " is a row of node " + row.nodeId() + ", which has no node line";
            }
            if (current != node) {
                if (node.rowsRead > 0) {
                    return "line " + number + ": the rows of node " + row.nodeId() + " do not follow one another";
                }
                if (current != null && current.rowsRead != current.rows) {
                    return "node " + current.nodeId + " has " + current.rowsRead + " rows, not the " + current.rows
                            + " its node line says";
                }
                current = node;
            }
            String expectedPrev = node.lastRow == null ? node.prev : node.lastRow.mac();
            if (node.lastRow == null ? row.seq() != node.first : row.seq() < node.lastRow.seq()) {
                return "line " + number + ": row seq " + row.seq() + " " + row.transport() + " of node " + row.nodeId()
                        + " is out of order";
            }
            if (!java.util.Objects.equals(expectedPrev, row.prevMac())) {
                return "line " + number + ": row seq " + row.seq() + " " + row.transport() + " of node " + row.nodeId()
                        + " does not link to the row before it: a row is missing or was changed";
            }
            node.lastRow = row;
            node.rowsRead++;
            node.sums.merge(row.transport(), new long[] {1, row.count()},
                    (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            rowsRead++;
            totalRead += row.count();
            return null;
        }

        /** The problem with the file as a whole once read, or null. */
        String finish() {
            if (deployment == null || month == null || zone == null || created == null || statementSha256 == null
                    || rows < 0 || total < 0) {
                return "its header lacks the deployment, month, time-zone, created, statement-sha256, rows or total "
                        + "line";
            }
            if (rowsRead != rows || totalRead != total) {
                return "it holds " + rowsRead + " rows with " + totalRead + " transactions, not the " + rows
                        + " rows with " + total + " its header says";
            }
            for (NodeLine node : nodes.values()) {
                if (node.rowsRead != node.rows || node.lastRow == null || node.lastRow.seq() != node.lastSeq
                        || !node.lastRow.mac().equals(node.end)) {
                    return "the rows of node " + node.nodeId + " do not end as its node line says (" + node.rows
                            + " rows, last seq " + node.lastSeq + ")";
                }
                for (Map.Entry<String, MonthArchive.Total> count : node.counts.entrySet()) {
                    long[] sum = node.sums.getOrDefault(count.getKey(), new long[2]);
                    if (sum[0] != count.getValue().rows() || sum[1] != count.getValue().count()) {
                        return "node " + node.nodeId + "'s " + count.getKey() + " rows sum to " + sum[0] + " rows and "
                                + sum[1] + " transactions, not the " + count.getValue().rows() + " and "
                                + count.getValue().count() + " its count line says";
                    }
                }
                if (!node.sums.keySet().equals(node.counts.keySet())) {
                    return "node " + node.nodeId + " has rows of transports " + node.sums.keySet() + " but count lines "
                            + "for " + node.counts.keySet();
                }
            }
            return null;
        }

        MonthArchive outline() {
            List<MonthArchive.Node> outline = new ArrayList<>();
            for (NodeLine node : nodes.values()) {
                outline.add(new MonthArchive.Node(node.nodeId, node.first, node.lastSeq, node.rows, node.prev,
                        node.lastRow, node.counts));
            }
            return new MonthArchive(month, outline);
        }

        Verdict invalid(String problem, String sha256) {
            return new Verdict(false, "The archive" + (month == null ? "" : " of " + month) + " does NOT verify: "
                    + problem + ". Do not rely on it, and do not remove the month's rows with it.", null, deployment,
                    statementSha256, sha256);
        }
    }

    /** A node line and what the rows read so far of the node add up to. */
    private static final class NodeLine {
        final String nodeId;
        final long first;
        final long lastSeq;
        final long rows;
        final String prev;
        final String end;
        final Map<String, MonthArchive.Total> counts = new TreeMap<>();
        final Map<String, long[]> sums = new TreeMap<>();
        SignedRow lastRow;
        long rowsRead;

        NodeLine(String nodeId, long first, long lastSeq, long rows, String prev, String end) {
            this.nodeId = nodeId;
            this.first = first;
            this.lastSeq = lastSeq;
            this.rows = rows;
            this.prev = prev;
            this.end = end;
        }
    }

    private static byte[] signed(String contentSha256) {
        return (HEADER + "|" + contentSha256).getBytes(StandardCharsets.US_ASCII);
    }

    private static void line(Writer out, String text) throws IOException {
        out.write(text);
        out.write('\n');
    }

    private static void uncheckedLine(Writer out, String text) {
        try {
            line(out, text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void drain(InputStream raw) throws IOException {
        raw.transferTo(OutputStream.nullOutputStream());
    }

    private static String orNone(String value) {
        return value == null ? NONE : value;
    }

    private static String none(String value) {
        return value.equals(NONE) ? null : value;
    }

    private static String abbreviate(String line) {
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }

    /** The hex SHA-256 of {@code content}: how an archive names the statement it was written for. */
    public static String sha256(byte[] content) {
        return hex(sha256().digest(content));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static String hex(MessageDigest digest) {
        return hex(digest.digest());
    }

    private static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
