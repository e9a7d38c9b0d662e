package org.txcounter.service.api;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.txcounter.service.config.ManagementSecurity;
import org.txcounter.service.security.PasswordHashing;

/** An admin and a viewer for API tests; their hashes use few iterations so the tests stay fast. */
final class TestUsers {

    static final String ADMIN = "ops-admin";
    static final String ADMIN_PASSWORD = "correct horse battery staple";
    static final String VIEWER = "auditor";
    static final String VIEWER_PASSWORD = "viewer password 2026";
    private static final int FAST_ITERATIONS = 1_000;

    private TestUsers() {
    }

    static List<ManagementSecurity.User> users() {
        return List.of(
                new ManagementSecurity.User(ADMIN, PasswordHashing.hash(ADMIN_PASSWORD.toCharArray(), FAST_ITERATIONS),
                        ManagementSecurity.Role.ADMIN),
                new ManagementSecurity.User(VIEWER,
                        PasswordHashing.hash(VIEWER_PASSWORD.toCharArray(), FAST_ITERATIONS),
                        ManagementSecurity.Role.VIEWER));
    }

    static ApiAccess access(Clock clock) {
        return ApiAccess.of(users(), ManagementSecurity.defaults(), clock);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String admin() {
        return basic(ADMIN, ADMIN_PASSWORD);
    }

    static String viewer() {
        return basic(VIEWER, VIEWER_PASSWORD);
    }
}
