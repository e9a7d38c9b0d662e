package org.txcounter.service.config;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * {@code [licence]}: the monthly transaction quota of the licence, the percentages of it at which an alert is raised
 * (once per threshold and month), and an optional webhook that receives each alert as a JSON POST.
 *
 * <p>Immutable.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param monthlyQuota      transactions the licence allows per billing month; empty: no quota, no alerts
 * @param thresholdsPercent ascending percentages of the quota, each from 1 to 1000
 * @param webhook           where each alert is POSTed, if anywhere
 */
public record LicenceConfig(Optional<Long> monthlyQuota, List<Integer> thresholdsPercent, Optional<URI> webhook) {

    public static final List<Integer> DEFAULT_THRESHOLDS = List.of(80, 90, 100);

    public LicenceConfig {
        thresholdsPercent = List.copyOf(thresholdsPercent);
    }

    /** No quota. */
    public static LicenceConfig none() {
        return new LicenceConfig(Optional.empty(), DEFAULT_THRESHOLDS, Optional.empty());
    }
}
