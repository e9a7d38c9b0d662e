package org.txcounter.core.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.txcounter.core.DayCount;
import org.txcounter.core.MonthCount;
import org.txcounter.core.NodeStatus;
import org.txcounter.core.ReportRow;

/**
 * The store's reads that the management API makes on every request (a month's rollup, the months of a report, a
 * month's daily totals, the ledger anchors, the imported months and the nodes) answered from memory, and asked of
 * the database again only after something they return was written.
 *
 * <pre>{@code
 * ReadCache reads = new ReadCache(store, clock, zone, reader);   // reader: the counter's reader threads
 * MonthCount written = reads.count(month, Duration.ofMillis(300));
 * }</pre>
 *
 * <p>What an answer reflects:
 * <ul>
 *   <li>a write through this store (this node's intervals and idle intervals, its registration, an import it made):
 *       every read that starts after the write returned (or failed) sees it, exactly as the database would answer;
 *   </li>
 *   <li>a write by another process on the same database (another node, a reporting instance's neighbours,
 *       {@code import-mi}): seen by every read that starts {@link #OTHER_WRITERS_CHECKED_EVERY} or more after it was
 *       committed, by the clock the cache is given. Until then a read may answer as the database did before that
 *       write. Before answering from memory the cache reads {@link CounterStore#changeMarker()} when it last did
 *       {@value #CHECK_MILLIS} ms ago or more (or the clock went back), and keeps what it holds when the marker is
 *       unchanged: one small query a second, whatever the request rate.</li>
 * </ul>
 * Closing a month changes none of these reads (its rollup stays; a late interval is an adjustment written with
 * its node's interval) and is not looked for.
 *
 * <p>Thread-safe, for many request threads at once. What it holds is a chain of immutable views, the current one
 * behind an atomic reference, each with a concurrent map of parts. No lock is held while the database is asked:
 * the first request that misses a part (or finds the view due for a check) puts a future in its place and reads on
 * the counter's reader threads; requests that miss the same part meanwhile wait for that future, at most their own
 * wait, so a burst of misses makes one database read, not one per request. What it holds is unmodifiable:
 * the lists of {@link #daily} and {@link #nodes} are shared by every request that reads them.
 */
public final class ReadCache {

    static final long CHECK_MILLIS = 1_000;
    static final int MAX_DERIVED = 64;
    /** How long answers go at most without looking for another process's writes. */
    public static final Duration OTHER_WRITERS_CHECKED_EVERY = Duration.ofMillis(CHECK_MILLIS);
    private static final YearMonth FIRST = YearMonth.of(1, 1);
    private static final YearMonth LAST = YearMonth.of(9999, 12);

    /** Runs one query of the store, waiting for its answer at most {@code wait}. */
    public interface Reader {
        <T> T read(String what, Supplier<T> query, Duration wait);
    }

    private final CounterStore store;
    private final Clock clock;
    private final ZoneId billingZone;
    private final Reader reader;
    private final AtomicReference<View> current = new AtomicReference<>();
    private final AtomicReference<Check> checking = new AtomicReference<>();
    private final AtomicLong checks = new AtomicLong();

    /** What one check of the marker holds: valid while nothing is written and not yet due for another check. */
    private record View(long sequence, long writes, Instant checkedAt, ChangeMarker marker,
            ConcurrentMap<Part, CompletableFuture<Object>> parts, AtomicInteger derived) {

        boolean answersFor(long writesNow, Instant now) {
            return writes == writesNow && !now.isBefore(checkedAt) && now.isBefore(checkedAt.plus(
                    OTHER_WRITERS_CHECKED_EVERY));
        }
    }

    /** A check of the marker under way, begun when the store had made {@code writes} writes. */
    private record Check(long writes, CompletableFuture<View> result) {
    }

    /** One read's answer within a view: which read, and for which month (null for the whole table). */
    private record Part(String kind, YearMonth month) {
    }

