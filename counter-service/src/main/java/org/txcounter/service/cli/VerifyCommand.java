package org.txcounter.service.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** The ledger check, through the running service (admin only). Exit status 0 when intact, 1 otherwise. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check the ledger's MAC chains, monthly rollups and imported totals (admin), and list "
        + "the totals imported from MI. Exit 0 when intact, 1 when something was found.")
final class VerifyCommand extends ApiCommand {

    @Override
    public Integer call() {
        JsonNode answer = ApiClient.json(get("/transaction/verify"));
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
        System.out.println(findings == 0 ? "The ledger is intact: every chain and monthly rollup checks out."
                : findings + " finding(s).");
        return findings == 0 ? 0 : 1;
    }
}
