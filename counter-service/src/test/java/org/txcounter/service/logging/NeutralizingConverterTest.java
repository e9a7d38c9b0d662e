package org.txcounter.service.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Every control character becomes a visible escape; everything else stays as it was. */
class NeutralizingConverterTest {

    @Test
    void everyC0C1DelAndLineSeparatorIsEscaped() {
        for (char c = 0; c < 0x20; c++) {
            assertThat(NeutralizingConverter.neutralize("a" + c + "b")).isEqualTo("a\\u%04xb".formatted((int) c));
        }
        for (char c = 0x7f; c <= 0x9f; c++) {
            assertThat(NeutralizingConverter.neutralize("a" + c + "b")).isEqualTo("a\\u%04xb".formatted((int) c));
        }
        assertThat(NeutralizingConverter.neutralize("a\u2028b\u2029c")).isEqualTo("a\\u2028b\\u2029c");
    }

    @Test
    void escEscNulNelAndCrLfInAUserName() {
        assertThat(NeutralizingConverter.neutralize("ad\u001b[31mmin\u0000\u0085x\r\n2026-01-01 INFO forged"))
                .isEqualTo("ad\\u001b[31mmin\\u0000\\u0085x\\u000d\\u000a2026-01-01 INFO forged");
    }

    @Test
    void printableTextIncludingOtherUnicodeIsUntouched() {
        String text = "Grüße, 東京, emoji \uD83D\uDE00, tab-free text ~!@#$%^&*()";
        assertThat(NeutralizingConverter.neutralize(text)).isSameAs(text);
    }

    @Test
    void stackTracesKeepTheirLinesAndTabs() {
        assertThat(NeutralizingConverter.neutralize("java.lang.X: bad\u001b\n\tat a.B(C.java:1)\n", true))
                .isEqualTo("java.lang.X: bad\\u001b\n\tat a.B(C.java:1)\n");
    }
}
