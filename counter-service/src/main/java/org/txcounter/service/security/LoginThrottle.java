package org.txcounter.service.security;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after {@link #MAX_FAILURES} failed logins within {@link #WINDOW} from one client
 * address, or for one user name, further attempts from it or for it are refused until the oldest failure leaves
 * the window. A successful login clears the client's and the user's record.
 */
public final class LoginThrottle {

    public static final int MAX_FAILURES = 5;
    public static final Duration WINDOW = Duration.ofMinutes(15);
    private static final int MAX_TRACKED = 100_000;

    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();
    private final Clock clock;

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /**
     * How long the client or the user must wait before the next attempt, or {@link Duration#ZERO} when an attempt
     * may go ahead.
     */
    public Duration retryAfter(String clientAddress, String userName) {
        long now = clock.millis();
        long wait = Math.max(wait("ip:" + clientAddress, now), userName == null ? 0 : wait("user:" + userName, now));
        return Duration.ofMillis(wait);
    }

    /** Records a failed attempt. */
    public void failed(String clientAddress, String userName) {
        long now = clock.millis();
        if (failures.size() >= MAX_TRACKED) {
            failures.values().removeIf(attempts -> {
                synchronized (attempts) {
                    return attempts.isEmpty() || attempts.peekLast() <= now - WINDOW.toMillis();
                }
            });
        }
        record("ip:" + clientAddress, now);
        if (userName != null) {
            record("user:" + userName, now);
        }
    }

    /** Records a successful login: the client and the user start afresh. */
    public void succeeded(String clientAddress, String userName) {
        failures.remove("ip:" + clientAddress);
        failures.remove("user:" + userName);
    }

    private void record(String key, long now) {
        Deque<Long> attempts = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (attempts) {
            prune(attempts, now);
            attempts.addLast(now);
            while (attempts.size() > MAX_FAILURES) {
                attempts.removeFirst();
            }
        }
    }

    private long wait(String key, long now) {
        Deque<Long> attempts = failures.get(key);
        if (attempts == null) {
            return 0;
        }
        synchronized (attempts) {
            prune(attempts, now);
            if (attempts.size() < MAX_FAILURES) {
                return 0;
            }
            return attempts.peekFirst() + WINDOW.toMillis() - now;
        }
    }

    private static void prune(Deque<Long> attempts, long now) {
        while (!attempts.isEmpty() && attempts.peekFirst() <= now - WINDOW.toMillis()) {
            attempts.removeFirst();
        }
    }
}
