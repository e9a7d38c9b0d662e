package org.txcounter.service.api;

import java.time.Clock;
import java.util.List;
import org.txcounter.service.config.ManagementSecurity;
import org.txcounter.service.security.LoginThrottle;
import org.txcounter.service.security.PasswordChecks;
import org.txcounter.service.security.Tokens;
import org.txcounter.service.security.Users;

/**
 * The users, live bearer tokens and the failed-login throttle of one management API.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param users    who may log in
 * @param tokens   bearer tokens handed out by {@code /management/login}
 * @param throttle slows repeated failed logins
 */
public record ApiAccess(Users users, Tokens tokens, LoginThrottle throttle) {

    /** Access for {@code users}, with tokens valid for the configured lifetime. */
    public static ApiAccess of(List<ManagementSecurity.User> users, ManagementSecurity security, Clock clock) {
        return new ApiAccess(new Users(users, clock, PasswordChecks.forThisMachine()),
                new Tokens(security.tokenLifetime(), clock),
                new LoginThrottle(clock));
    }
}
