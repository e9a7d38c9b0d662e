package org.txcounter.service.api;

import io.javalin.http.Context;
import io.javalin.http.Header;
import io.javalin.security.RouteRole;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.txcounter.service.config.ManagementSecurity.Role;
import org.txcounter.service.logging.LogBudget;
import org.txcounter.service.security.LoginThrottle;
import org.txcounter.service.security.PasswordChecks;
import org.txcounter.service.security.Principal;

/**
 * Checks every matched request against its route's {@link Access}: HTTP Basic or a bearer token from
 * {@code /management/login}, then the role. Refusals are envelopes: 401 with a {@code WWW-Authenticate} challenge,
 * 403 for a viewer on an admin route, 429 with {@code Retry-After} while failed logins are throttled.
 *
 * <p>Thread-safe: one instance checks every request at once; it keeps nothing of its own but the users, tokens and
 * throttle, each thread-safe.
 */
final class Authentication {

    static final String PRINCIPAL = "txcounter.principal";
    private static final String BEARER_TOKEN = "txcounter.bearer";
    static final String REALM = "txcounter";
    private static final Logger LOG = LoggerFactory.getLogger(Authentication.class);
    /** Failed logins are an outside caller's doing: at most 10 lines a second. */
    private static final LogBudget FAILED_LOGINS = new LogBudget(10);
    private static final int MAX_CREDENTIALS = 1024;

    private final ApiAccess access;

    Authentication(ApiAccess access) {
        this.access = access;
    }

    /** The before-matched handler: passes, or throws the refusal. */
    void check(Context ctx) {
        Access rule = rule(ctx.routeRoles());
        if (rule == Access.PUBLIC) {
            return;
        }
        String header = ctx.header(Header.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            throw challenge(ctx, "unauthorized", "This endpoint needs credentials: HTTP Basic, or a bearer token "
                    + "from /management/login.");
        }
        String scheme = header.contains(" ") ? header.substring(0, header.indexOf(' ')) : header;
        String value = header.substring(scheme.length()).trim();
        Principal principal;
        if (scheme.equalsIgnoreCase("Basic")) {
            principal = basic(ctx, value);
        } else if (scheme.equalsIgnoreCase("Bearer") && rule != Access.LOGIN) {
            principal = access.tokens().resolve(value).orElseThrow(() -> {
                ctx.header(Header.WWW_AUTHENTICATE, "Bearer realm=\"" + REALM + "\", error=\"invalid_token\"");
                return new ApiException(401, "invalid_token", null, "The bearer token is unknown or expired. Get a "
                        + "new one from /management/login.");
            });
            ctx.attribute(BEARER_TOKEN, value);
        } else {
            throw challenge(ctx, "unauthorized", rule == Access.LOGIN
                    ? "/management/login takes HTTP Basic credentials."
                    : "Unsupported authorization scheme; use Basic or Bearer.");
        }
        if (rule == Access.ADMIN && principal.role() != Role.ADMIN) {
            LOG.warn("User {} (role {}) was refused {} {}: admin only.", principal.name(), principal.role().label(),
                    ctx.method(), ctx.path());
            throw new ApiException(403, "forbidden", null, "This endpoint is for administrators; user "
                    + principal.name() + " has the role " + principal.role().label() + ".");
        }
        ctx.attribute(PRINCIPAL, principal);
        MDC.put("user", principal.name());
    }

    private Principal basic(Context ctx, String encoded) {
        String client = ctx.ip();
        Optional<char[]> decoded = decode(encoded);
        if (decoded.isEmpty()) {
            refuseIfThrottled(ctx, access.throttle().attempt(client, null));
            throw challenge(ctx, "unauthorized", "The Basic credentials are not valid base64 of user:password.");
        }
        char[] credentials = decoded.get();
        try {
            int colon = indexOf(credentials, ':');
            if (colon <= 0) {
                refuseIfThrottled(ctx, access.throttle().attempt(client, null));
                throw challenge(ctx, "unauthorized", "The Basic credentials must be user:password.");
            }
            String user = new String(credentials, 0, colon);
            // Decided and counted before the hash, in one step: parallel guesses cannot all pass the check.
            LoginThrottle.Attempt attempt = access.throttle().attempt(client, user);
            refuseIfThrottled(ctx, attempt);
            char[] password = Arrays.copyOfRange(credentials, colon + 1, credentials.length);
            try {
                Optional<Principal> principal = access.users().authenticate(user, password);
                if (principal.isEmpty()) {
                    FAILED_LOGINS.warn(LOG, "Failed login for user {} from {}.", LogBudget.bounded(user, 64), client);
                    throw challenge(ctx, "unauthorized", "Unknown user or wrong password.");
                }
                attempt.succeeded();
                return principal.get();
            } catch (PasswordChecks.Busy busy) {
                attempt.released();
                ctx.header(Header.RETRY_AFTER, "1");
                throw new ApiException(429, "password_checks_busy", null, "The service is checking many passwords "
                        + "right now (" + busy.getMessage() + "); try again in 1 s.");
            } finally {
                Arrays.fill(password, '\0');
            }
        } finally {
            Arrays.fill(credentials, '\0');
        }
    }

    private static void refuseIfThrottled(Context ctx, LoginThrottle.Attempt attempt) {
        if (!attempt.allowed()) {
            long seconds = Math.max(1, (attempt.retryAfter().toMillis() + 999) / 1000);
            ctx.header(Header.RETRY_AFTER, String.valueOf(seconds));
            throw new ApiException(429, "too_many_failed_logins", null, "Too many failed logins from this "
                    + "address or for this user; try again in " + seconds + " s, or ask an administrator to clear "
                    + "the throttle (txcounter throttles --clear ADDRESS).");
        }
    }

    private static Optional<char[]> decode(String encoded) {
        if (encoded.isEmpty() || encoded.length() > MAX_CREDENTIALS) {
            return Optional.empty();
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            char[] result = new char[chars.remaining()];
            chars.get(result);
            return Optional.of(result);
        } catch (CharacterCodingException e) {
            return Optional.empty();
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static int indexOf(char[] chars, char wanted) {
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static ApiException challenge(Context ctx, String code, String message) {
        ctx.header(Header.WWW_AUTHENTICATE, "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        return new ApiException(401, code, null, message);
    }

    private static Access rule(Set<RouteRole> roles) {
        for (RouteRole role : roles) {
            if (role instanceof Access access) {
                return access;
            }
        }
        // A route registered without an access rule is closed to everyone but administrators.
        return Access.ADMIN;
    }

    /** The bearer token the request was authenticated with; empty when it used Basic. */
    static Optional<String> bearerToken(Context ctx) {
        return Optional.ofNullable(ctx.attribute(BEARER_TOKEN));
    }

    /** The principal of an authenticated request. */
    static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null) {
            throw new IllegalStateException("No authenticated user on " + ctx.method() + " " + ctx.path()
                    + ": the route is registered without an access rule");
        }
        return principal;
    }
}
