package org.txcounter.service.security;

import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.txcounter.service.config.ManagementSecurity;

/**
 * The users of the management API and the check of their passwords.
 *
 * <p>A password hash takes a good part of a second to check on purpose. So that scripts sending Basic credentials
 * on every call do not pay that each time, a successful check is remembered for {@link #REMEMBER} as an HMAC of
 * the name and password under a key that exists only in this process; nothing reversible is kept. An unknown user
 * costs the same hash as a known one, so timing does not tell which names exist. Every hash waits its turn in
 * {@link PasswordChecks}, so wrong passwords cannot take the machine's cores from everything else.
 *
 * <p>Thread-safe: the users are fixed at construction; the remembered checks are a concurrent map.
 */
public final class Users {

    static final Duration REMEMBER = Duration.ofMinutes(5);
    private static final int MAX_REMEMBERED = 10_000;

    private final Map<String, ManagementSecurity.User> byName = new LinkedHashMap<>();
    private final String decoyHash;
    private final Map<String, Remembered> verified = new ConcurrentHashMap<>();
    private final SecretKeySpec rememberKey;
    private final Clock clock;
    private final PasswordChecks checks;

    /** @param checks the gate every password hash goes through */
    public Users(List<ManagementSecurity.User> users, Clock clock, PasswordChecks checks) {
        this.checks = checks;
        for (ManagementSecurity.User user : users) {
            byName.put(user.name(), user);
        }
        this.clock = clock;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        rememberKey = new SecretKeySpec(key, "HmacSHA256");
        decoyHash = PasswordHashing.hash("decoy".toCharArray(), iterationsOfFirstUser());
    }

    private int iterationsOfFirstUser() {
        return byName.values().stream().findFirst()
                .map(user -> Integer.parseInt(user.passwordHash().split("\\$")[1]))
                .orElse(PasswordHashing.ITERATIONS);
    }

    /**
     * The user with this name and password, or empty. A check remembered from the last {@link #REMEMBER} costs no
     * hash; any other goes through {@link PasswordChecks}.
     *
     * @throws PasswordChecks.Busy when the hash would have to wait in a full line
     */
    public Optional<Principal> authenticate(String name, char[] password) {
        ManagementSecurity.User user = byName.get(name);
        String fingerprint = fingerprint(name, password);
        long now = clock.millis();
        Remembered remembered = verified.get(fingerprint);
        if (user != null && remembered != null && remembered.until() > now
                && remembered.passwordHash().equals(user.passwordHash())) {
            return Optional.of(new Principal(user.name(), user.role()));
        }
        String hash = user != null ? user.passwordHash() : decoyHash;
        boolean matches = checks.check(() -> PasswordHashing.matches(password, hash));
        if (user == null || !matches) {
            return Optional.empty();
        }
        if (verified.size() >= MAX_REMEMBERED) {
            verified.values().removeIf(entry -> entry.until() <= now);
            if (verified.size() >= MAX_REMEMBERED) {
                verified.clear();
            }
        }
        verified.put(fingerprint, new Remembered(user.passwordHash(), now + REMEMBER.toMillis()));
        return Optional.of(new Principal(user.name(), user.role()));
    }

    /** The configured user names. */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    private String fingerprint(String name, char[] password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(rememberKey);
            mac.update(name.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(StandardCharsets.UTF_8.encode(CharBuffer.wrap(password)));
            return Base64.getEncoder().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM cannot compute HmacSHA256", e);
        }
    }

    private record Remembered(String passwordHash, long until) {
    }
}
