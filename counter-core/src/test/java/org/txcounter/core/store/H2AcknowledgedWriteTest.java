package org.txcounter.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.h2.store.fs.FileBase;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.CounterConfig;

/**
 * What the embedded H2 database has in its file at the moment the store acknowledges a write (commit, then
 * {@code CHECKPOINT SYNC}), which is all a SIGKILL leaves. H2's MVStore writes in the background by default: every
 * {@code WRITE_DELAY} ms its writer thread hands the changes to two executors (H2-serialization, H2-save) and returns
 * (FileStore.storeIt, submitOrRun with syncRun false). A commit the writer picked up that way counts as saved, so
 * {@code CHECKPOINT SYNC} (Database.sync: MVStore.commit, then FileChannel.force) finds nothing unsaved, does not wait
 * for the executors, and forces a file that does not hold the commit yet. That is the interval {@code H2HardKillIT}
 * lost once in 138 kills. Here every write to the file is slowed down, so the executors are still at work whenever
 * the writer got there first, and the file is copied the moment the checkpoint returns: each round must find its row.
 */
class H2AcknowledgedWriteTest {

    private static final int ROUNDS = 16;
    /** How long each write to the database file takes here: far longer than the gap a kill needs. */
    private static final long WRITE_MILLIS = 150;
    /** H2's error code for a table that does not exist. */
    private static final int TABLE_NOT_FOUND = 42104;

    @TempDir
    Path dir;

    @BeforeAll
    static void registerSlowFiles() {
        FilePath.register(new SlowFiles());
    }

    @Test
    void everyAcknowledgedCommitIsInTheFileWhenTheCheckpointReturns() throws Exception {
        // The product's own URL and settings, on the slow file system.
        String url = CounterConfig.embeddedDataSource(dir.resolve("live")).url().replace("jdbc:h2:file:",
                "jdbc:h2:" + SlowFiles.SCHEME + ":");
        Path file = dir.resolve("live").resolve("transactiondb.mv.db");
        List<Integer> missing = new ArrayList<>();
        try (Connection live = DriverManager.getConnection(url, "sa", "");
                Statement statement = live.createStatement()) {
            statement.execute("CREATE TABLE t (id INT PRIMARY KEY, payload VARCHAR(4000))");
            for (int round = 1; round <= ROUNDS; round++) {
                statement.execute("INSERT INTO t VALUES (" + round + ", REPEAT('x', 4000))");
                // The gap between the store's commit and its checkpoint, widened past H2's default write delay of
                // 500 ms (counted from the last store, which the previous checkpoint made), so that a background
                // writer takes the commit first, at a different moment of its slow write each round.
                Thread.sleep(520 + round * 31 % 180);
                statement.execute("CHECKPOINT SYNC");
                Path copy = dir.resolve("copy-" + round);
                Files.createDirectories(copy);
                Files.copy(file, copy.resolve("transactiondb.mv.db"));
                if (!holds(copy, round)) {
                    missing.add(round);
                }
            }
        }
        assertThat(missing).as("rounds whose acknowledged row was not in the file when CHECKPOINT SYNC returned")
                .isEmpty();
    }

    /** Opens the copy as a restart after the kill would, and looks for the round's row. */
    private static boolean holds(Path copy, int round) throws SQLException {
        String url = "jdbc:h2:file:" + copy.resolve("transactiondb").toAbsolutePath();
        try (Connection connection = DriverManager.getConnection(url, "sa", "");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM t WHERE id = " + round)) {
            rows.next();
            return rows.getLong(1) == 1;
        } catch (SQLException e) {
            if (e.getErrorCode() == TABLE_NOT_FOUND) {
                // Not even the table reached the file.
                return false;
            }
            throw e;
        }
    }

    /** H2 files under the scheme {@value #SCHEME}: the real files, each write taking {@link #WRITE_MILLIS}. */
    public static final class SlowFiles extends FilePathWrapper {
        static final String SCHEME = "slowwrites";

        @Override
        public String getScheme() {
            return SCHEME;
        }

        @Override
        public FileChannel open(String mode) throws IOException {
            return new SlowChannel(getBase().open(mode));
        }
    }

    /** A file channel whose writes wait {@link #WRITE_MILLIS} before they reach the file. Used by H2's threads. */
    private static final class SlowChannel extends FileBase {
        private final FileChannel channel;

        SlowChannel(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            pause();
            return channel.write(src);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            pause();
            return channel.write(src, position);
        }

        private static void pause() throws IOException {
            try {
                Thread.sleep(WRITE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return channel.read(dst);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return channel.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return channel.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            channel.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            channel.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            channel.force(metaData);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return channel.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            channel.close();
        }
    }
}
