package org.txcounter.loadtests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The CPU time of two child processes, one with the counter and one without, over rounds of the same work, and
 * what the rounds say together: per side the median and the range of the CPU time per 100,000 units of work, and
 * the ratio with the counter to without it, as the median of the same-round ratios with a 95% percentile
 * bootstrap interval (10,000 resamples of the rounds, fixed seed) and the range of those ratios.
 *
 * <p>Not thread-safe: one driver thread adds the rounds and prints.
 */
final class CpuComparison {

    private static final int PER = 100_000;
    private static final int RESAMPLES = 10_000;

    private final String unit;
    private final int perRound;
    private final int slices;
    private final List<Round> rounds = new ArrayList<>();

    /**
     * @param unit     what one unit of work is, plural ("requests", "messages")
     * @param perRound the units of work in one round of one side
     * @param slices   how many slices a round is cut into, the sides taking turns slice by slice
     */
    CpuComparison(String unit, int perRound, int slices) {
        if (slices < 1 || slices > perRound) {
            throw new IllegalArgumentException("-Dslices: expected 1 to " + perRound + ". Found: " + slices);
        }
        this.unit = unit;
        this.perRound = perRound;
        this.slices = slices;
    }

    /** Work a side's child does for a number of units; {@code withCounter} says which side. */
    @FunctionalInterface
    interface Work {
        void run(boolean withCounter, int units) throws Exception;
    }

    /**
     * Measures one round: {@code perRound} units on each side, in {@code slices} slices in which the sides take
     * turns, the side that goes first changing every slice (ABBA), so that what else the machine does falls on
     * both sides alike. Before each slice of a side, {@code unmeasured} prepares it (outside the CPU readings);
     * {@code measured} is the work whose CPU time the side's child is charged with.
     */
    Round measure(ChildJvm counting, ChildJvm plain, Work unmeasured, Work measured) throws Exception {
        Duration[] cpu = {Duration.ZERO, Duration.ZERO};
        Duration[] wall = {Duration.ZERO, Duration.ZERO};
        for (int slice = 0; slice < slices; slice++) {
            int units = perRound / slices + (slice < perRound % slices ? 1 : 0);
            for (int turn = 0; turn < 2; turn++) {
                boolean withCounter = (turn == 0) == (slice % 2 == 0);
                int side = withCounter ? 0 : 1;
                ChildJvm child = withCounter ? counting : plain;
                unmeasured.run(withCounter, units);
                Duration before = child.cpuTime();
                long start = System.nanoTime();
                measured.run(withCounter, units);
                wall[side] = wall[side].plusNanos(System.nanoTime() - start);
                cpu[side] = cpu[side].plus(child.cpuTime().minus(before));
            }
        }
        return new Round(cpu[0], wall[0], cpu[1], wall[1]);
    }

    /** One round: the CPU time and the wall time of each side for {@code perRound} units. */
    record Round(Duration cpuWith, Duration wallWith, Duration cpuWithout, Duration wallWithout) {
    }

    /** The CPU milliseconds per 100,000 units that {@code cpu} for one round amounts to. */
    double perHundredThousand(Duration cpu) {
        return cpu.toNanos() / 1e6 * PER / perRound;
    }

    /**
     * Runs {@code warmupRounds} rounds, printed but left out of the summary, then {@code rounds} measured ones, each
     * as {@link #measure} runs it.
     */
    void run(ChildJvm counting, ChildJvm plain, int warmupRounds, int rounds, Work unmeasured, Work measured)
            throws Exception {
        for (int round = 1 - warmupRounds; round <= rounds; round++) {
            Round result = measure(counting, plain, unmeasured, measured);
            if (round >= 1) {
                add(round, result);
            } else {
                warmUp(round + warmupRounds, result);
            }
        }
    }

    /**
     * Prints what the two ledgers counted against what was sent through the counting side, and ends the driver:
     * exit status 0 when that side counted exactly what it was sent and the plain side nothing, else 1.
     */
    void exitOnExactness(long sent, long counted, long countedPlain) {
        System.out.printf("counted by the ledger with the counter: %d of the %d %s sent through it; without the "
                + "counter: %d%n", counted, sent, unit, countedPlain);
        if (counted != sent || countedPlain != 0) {
            System.out.println("FAILED: the counted totals differ from the " + unit + " sent.");
            System.exit(1);
        }
        System.out.println("OK: every one of the " + unit + " sent through the counting side was counted once, "
                + "none without it.");
        System.exit(0);
    }

    /** Prints a warm-up round, which is not part of the summary. */
    private void warmUp(int number, Round round) {
        System.out.printf("warm-up %d  with counter %8.0f ms CPU  without %8.0f ms CPU%n", number,
                perHundredThousand(round.cpuWith()), perHundredThousand(round.cpuWithout()));
    }

    /** Adds a measured round and prints its line. */
    private void add(int number, Round round) {
        rounds.add(round);
        double with = perHundredThousand(round.cpuWith());
        double without = perHundredThousand(round.cpuWithout());
        System.out.printf("round %2d  with counter %8.0f ms CPU (%7.0f %s/s)  without %8.0f ms CPU (%7.0f %s/s)"
                + "  with / without %.4f%n", number, with, perSecond(round.wallWith()), unit, without,
                perSecond(round.wallWithout()), unit, with / without);
    }

    private double perSecond(Duration wall) {
        return perRound / (wall.toNanos() / 1e9);
    }

    /** Prints the medians, ranges and the ratio with its interval. */
    void print() {
        double[] with = rounds.stream().mapToDouble(r -> perHundredThousand(r.cpuWith())).toArray();
        double[] without = rounds.stream().mapToDouble(r -> perHundredThousand(r.cpuWithout())).toArray();
        double[] ratios = new double[rounds.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = with[i] / without[i];
        }
        double medianWith = PassthroughLoad.median(with);
        double medianWithout = PassthroughLoad.median(without);
        double medianRatio = PassthroughLoad.median(ratios);
        double[] interval = bootstrapMedianInterval(ratios);
        System.out.printf("CPU ms per %,d %s over %d rounds of %,d per side in %d slices:%n", PER, unit,
                rounds.size(), perRound, slices);
        System.out.printf("  with counter: median %.0f, min %.0f, max %.0f%n", medianWith, min(with), max(with));
        System.out.printf("  without:      median %.0f, min %.0f, max %.0f%n", medianWithout, min(without),
                max(without));
        System.out.printf("  ratio of the medians: %.4f%n", medianWith / medianWithout);
        System.out.printf("  same-round ratios with / without: median %.4f, 95%% bootstrap interval %.4f..%.4f, "
                + "min %.4f, max %.4f%n", medianRatio, interval[0], interval[1], min(ratios), max(ratios));
        System.out.printf("  the counter's CPU cost: %+.2f%% (95%% interval %+.2f%%..%+.2f%%)%n",
                (medianRatio - 1) * 100, (interval[0] - 1) * 100, (interval[1] - 1) * 100);
    }

    private static double[] bootstrapMedianInterval(double[] values) {
        SplittableRandom random = new SplittableRandom(17);
        double[] medians = new double[RESAMPLES];
        double[] sample = new double[values.length];
        for (int i = 0; i < RESAMPLES; i++) {
            for (int j = 0; j < sample.length; j++) {
                sample[j] = values[random.nextInt(values.length)];
            }
            medians[i] = PassthroughLoad.median(sample);
        }
        Arrays.sort(medians);
        return new double[] {medians[(int) (RESAMPLES * 0.025)], medians[(int) (RESAMPLES * 0.975) - 1]};
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }
}
