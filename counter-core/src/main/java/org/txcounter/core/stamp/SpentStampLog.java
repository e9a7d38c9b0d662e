package org.txcounter.core.stamp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.io.AtomicFiles;

/**
 * The spent stamps on disk, so that a stamp stays spent across restarts until it expires.
 *
 * <p>The file ({@code <data_dir>/spent-stamps}, owner-only) is an 8-byte header followed by 16-byte records: a
 * stamp id's fingerprint and a time no earlier than its issue time. A stamp spent on this node is appended to an
 * in-memory buffer ({@link #spent}, one short lock, no I/O) and the buffer is written and forced to disk by
 * {@link #write()}, which the counter calls with every journal rewrite (every second by default) and at a stop. A
 * graceful stop therefore keeps every spent stamp; a hard stop can forget what was spent since the last write, the
 * same window in which a hard stop can lose counts. At the start {@link #load} puts every record whose stamp
 * could still be valid back into the spent set; a torn last record (a crash inside a write) is ignored.
 *
 * <p>Bounded on disk: {@link #write()} rewrites the file from the spent set ({@link #compactSoon()}) after the set
 * forgot expired stamps, so the file holds at most what the set holds at that moment (16 bytes each, the set's
 * capacity at most) plus what was spent since.
 *
 * <p>Thread-safe: {@link #spent} from any thread; {@link #load} and {@link #write()} from one thread at a time (the
 * journal's writer), never concurrently with each other.
 */
final class SpentStampLog {

    private static final Logger LOG = LoggerFactory.getLogger(SpentStampLog.class);
    static final String FILE = "spent-stamps";
    private static final long MAGIC = 0x5458_5350_454e_5431L; // "TXSPENT1"
    private static final int HEADER = Long.BYTES;
    private static final int RECORD = 2 * Long.BYTES;

    private final Path file;
    private final SpentStamps set;
    private long[] pending = new long[256];
    private int pendingLongs;
    private volatile boolean compactDue;
    private FileChannel channel;

    SpentStampLog(Path file, SpentStamps set) {
        this.file = file;
        this.set = set;
    }

    Path file() {
        return file;
    }

    /**
     * Reads the file into the spent set and opens it for appending. A file that is not a spent-stamp file is set
     * aside (renamed with a {@code .damaged} suffix) with an error, and a new one started.
     *
     * @return how many spent stamps were restored
     */
    int load(long now, long lifetimeMillis) throws IOException {
        int restored = 0;
        if (Files.exists(file)) {
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            if (bytes.length < HEADER || buffer.getLong() != MAGIC) {
                Path aside = file.resolveSibling(FILE + ".damaged");
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                LOG.error("{} is not a spent-stamp file ({} bytes); it was moved to {}. Stamps spent before this "
                        + "start may be honoured once more until they expire. Restore it from a backup if one is "
                        + "newer.", file.toAbsolutePath(), bytes.length, aside.toAbsolutePath());
            } else {
                while (buffer.remaining() >= RECORD) {
                    long fingerprint = buffer.getLong();
                    long issuedNoEarlierThan = buffer.getLong();
                    if (now - issuedNoEarlierThan <= lifetimeMillis
                            && set.spend(fingerprint, issuedNoEarlierThan) == SpentStamps.Spend.FIRST) {
                        restored++;
                    }
                }
            }
        }
        rewrite();
        return restored;
    }

    /** A stamp was spent: remembered for the next {@link #write()}. */
    void spent(long fingerprint, long issuedAt) {
        synchronized (this) {
            if (pendingLongs + 2 > pending.length) {
                pending = Arrays.copyOf(pending, pending.length * 2);
            }
            pending[pendingLongs++] = fingerprint;
            pending[pendingLongs++] = issuedAt;
        }
    }

    /** The spent set forgot expired stamps: the next {@link #write()} rewrites the file from it. */
    void compactSoon() {
        compactDue = true;
    }

    /** Writes and forces what was spent since the last write; rewrites the file when it is due for compaction. */
    void write() throws IOException {
        long[] batch;
        int longs;
        synchronized (this) {
            batch = pending;
            longs = pendingLongs;
            pending = new long[Math.max(256, Math.min(batch.length, 1 << 16))];
            pendingLongs = 0;
        }
        if (compactDue) {
            compactDue = false;
            // The set already holds the batch's stamps: the rewrite from it keeps them.
            rewrite();
            return;
        }
        if (longs == 0) {
            return;
        }
        ByteBuffer buffer = ByteBuffer.allocate(longs * Long.BYTES);
        buffer.asLongBuffer().put(batch, 0, longs);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        channel.force(false);
    }

    /** Replaces the file with the spent set's content, atomically, and appends to the new one. */
    private void rewrite() throws IOException {
        long[] entries = set.entries();
        ByteBuffer buffer = ByteBuffer.allocate(HEADER + entries.length * Long.BYTES);
        buffer.putLong(MAGIC);
        buffer.asLongBuffer().put(entries);
        AtomicFiles.write(file, buffer.array());
        close();
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