    /**
     * @param clock       decides when another process's writes are looked for; the counter's clock
     * @param billingZone the zone of {@link #daily}'s days
     * @param reader      asks the database (the counter's reader threads, with their timeouts)
     */
    public ReadCache(CounterStore store, Clock clock, ZoneId billingZone, Reader reader) {
        this.store = store;
        this.clock = clock;
        this.billingZone = billingZone;
        this.reader = reader;
    }

    /** {@link CounterStore#count}; each database read it must make (or wait for) waits at most {@code wait}. */
    public MonthCount count(YearMonth month, Duration wait) {
        return CounterStore.countOf(month, report(month, month, wait));
    }

    /** {@link CounterStore#report}, month by month from memory; the months not held are read in one query. */
    public List<ReportRow> report(YearMonth from, YearMonth to, Duration wait) {
        return months("rollup", "the report " + from + " to " + to, from, to, store::report, ReportRow::month,
                wait);
    }

    /** {@link CounterStore#anchors}, month by month from memory; the months not held are read in one query. */
    public List<LedgerAnchor> anchors(YearMonth from, YearMonth to, Duration wait) {
        return months("anchors", "the ledger anchors " + from + " to " + to, from, to, store::anchors,
                LedgerAnchor::month, wait);
    }

    /** {@link CounterStore#daily} in the billing zone. */
    public List<DayCount> daily(YearMonth month, Duration wait) {
        String what = "the daily totals of " + month;
        return part(view(wait, what), new Part("daily", month), what,
                () -> reader.read(what, () -> List.copyOf(store.daily(month, billingZone)), wait), wait);
    }

    /** {@link CounterStore#imported}: every imported month is held, and the range taken from them. */
    public List<ImportedMonth> imported(YearMonth from, YearMonth to, Duration wait) {
        String what = "the imported totals " + from + " to " + to;
        List<ImportedMonth> all = part(view(wait, what), new Part("imported", null), what,
                () -> reader.read(what, () -> List.copyOf(store.imported(FIRST, LAST)), wait), wait);
        return all.stream().filter(month -> !month.month().isBefore(from) && !month.month().isAfter(to)).toList();
    }

    /** {@link CounterStore#nodes}: the node rows of the last check of the marker. */
    public List<NodeStatus> nodes(Duration wait) {
        return view(wait, "the nodes").marker().nodes();
    }

    /**
     * What {@code compute} makes of this cache's reads (a rendered report, say), held with them and made again only
     * once what they hold may have changed. {@code compute} runs on the calling thread and must take everything it
     * depends on from this cache's reads; requests for the same {@code key} meanwhile wait for it, at most
     * {@code wait}. Up to {@value #MAX_DERIVED} values are held at a time; beyond that each is made and not held.
     */
    public <T> T derived(String key, Duration wait, Supplier<T> compute) {
        String what = "the answer " + key;
        View view = view(wait, what);
        Part part = new Part("derived " + key, null);
        if (!view.parts().containsKey(part) && view.derived().get() >= MAX_DERIVED) {
            return compute.get();
        }
        return part(view, part, what, () -> {
            view.derived().incrementAndGet();
            try {
                return compute.get();
            } catch (RuntimeException e) {
                view.derived().decrementAndGet();
                throw e;
            }
        }, wait);
    }

