package org.txcounter.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.interval.InFlightIds;
import org.txcounter.core.interval.IntervalFlusher.JournalState;
import org.txcounter.core.interval.IntervalSummary;

/**
 * A journal proves itself: cut short anywhere, cut inside a count, altered in one byte, empty or not text, it is
 * refused with what was found, never read as smaller counts; the inspection lists what it holds and the salvage
 * keeps the intact part and sets the rest aside, deleting nothing.
 */
class JournalDamageTest {

    @TempDir
    Path dataDir;

    private Journal journal;
    private JournalState state;

    @BeforeEach
    void writeAJournal() throws IOException {
        journal = new Journal(dataDir);
        Instant start = Instant.parse("2026-11-30T10:00:00Z");
        state = new JournalState("node-a", 41, true, List.of(
                interval(42, start, 1881, 3), interval(43, start.plusSeconds(60), 1204, 0),
                interval(44, start.plusSeconds(120), 977, 12)), InFlightIds.of(new long[] {0x5c1e0a7f3b2d9e41L}));
        journal.write(state);
    }

    @Test
    void aWholeJournalReadsBackAsWritten() throws IOException {
        assertThat(journal.read()).contains(state);
        assertThat(Files.readAllLines(journal.file()).get(0)).isEqualTo("txcounter-journal v2");
        assertThat(Files.readAllLines(journal.file()).get(8)).matches("end 8 sha256 [0-9a-f]{64}");
    }

    @ParameterizedTest(name = "cut to {0} % of its bytes")
    @ValueSource(ints = {10, 50, 90})
    void aJournalCutShortIsRefused(int percent) throws IOException {
        byte[] bytes = Files.readAllBytes(journal.file());
        Files.write(journal.file(), java.util.Arrays.copyOf(bytes, bytes.length * percent / 100));
        assertThatThrownBy(journal::read).isInstanceOf(JournalDamagedException.class)
                .hasMessageStartingWith(journal.file() + " was cut short");
    }

    @Test
    void aCountCutInsideItsDigitsIsRefusedNotReadSmaller() throws IOException {
        String text = Files.readString(journal.file());
        int cut = text.indexOf("HTTP=1881") + "HTTP=18".length();
        Files.writeString(journal.file(), text.substring(0, cut));
        assertThatThrownBy(journal::read).isInstanceOf(JournalDamagedException.class)
                .hasMessage(journal.file() + " was cut short: line 5 (\"interval 42 1796032800000 1796032860000 "
                        + "2026-11 HTTP=18\") ends without a line break after " + cut + " bytes, and there is no end "
                        + "line");
    }

    @Test
    void aFlippedByteIsFoundByTheChecksum() throws IOException {
        byte[] bytes = Files.readAllBytes(journal.file());
        int digit = new String(bytes, StandardCharsets.UTF_8).indexOf("HTTP=1204") + "HTTP=".length();
        bytes[digit] = '7';
        Files.write(journal.file(), bytes);
        assertThatThrownBy(journal::read).isInstanceOf(JournalDamagedException.class)
                .hasMessageMatching(".* was altered: the SHA-256 of its lines 1 to 8 is [0-9a-f]{64}, the end line "
                        + "\\(line 9\\) says [0-9a-f]{64}");
    }

    @Test
    void aLineDroppedFromTheMiddleIsFound() throws IOException {
        List<String> lines = Files.readAllLines(journal.file());
        lines.remove(5);
        Files.write(journal.file(), lines);
        assertThatThrownBy(journal::read).isInstanceOf(JournalDamagedException.class)
                .hasMessage(journal.file() + " was altered: the end line (line 8) counts 8 lines before it, there "
                        + "are 7");
    }

    @Test
    void emptyGarbageAndForeignFilesAreNamedPlainly() throws IOException {
        Files.write(journal.file(), new byte[0]);
        assertThatThrownBy(journal::read).hasMessage(journal.file() + " is empty (0 bytes): it was cut short before "
                + "its first line");
        Files.write(journal.file(), new byte[] {'t', 'x', (byte) 0xff, (byte) 0xfe});
        assertThatThrownBy(journal::read).hasMessage(journal.file() + " is not text: byte 2 (0xff) is not UTF-8; "
                + "it is not a journal, or it was overwritten");
        Files.writeString(journal.file(), "[transaction_counter]\nenable = true\n");
        assertThatThrownBy(journal::read).hasMessage(journal.file() + " is not a journal: its first line is "
                + "\"[transaction_counter]\", expected \"txcounter-journal v2\"");
    }

    @Test
    void appendedGarbageIsFound() throws IOException {
        Files.writeString(journal.file(), "interval 45 0 1 2026-11 HTTP=5\n",
                java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(journal::read).isInstanceOf(JournalDamagedException.class)
                .hasMessage(journal.file() + " was cut short after line 10: there is no end line (expected \"end "
                        + "<lines> sha256 <hex>\" last)");
    }

    @Test
    void aJournalOfTheEarlierVersionIsStillReadOnce() throws IOException {
        Files.writeString(journal.file(), """
                txcounter-journal v1
                node node-a
                last-seq 41
                open-is-last true
                interval 42 1795975200000 1795975260000 2026-11 HTTP=10 JMS=3
                """);
        JournalState read = journal.read().orElseThrow();
        assertThat(read.intervals()).singleElement().satisfies(interval ->
                assertThat(interval.counts().total()).isEqualTo(13));
    }

    @Test
    void theInspectionListsEveryLineAndTheSalvageKeepsTheIntactPartAndDeletesNothing() throws IOException {
        String text = Files.readString(journal.file());
        int cut = text.indexOf("HTTP=977") + "HTTP=9".length();
        Files.writeString(journal.file(), text.substring(0, cut));
        byte[] damagedBytes = Files.readAllBytes(journal.file());

        Journal.Inspection inspection = journal.inspect().orElseThrow();
        assertThat(inspection.damage()).hasValueSatisfying(damage -> assertThat(damage).startsWith("was cut short"));
        assertThat(inspection.lines()).extracting(Journal.Line::number).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(inspection.lines().get(6).problem()).isEqualTo("cut short: no line break");
        assertThat(inspection.trusted().intervals()).extracting(IntervalSummary::seq).containsExactly(42L, 43L);

        Journal.Salvage salvage = journal.salvage(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(Files.readAllBytes(salvage.damaged())).isEqualTo(damagedBytes);
        assertThat(Files.readString(salvage.setAside())).isEqualTo("line 7 (cut short: no line break): "
                + text.substring(text.indexOf("interval 44"), cut) + "\n");
        JournalState kept = journal.read().orElseThrow();
        assertThat(kept.intervals()).extracting(IntervalSummary::seq).containsExactly(42L, 43L);
        assertThat(kept.intervals().get(0).counts().get(Transport.HTTP)).isEqualTo(1881);
        assertThat(kept.lastSeq()).isEqualTo(41);
        assertThatThrownBy(() -> journal.salvage(Instant.now())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is whole; there is nothing to salvage");
    }

    private static IntervalSummary interval(long seq, Instant start, long http, long jms) {
        return new IntervalSummary("node-a", seq, start, start.plusSeconds(60), YearMonth.of(2026, 11),
                TransportCounts.of(Map.of(Transport.HTTP, http, Transport.JMS, jms)));
    }
}
