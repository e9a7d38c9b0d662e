package org.txcounter.service.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/**
 * Acknowledges, on the running service, that it started without a journal after it had counted: the warning stays
 * in the log, and {@code /health/ready} stops showing {@code checks.journalGap}.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "acknowledge-gap", mixinStandardHelpOptions = true,
        description = "Acknowledge that the running node started without a journal after it had counted (the "
                + "journalGap readiness detail); needs an administrator's login.")
final class AcknowledgeGapCommand extends ApiCommand {

    @Override
    public Integer call() {
        JsonNode answer = ApiClient.json(api().post("/management/journal-gap/acknowledge"));
        if (answer.path("acknowledged").asBoolean()) {
            System.out.println("Acknowledged: " + answer.path("journalGap").asText());
        } else {
            System.out.println("Nothing to acknowledge: this node did not start without a journal, or it was "
                    + "acknowledged already.");
        }
        return 0;
    }
}
