package org.txcounter.core.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.io.PrivateFiles;

/**
 * The highest sequence number this data directory's node wrote to the database, kept where a full disk cannot stop
 * it: {@code <data_dir>/written-seq}, created at its full size at the start and then overwritten in place through a
 * channel held open for the run, so a write needs neither a new block nor a new file descriptor.
 *
 * <p>It exists for the start's check that no other live node holds this node's id: the database may hold intervals
 * the journal never heard of when the journal could not be written (a full disk) and the node then stopped hard.
 * Those intervals were this directory's own, and this mark says so; without it the start would take them for
 * another runtime's and refuse until the id's last report is old.
 *
 * <p>Two 32-byte slots, a page apart, are written in turn; each holds a magic number, a hash of the node id, the
 * sequence number and a CRC32C of the three, so a write torn by a crash leaves the other slot whole. The reader takes
 * the highest sequence number of the whole slots of this node. A write is forced to the device. On a copy-on-write
 * file system (btrfs, ZFS) an overwrite needs new blocks too, so a full disk stops the mark there as well.
 *
 * <p>Thread-safe: {@link #record} from any thread (positional writes to the slot its call was given); {@link #read}
 * before the run, {@link #close} after it.
 */
public final class WrittenSeqMark implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WrittenSeqMark.class);
    static final String FILE_NAME = "written-seq";
    private static final long MAGIC = 0x5458_5345_514d_4b31L; // "TXSEQMK1"
    private static final int SLOT = 32;
    private static final int SLOT_DISTANCE = 4096;
    private static final int FILE_SIZE = 2 * SLOT_DISTANCE;

    private final Path file;
    private final long nodeHash;
    private final FileChannel channel;
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong highest = new AtomicLong(-1);
    private volatile boolean failing;

    private WrittenSeqMark(Path file, long nodeHash, FileChannel channel) {
        this.file = file;
        this.nodeHash = nodeHash;
        this.channel = channel;
    }

    /**
     * The highest sequence number the mark in {@code dataDir} holds for {@code nodeId}, or -1 without a whole one
     * (no file, another node's, both slots torn, unreadable).
     */
    public static long read(Path dataDir, String nodeId) {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return -1;
        }
        long hash = hash(nodeId);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long best = -1;
            for (int slot = 0; slot < 2; slot++) {
                ByteBuffer buffer = ByteBuffer.allocate(SLOT);
                channel.read(buffer, (long) slot * SLOT_DISTANCE);
                buffer.flip();
                if (buffer.remaining() < SLOT || buffer.getLong() != MAGIC || buffer.getLong() != hash) {
                    continue;
                }
                long seq = buffer.getLong();
                int crc = buffer.getInt();
                if (crc == crc(MAGIC, hash, seq)) {
                    best = Math.max(best, seq);
                }
            }
            return best;
        } catch (IOException e) {
            LOG.warn("Cannot read {}: {}. The start's check for another node with this id relies on the journal "
                    + "alone.", file.toAbsolutePath(), e.toString());
            return -1;
        }
    }

    /**
     * Opens (creating at full size, owner-only) the mark of {@code nodeId} in {@code dataDir} for this run.
     *
     * @throws IOException when it cannot be created or opened (a full disk, lost permissions)
     */
    public static WrittenSeqMark open(Path dataDir, String nodeId) throws IOException {
        Path file = dataDir.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            PrivateFiles.restrict(file);
            if (channel.size() < FILE_SIZE) {
                // Every block written now, so that an overwrite later needs no new one.
                ByteBuffer zeros = ByteBuffer.allocate(FILE_SIZE);
                while (zeros.hasRemaining()) {
                    channel.write(zeros, zeros.position());
                }
                channel.force(true);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new WrittenSeqMark(file, hash(nodeId), channel);
    }

    /**
     * Records that the database holds this node's intervals up to {@code seq}, and forces it to the device. A
     * failure is logged once (and its end), never thrown: the mark only spares a later start a false alarm.
     */
    public void record(long seq) {
        if (seq <= highest.getAndAccumulate(seq, Math::max)) {
            return;
        }
        ByteBuffer buffer = ByteBuffer.allocate(SLOT);
        buffer.putLong(MAGIC).putLong(nodeHash).putLong(seq).putInt(crc(MAGIC, nodeHash, seq)).flip();
        long position = (writes.getAndIncrement() & 1) * SLOT_DISTANCE;
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer, position + buffer.position());
            }
            channel.force(false);
            if (failing) {
                failing = false;
                LOG.info("{} is written again (seq {}).", file.toAbsolutePath(), seq);
            }
        } catch (ClosedChannelException e) {
            // A write the stop's final-flush timeout abandoned, finishing after the stop closed the mark.
        } catch (IOException e) {
            if (!failing) {
                failing = true;
                LOG.warn("Cannot write {}: {}. If this node then stops hard while its journal cannot be written "
                        + "either, its next start may take its own last intervals for another node's and refuse to "
                        + "start until the id's last report is {} old.", file.toAbsolutePath(), e.toString(),
                        "an interval plus 30 s");
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("Cannot close {}: {}", file.toAbsolutePath(), e.toString());
        }
    }

    private static long hash(String nodeId) {
        CRC32C low = new CRC32C();
        byte[] bytes = nodeId.getBytes(StandardCharsets.UTF_8);
        low.update(bytes);
        CRC32C high = new CRC32C();
        high.update(bytes);
        high.update(bytes.length);
        return (high.getValue() << 32) | low.getValue();
    }

    private static int crc(long magic, long hash, long seq) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(3 * Long.BYTES).putLong(magic).putLong(hash).putLong(seq).flip());
        return (int) crc.getValue();
    }
}
