package org.txcounter.service.api;

import io.javalin.http.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads and checks the query parameters of the management API. Every refusal is an {@link ApiException} whose
 * message names the parameter, the value found (made safe to echo) and what is expected.
 *
 * <p>Stateless; safe for any number of threads.
 */
final class QueryParameters {

    static final int MIN_YEAR = 1970;
    static final int MAX_YEAR = 9999;
    static final int MAX_REPORT_MONTHS = 120;

    private static final Pattern YEAR = Pattern.compile("[0-9]{4}");
    private static final Pattern MONTH = Pattern.compile("[0-9]{1,2}");
    private static final Pattern YEAR_MONTH = Pattern.compile("([0-9]{4})-([0-9]{2})");
    private static final int MAX_ECHO = 40;

    private QueryParameters() {
    }

    /** {@code year} and {@code month}, both or neither; neither means {@code current}. */
    static YearMonth yearAndMonth(Context ctx, YearMonth current) {
        Optional<String> year = single(ctx, "year");
        Optional<String> month = single(ctx, "month");
        if (year.isEmpty() && month.isEmpty()) {
            return current;
        }
        if (year.isEmpty()) {
            throw ApiException.invalid("year", "year is required when month is given: use both year=YYYY and "
                    + "month=M, or neither for the current month");
        }
        if (month.isEmpty()) {
            throw ApiException.invalid("month", "month is required when year is given: use both year=YYYY and "
                    + "month=M, or neither for the current month");
        }
        return YearMonth.of(year(year.get()), month(month.get()));
    }

    /** A required {@code YYYY-MM} parameter. */
    static YearMonth requiredYearMonth(Context ctx, String name) {
        String value = single(ctx, name).orElseThrow(() -> ApiException.invalid(name,
                name + " is required, as YYYY-MM (for example " + name + "=2026-01)"));
        var matcher = YEAR_MONTH.matcher(value);
        if (!matcher.matches()) {
            throw ApiException.invalid(name, name + " must be a month written YYYY-MM, for example 2026-01. Found: "
                    + echo(value));
        }
        int year = Integer.parseInt(matcher.group(1));
        int month = Integer.parseInt(matcher.group(2));
        if (year < MIN_YEAR || month < 1 || month > 12) {
            throw ApiException.invalid(name, name + " must be a month from " + MIN_YEAR + "-01 to " + MAX_YEAR
                    + "-12. Found: " + echo(value));
        }
        return YearMonth.of(year, month);
    }

    /** The report period, checked for order and length. */
    static List<YearMonth> period(Context ctx) {
        YearMonth start = requiredYearMonth(ctx, "start");
        // Without end: the one month, as the CLI's report without --end.
        YearMonth end = single(ctx, "end").isPresent() ? requiredYearMonth(ctx, "end") : start;
        checkPeriod(start, end);
        return List.of(start, end);
    }

    /** Refuses a period that ends before it starts or is longer than {@value #MAX_REPORT_MONTHS} months. */
    static void checkPeriod(YearMonth start, YearMonth end) {
        if (start.isAfter(end)) {
            throw ApiException.invalid("end", "end must not be before start. Found: start=" + start + ", end=" + end);
        }
        long months = start.until(end, ChronoUnit.MONTHS) + 1;
        if (months > MAX_REPORT_MONTHS) {
            throw ApiException.invalid("end", "end must be within " + MAX_REPORT_MONTHS + " months of start: a "
                    + "report covers at most " + MAX_REPORT_MONTHS + " months. Found: " + months + " months from "
                    + start + " to " + end);
        }
    }

    /** The value of a parameter given at most once; a repeated parameter is refused. */
    static Optional<String> single(Context ctx, String name) {
        checkEncoding(ctx);
        List<String> values = ctx.queryParams(name);
        if (values.size() > 1) {
            throw ApiException.invalid(name, name + " is given " + values.size() + " times; give it once");
        }
        if (values.isEmpty()) {
            return Optional.empty();
        }
        String value = values.get(0);
        if (value.isEmpty()) {
            throw ApiException.invalid(name, name + " is empty; give a value or leave the parameter out");
        }
        return Optional.of(value);
    }

    /**
     * Refuses a query string holding a name or value that is not valid percent-encoding ({@code %} not followed by
     * two hex digits). Javalin drops such a pair without a word, which would read {@code end=%zz} as no end at all.
     */
    private static void checkEncoding(Context ctx) {
        String query = ctx.queryString();
        if (query == null || query.indexOf('%') < 0) {
            return;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String rawName = equals < 0 ? pair : pair.substring(0, equals);
            Optional<String> name = decode(rawName);
            if (name.isEmpty()) {
                throw ApiException.invalid(null, "A query parameter name is not valid percent-encoding (% must be "
                        + "followed by two hex digits). Found: " + echo(rawName));
            }
            if (equals >= 0 && decode(pair.substring(equals + 1)).isEmpty()) {
                throw ApiException.invalid(name.get(), echo(name.get()) + " is not valid percent-encoding (% must be "
                        + "followed by two hex digits). Found: " + echo(pair.substring(equals + 1)));
            }
        }
    }

    private static Optional<String> decode(String encoded) {
        try {
            return Optional.of(URLDecoder.decode(encoded, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static int year(String value) {
        if (!YEAR.matcher(value).matches()) {
            throw ApiException.invalid("year", "year must be four digits, for example 2026. Found: " + echo(value));
        }
        int year = Integer.parseInt(value);
        if (year < MIN_YEAR) {
            throw ApiException.invalid("year", "year must be from " + MIN_YEAR + " to " + MAX_YEAR + ". Found: "
                    + echo(value));
        }
        return year;
    }

    private static int month(String value) {
        if (!MONTH.matcher(value).matches() || Integer.parseInt(value) < 1 || Integer.parseInt(value) > 12) {
            throw ApiException.invalid("month", "month must be a whole number from 1 to 12. Found: " + echo(value));
        }
        return Integer.parseInt(value);
    }

    /** The value quoted, shortened, with control characters and non-ASCII shown as escapes. */
    static String echo(String value) {
        StringBuilder out = new StringBuilder("\"");
        int limit = Math.min(value.length(), MAX_ECHO);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        if (value.length() > MAX_ECHO) {
            out.append("...");
        }
        return out.append('"').toString();
    }
}
