package org.txcounter.service.cli;

import java.time.Clock;
import java.time.YearMonth;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.service.config.ServiceConfig;

/**
 * When a closed month's ledger rows may leave the database: {@code [billing] archive_after_months} after its end.
 *
 * <p>Stateless; safe for any number of threads.
 */
final class Retention {

    private Retention() {
    }

    /** Refuses a month that ended less than {@code [billing] archive_after_months} ago (exit status 1). */
    static void refuseIfTooRecent(ServiceConfig service, YearMonth month, Clock clock) {
        CounterConfig config = service.counter();
        YearMonth current = YearMonth.now(clock.withZone(config.billingZone()));
        YearMonth first = month.plusMonths(config.archiveAfterMonths() + 1L);
        if (current.isBefore(first)) {
            throw new CliException("Month " + month + " is kept online until " + first + ": [billing] "
                    + "archive_after_months = " + config.archiveAfterMonths() + " keeps a month's ledger rows for that "
                    + "many whole months after it ends (it is " + current + " in " + config.billingZone().getId()
                    + "). Nothing was written or removed.");
        }
    }
}
