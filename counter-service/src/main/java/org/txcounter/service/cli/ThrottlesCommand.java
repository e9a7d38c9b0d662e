package org.txcounter.service.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The failed-login throttles of the running service, and clearing them: how an administrator lets a user (or
 * another administrator) back in before the window ends. Needs an administrator's login that is not throttled
 * itself: another admin user, or the same one from another address.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "throttles", mixinStandardHelpOptions = true,
        description = "List the failed-login throttles, or clear those of an address (--clear ADDRESS) or all "
                + "(--clear-all).")
final class ThrottlesCommand extends ApiCommand {

    @Option(names = "--clear", paramLabel = "ADDRESS",
            description = "Clear the throttles of this client address (as listed), for every user name.")
    String clear;

    @Option(names = "--for-user", paramLabel = "NAME",
            description = "With --clear: only this user name's record of the address.")
    String user;

    @Option(names = "--clear-all", description = "Clear every throttle.")
    boolean clearAll;

    @Override
    public Integer call() {
        if (clear != null && clearAll) {
            throw CliException.usage("Give --clear ADDRESS or --clear-all, not both.");
        }
        if (user != null && clear == null) {
            throw CliException.usage("--for-user needs --clear ADDRESS: a user is throttled from an address.");
        }
        if (clear != null || clearAll) {
            String query = clear == null ? "" : "?address=" + encode(clear)
                    + (user == null ? "" : "&user=" + encode(user));
            JsonNode answer = ApiClient.json(api().post("/management/throttles/clear" + query));
            System.out.println("Cleared " + answer.path("cleared").asInt() + " throttle record(s).");
            return 0;
        }
        JsonNode answer = ApiClient.json(get("/management/throttles"));
        System.out.printf("%-40s %-24s %8s %6s %s%n", "ADDRESS", "USER", "FAILURES", "LIMIT", "REFUSED FOR");
        for (JsonNode row : answer.path("throttles")) {
            long seconds = row.path("retryAfterSeconds").asLong();
            System.out.printf("%-40s %-24s %8d %6d %s%n", row.path("address").asText(),
                    row.path("user").isNull() ? "(any)" : row.path("user").asText(), row.path("failures").asInt(),
                    row.path("limit").asInt(), seconds == 0 ? "-" : seconds + " s");
        }
        System.out.println("(failures are kept for " + answer.path("windowSeconds").asLong() + " s; clear with "
                + "--clear ADDRESS [--for-user NAME] or --clear-all)");
        return 0;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
