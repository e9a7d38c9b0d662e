package org.txcounter.service.api;

import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.TransactionCounter;
import org.txcounter.service.config.ManagementSecurity.Role;
import org.txcounter.service.security.LoginThrottle;
import org.txcounter.service.security.Principal;

/**
 * Who is asking and the administrator's actions of the management API: {@code /user}, the failed-login throttles
 * and clearing them ({@code /management/throttles}), and acknowledging a start without a journal
 * ({@code /management/journal-gap/acknowledge}). Every action is logged with the user who took it.
 *
 * <p>Thread-safe: it holds only the counter and the API's access, themselves thread-safe.
 */
final class AdminRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(AdminRoutes.class);

    private final TransactionCounter counter;
    private final ApiAccess access;

    AdminRoutes(TransactionCounter counter, ApiAccess access) {
        this.counter = counter;
        this.access = access;
    }

    /** Who the request was authenticated as, and what that role may do: for clients that adapt to it. */
    static void user(Context ctx) {
        Principal principal = Authentication.principal(ctx);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", principal.name());
        body.put("role", principal.role().label());
        body.put("admin", principal.role() == Role.ADMIN);
        ctx.json(body);
    }

    /** The failed-login throttles, for the administrator helping a locked-out user. */
    void throttles(Context ctx) {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (LoginThrottle.Entry entry : access.throttle().entries()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("address", entry.address());
            row.put("user", entry.user());
            row.put("failures", entry.failures());
            row.put("limit", entry.limit());
            row.put("retryAfterSeconds", (entry.retryAfter().toMillis() + 999) / 1000);
            entries.add(row);
        }
        ctx.json(Map.of("windowSeconds", LoginThrottle.WINDOW.toSeconds(), "throttles", entries));
    }

    /** Clears the throttles of one address (all its names, or {@code user}'s), or all of them. */
    void clearThrottles(Context ctx) {
        Optional<String> address = QueryParameters.single(ctx, "address");
        Optional<String> user = QueryParameters.single(ctx, "user");
        if (user.isPresent() && address.isEmpty()) {
            throw new ApiException(400, "bad_request", "user", "user needs the address it is throttled from.");
        }
        int cleared = access.throttle().clear(address.orElse(null), user.orElse(null));
        LOG.warn("User {} cleared {} login throttle record(s) of {}{}.", Authentication.principal(ctx).name(),
                cleared, address.map(QueryParameters::echo).orElse("every address"),
                user.map(name -> " for user " + QueryParameters.echo(name)).orElse(""));
        ctx.json(Map.of("cleared", cleared));
    }

    /** Ends readiness's report of a start without a journal, once an operator has looked into it. */
    void acknowledgeJournalGap(Context ctx) {
        Optional<String> gap = counter.acknowledgeJournalGap();
        gap.ifPresent(acknowledged -> LOG.warn("User {} acknowledged: {}", Authentication.principal(ctx).name(),
                acknowledged));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("acknowledged", gap.isPresent());
        body.put("journalGap", gap.orElse(null));
        ctx.json(body);
    }
}
