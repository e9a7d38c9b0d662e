package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.store.IntervalRow;

/**
 * SIGKILL of a JVM on the embedded H2 database right after the store acknowledged an interval and the journal was
 * rewritten without it: the worst moment for a database that acknowledges a commit before it is in the file.
 */
class H2HardKillIT {

    /** 20 in every build; {@code -Dtxcounter.h2KillRounds=500} for a long run. */
    private static final int ROUNDS = Integer.getInteger("txcounter.h2KillRounds", 20);
    private static final int PER_ROUND = 90;

    @TempDir
    Path dataDir;

    @Test
    void hardKillsRightAfterAnAcknowledgedFlushLoseAndDoubleNothing() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int round = 1; round <= ROUNDS; round++) {
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    FlushThenWaitProcess.class.getName(), dataDir.toString(), String.valueOf(PER_ROUND))
                    .redirectErrorStream(true).start();
            BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = output.readLine()) != null && !line.contains("FLUSHED")) {
                seen.append(line).append('\n');
            }
            child.destroyForcibly();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(line).as("round %d, output:%n%s", round, seen).isEqualTo("FLUSHED");
        }
        try (TransactionCounter counter = TransactionCounter.open(CounterConfig.builder().dataDir(dataDir)
                .nodeId("h2-kill").build(), Clock.systemUTC())) {
            long stored = Internals.store(counter).ledger("h2-kill").stream().mapToLong(IntervalRow::count).sum();
            System.out.printf("H2 hard kills: %d rounds of %d, %d stored%n", ROUNDS, PER_ROUND, stored);
            assertThat(stored).as("lost or doubled over %d hard kills", ROUNDS).isEqualTo((long) ROUNDS * PER_ROUND);
            assertThat(Internals.store(counter).ledger("h2-kill")).hasSize(ROUNDS);
            assertThat(Internals.verifyLedger(counter)).isEmpty();
        }
    }
}
