package org.txcounter.core.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code <data_dir>/txcounter.pid}: the process id of the service that runs on a data directory, so that a second
 * process refused by the embedded database's file lock can say which process holds it.
 *
 * <pre>{@code
 * PidFile.write(dataDir);                      // the service, once it started
 * Optional<Long> holder = PidFile.holder(dir); // anyone: the running holder, if any
 * }</pre>
 *
 * <p>Stateless; thread-safe.
 */
public final class PidFile {

    static final String NAME = "txcounter.pid";

    private PidFile() {
    }

    /** Records this process as the one running on {@code dataDir}. */
    public static void write(Path dataDir) throws IOException {
        AtomicFiles.write(dataDir.resolve(NAME), Long.toString(ProcessHandle.current().pid())
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** Removes the record, if it is this process's. */
    public static void remove(Path dataDir) throws IOException {
        if (holder(dataDir).filter(pid -> pid == ProcessHandle.current().pid()).isPresent()) {
            Files.deleteIfExists(dataDir.resolve(NAME));
        }
    }

    /** The process recorded for {@code dataDir}, if there is a record and that process is still alive. */
    public static Optional<Long> holder(Path dataDir) {
        try {
            long pid = Long.parseLong(Files.readString(dataDir.resolve(NAME), StandardCharsets.US_ASCII).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(ProcessHandle::pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
