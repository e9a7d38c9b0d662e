package org.txcounter.core;

import java.util.concurrent.atomic.LongAdder;

/**
 * The handle an ingress hook keeps for one transport: resolve it once, at start-up or deploy time, and call
 * {@link #record()} for every transaction.
 *
 * <pre>{@code
 * TransportCounter http = meter.counter(Transport.HTTP);   // once
 * http.record();                                          // per request
 * }</pre>
 *
 * <p>Thread model: {@link #record()} may be called from any number of threads at once. It is a single
 * {@link LongAdder#increment()}: no lock, no allocation, no logging. Under contention the adder spreads
 * threads over separate cells, so recording threads do not fight over one cache line.
 */
public final class TransportCounter {

    private final Transport transport;
    private final LongAdder adder = new LongAdder();

    TransportCounter(Transport transport) {
        this.transport = transport;
    }

    /** Counts one transaction. */
    public void record() {
        adder.increment();
    }

    /**
     * Takes back one transaction this handle recorded: a request that turned out not to be one (the client's
     * malformed body, refused before anything was passed on). If the interval it was counted in has closed, the
     * next interval carries the difference ({@link #drain()}).
     */
    void withdraw() {
        adder.decrement();
    }

    /** The transport this handle counts. */
    public Transport transport() {
        return transport;
    }

    /** What has been recorded since the last {@link #drain()}; a moving value while recording goes on. */
    long pending() {
        return adder.sum();
    }

    /**
     * Returns what was recorded since the previous drain and starts the next interval at zero.
     *
     * <p>On JDK 9 and later {@link LongAdder#sumThenReset()} swaps the base and every cell to zero with an atomic
     * get-and-set, so an increment that races with the drain lands either in the returned sum or in the next
     * interval, never in neither. {@code TransactionMeterConcurrencyTest} proves it under contention.
     */
    long drain() {
        long drained = adder.sumThenReset();
        if (drained < 0) {
            // Withdrawals of transactions an earlier interval holds: carried on, never written as a negative count.
            adder.add(drained);
            return 0;
        }
        return drained;
    }
}