    /** Months {@code from} to {@code to} of one kind of read, each month held apart. */
    private <T> List<T> months(String kind, String what, YearMonth from, YearMonth to,
            BiFunction<YearMonth, YearMonth, List<T>> query, Function<T, YearMonth> monthOf, Duration wait) {
        View view = view(wait, what);
        List<CompletableFuture<Object>> parts = new ArrayList<>();
        Map<YearMonth, CompletableFuture<Object>> mine = new HashMap<>();
        YearMonth firstMine = null;
        YearMonth lastMine = null;
        for (YearMonth month = from; !month.isAfter(to); month = month.plusMonths(1)) {
            Part key = new Part(kind, month);
            CompletableFuture<Object> held = view.parts().get(key);
            if (held == null) {
                CompletableFuture<Object> claimed = new CompletableFuture<>();
                held = view.parts().putIfAbsent(key, claimed);
                if (held == null) {
                    held = claimed;
                    mine.put(month, claimed);
                    firstMine = firstMine == null ? month : firstMine;
                    lastMine = month;
                }
            }
            parts.add(held);
        }
        if (!mine.isEmpty()) {
            YearMonth start = firstMine;
            YearMonth end = lastMine;
            try {
                Map<YearMonth, List<T>> byMonth = new HashMap<>();
                for (T row : reader.read(what, () -> query.apply(start, end), wait)) {
                    byMonth.computeIfAbsent(monthOf.apply(row), month -> new ArrayList<>()).add(row);
                }
                mine.forEach((month, part) -> part.complete(List.copyOf(byMonth.getOrDefault(month, List.of()))));
            } catch (RuntimeException e) {
                mine.forEach((month, part) -> {
                    view.parts().remove(new Part(kind, month), part);
                    part.completeExceptionally(e);
                });
                throw e;
            }
        }
        List<T> rows = new ArrayList<>();
        for (CompletableFuture<Object> part : parts) {
            @SuppressWarnings("unchecked")
            List<T> month = (List<T>) await(part, wait, what);
            rows.addAll(month);
        }
        return rows;
    }

    /**
     * One part of {@code view}: held, being made by another request (then awaited), or made now by {@code make} on
     * this thread (a read of the database goes through the reader inside it).
     */
    @SuppressWarnings("unchecked")
    private <T> T part(View view, Part key, String what, Supplier<T> make, Duration wait) {
        CompletableFuture<Object> held = view.parts().get(key);
        if (held == null) {
            CompletableFuture<Object> claimed = new CompletableFuture<>();
            held = view.parts().putIfAbsent(key, claimed);
            if (held == null) {
                try {
                    T value = make.get();
                    claimed.complete(value);
                    return value;
                } catch (RuntimeException e) {
                    view.parts().remove(key, claimed);
                    claimed.completeExceptionally(e);
                    throw e;
                }
            }
        }
        return (T) await(held, wait, what);
    }

    /**
     * The view to answer from now: the current one while this store wrote nothing since and its check is recent;
     * else the outcome of a check of the marker, which keeps the parts held when the marker did not change.
     */
    private View view(Duration wait, String what) {
        while (true) {
            long writes = store.writes();
            Instant now = clock.instant();
            View known = current.get();
            if (known != null && known.answersFor(writes, now)) {
                return known;
            }
            Check running = checking.get();
            if (running != null && running.writes() == writes) {
                // Begun after this store's latest write: its marker shows that write.
                View checked = await(running.result(), wait, what);
                if (checked.answersFor(store.writes(), clock.instant())) {
                    return checked;
                }
                continue;
            }
            Check mine = new Check(writes, new CompletableFuture<>());
            if (!checking.compareAndSet(running, mine)) {
                continue;
            }
            try {
                long sequence = checks.incrementAndGet();
                ChangeMarker marker = reader.read(what, store::changeMarker, wait);
                boolean unchanged = known != null && known.marker().equals(marker);
                View checked = new View(sequence, writes, now, marker,
                        unchanged ? known.parts() : new ConcurrentHashMap<>(),
                        unchanged ? known.derived() : new AtomicInteger());
                current.accumulateAndGet(checked, (held, offered) -> held == null
                        || held.sequence() < offered.sequence() ? offered : held);
                mine.result().complete(checked);
                return checked;
            } catch (RuntimeException e) {
                mine.result().completeExceptionally(e);
                throw e;
            } finally {
                checking.compareAndSet(mine, null);
            }
        }
    }

    /** What another request's read of the same part gave, waiting for it at most {@code wait}. */
    private <T> T await(CompletableFuture<T> answer, Duration wait, String what) {
        try {
            return answer.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new StoreException("Cannot read " + what + ": " + store.description() + " did not answer within "
                    + wait.toMillis() + " ms (another request's read of it is still waiting).", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new StoreException("Cannot read " + what + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("Interrupted while reading " + what, e);
        }
    }
}
