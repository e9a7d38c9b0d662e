package org.txcounter.service.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.txcounter.core.io.PrivateFiles;

/**
 * Logback's rolling file appender, with the log directory created owner-only (700) and each new log file created
 * with mode 600 before logback opens it: the log names users, clients and paths. Rolled files are renamed, so they
 * keep the mode; compressed archives are written inside the owner-only directory.
 *
 * <p>Logback calls {@link #openFile} under the appender's own lock; nothing here is shared.
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
}
