package org.txcounter.service.security;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing without handing an attacker a way to lock others out. Two records, each a sliding
 * {@link #WINDOW}:
 * <ul>
 *   <li>per client address and user name: after {@link #MAX_USER_FAILURES} failures the pair is refused until the
 *       oldest failure leaves the window. A successful login of that user from that address clears it;</li>
 *   <li>per client address, whatever the names: after {@link #MAX_ADDRESS_FAILURES} failures the address is refused
 *       for every name. Nothing clears it but time, so a valid login of an account the attacker owns does not buy
 *       more guesses.</li>
 * </ul>
 * There is no record per user name alone: failures from one address never refuse the right password from another
 * address. IPv6 clients are counted per /64, the block one host usually controls.
 *
 * <p>Memory: at most {@value #MAX_TRACKED} records of at most {@value #MAX_ADDRESS_FAILURES} timestamps each; when
 * full, records whose failures all left the window are dropped.
 *
 * <p>Thread safety: safe for any number of request threads; each record is guarded by its own monitor, held only
 * for a few list operations.
 */
public final class LoginThrottle {

    /** Failures per client address and user name within the window before that pair is refused. */
    public static final int MAX_USER_FAILURES = 5;
    /** Failures per client address, for any names, within the window before the address is refused. */
    public static final int MAX_ADDRESS_FAILURES = 20;
    public static final Duration WINDOW = Duration.ofMinutes(15);
    private static final int MAX_TRACKED = 100_000;

    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();
    private final Clock clock;

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /**
     * How long the client must wait before its next attempt for {@code userName}, or {@link Duration#ZERO} when the
     * attempt may go ahead.
     */
    public Duration retryAfter(String clientAddress, String userName) {
        long now = clock.millis();
        String client = client(clientAddress);
        long wait = wait(addressKey(client), MAX_ADDRESS_FAILURES, now);
        if (userName != null) {
            wait = Math.max(wait, wait(userKey(client, userName), MAX_USER_FAILURES, now));
        }
        return Duration.ofMillis(wait);
    }

    /** Records a failed attempt; {@code userName} is null when the credentials named none. */
    public void failed(String clientAddress, String userName) {
        long now = clock.millis();
        if (failures.size() >= MAX_TRACKED) {
            failures.values().removeIf(attempts -> {
                synchronized (attempts) {
                    return attempts.isEmpty() || attempts.peekLast() <= now - WINDOW.toMillis();
                }
            });
        }
        String client = client(clientAddress);
        record(addressKey(client), MAX_ADDRESS_FAILURES, now);
        if (userName != null) {
            record(userKey(client, userName), MAX_USER_FAILURES, now);
        }
    }

    /** Records a successful login: that user starts afresh from that address; the address's record stays. */
    public void succeeded(String clientAddress, String userName) {
        failures.remove(userKey(client(clientAddress), userName));
    }

    private static String addressKey(String client) {
        return "ip:" + client;
    }

    private static String userKey(String client, String userName) {
        return "user:" + client + " " + userName;
    }

    /** The address as counted: IPv4 as is, IPv6 reduced to its /64. */
    private static String client(String address) {
        if (address.indexOf(':') < 0) {
            return address;
        }
        try {
            InetAddress parsed = InetAddress.getByName(address);
            if (parsed instanceof Inet6Address) {
                byte[] bytes = parsed.getAddress();
                for (int i = 8; i < bytes.length; i++) {
                    bytes[i] = 0;
                }
                return InetAddress.getByAddress(bytes).getHostAddress() + "/64";
            }
            return parsed.getHostAddress();
        } catch (UnknownHostException e) {
            return address;
        }
    }

    private void record(String key, int limit, long now) {
        Deque<Long> attempts = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (attempts) {
            prune(attempts, now);
            attempts.addLast(now);
            while (attempts.size() > limit) {
                attempts.removeFirst();
            }
        }
    }

    private long wait(String key, int limit, long now) {
        Deque<Long> attempts = failures.get(key);
        if (attempts == null) {
            return 0;
        }
        synchronized (attempts) {
            prune(attempts, now);
            if (attempts.size() < limit) {
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
