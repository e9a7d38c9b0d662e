package org.txcounter.core.stamp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.MutableClock;
import org.txcounter.core.StampVerdict;

/** A stamp stays spent across restarts of the node that spent it, until it expires, in a bounded file. */
class SpentStampLogTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final String ORDERS = StampAuthority.queueDestination("orders");
    private static final Duration LIFETIME = Duration.ofHours(24);

    @TempDir
    Path dataDir;

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:00Z");

    private StampAuthority node() throws IOException {
        StampAuthority node = new StampAuthority("prod", "node-b", SECRET, LIFETIME, 100_000, clock);
        node.keepSpentIn(dataDir);
        return node;
    }

    @Test
    void aStampSpentBeforeARestartIsReplayedAfterIt() throws IOException {
        StampAuthority producer = new StampAuthority("prod", "node-a", SECRET, LIFETIME, 1_000, clock);
        String stamp = producer.issue(ORDERS);
        StampAuthority before = node();
        assertThat(before.verify(stamp, ORDERS)).isEqualTo(StampVerdict.VALID);
        before.closeSpent();

        StampAuthority after = node();
        assertThat(after.spentStamps()).isEqualTo(1);
        assertThat(after.verify(stamp, ORDERS)).isEqualTo(StampVerdict.REPLAYED);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("spent-stamps"))))
                .isEqualTo("rw-------");
    }

    @Test
    void whatAWriteForcedToDiskSurvivesAHardStopAndWhatCameAfterItDoesNot() throws IOException {
        StampAuthority producer = new StampAuthority("prod", "node-a", SECRET, LIFETIME, 1_000, clock);
        String written = producer.issue(ORDERS);
        String unwritten = producer.issue(ORDERS);
        StampAuthority crashed = node();
        assertThat(crashed.verify(written, ORDERS)).isEqualTo(StampVerdict.VALID);
        crashed.writeSpent();
        assertThat(crashed.verify(unwritten, ORDERS)).isEqualTo(StampVerdict.VALID);
        // No closeSpent: the process is gone.

        StampAuthority restarted = node();
        assertThat(restarted.verify(written, ORDERS)).isEqualTo(StampVerdict.REPLAYED);
        assertThat(restarted.verify(unwritten, ORDERS)).as("spent after the last write: the stated window")
                .isEqualTo(StampVerdict.VALID);
    }

    @Test
    void aTornLastRecordIsIgnoredAndTheWholeOnesKept() throws IOException {
        StampAuthority producer = new StampAuthority("prod", "node-a", SECRET, LIFETIME, 1_000, clock);
        String stamp = producer.issue(ORDERS);
        StampAuthority before = node();
        before.verify(stamp, ORDERS);
        before.closeSpent();
        Files.write(dataDir.resolve("spent-stamps"), new byte[] {1, 2, 3, 4, 5}, StandardOpenOption.APPEND);

        StampAuthority after = node();
        assertThat(after.verify(stamp, ORDERS)).isEqualTo(StampVerdict.REPLAYED);
    }

    @Test
    void aFileThatIsNoSpentStampFileIsSetAsideAndANewOneStarted() throws IOException {
        Files.writeString(dataDir.resolve("spent-stamps"), "not a spent-stamp file");

        StampAuthority node = node();

        assertThat(node.spentStamps()).isZero();
        assertThat(dataDir.resolve("spent-stamps.damaged")).hasContent("not a spent-stamp file");
        assertThat(Files.size(dataDir.resolve("spent-stamps"))).isEqualTo(8);
    }

    @Test
    void expiredStampsLeaveTheFileAtTheNextWriteAfterASweep() throws IOException {
        StampAuthority producer = new StampAuthority("prod", "node-a", SECRET, LIFETIME, 1_000, clock);
        StampAuthority node = node();
        List<String> old = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            old.add(producer.issue(ORDERS));
        }
        old.forEach(stamp -> node.verify(stamp, ORDERS));
        node.writeSpent();
        long withOld = Files.size(dataDir.resolve("spent-stamps"));
        assertThat(withOld).isEqualTo(8 + 100 * 16);

        clock.advance(LIFETIME.plusHours(3));
        String fresh = producer.issue(ORDERS);
        assertThat(node.verify(fresh, ORDERS)).isEqualTo(StampVerdict.VALID);
        node.sweep();
        node.writeSpent();

        assertThat(Files.size(dataDir.resolve("spent-stamps"))).as("only the one stamp that can still be valid")
                .isEqualTo(8 + 16);
        node.closeSpent();
        assertThat(node().verify(fresh, ORDERS)).isEqualTo(StampVerdict.REPLAYED);
    }
}
