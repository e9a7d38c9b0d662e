package org.txcounter.service.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.pattern.CompositeConverter;

/**
 * The log pattern's {@code %safe(...)}: writes every control character of what it wraps as a visible escape,
 * {@code \u001b} for ESC, so that nothing a caller sends (a user name, a path, a header) can end a log line, start a
 * forged one, move the cursor or recolour a terminal. It covers C0 (U+0000 to U+001F, CR and LF included), DEL
 * (U+007F), C1 (U+0080 to U+009F, NEL included) and the Unicode line and paragraph separators U+2028 and U+2029.
 *
 * <p>With the option {@code lines} ({@code %safe(%ex){lines}}), LF and TAB are kept: the stack trace's own line
 * structure, which the pattern indents so that no continuation line looks like a new entry.
 *
 * <p>Logback creates one instance per pattern and may call it from any logging thread; it keeps no state beyond
 * its option, set once at start.
 */
public final class NeutralizingConverter extends CompositeConverter<ILoggingEvent> {

    private boolean keepLines;

    @Override
    public void start() {
        keepLines = "lines".equals(getFirstOption());
        super.start();
    }

    @Override
    protected String transform(ILoggingEvent event, String in) {
        return neutralize(in, keepLines);
    }

    /** {@code value} with every control character written as {@code \}{@code uXXXX}. */
    public static String neutralize(String value) {
        return neutralize(value, false);
    }

    static String neutralize(String value, boolean keepLines) {
        if (value == null) {
            return null;
        }
        int first = firstControl(value, keepLines);
        if (first < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 16).append(value, 0, first);
        for (int i = first; i < value.length(); i++) {
            char c = value.charAt(i);
            if (isControl(c, keepLines)) {
                out.append("\\u").append(Character.forDigit(c >> 12 & 0xf, 16))
                        .append(Character.forDigit(c >> 8 & 0xf, 16)).append(Character.forDigit(c >> 4 & 0xf, 16))
                        .append(Character.forDigit(c & 0xf, 16));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int firstControl(String value, boolean keepLines) {
        for (int i = 0; i < value.length(); i++) {
            if (isControl(value.charAt(i), keepLines)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isControl(char c, boolean keepLines) {
        if (keepLines && (c == '\n' || c == '\t')) {
            return false;
        }
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
