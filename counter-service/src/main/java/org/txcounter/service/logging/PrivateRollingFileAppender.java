package org.txcounter.service.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.txcounter.core.io.PrivateFiles;

/**
 * Logback's rolling file appender, with the log directory created owner-only (700) and each new log file created
 * with mode 600 before logback opens it: the log names users, clients and paths. Logback writes a compressed
 * archive in the background with the process's umask: the shipped launcher sets {@code umask 077}, so it is 600
 * from its first byte; started otherwise, every archive in the directory is set to 600 at each roll (the one being
 * compressed then at the next roll or at the stop), inside the owner-only directory meanwhile.
 *
 * <p>Logback calls {@link #openFile} and {@link #rollover} under the appender's own lock; nothing here is shared.
 */
public final class PrivateRollingFileAppender extends RollingFileAppender<ILoggingEvent> {

    @Override
    public void openFile(String fileName) throws IOException {
        Path file = Path.of(fileName).toAbsolutePath();
        Path directory = file.getParent();
        if (directory != null) {
            PrivateFiles.ownerOnlyDirectory(directory);
        }
        if (!Files.exists(file) && Files.getFileStore(directory).supportsFileAttributeView("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        PrivateFiles.restrict(file);
        super.openFile(fileName);
    }

    @Override
    public void rollover() {
        super.rollover();
        restrictDirectory();
    }

    /** Logback's stop waits for the last compression: then that archive is made owner-only too. */
    @Override
    public void stop() {
        super.stop();
        restrictDirectory();
    }

    private void restrictDirectory() {
        if (getFile() == null) {
            return;
        }
        Path directory = Path.of(getFile()).toAbsolutePath().getParent();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                PrivateFiles.restrict(file);
            }
        } catch (IOException e) {
            addWarn("Cannot make the log archives in " + directory + " owner-only: " + e);
        }
    }
}
