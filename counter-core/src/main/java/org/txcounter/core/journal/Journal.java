package org.txcounter.core.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.interval.InFlightIds;
import org.txcounter.core.interval.IntervalFlusher.JournalState;
import org.txcounter.core.interval.IntervalSummary;
import org.txcounter.core.io.PrivateFiles;

/**
 * The file in the data directory that holds what was counted but not yet acknowledged by the database, so that a
 * crash loses at most what was counted since the last rewrite (about a second), and a restart writes the rest.
 *
 * <p>Each rewrite goes to a temporary file that is forced to disk and then renamed over the journal, so the
 * journal on disk is always one complete state, old or new. The format is line-based text:
 * <pre>
 * txcounter-journal v1
 * node node-a
 * last-seq 41
 * open-is-last true
 * interval 42 1795514400000 1795514460000 2026-11 HTTP=10 JMS=3
 * in-flight 5c1e0a7f3b2d9e41 0b7f31c2a4d85e6f
 * </pre>
 * The {@code in-flight} lines hold the fingerprints of the JMS messages counted and not completed (in hex, up to
 * {@value #IDS_PER_LINE} per line), written from the same snapshot as the counts.
 */
public final class Journal {

    static final String FILE_NAME = "journal";
    private static final String MAGIC = "txcounter-journal v1";

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
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temp = directory.resolve(FILE_NAME + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), PrivateFiles.ownerOnlyFile())) {
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(directory);
    }

    /** The journal left by the previous run, if there is one. */
    public Optional<JournalState> read() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(MAGIC)) {
            throw new IOException("not a journal (first line: " + (lines.isEmpty() ? "none" : lines.get(0)) + ")");
        }
        String nodeId = null;
        long lastSeq = 0;
        boolean openIsLast = false;
        List<IntervalSummary> intervals = new ArrayList<>();
        List<String> inFlight = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] parts = lines.get(i).split(" ");
            try {
                switch (parts[0]) {
                    case "node" -> nodeId = parts[1];
                    case "last-seq" -> lastSeq = Long.parseLong(parts[1]);
                    case "open-is-last" -> openIsLast = Boolean.parseBoolean(parts[1]);
                    case "interval" -> intervals.add(interval(nodeId, parts));
                    case "in-flight" -> inFlight.addAll(List.of(parts).subList(1, parts.length));
                    default -> throw new IOException("unknown line " + (i + 1) + ": " + lines.get(i));
                }
            } catch (RuntimeException e) {
                throw new IOException("line " + (i + 1) + " is damaged: " + lines.get(i), e);
            }
        }
        if (nodeId == null) {
            throw new IOException("no node line");
        }
        long[] ids = new long[inFlight.size()];
        for (int i = 0; i < ids.length; i++) {
            try {
                ids[i] = Long.parseUnsignedLong(inFlight.get(i), 16);
            } catch (NumberFormatException e) {
                throw new IOException("in-flight id " + inFlight.get(i) + " is damaged", e);
            }
        }
        return Optional.of(new JournalState(nodeId, lastSeq, openIsLast, intervals, InFlightIds.of(ids)));
    }

    private static IntervalSummary interval(String nodeId, String[] parts) {
        Map<Transport, Long> counts = new EnumMap<>(Transport.class);
        for (int i = 5; i < parts.length; i++) {
            String[] pair = parts[i].split("=");
            counts.put(Transport.valueOf(pair[0]), Long.parseLong(pair[1]));
        }
        return new IntervalSummary(nodeId, Long.parseLong(parts[1]), Instant.ofEpochMilli(Long.parseLong(parts[2])),
                Instant.ofEpochMilli(Long.parseLong(parts[3])), YearMonth.parse(parts[4]), TransportCounts.of(counts));
    }

    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory; the rename is still atomic there.
        }
    }
}
