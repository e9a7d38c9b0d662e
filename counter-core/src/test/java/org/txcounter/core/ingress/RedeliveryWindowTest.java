package org.txcounter.core.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The window answers exactly as a bounded insertion-ordered set of the same capacity would. */
class RedeliveryWindowTest {

    /** The obvious implementation, used as the reference. */
    private static final class Reference {
        private final Map<String, Boolean> recent;

        Reference(int capacity) {
            recent = new LinkedHashMap<>() {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > capacity;
                }
            };
        }

        boolean seenBefore(String id) {
            return recent.put(id, Boolean.TRUE) != null;
        }
    }

    @ParameterizedTest(name = "capacity {0}, {1} distinct ids, seed {2}")
    @CsvSource({"1, 3, 1", "2, 5, 2", "7, 20, 3", "1000, 3000, 4", "1000, 1100, 5", "4096, 20000, 6",
            "100000, 150000, 7"})
    void agreesWithTheReferenceOnEveryCall(int capacity, int distinct, long seed) {
        RedeliveryWindow window = new RedeliveryWindow(capacity);
        Reference reference = new Reference(capacity);
        Random random = new Random(seed);
        int repeats = 0;
        for (int i = 0; i < 500_000; i++) {
            String id = "ID:" + Integer.toHexString(random.nextInt(distinct)) + "-" + (seed * 31);
            boolean expected = reference.seenBefore(id);
            assertThat(window.seenBefore(id)).as("call %d, id %s", i, id).isEqualTo(expected);
            repeats += expected ? 1 : 0;
        }
        // The table was exercised both ways: ids remembered and ids forgotten again.
        assertThat(repeats).isPositive().isLessThan(500_000);
    }

    @Test
    void theOldestIdIsForgottenFirst() {
        RedeliveryWindow window = new RedeliveryWindow(3);
        assertThat(window.seenBefore("a")).isFalse();
        assertThat(window.seenBefore("b")).isFalse();
        assertThat(window.seenBefore("c")).isFalse();
        assertThat(window.seenBefore("a")).isTrue();
        assertThat(window.seenBefore("d")).isFalse();
        assertThat(window.seenBefore("a")).isFalse();
        assertThat(window.seenBefore("c")).isTrue();
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
