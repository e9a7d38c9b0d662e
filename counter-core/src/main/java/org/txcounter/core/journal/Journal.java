package org.txcounter.core.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.interval.InFlightIds;
import org.txcounter.core.interval.IntervalFlusher.JournalState;
import org.txcounter.core.interval.IntervalSummary;
import org.txcounter.core.io.AtomicFiles;

/**
 * The file in the data directory that holds what was counted but not yet acknowledged by the database, so that a
 * crash loses at most what was counted since the last rewrite (about a second), and a restart writes the rest.
 *
 * <p>Each rewrite goes through {@link AtomicFiles} (a new file forced to disk, renamed over the journal, the
 * directory forced), so the journal on disk is always one complete state, old or new. The format is line-based text
 * that proves itself: its last line counts the lines before it and carries the SHA-256 of their bytes, so a journal
 * cut short, cut inside a count, or altered in any byte is refused with what was found, never read as smaller counts:
 * <pre>
 * txcounter-journal v2
 * node node-a
 * last-seq 41
 * open-is-last true
 * interval 42 1795514400000 1795514460000 2026-11 HTTP=10 JMS=3
 * in-flight 5c1e0a7f3b2d9e41 0b7f31c2a4d85e6f
 * end 6 sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 * </pre>
 * The {@code in-flight} lines hold the fingerprints of the JMS messages counted and not completed (in hex, up to
 * {@value #IDS_PER_LINE} per line), written from the same snapshot as the counts. A journal of version 1 (no end
 * line, written before this format) is still read once, at the first start after the upgrade.
 *
 * <p>Not thread-safe: one thread writes it (the counter's journal thread); reading, inspecting and salvaging are for
 * the start and for the operator's command, when nothing writes it.
 */
public final class Journal {

    static final String FILE_NAME = "journal";
    private static final String MAGIC = "txcounter-journal v2";
    private static final String MAGIC_V1 = "txcounter-journal v1";
    private static final String END = "end";

    private static final int IDS_PER_LINE = 32;

    private final Path file;

