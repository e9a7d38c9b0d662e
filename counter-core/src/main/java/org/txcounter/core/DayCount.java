package org.txcounter.core;

import java.time.LocalDate;

/**
 * What all nodes counted on one transport on one day of the billing time zone, from the ledger.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param day   the day in the billing time zone; an interval counts on the day it starts
 * @param count the transactions of the intervals that started on that day, across all nodes
 */
public record DayCount(LocalDate day, Transport transport, long count) {
}
