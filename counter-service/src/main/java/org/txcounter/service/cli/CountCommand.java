package org.txcounter.service.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The count of one month from the running service.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "count", mixinStandardHelpOptions = true,
        description = "Print the transaction count of a month (default: the current month).")
final class CountCommand extends ApiCommand {

    @Option(names = "--year", description = "Four-digit year; with --month.")
    Integer year;

    @Option(names = "--month", description = "Month 1 to 12; with --year.")
    Integer month;

    @Option(names = "--format", defaultValue = "text", description = "text or json. Default: ${DEFAULT-VALUE}")
    String format;

    @Override
    public Integer call() {
        if ((year == null) != (month == null)) {
            throw CliException.usage("Give --year and --month together, or neither for the current month.");
        }
        if (!format.equals("text") && !format.equals("json")) {
            throw CliException.usage("--format must be text or json. Found: " + format);
        }
        String query = year == null ? "" : "?year=" + year + "&month=" + month;
        String body = get("/transaction/count" + query);
        if (format.equals("json")) {
            System.out.println(body);
            return 0;
        }
        JsonNode count = ApiClient.json(body);
        JsonNode unflushed = count.path("unflushed");
        long pending = unflushed.path("total").asLong(0);
        // A month imported from MI's own counter is part of the month's total, as in the report and statements.
        long imported = count.path("imported").asLong(0);
        System.out.printf("%d-%02d (%s): %d transactions%n", count.path("year").asInt(), count.path("month").asInt(),
                count.path("timeZone").asText(), count.path("total").asLong() + pending + imported);
        StringBuilder transports = new StringBuilder();
        count.path("byTransport").properties().forEach(entry -> transports.append(transports.isEmpty() ? "" : ", ")
                .append(entry.getKey()).append(' ').append(entry.getValue().asLong()));
        System.out.printf("  written: %d (%s) by %d node(s)%n", count.path("total").asLong(), transports,
                count.path("nodes").asInt());
        if (imported > 0) {
            System.out.printf("  imported from MI's counter (import-mi): %d%n", imported);
        }
        if (!unflushed.isMissingNode() && !unflushed.isNull()) {
            System.out.printf("  not yet written on node %s: %d%n", unflushed.path("nodeId").asText(), pending);
        }
        JsonNode forecast = count.path("forecast");
        if (!forecast.isMissingNode() && !forecast.isNull()) {
            System.out.printf("  forecast for the month's end: %d (%s)%n", forecast.path("projectedTotal").asLong(),
                    forecast.path("model").asText());
        }
        return 0;
    }
}
