package org.txcounter.service.security;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
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
 * <p>The decision is taken before the password is checked, and reserves its place: {@link #attempt} counts the
 * attempt as a failure at once, in the same step as the check of both limits, and {@link Attempt#succeeded()} takes
 * it back. So parallel attempts cannot all pass the check before any of them is recorded: of 64 wrong passwords
 * sent at once for one name from one address, {@value #MAX_USER_FAILURES} are checked and the rest refused.
 *
 * <p>An administrator lists the records ({@link #entries()}) and clears them ({@link #clear}) through
 * {@code /management/throttles} or {@code txcounter throttles}.
 *
 * <p>Memory: at most {@value #MAX_TRACKED} records of at most {@value #MAX_ADDRESS_FAILURES} timestamps each; when
 * full, records whose failures all left the window are dropped.
 *
 * <p>Thread safety: safe for any number of request threads. Each record is guarded by its own monitor, held only
 * for a few list operations; an attempt holds its address's record and then its user's, always in that order.
 */
public final class LoginThrottle {

    /** Failures per client address and user name within the window before that pair is refused. */
    public static final int MAX_USER_FAILURES = 5;
    /** Failures per client address, for any names, within the window before the address is refused. */
    public static final int MAX_ADDRESS_FAILURES = 20;
    public static final Duration WINDOW = Duration.ofMinutes(15);
    private static final int MAX_TRACKED = 100_000;
    private static final String ADDRESS = "ip:";
    private static final String USER = "user:";

    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();
    private final Clock clock;

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /**
     * Decides whether the client may try a password for {@code userName} now ({@code null}: the credentials named
     * none) and, if it may, counts the attempt as failed until {@link Attempt#succeeded()} says otherwise.
     */
    public Attempt attempt(String clientAddress, String userName) {
        long now = clock.millis();
        if (failures.size() >= MAX_TRACKED) {
            failures.values().removeIf(attempts -> {
                synchronized (attempts) {
                    return attempts.isEmpty() || attempts.peekLast() <= now - WINDOW.toMillis();
                }
            });
        }
        String client = client(clientAddress);
        Deque<Long> byAddress = failures.computeIfAbsent(addressKey(client), k -> new ArrayDeque<>());
        Deque<Long> byUser = userName == null ? null
                : failures.computeIfAbsent(userKey(client, userName), k -> new ArrayDeque<>());
        synchronized (byAddress) {
            long wait = wait(byAddress, MAX_ADDRESS_FAILURES, now);
            if (byUser == null) {
                if (wait > 0) {
                    return new Attempt(this, client, userName, Duration.ofMillis(wait), now);
                }
                byAddress.addLast(now);
                return new Attempt(this, client, null, Duration.ZERO, now);
            }
            synchronized (byUser) {
                wait = Math.max(wait, wait(byUser, MAX_USER_FAILURES, now));
                if (wait > 0) {
                    return new Attempt(this, client, userName, Duration.ofMillis(wait), now);
                }
                byAddress.addLast(now);
                byUser.addLast(now);
            }
        }
        return new Attempt(this, client, userName, Duration.ZERO, now);
    }

    /** What throttles now: each record with failures in the window, oldest first within each kind. */
    public List<Entry> entries() {
        long now = clock.millis();
        List<Entry> entries = new ArrayList<>();
        failures.forEach((key, attempts) -> {
            int count;
            long wait;
            synchronized (attempts) {
                prune(attempts, now);
                count = attempts.size();
                boolean address = key.startsWith(ADDRESS);
                wait = wait(attempts, address ? MAX_ADDRESS_FAILURES : MAX_USER_FAILURES, now);
            }
            if (count == 0) {
                return;
            }
            if (key.startsWith(ADDRESS)) {
                entries.add(new Entry(key.substring(ADDRESS.length()), null, count, MAX_ADDRESS_FAILURES,
                        Duration.ofMillis(wait)));
            } else {
                String rest = key.substring(USER.length());
                int space = rest.indexOf(' ');
                entries.add(new Entry(rest.substring(0, space), rest.substring(space + 1), count, MAX_USER_FAILURES,
                        Duration.ofMillis(wait)));
            }
        });
        entries.sort(Comparator.comparing(Entry::address).thenComparing(entry -> entry.user() == null ? ""
                : entry.user()));
        return entries;
    }

    /**
     * Forgets the failures of {@code clientAddress} (as {@link #entries()} shows it, or as a client connects), for
     * every name, or for {@code userName} only when given; {@code clientAddress} {@code null} forgets all.
     *
     * @return how many records were removed
     */
    public int clear(String clientAddress, String userName) {
        if (clientAddress == null) {
            int removed = failures.size();
            failures.clear();
            return removed;
        }
        String client = clientAddress.endsWith("/64") ? clientAddress : client(clientAddress);
        if (userName != null) {
            return failures.remove(userKey(client, userName)) == null ? 0 : 1;
        }
        int[] removed = {0};
        failures.keySet().removeIf(key -> {
            boolean match = key.equals(addressKey(client)) || key.startsWith(USER + client + " ");
            if (match) {
                removed[0]++;
            }
            return match;
        });
        return removed[0];
    }

    private void succeeded(String client, String userName, long reservedAt) {
        if (userName != null) {
            failures.remove(userKey(client, userName));
        }
        Deque<Long> byAddress = failures.get(addressKey(client));
        if (byAddress != null) {
            synchronized (byAddress) {
                byAddress.removeLastOccurrence(reservedAt);
            }
        }
    }

    private void released(String client, String userName, long reservedAt) {
        for (String key : userName == null ? List.of(addressKey(client))
                : List.of(addressKey(client), userKey(client, userName))) {
            Deque<Long> attempts = failures.get(key);
            if (attempts != null) {
                synchronized (attempts) {
                    attempts.removeLastOccurrence(reservedAt);
                }
            }
        }
    }

    private static String addressKey(String client) {
        return ADDRESS + client;
    }

    private static String userKey(String client, String userName) {
        return USER + client + " " + userName;
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

    /** Under the record's monitor: how long until the record allows another attempt. */
    private static long wait(Deque<Long> attempts, int limit, long now) {
        prune(attempts, now);
        while (attempts.size() > limit) {
            attempts.removeFirst();
        }
        if (attempts.size() < limit) {
            return 0;
        }
        return attempts.peekFirst() + WINDOW.toMillis() - now;
    }

    private static void prune(Deque<Long> attempts, long now) {
        while (!attempts.isEmpty() && attempts.peekFirst() <= now - WINDOW.toMillis()) {
            attempts.removeFirst();
        }
    }

    /**
     * One throttle record: failures from {@code address} ({@code user} null: for any name), the limit, and how long
     * the address (or the pair) is still refused ({@link Duration#ZERO}: not refused).
     */
    public record Entry(String address, String user, int failures, int limit, Duration retryAfter) {
    }

    /**
     * The outcome of {@link #attempt}: refused for {@link #retryAfter()}, or allowed and counted as failed until
     * {@link #succeeded()} or {@link #released()}. Used by the request thread that made it.
     */
    public static final class Attempt {
        private final LoginThrottle owner;
        private final String client;
        private final String userName;
        private final Duration retryAfter;
        private final long reservedAt;

        private Attempt(LoginThrottle owner, String client, String userName, Duration retryAfter, long reservedAt) {
            this.owner = owner;
            this.client = client;
            this.userName = userName;
            this.retryAfter = retryAfter;
            this.reservedAt = reservedAt;
        }

        /** Whether the password may be checked. */
        public boolean allowed() {
            return retryAfter.isZero();
        }

        /** How long the client must wait; zero when {@link #allowed()}. */
        public Duration retryAfter() {
            return retryAfter;
        }

        /** The password was right: the user starts afresh from this address, and the attempt is no failure. */
        public void succeeded() {
            if (allowed()) {
                owner.succeeded(client, userName, reservedAt);
            }
        }

        /** The password was not checked after all (the checks were busy): the attempt is no failure. */
        public void released() {
            if (allowed()) {
                owner.released(client, userName, reservedAt);
            }
        }
    }
}
