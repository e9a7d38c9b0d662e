package org.txcounter.core.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Keeps files to their owner: the mode of generated secrets, passwords, keys and keystores (written through
 * {@link AtomicFiles}), and the directories that hold them (data, broker journal, logs), owner-only. Where the file
 * system has no POSIX permissions, nothing is changed and the directories' own ACLs protect them.
 *
 * <p>Stateless; safe for any number of threads.
 */
public final class PrivateFiles {

    private static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /**
     * Creates {@code directory} and its missing parents with mode 700, or sets an existing {@code directory} to mode
     * 700. Returns true when an existing directory was open to its group or others and was closed.
     */
    public static boolean ownerOnlyDirectory(Path directory) throws IOException {
        if (!posix()) {
            Files.createDirectories(directory);
            return false;
        }
        Path absolute = directory.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            Set<PosixFilePermission> current = Files.getPosixFilePermissions(absolute);
            if (current.equals(OWNER_DIRECTORY)) {
                return false;
            }
            Files.setPosixFilePermissions(absolute, OWNER_DIRECTORY);
            return current.stream().anyMatch(permission -> !OWNER_DIRECTORY.contains(permission));
        }
        Path parent = absolute.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            ownerOnlyDirectory(parent);
        }
        Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY));
        // The umask may have taken bits from the mode asked for; set it exactly.
        Files.setPosixFilePermissions(absolute, OWNER_DIRECTORY);
        return false;
    }

    /**
     * Sets every file under {@code directory} to mode 600 and every directory to 700: for files a library created
     * with the process's umask (the embedded database, the broker journal).
     */
    public static void restrictTree(Path directory) throws IOException {
        if (!posix() || !Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                if (Files.isSymbolicLink(path)) {
                    continue;
                }
                Files.setPosixFilePermissions(path, Files.isDirectory(path) ? OWNER_DIRECTORY : OWNER_FILE);
            }
        }
    }

    /** The attribute that creates a file with mode 600, for {@code Files.newByteChannel} and the like. */
    public static FileAttribute<?>[] ownerOnlyFile() {
        return posix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_FILE)}
                : new FileAttribute<?>[0];
    }

    /** Sets {@code file} to mode 600 if it exists. */
    public static void restrict(Path file) throws IOException {
        if (posix() && Files.isRegularFile(file)) {
            Files.setPosixFilePermissions(file, OWNER_FILE);
        }
    }

    /** Whether the file system has POSIX permissions (not on Windows). */
    public static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /**
     * The random key kept base64-encoded in {@code file}; created on first use with {@code length} random bytes and
     * written owner-only and durably ({@link AtomicFiles}), in which case {@code onCreate} runs (to say so in the log).
     *
     * @throws IOException              when the file cannot be read or written
     * @throws IllegalArgumentException when the file does not hold base64
     */
    public static byte[] readOrCreateKey(Path file, int length, Runnable onCreate) throws IOException {
        if (Files.exists(file)) {
            return Base64.getDecoder().decode(Files.readString(file).strip());
        }
        byte[] key = new byte[length];
        new SecureRandom().nextBytes(key);
        AtomicFiles.write(file, (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII));
        onCreate.run();
        return key;
    }
}
