package org.txcounter.core.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The one way this product replaces a file: the content goes to a new owner-only (600) file beside it, which is
 * forced to the device, moved over the file in one step, and the directory is forced so that the move itself
 * survives a power loss. A reader sees the old file or the new one, never a part; after this returns, a crash or
 * power loss keeps the new one. When anything fails (the content's writer included), the new file is removed and
 * the old one is left as it was: nothing half-written stays behind, under any name.
 *
 * <p>Every file whose loss would lose counts, money or keys is written here: the journal, keys and secrets, the
 * node id, ledger archives (whose rows {@code remove-archived} then deletes), statements and reports.
 *
 * <p>Stateless; safe for any number of threads. Two threads replacing the same file at once each write a file of
 * their own; the last move wins.
 */
public final class AtomicFiles {

    private static final int BUFFER = 1 << 16;

    private AtomicFiles() {
    }

    /**
     * Writes a file's whole content to the stream it is given. The stream is buffered; closing it (as a wrapping
     * stream's close does) only flushes it: the file is forced and closed after this returns.
     */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Replaces {@code file} with {@code content}, durably and atomically. */
    public static void write(Path file, byte[] content) throws IOException {
        write(file, out -> out.write(content));
    }

    /** Replaces {@code file} with what {@code content} writes, durably and atomically. */
    public static void write(Path file, Content content) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(directory)) {
            // What is written here is private: a directory made for it is too. An existing one is left as it is.
            PrivateFiles.ownerOnlyDirectory(directory);
        }
        // A name of its own (and mode 600 from its creation on POSIX file systems): concurrent writers never share it.
        Path temp = Files.createTempFile(directory, "." + file.getFileName(), ".tmp", PrivateFiles.ownerOnlyFile());
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
                content.writeTo(new FilterOutputStream(out) {
                    @Override
                    public void write(byte[] bytes, int offset, int length) throws IOException {
                        out.write(bytes, offset, length);
                    }

                    @Override
                    public void close() throws IOException {
                        out.flush();
                    }
                });
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            forceDirectory(directory);
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems (and Windows) cannot open a directory; the move is still atomic there.
        }
    }
}
