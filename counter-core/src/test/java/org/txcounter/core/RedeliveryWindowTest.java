package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.txcounter.core.interval.InFlightIds;

/** The window answers exactly as a bounded, access-ordered map of the same capacity would, call for call. */
class RedeliveryWindowTest {

    private enum State { HANDLING, OWED }

    /** The obvious implementation, used as the reference: an insertion-ordered map, touched by re-inserting. */
    private static final class Reference {
        private final int capacity;
        private final LinkedHashMap<Long, State> held = new LinkedHashMap<>();
        private long evicted;

        Reference(int capacity) {
            this.capacity = capacity;
        }

        private void put(long key, State state) {
            if (held.remove(key) == null && held.size() == capacity) {
                held.remove(held.keySet().iterator().next());
                evicted++;
            }
            held.put(key, state);
        }

        boolean arrive(long key) {
            boolean owed = held.get(key) == State.OWED;
            put(key, State.HANDLING);
            return owed;
        }

        boolean claim(long key) {
            if (held.get(key) == State.OWED) {
                put(key, State.HANDLING);
                return true;
            }
            return false;
        }

        void complete(long key) {
            held.remove(key);
        }

        void abandon(long key) {
            put(key, State.OWED);
        }

        List<Long> inOrder() {
            return new ArrayList<>(held.keySet());
        }
    }

    @ParameterizedTest(name = "capacity {0}, {1} distinct ids, seed {2}")
    @CsvSource({"1, 3, 1", "2, 5, 2", "7, 20, 3", "1000, 3000, 4", "1000, 1100, 5", "4096, 20000, 6",
            "100000, 150000, 7"})
    void agreesWithTheReferenceOnEveryCall(int capacity, int distinct, long seed) {
        RedeliveryWindow window = new RedeliveryWindow(capacity);
        Reference reference = new Reference(capacity);
        TransactionMeter meter = new TransactionMeter();
        TransportCounter jms = meter.counter(Transport.JMS);
        Random random = new Random(seed);
        long skips = 0;
        for (int i = 0; i < 500_000; i++) {
            long key = RedeliveryWindow.fingerprint("ID:" + Integer.toHexString(random.nextInt(distinct)));
            int operation = random.nextInt(10);
            if (operation < 4) {
                boolean expected = reference.arrive(key);
                assertThat(window.arrive(key, jms)).as("call %d: arrive", i).isEqualTo(expected);
                skips += expected ? 1 : 0;
            } else if (operation < 5) {
                boolean expected = reference.claim(key);
                assertThat(window.claim(key)).as("call %d: claim", i).isEqualTo(expected);
                skips += expected ? 1 : 0;
            } else if (operation < 8) {
                reference.abandon(key);
                window.abandon(key);
            } else {
                reference.complete(key);
                window.complete(key);
            }
            assertThat(window.size()).as("call %d: size", i).isEqualTo(reference.held.size());
        }
        assertThat(window.evicted()).isEqualTo(reference.evicted);
        List<Long> held = new ArrayList<>();
        InFlightIds ids = window.snapshot(meter).ids();
        for (int i = 0; i < ids.size(); i++) {
            held.add(ids.get(i));
        }
        assertThat(held).isEqualTo(reference.inOrder());
        // Both ways were exercised: redeliveries recognised, and entries forgotten for room.
        assertThat(skips).isPositive();
        assertThat(window.snapshot(meter).pending().get(Transport.JMS)).isPositive();
    }

    @Test
    void theEntryTouchedLongestAgoIsForgottenFirst() {
        RedeliveryWindow window = new RedeliveryWindow(3);
        window.abandon(1);
        window.abandon(2);
        window.abandon(3);
        assertThat(window.claim(1)).isTrue();
        window.abandon(1);
        window.abandon(4);
        assertThat(window.evicted()).isEqualTo(1);
        assertThat(window.claim(2)).isFalse();
        assertThat(window.claim(1)).isTrue();
        assertThat(window.claim(3)).isTrue();
        assertThat(window.claim(4)).isTrue();
    }

    @Test
    void restoredIdsAreOwedAndKeepTheirOrder() {
        RedeliveryWindow window = new RedeliveryWindow(2);
        window.restore(InFlightIds.of(5, 6, 7));
        assertThat(window.size()).isEqualTo(2);
        assertThat(window.claim(5)).isFalse();
        assertThat(window.claim(6)).isTrue();
        assertThat(window.claim(7)).isTrue();
    }

    @Test
    void fingerprintsDifferForIdsThatDifferInOneCharacterAndAreNeverZero() {
        assertThat(RedeliveryWindow.fingerprint("ID:1")).isNotEqualTo(RedeliveryWindow.fingerprint("ID:2"));
        assertThat(RedeliveryWindow.fingerprint("")).isNotZero();
    }

    @Test
    void aCapacityBelowOneIsRefused() {
        assertThatThrownBy(() -> new RedeliveryWindow(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
