package org.txcounter.core.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The written-seq mark: what it keeps, what it refuses to believe, and that its writes need no new space. */
class WrittenSeqMarkTest {

    @TempDir
    Path dataDir;

    private Path file() {
        return dataDir.resolve(WrittenSeqMark.FILE_NAME);
    }

    @Test
    void withoutAFileItKnowsNothing() {
        assertThat(WrittenSeqMark.read(dataDir, "node-a")).isEqualTo(-1);
    }

    @Test
    void itKeepsTheHighestSequenceNumberRecordedForItsNodeOnly() throws Exception {
        try (WrittenSeqMark mark = WrittenSeqMark.open(dataDir, "node-a")) {
            assertThat(WrittenSeqMark.read(dataDir, "node-a")).as("created empty").isEqualTo(-1);
            mark.record(5);
            mark.record(3);
            assertThat(WrittenSeqMark.read(dataDir, "node-a")).isEqualTo(5);
            mark.record(6);
            mark.record(7);
            assertThat(WrittenSeqMark.read(dataDir, "node-a")).isEqualTo(7);
        }
        assertThat(WrittenSeqMark.read(dataDir, "node-b")).as("another node's id").isEqualTo(-1);
        assertThat(Files.size(file())).isEqualTo(8192);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");

        // Reopened by the next run: what it held stays until a higher number is recorded.
        try (WrittenSeqMark mark = WrittenSeqMark.open(dataDir, "node-a")) {
            assertThat(WrittenSeqMark.read(dataDir, "node-a")).isEqualTo(7);
            mark.record(8);
        }
        assertThat(WrittenSeqMark.read(dataDir, "node-a")).isEqualTo(8);
    }

    @Test
    void aTornSlotIsIgnoredAndTheOtherOneRead() throws Exception {
        try (WrittenSeqMark mark = WrittenSeqMark.open(dataDir, "node-a")) {
            mark.record(11);
            mark.record(12);
        }
        // The slot holding 12 is the second one (the writes alternate): flip a byte of its sequence number.
        try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, 4096 + 20);
            one.put(0, (byte) (one.get(0) ^ 0x40)).rewind();
            channel.write(one, 4096 + 20);
        }
        assertThat(WrittenSeqMark.read(dataDir, "node-a")).isEqualTo(11);

        Files.write(file(), new byte[] {1, 2, 3});
        assertThat(WrittenSeqMark.read(dataDir, "node-a")).as("not a mark at all").isEqualTo(-1);
    }

    /**
     * The point of the mark: recorded in place, so it is written on a full disk. The file's blocks are all written
     * when it is created; a record changes bytes inside them and never the file's size.
     */
    @Test
    void recordingNeverGrowsTheFile() throws Exception {
        try (WrittenSeqMark mark = WrittenSeqMark.open(dataDir, "node-a")) {
            long size = Files.size(file());
            for (long seq = 1; seq <= 1_000; seq++) {
                mark.record(seq);
            }
            assertThat(Files.size(file())).isEqualTo(size);
        }
        assertThat(WrittenSeqMark.read(dataDir, "node-a")).isEqualTo(1_000);
    }
}
