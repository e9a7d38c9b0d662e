package org.txcounter.core;

import java.nio.file.Path;
import java.time.Clock;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.internal.Internals;

/**
 * The child JVM of {@link H2HardKillIT}: opens the counter on the embedded H2 database in the data directory given
 * as the first argument (writing what the previous run's journal kept), counts the number of transactions given as
 * the second, flushes them (the store acknowledges the interval), rewrites the journal (which then no longer holds
 * them), prints {@code FLUSHED} and waits to be killed.
 */
public final class FlushThenWaitProcess {

    private FlushThenWaitProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        int transactions = Integer.parseInt(args[1]);
        TransactionCounter counter = TransactionCounter.open(CounterConfig.builder().dataDir(dataDir)
                .nodeId("h2-kill").build(), Clock.systemUTC());
        TransportCounter http = counter.meter().counter(Transport.HTTP);
        for (int i = 0; i < transactions; i++) {
            http.record();
        }
        int left = Internals.flusher(counter).flushNow();
        counter.writeJournal();
        System.out.println(left == 0 ? "FLUSHED" : "NOT FLUSHED " + left);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