    public Journal(Path dataDir) {
        this.file = dataDir.resolve(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    /** Replaces the journal with {@code state}, durably. */
    public void write(JournalState state) throws IOException {
        AtomicFiles.write(file, render(state));
    }

    private static byte[] render(JournalState state) {
        StringBuilder text = new StringBuilder(MAGIC).append('\n')
                .append("node ").append(state.nodeId()).append('\n')
                .append("last-seq ").append(state.lastSeq()).append('\n')
                .append("open-is-last ").append(state.openIsLast()).append('\n');
        for (IntervalSummary interval : state.intervals()) {
            text.append("interval ").append(interval.seq()).append(' ')
                    .append(interval.start().toEpochMilli()).append(' ')
                    .append(interval.end().toEpochMilli()).append(' ')
                    .append(interval.billingMonth());
            for (Transport transport : Transport.values()) {
                long count = interval.counts().get(transport);
                if (count != 0 || transport.alwaysReported()) {
                    text.append(' ').append(transport.name()).append('=').append(count);
                }
            }
            text.append('\n');
        }
        InFlightIds inFlight = state.inFlight();
        for (int i = 0; i < inFlight.size(); i++) {
            if (i % IDS_PER_LINE == 0) {
                text.append("in-flight");
            }
            text.append(' ').append(Long.toHexString(inFlight.get(i)));
            if (i % IDS_PER_LINE == IDS_PER_LINE - 1 || i == inFlight.size() - 1) {
                text.append('\n');
            }
        }
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        long lines = text.chars().filter(c -> c == '\n').count();
        byte[] end = (END + " " + lines + " sha256 " + sha256(body, body.length) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[body.length + end.length];
        System.arraycopy(body, 0, all, 0, body.length);
        System.arraycopy(end, 0, all, body.length, end.length);
        return all;
    }

    /**
     * The journal left by the previous run, if there is one.
     *
     * @throws JournalDamagedException when it is not whole: empty, not text, cut short, altered, or a line that does
     *                                 not parse; the message says what was found where
     * @throws IOException             when it cannot be read at all (the message names the file and why)
     */
    public Optional<JournalState> read() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Inspection inspection = inspect(bytes());
        if (inspection.damage().isPresent()) {
            throw new JournalDamagedException(file.toAbsolutePath() + " " + inspection.damage().get());
        }
        return Optional.of(inspection.trusted());
    }

    /** What the journal holds, line by line, and what is wrong with it if anything; empty when there is none. */
    public Optional<Inspection> inspect() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(inspect(bytes()));
    }

    /**
     * For a journal that {@link #read()} refuses: keeps the damaged file beside it ({@code journal.damaged-<ms>}),
     * writes the lines it could not trust to {@code journal.set-aside-<ms>}, and writes a whole journal of the lines
     * that parse, which the next start writes to the database. Nothing is deleted.
     *
     * @return the salvage's files and what it kept
     * @throws IllegalStateException when the journal is whole (nothing to salvage) or has no node line
     */
    public Salvage salvage(Instant now) throws IOException {
        Inspection inspection = inspect().orElseThrow(() -> new IllegalStateException("There is no journal "
                + file + " to salvage."));
        if (inspection.damage().isEmpty()) {
            throw new IllegalStateException("The journal " + file + " is whole; there is nothing to salvage.");
        }
        if (inspection.nodeId() == null) {
            throw new IllegalStateException("The journal " + file + " has no readable node line, so its intervals "
                    + "cannot be given to a node; keep it and read it with the journal command.");
        }
        Path directory = file.toAbsolutePath().getParent();
        Path damaged = directory.resolve(FILE_NAME + ".damaged-" + now.toEpochMilli());
        Path setAside = directory.resolve(FILE_NAME + ".set-aside-" + now.toEpochMilli());
        StringBuilder rest = new StringBuilder();
        for (Line line : inspection.lines()) {
            if (line.problem() != null) {
                rest.append("line ").append(line.number()).append(" (").append(line.problem()).append("): ")
                        .append(line.text()).append('\n');
            }
        }
        AtomicFiles.write(setAside, rest.toString().getBytes(StandardCharsets.UTF_8));
        Files.move(file, damaged);
        write(inspection.trusted());
        return new Salvage(damaged, setAside, inspection.trusted());
    }

    private byte[] bytes() throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw new IOException(file.toAbsolutePath() + " cannot be read by this user ("
                    + System.getProperty("user.name")
                    + "): permission denied. The journal must be readable and writable by the user that runs the "
                    + "counter (owner, mode 600).", e);
        }
    }

    /** Reads a journal's bytes: each line with its problem, if any, and what the lines that parse hold. */
    static Inspection inspect(byte[] bytes) {
        if (bytes.length == 0) {
            return Inspection.damaged("is empty (0 bytes): it was cut short before its first line", List.of(), null);
        }
        String text;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            text = decoder.decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int offset = firstBadByte(bytes);
            return Inspection.damaged("is not text: byte " + offset + " (0x" + String.format("%02x",
                    bytes[offset] & 0xff) + ") is not UTF-8; it is not a journal, or it was overwritten", List.of(),
                    null);
        }
        boolean terminated = text.endsWith("\n");
        String[] raw = (terminated ? text.substring(0, text.length() - 1) : text).split("\n", -1);
        String magic = raw[0];
        if (!magic.equals(MAGIC) && !magic.equals(MAGIC_V1)) {
            return Inspection.damaged("is not a journal: its first line is \"" + shorten(magic) + "\", expected \""
                    + MAGIC + "\"", List.of(), null);
        }
        boolean legacy = magic.equals(MAGIC_V1);
        Parser parser = new Parser();
        List<Line> lines = new ArrayList<>();
        lines.add(new Line(1, magic, null));
        String damage = null;
        int last = raw.length;
        if (!legacy) {
            String endLine = raw[raw.length - 1];
            if (!terminated) {
                damage = "was cut short: line " + raw.length + " (\"" + shorten(endLine) + "\") ends without a line "
                        + "break after " + bytes.length + " bytes, and there is no end line";
            } else if (!endLine.startsWith(END + " ")) {
                damage = "was cut short after line " + raw.length + ": there is no end line (expected \"end <lines> "
                        + "sha256 <hex>\" last)";
            } else {
                last = raw.length - 1;
                damage = checkEnd(bytes, endLine, raw.length - 1);
            }
        } else if (!terminated) {
            damage = "was cut short: line " + raw.length + " ends without a line break";
        }
        for (int i = 1; i < last; i++) {
            int number = i + 1;
            boolean cut = !terminated && i == raw.length - 1;
            String problem = cut ? "cut short: no line break" : parser.parse(raw[i]);
            lines.add(new Line(number, raw[i], problem));
            if (problem != null && damage == null) {
                damage = "line " + number + " is damaged (" + problem + "): " + shorten(raw[i]);
            }
        }
        if (last < raw.length) {
            lines.add(new Line(raw.length, raw[raw.length - 1], damage != null && damage.startsWith("was altered")
                    ? "does not match the lines above" : null));
        }
        if (parser.nodeId == null && damage == null) {
            damage = "has no node line";
        }
        JournalState trusted = parser.nodeId == null ? null : parser.state();
        return new Inspection(lines, Optional.ofNullable(damage), trusted, parser.nodeId, legacy);
    }

    private static String checkEnd(byte[] bytes, String endLine, int linesBefore) {
        String[] parts = endLine.split(" ");
        if (parts.length != 4 || !parts[2].equals("sha256")) {
            return "has a damaged end line (line " + (linesBefore + 1) + "): \"" + shorten(endLine) + "\"";
        }
        long counted;
        try {
            counted = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return "has a damaged end line (line " + (linesBefore + 1) + "): \"" + shorten(endLine) + "\"";
        }
        int bodyLength = bytes.length - endLine.getBytes(StandardCharsets.UTF_8).length - 1;
        String actual = sha256(bytes, bodyLength);
        if (counted != linesBefore) {
            return "was altered: the end line (line " + (linesBefore + 1) + ") counts " + counted
                    + " lines before it, there are " + linesBefore;
        }
        if (!actual.equals(parts[3])) {
            return "was altered: the SHA-256 of its lines 1 to " + linesBefore + " is " + actual + ", the end line "
                    + "(line " + (linesBefore + 1) + ") says " + parts[3];
        }
        return null;
    }

    private static int firstBadByte(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        decoder.decode(in, out, true);
        return Math.min(in.position(), bytes.length - 1);
    }

    private static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    private static String sha256(byte[] bytes, int length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes, 0, length);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** One line of a journal: its number (from 1), its text, and what is wrong with it, or null. */
    public record Line(int number, String text, String problem) {
    }

    /**
     * What a journal holds: each line with its problem, the damage that makes {@link #read()} refuse it (empty when
     * it is whole), the state of the lines that parse ({@code null} without a node line), and whether it is of the
     * version before the end line.
     */
    public record Inspection(List<Line> lines, Optional<String> damage, JournalState trusted, String nodeId,
            boolean legacy) {
        public Inspection {
            lines = List.copyOf(lines);
        }

        static Inspection damaged(String damage, List<Line> lines, String nodeId) {
            return new Inspection(lines, Optional.of(damage), null, nodeId, false);
        }
    }

    /** Where a salvage kept the damaged journal and the lines it set aside, and what the new journal holds. */
    public record Salvage(Path damaged, Path setAside, JournalState kept) {
    }

    /** Reads the lines after the first, collecting what they hold; each call says what is wrong with one line. */
    private static final class Parser {
        private String nodeId;
        private long lastSeq;
        private boolean openIsLast;
        private final List<IntervalSummary> intervals = new ArrayList<>();
        private final List<Long> inFlight = new ArrayList<>();

        String parse(String line) {
            String[] parts = line.split(" ");
            try {
                switch (parts[0]) {
                    case "node" -> {
                        requireLength(parts, 2);
                        nodeId = parts[1];
                    }
                    case "last-seq" -> {
                        requireLength(parts, 2);
                        lastSeq = Long.parseLong(parts[1]);
                    }
                    case "open-is-last" -> {
                        requireLength(parts, 2);
                        if (!parts[1].equals("true") && !parts[1].equals("false")) {
                            return "expected true or false, found " + parts[1];
                        }
                        openIsLast = Boolean.parseBoolean(parts[1]);
                    }
                    case "interval" -> {
                        if (nodeId == null) {
                            return "an interval before the node line";
                        }
                        intervals.add(interval(nodeId, parts));
                    }
                    case "in-flight" -> {
                        List<Long> ids = new ArrayList<>();
                        for (int i = 1; i < parts.length; i++) {
                            ids.add(Long.parseUnsignedLong(parts[i], 16));
                        }
                        inFlight.addAll(ids);
                    }
                    default -> {
                        return "not a journal line";
                    }
                }
                return null;
            } catch (RuntimeException e) {
                return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }
        }

        JournalState state() {
            long[] ids = new long[inFlight.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = inFlight.get(i);
            }
            return new JournalState(nodeId, lastSeq, openIsLast, intervals, InFlightIds.of(ids));
        }

        private static void requireLength(String[] parts, int length) {
            if (parts.length != length) {
                throw new IllegalArgumentException("expected " + (length - 1) + " value(s), found "
                        + (parts.length - 1));
            }
        }

        private static IntervalSummary interval(String nodeId, String[] parts) {
            if (parts.length < 6) {
                throw new IllegalArgumentException("expected seq, start, end, month and counts, found "
                        + (parts.length - 1) + " value(s)");
            }
            Map<Transport, Long> counts = new EnumMap<>(Transport.class);
            for (int i = 5; i < parts.length; i++) {
                String[] pair = parts[i].split("=", -1);
                if (pair.length != 2) {
                    throw new IllegalArgumentException("expected TRANSPORT=count, found " + parts[i]);
                }
                counts.put(Transport.valueOf(pair[0]), Long.parseLong(pair[1]));
            }
            return new IntervalSummary(nodeId, Long.parseLong(parts[1]),
                    Instant.ofEpochMilli(Long.parseLong(parts[2])), Instant.ofEpochMilli(Long.parseLong(parts[3])),
                    YearMonth.parse(parts[4]), TransportCounts.of(counts));
        }
    }
}
