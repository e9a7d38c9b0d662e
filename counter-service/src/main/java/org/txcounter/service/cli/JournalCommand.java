package org.txcounter.service.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.txcounter.core.interval.IntervalFlusher.JournalState;
import org.txcounter.core.io.PidFile;
import org.txcounter.core.journal.Journal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Shows what this node's journal holds and whether it is whole; with {@code --salvage} keeps what can be trusted of a
 * journal the counter refuses. Works on the data directory alone, with the node stopped.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "journal", mixinStandardHelpOptions = true,
        description = "Show this node's journal (the counts not yet in the database) line by line, and whether it is "
                + "whole. Exit status 1 when it is damaged. With --salvage (node stopped): keep the damaged journal "
                + "beside it, write the lines that cannot be trusted to a file, and write a whole journal of the rest, "
                + "which the next start writes to the database. Nothing is deleted.")
final class JournalCommand implements Callable<Integer> {

    @Mixin
    ConfigFile configFile = new ConfigFile();

    @Option(names = "--salvage", description = "Keep the intact part of a damaged journal (see above).")
    boolean salvage;

    @Override
    public Integer call() throws IOException {
        Path dataDir = configFile.read().counter().dataDir();
        Journal journal = new Journal(dataDir);
        Optional<Journal.Inspection> found = journal.inspect();
        if (found.isEmpty()) {
            System.out.println("There is no journal " + journal.file().toAbsolutePath() + ": nothing waits to be "
                    + "written to the database.");
            return 0;
        }
        Journal.Inspection inspection = found.get();
        for (Journal.Line line : inspection.lines()) {
            System.out.printf("%4d  %-8s %s%n", line.number(), line.problem() == null ? "ok" : "DAMAGED",
                    line.problem() == null ? line.text() : line.text() + "   <- " + line.problem());
        }
        if (inspection.damage().isEmpty()) {
            System.out.println("The journal " + journal.file().toAbsolutePath() + " is whole" + describe(
                    inspection.trusted()) + (inspection.legacy() ? " (written by an earlier version, without a "
                    + "checksum)" : "") + ".");
            return 0;
        }
        System.out.println("The journal " + journal.file().toAbsolutePath() + " " + inspection.damage().get() + ".");
        if (!salvage) {
            System.out.println("Nothing was changed. The counter does not start on this journal. `txcounter journal "
                    + "--salvage` keeps it as journal.damaged-<time>, writes the lines marked DAMAGED to "
                    + "journal.set-aside-<time>, and writes a journal of the others for the next start.");
            return 1;
        }
        Optional<Long> running = PidFile.holder(dataDir);
        if (running.isPresent()) {
            throw new CliException("The node of " + dataDir.toAbsolutePath() + " is running (pid " + running.get()
                    + "): stop it before salvaging its journal.");
        }
        Journal.Salvage result;
        try {
            result = journal.salvage(Instant.now());
        } catch (IllegalStateException e) {
            throw new CliException(e.getMessage());
        }
        System.out.println("Salvaged: the journal now holds" + describe(result.kept()) + "; the damaged journal is "
                + result.damaged().toAbsolutePath() + " and the lines set aside are in "
                + result.setAside().toAbsolutePath() + ".");
        if (inspection.damage().get().startsWith("was altered")) {
            System.out.println("Every line parsed, but the journal's checksum does not match them: compare the kept "
                    + "counts with the damaged file before the next start.");
        }
        return 0;
    }

    private static String describe(JournalState state) {
        long transactions = state.intervals().stream().mapToLong(interval -> interval.counts().total()).sum();
        String seqs = state.intervals().isEmpty() ? "" : " (seq " + state.intervals().get(0).seq() + " to "
                + state.intervals().get(state.intervals().size() - 1).seq() + ")";
        return ": node " + state.nodeId() + ", " + state.intervals().size() + " interval(s)" + seqs + " with "
                + transactions + " transaction(s) not yet in the database, " + state.inFlight().size()
                + " JMS message(s) held as not completed";
    }
}
