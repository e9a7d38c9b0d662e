package org.txcounter.service.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.recovery.RecoveryListener;
import ch.qos.logback.core.recovery.ResilientOutputStreamBase;
import ch.qos.logback.core.rolling.RollingFileAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import org.txcounter.core.io.PrivateFiles;

/**
 * Logback's rolling file appender, with the log directory created owner-only (700) and each new log file created
 * with mode 600 before logback opens it: the log names users, clients and paths. Logback writes a compressed
 * archive in the background with the process's umask: the shipped launcher sets {@code umask 077}, so it is 600
 * from its first byte; started otherwise, every archive in the directory is set to 600 at each roll (the one being
 * compressed then at the next roll or at the stop), inside the owner-only directory meanwhile.
 *
 * <p>A log file that cannot be written (a full disk, a read-only file system, lost permissions) is reported, not
 * only dropped as logback does: an ERROR at the first failed write and an INFO when a write succeeds again (both
 * reach the console, and every other log file), and {@link #failing()} for readiness and the metrics. Logback
 * drops the lines meanwhile and retries the file at growing intervals (20 ms, then four times longer each time,
 * at most about 5.5 minutes apart), so the file is written again without a restart once it can be. A file that
 * cannot be opened at the start stays unwritten until the service is restarted.
 *
 * <p>Logback calls {@link #openFile} and {@link #rollover} under the appender's own lock, and reports a failed or
 * recovered write from the writing thread under that lock; {@link #failing()} may be called from any thread.
 */
public final class PrivateRollingFileAppender extends RollingFileAppender<ILoggingEvent> {

    /** A log file that cannot be written: since when and why. */
    public record Failure(String file, Instant since, String reason) {
    }

    private final RecoveryListener reporter = new RecoveryListener() {
        @Override
        public void newFailure(IOException e) {
            Failure failure = new Failure(getFile(), Instant.now(), String.valueOf(e.getMessage()));
            PrivateRollingFileAppender.this.failure = failure;
            // Logged from inside this appender: logback does not re-enter it, so the line goes to the console and
            // the other log files.
            LoggerFactory.getLogger(PrivateRollingFileAppender.class).error("Cannot write the log file {}: {}. Its "
                    + "lines are dropped until it can be written again (retried at growing intervals, at most about "
                    + "5.5 minutes apart, without a restart): free space on its file system or give the service's "
                    + "account write access.", failure.file(), failure.reason());
        }

        @Override
        public void recoveryOccured() {
            Failure ended = failure;
            failure = null;
            LoggerFactory.getLogger(PrivateRollingFileAppender.class).info("The log file {} is written again; the "
                    + "lines logged since {} were dropped.", getFile(), ended == null ? "its failure" : ended.since());
        }
    };

    private volatile Failure failure;

    @Override
    public void openFile(String fileName) throws IOException {
        try {
            Path file = Path.of(fileName).toAbsolutePath();
            Path directory = file.getParent();
            if (directory != null) {
                PrivateFiles.ownerOnlyDirectory(directory);
            }
            if (!Files.exists(file) && Files.getFileStore(directory).supportsFileAttributeView("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")));
            }
            PrivateFiles.restrict(file);
            super.openFile(fileName);
        } catch (IOException | RuntimeException e) {
            failure = new Failure(fileName, Instant.now(), "cannot be opened (" + e + "); fix it and restart");
            throw e;
        }
        // A new file (at the start or a roll) is written as if nothing had failed until a write fails.
        failure = null;
        if (getOutputStream() instanceof ResilientOutputStreamBase stream) {
            stream.addRecoveryListener(reporter);
        }
    }

    /** Why this appender's file cannot be written, or empty while it can. */
    public Optional<Failure> failure() {
        return Optional.ofNullable(failure);
    }

    /** Every log file of the service that cannot be written now. */
    public static List<Failure> failing() {
        List<Failure> failures = new ArrayList<>();
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            for (Logger logger : context.getLoggerList()) {
                for (Iterator<Appender<ILoggingEvent>> appenders = logger.iteratorForAppenders();
                        appenders.hasNext(); ) {
                    if (appenders.next() instanceof PrivateRollingFileAppender file) {
                        file.failure().ifPresent(failures::add);
                    }
                }
            }
        }
        return failures;
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
