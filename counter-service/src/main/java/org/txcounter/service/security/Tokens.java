package org.txcounter.service.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens handed out by {@code /management/login}: 256 random bits, valid for the configured lifetime, kept
 * in memory only as their SHA-256 (a heap dump does not hand them out). A restart ends every session, as a logout
 * does.
 *
 * <p>Each user holds at most {@value #MAX_PER_USER} live tokens; a login beyond that ends that same user's oldest
 * session, never another user's. Users are configured, so memory is bounded by users × {@value #MAX_PER_USER}.
 *
 * <p>Thread safety: safe for any number of request threads. Sessions are in a concurrent map; each user's list of
 * sessions is guarded by its own monitor while a token is issued.
 */
public final class Tokens {

    /** Live tokens per user; the oldest goes when a login would exceed it. */
    public static final int MAX_PER_USER = 100;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** Each user's token digests, oldest first; may still list revoked or expired ones until the next login. */
    private final Map<String, Deque<String>> byUser = new ConcurrentHashMap<>();
    private final Duration lifetime;
    private final Clock clock;

    public Tokens(Duration lifetime, Clock clock) {
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /** A new token for {@code principal}. */
    public String issue(Principal principal) {
        long now = clock.millis();
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String key = digest(token);
        Deque<String> own = byUser.computeIfAbsent(principal.name(), name -> new ArrayDeque<>());
        synchronized (own) {
            own.removeIf(digest -> {
                Session session = sessions.get(digest);
                if (session != null && session.expiresAt() <= now) {
                    sessions.remove(digest);
                    return true;
                }
                return session == null;
            });
            while (own.size() >= MAX_PER_USER) {
                sessions.remove(own.removeFirst());
            }
            sessions.put(key, new Session(principal, now + lifetime.toMillis()));
            own.addLast(key);
        }
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
