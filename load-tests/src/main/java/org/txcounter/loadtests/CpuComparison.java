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
    private final List<Round> rounds = new ArrayList<>();

    /**
     * @param unit     what one unit of work is, plural ("requests", "messages")
     * @param perRound the units of work in one round of one side
     */
    CpuComparison(String unit, int perRound) {
        this.unit = unit;
        this.perRound = perRound;
    }

    /** One round: the CPU time and the wall time of each side for {@code perRound} units. */
    record Round(Duration cpuWith, Duration wallWith, Duration cpuWithout, Duration wallWithout) {
    }

    /** The CPU milliseconds per 100,000 units that {@code cpu} for one round amounts to. */
    double perHundredThousand(Duration cpu) {
        return cpu.toNanos() / 1e6 * PER / perRound;
    }

    /** Adds a measured round and prints its line. */
    void add(int number, Round round) {
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
        System.out.printf("CPU ms per %,d %s over %d rounds of %,d per side:%n", PER, unit, rounds.size(), perRound);
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
