package org.txcounter.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one file writer: whole files, owner-only, and nothing left behind when the content's writer fails. */
class AtomicFilesTest {

    @TempDir
    Path directory;

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesTheWholeFileOwnerOnlyAndReplacesTheOldOne() throws Exception {
        Path file = directory.resolve("key");
        AtomicFiles.write(file, "first\n".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(file, "second\n".getBytes(StandardCharsets.UTF_8));

        assertThat(Files.readString(file)).isEqualTo("second\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(names()).containsExactly("key");
    }

    @Test
    void aFailingWriterLeavesTheOldFileAndNoPartBehind() throws Exception {
        Path file = directory.resolve("archive.gz");
        AtomicFiles.write(file, "kept".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> AtomicFiles.write(file, out -> {
            out.write(new byte[100_000]);
            throw new IOException("the ledger changed while it was read");
        })).hasMessage("the ledger changed while it was read");

        assertThat(Files.readString(file)).isEqualTo("kept");
        assertThat(names()).containsExactly("archive.gz");
    }

    @Test
    void aWrappingStreamMayCloseWhatItIsGiven() throws Exception {
        Path file = directory.resolve("rows.gz");
        AtomicFiles.write(file, out -> {
            try (OutputStream gzip = new GZIPOutputStream(out)) {
                gzip.write("row 1\n".getBytes(StandardCharsets.UTF_8));
            }
        });
        assertThat(Files.size(file)).isPositive();
        assertThat(new String(new GZIPInputStream(Files.newInputStream(file)).readAllBytes(),
                StandardCharsets.UTF_8)).isEqualTo("row 1\n");
    }

    @Test
    void concurrentWritersEachLeaveAWholeFile() throws Exception {
        Path file = directory.resolve("journal");
        int writers = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            String content = ("writer " + w + "\n").repeat(10_000);
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 20; i++) {
                        AtomicFiles.write(file, content.getBytes(StandardCharsets.UTF_8));
                    }
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failures).isEmpty();
        String last = Files.readString(file);
        assertThat(last).hasSize(("writer 0\n").length() * 10_000);
        assertThat(last.lines().distinct().count()).as("one writer's whole content").isEqualTo(1);
        assertThat(names()).containsExactly("journal");
    }
}
