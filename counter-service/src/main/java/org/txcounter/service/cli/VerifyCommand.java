package org.txcounter.service.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import org.txcounter.core.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The ledger check, through the running service (admin only): the whole ledger, some months, or what was written
 * since a checkpoint file. Exit status 0 when intact, 1 otherwise.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check the ledger's MAC chains, monthly rollups and imported totals (admin), and list "
        + "the totals imported from MI. Exit 0 when intact, 1 when something was found.")
final class VerifyCommand extends ApiCommand {

    @Option(names = "--month", paramLabel = "YYYY-MM", description = "Check only this month's rows and rollup.")
    String month;

    @Option(names = "--from", paramLabel = "YYYY-MM", description = "Check only the months from this one (with --to).")
    String from;

    @Option(names = "--to", paramLabel = "YYYY-MM", description = "The last month checked with --from (default: "
            + "the --from month).")
    String to;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Check only what was written since the "
            + "checkpoint in FILE, and write the new checkpoint there when the check is clean (owner-only). When FILE "
            + "does not exist yet, the whole ledger is checked and FILE is created.")
    Path checkpoint;

    @Override
    public Integer call() {
        JsonNode answer = ApiClient.json(request());
        int findings = 0;
        for (JsonNode finding : answer.path("findings")) {
            findings++;
            System.out.println(finding.path("kind").asText() + " node " + finding.path("nodeId").asText()
                    + (finding.path("seq").isNull() ? "" : " seq " + finding.path("seq").asLong())
                    + (finding.path("transport").isNull() ? "" : " " + finding.path("transport").asText()) + ": "
                    + finding.path("detail").asText());
        }
        for (JsonNode imported : answer.path("imported")) {
            System.out.println("IMPORTED from " + imported.path("source").asText() + " " + imported.path("month")
                    .asText() + " node " + imported.path("nodeId").asText() + ": " + imported.path("count").asLong()
                    + " (MI's own row: " + imported.path("miCount").asLong() + ")");
        }
        String scope = answer.path("scope").asText() + ", " + answer.path("rowsRead").asLong() + " row(s) read";
        System.out.println(findings == 0 ? "The ledger is intact (" + scope + "): every chain and rollup checks out."
                : findings + " finding(s) (" + scope + ").");
        if (checkpoint != null) {
            JsonNode next = answer.path("checkpoint");
            if (findings == 0 && next.isTextual()) {
                write(next.asText());
                System.out.println("The next check resumes from " + checkpoint + ".");
            } else {
                System.out.println("The checkpoint " + checkpoint + " was left as it was: a check with findings "
                        + "gives none. Resolve the findings, then check the whole ledger with a new checkpoint file.");
            }
        }
        return findings == 0 ? 0 : 1;
    }

    private String request() {
        boolean months = month != null || from != null || to != null;
        if (months && checkpoint != null) {
            throw CliException.usage("--checkpoint resumes a check of the whole ledger: give it without --month, "
                    + "--from or --to");
        }
        if (month != null && (from != null || to != null)) {
            throw CliException.usage("Give either --month or --from (and --to), not both");
        }
        if (to != null && from == null) {
            throw CliException.usage("--to needs --from");
        }
        if (month != null) {
            return get("/transaction/verify?from=" + ReportCommand.month("--month", month));
        }
        if (from != null) {
            YearMonth first = ReportCommand.month("--from", from);
            YearMonth last = to == null ? first : ReportCommand.month("--to", to);
            if (last.isBefore(first)) {
                throw CliException.usage("--to must not be before --from. Found: --from " + first + " --to " + last);
            }
            return get("/transaction/verify?from=" + first + "&to=" + last);
        }
        if (checkpoint != null && Files.exists(checkpoint)) {
            return api().post("/transaction/verify/resume", read());
        }
        return get("/transaction/verify");
    }

    private String read() {
        try {
            return Files.readString(checkpoint, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.usage("The checkpoint file " + checkpoint + " cannot be read: " + e.getMessage());
        }
    }

    private void write(String text) {
        try {
            AtomicFiles.write(checkpoint, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CliException("The check was clean, but the checkpoint file " + checkpoint + " cannot be "
                    + "written: " + e.getMessage() + ". The next check with it resumes from the older checkpoint.");
        }
    }
}
