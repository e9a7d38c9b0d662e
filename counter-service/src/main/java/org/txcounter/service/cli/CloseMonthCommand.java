package org.txcounter.service.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.YearMonth;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Closes a billing month on the running service and issues its signed statement (admin).
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "close-month", mixinStandardHelpOptions = true,
        description = "Close a billing month and issue its signed statement (admin). Refused, naming the nodes, "
                + "while a node that reported in the month has not reported past its end and the grace period runs.")
final class CloseMonthCommand extends ApiCommand {

    @Option(names = "--month", required = true, paramLabel = "YYYY-MM", description = "The month to close.")
    String month;

    @Override
    public Integer call() {
        YearMonth closing = ReportCommand.month("--month", month);
        JsonNode closed = ApiClient.json(api().post("/transaction/close-month?month=" + closing));
        System.out.println("Closed " + closed.path("month").asText() + " at " + closed.path("closedAt").asText()
                + " as " + closed.path("closedBy").asText() + ". Download its statement with: java -jar txcounter.jar "
                + "statement --month " + closing + " [--format json|csv|pdf]");
        return 0;
    }
}
