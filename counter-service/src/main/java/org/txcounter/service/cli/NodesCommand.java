package org.txcounter.service.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/**
 * Each node and where its writing stands.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "nodes", mixinStandardHelpOptions = true,
        description = "List the nodes, their last flush, and which are silent.")
final class NodesCommand extends ApiCommand {

    @Override
    public Integer call() {
        JsonNode answer = ApiClient.json(get("/transaction/nodes"));
        System.out.printf("%-32s %-10s %8s  %-24s %s%n", "NODE", "STATE", "LAST SEQ", "LAST FLUSH",
                "LAST INTERVAL END");
        for (JsonNode node : answer.path("nodes")) {
            System.out.printf("%-32s %-10s %8d  %-24s %s%n", node.path("nodeId").asText(),
                    node.path("state").asText(), node.path("lastSeq").asLong(), text(node.path("lastFlushAt")),
                    text(node.path("lastIntervalEnd")));
        }
        System.out.println("(silent: no flush or idle report for " + answer.path("silentAfterSeconds").asLong()
                + " s; its intervals are missing, not empty)");
        return 0;
    }

    private static String text(JsonNode value) {
        return value.isNull() || value.isMissingNode() ? "-" : value.asText();
    }
}
