package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A withdrawn transaction is taken from the open interval, or carried into the next: never a negative count. */
class TransportCounterWithdrawTest {

    private final TransactionMeter meter = new TransactionMeter();
    private final TransportCounter http = meter.counter(Transport.HTTP);

    @Test
    void aWithdrawalInTheSameIntervalCancelsTheCount() {
        http.record();
        http.record();
        http.withdraw();

        assertThat(http.drain()).isEqualTo(1);
    }

    @Test
    void aWithdrawalAfterItsIntervalClosedIsTakenFromTheNextOneWithTrafficAndNeverWrittenNegative() {
        http.record();
        assertThat(http.drain()).isEqualTo(1);
        http.withdraw();

        assertThat(http.drain()).as("an interval with only the withdrawal").isZero();
        http.record();
        http.record();
        http.record();
        assertThat(http.drain()).as("three counted, the carried withdrawal taken").isEqualTo(2);
        assertThat(http.drain()).isZero();
    }
}
