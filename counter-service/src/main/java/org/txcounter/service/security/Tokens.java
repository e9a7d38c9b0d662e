package org.txcounter.service.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens handed out by {@code /management/login}: 256 random bits, valid for the configured lifetime, kept
 * in memory only as their SHA-256 (a heap dump does not hand them out). A restart ends every session, as a logout
 * does.
 */
public final class Tokens {

    private static final int MAX_LIVE = 10_000;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Duration lifetime;
    private final Clock clock;

    public Tokens(Duration lifetime, Clock clock) {
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /** A new token for {@code principal}. */
    public String issue(Principal principal) {
        long now = clock.millis();
        if (sessions.size() >= MAX_LIVE) {
            sessions.values().removeIf(session -> session.expiresAt() <= now);
            if (sessions.size() >= MAX_LIVE) {
                // Still full of live tokens: drop the one closest to expiry rather than refuse to log in.
                sessions.entrySet().stream().min(Map.Entry.comparingByValue(
                        (a, b) -> Long.compare(a.expiresAt(), b.expiresAt())))
                        .ifPresent(oldest -> sessions.remove(oldest.getKey()));
            }
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        sessions.put(digest(token), new Session(principal, now + lifetime.toMillis()));
        return token;
    }

    /** Who the token belongs to, if it is known and not expired. */
    public Optional<Principal> resolve(String token) {
        String key = digest(token);
        Session session = sessions.get(key);
        if (session == null) {
            return Optional.empty();
        }
        if (session.expiresAt() <= clock.millis()) {
            sessions.remove(key);
            return Optional.empty();
        }
        return Optional.of(session.principal());
    }

    /** Ends the token's session; true if it was live. */
    public boolean revoke(String token) {
        return sessions.remove(digest(token)) != null;
    }

    /** How long a token is valid. */
    public Duration lifetime() {
        return lifetime;
    }

    private static String digest(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JVM cannot compute SHA-256", e);
        }
    }

    private record Session(Principal principal, long expiresAt) {
    }
}
