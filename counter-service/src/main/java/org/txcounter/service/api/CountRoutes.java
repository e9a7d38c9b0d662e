package org.txcounter.service.api;

import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.txcounter.core.DayCount;
import org.txcounter.core.MonthCount;
import org.txcounter.core.NodeStatus;
import org.txcounter.core.ReportRow;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.forecast.MonthForecast;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.store.ImportedMonth;
import org.txcounter.core.store.MiHistory;
import org.txcounter.service.statement.Billing;

/**
 * The transaction reads of the management API: a month's count ({@code /transaction/count}), the report of a range
 * of months as JSON or CSV ({@code /transaction/report}), each node and where its writing stands
 * ({@code /transaction/nodes}), and a month's written totals by day ({@code /transaction/daily}). Months imported
 * from MI appear beside the counted ones.
 *
 * <p>Thread-safe: it holds only the counter and the billing side it reads; Jetty calls it from many threads.
 */
final class CountRoutes {

    static final String CSV_HEADER = "month,node_id,transport,transaction_count";
    /** How imported rows are marked in the CSV report's transport column. */
    static final String IMPORTED_TRANSPORT = "MI_IMPORTED";
    private static final String CSV_TYPE = "text/csv";

    private final TransactionCounter counter;
    private final Billing billing;

    CountRoutes(TransactionCounter counter, Billing billing) {
        this.counter = counter;
        this.billing = billing;
    }

    void count(Context ctx) {
        YearMonth current = counter.currentMonth();
        YearMonth month = QueryParameters.yearAndMonth(ctx, current);
        MonthCount written = counter.count(month, TransactionCounter.API_READ_WAIT);
        CountResponse.Unflushed unflushed = null;
        Set<String> nodes = new HashSet<>();
        counter.report(month, month, TransactionCounter.API_READ_WAIT).forEach(row -> nodes.add(row.nodeId()));
        if (month.equals(current) && !counter.reporting()) {
            TransportCounts pending = counter.unflushed();
            unflushed = new CountResponse.Unflushed(counter.nodeId(), pending.total(), byTransport(pending));
        }
        if (month.equals(current)) {
            // A node that reports idle intervals takes part in this month, as /transaction/nodes shows it.
            Instant now = counter.now();
            counter.nodes(TransactionCounter.API_READ_WAIT).stream().filter(node -> reporting(node, now))
                    .forEach(node -> nodes.add(node.nodeId()));
        }
        CountResponse.Forecast forecast = null;
        if (month.equals(current)) {
            MonthForecast.Projection projection = billing.forecasts().project(month);
            forecast = new CountResponse.Forecast(MonthForecast.MODEL, projection.projectedTotal(),
                    projection.asOf().toString());
        }
        List<ImportedMonth> imported = Internals.imported(counter, month, month, TransactionCounter.API_READ_WAIT);
        ctx.json(new CountResponse(month.getYear(), month.getMonthValue(), counter.billingZone().getId(),
                written.total(), byTransport(written.counts()), nodes.size(), unflushed, forecast,
                imported.isEmpty() ? null : importedTotal(imported)));
    }

    /**
     * The report of a range of months, JSON or CSV. Its body changes only when something it is made of is
     * written, so it is rendered once and held with the reads it comes from ({@link Internals#derived}) until then.
     */
    void report(Context ctx) {
        boolean csv = wantsCsv(ctx);
        List<YearMonth> period = QueryParameters.period(ctx);
        YearMonth start = period.get(0);
        YearMonth end = period.get(1);
        Rendered rendered = Internals.derived(counter, "report " + start + " " + end + (csv ? " csv" : " json"),
                TransactionCounter.API_READ_WAIT, () -> csv ? reportCsv(start, end) : reportJson(ctx, start, end));
        rendered.disposition().ifPresent(value -> ctx.header(Header.CONTENT_DISPOSITION, value));
        ctx.contentType(rendered.contentType()).result(rendered.body());
    }

    private Rendered reportCsv(YearMonth start, YearMonth end) {
        // Counted and imported rows together in month order (then node, then transport), as a spreadsheet reads.
        record Line(YearMonth month, String nodeId, String transport, long count) {
        }
        List<Line> lines = new ArrayList<>();
        for (ReportRow row : counter.report(start, end, TransactionCounter.API_READ_WAIT)) {
            lines.add(new Line(row.month(), row.nodeId(), row.transport().name(), row.count()));
        }
        for (ImportedMonth month : Internals.imported(counter, start, end, TransactionCounter.API_READ_WAIT)) {
            lines.add(new Line(month.month(), month.nodeId(), IMPORTED_TRANSPORT, month.count()));
        }
        lines.sort(Comparator.comparing(Line::month).thenComparing(Line::nodeId).thenComparing(Line::transport));
        StringBuilder body = new StringBuilder(CSV_HEADER).append("\r\n");
        for (Line line : lines) {
            body.append(line.month()).append(',').append(csvField(line.nodeId())).append(',')
                    .append(line.transport()).append(',').append(line.count()).append("\r\n");
        }
        return new Rendered(CSV_TYPE + "; charset=utf-8", Optional.of("attachment; filename=\"transactions-" + start
                + "-to-" + end + ".csv\""), body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private Rendered reportJson(Context ctx, YearMonth start, YearMonth end) {
        List<ReportRow> rows = counter.report(start, end, TransactionCounter.API_READ_WAIT);
        List<ImportedMonth> imported = Internals.imported(counter, start, end, TransactionCounter.API_READ_WAIT);
        long total = 0;
        List<ReportResponse.Row> json = new ArrayList<>(rows.size());
        for (ReportRow row : rows) {
            total += row.count();
            json.add(new ReportResponse.Row(row.month().toString(), row.nodeId(), row.transport().name(),
                    row.count()));
        }
        ReportResponse.Imported importedPart = null;
        if (!imported.isEmpty()) {
            importedPart = new ReportResponse.Imported(MiHistory.SOURCE, importedTotal(imported),
                    imported.stream().mapToLong(ImportedMonth::rawCount).sum(), imported.stream()
                            .map(month -> new ReportResponse.ImportedRow(month.month().toString(), month.nodeId(),
                                    month.rawCount(), month.count()))
                            .toList());
        }
        ReportResponse report = new ReportResponse(start.toString(), end.toString(), counter.billingZone().getId(),
                total, json, importedPart);
        return new Rendered(ContentType.JSON, Optional.empty(), ctx.jsonMapper().toJsonString(report,
                ReportResponse.class).getBytes(StandardCharsets.UTF_8));
    }

    /** A response body rendered once for many requests: immutable, its array never written after creation. */
    private record Rendered(String contentType, Optional<String> disposition, byte[] body) {
    }

    /**
     * Each node with where its writing stands. A node is {@code reporting} when it wrote or reported idle within
     * two update intervals, else {@code silent}: its intervals are missing, not merely empty.
     */
    void nodes(Context ctx) {
        Instant now = counter.now();
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (NodeStatus node : counter.nodes(TransactionCounter.API_READ_WAIT)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("nodeId", node.nodeId());
            entry.put("lastSeq", node.lastSeq());
            entry.put("lastIntervalEnd", node.lastIntervalEnd().map(Instant::toString).orElse(null));
            entry.put("lastFlushAt", node.lastFlushAt().map(Instant::toString).orElse(null));
            entry.put("state", reporting(node, now) ? "reporting" : "silent");
            nodes.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("silentAfterSeconds", silentAfter().toSeconds());
        body.put("nodes", nodes);
        ctx.json(body);
    }

    /** How long a node may stay quiet and still count as reporting: two update intervals and a margin. */
    private Duration silentAfter() {
        return counter.updateInterval().multipliedBy(2).plusSeconds(30);
    }

    private boolean reporting(NodeStatus node, Instant now) {
        return node.lastFlushAt().map(at -> !at.plus(silentAfter()).isBefore(now)).orElse(false);
    }

    /**
     * A month's written totals by day of the billing time zone and transport, every day of the month listed (0 for
     * days without traffic). Counts not yet written are not in it: they are in {@code /transaction/count}.
     */
    void daily(Context ctx) {
        YearMonth month = QueryParameters.yearAndMonth(ctx, counter.currentMonth());
        List<DayCount> rows = counter.daily(month, TransactionCounter.API_READ_WAIT);
        // Every day lists the same transports: the runtime's own two, and any other that counted in the month.
        Set<Transport> shown = EnumSet.noneOf(Transport.class);
        for (Transport transport : Transport.values()) {
            if (transport.alwaysReported()) {
                shown.add(transport);
            }
        }
        rows.forEach(row -> shown.add(row.transport()));
        Map<LocalDate, Map<String, Long>> days = new LinkedHashMap<>();
        for (int day = 1; day <= month.lengthOfMonth(); day++) {
            Map<String, Long> zeros = new LinkedHashMap<>();
            shown.forEach(transport -> zeros.put(transport.name(), 0L));
            days.put(month.atDay(day), zeros);
        }
        for (DayCount row : rows) {
            days.get(row.day()).merge(row.transport().name(), row.count(), Long::sum);
        }
        long total = 0;
        List<Map<String, Object>> out = new ArrayList<>(days.size());
        for (Map.Entry<LocalDate, Map<String, Long>> day : days.entrySet()) {
            long dayTotal = day.getValue().values().stream().mapToLong(Long::longValue).sum();
            total += dayTotal;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("date", day.getKey().toString());
            entry.put("total", dayTotal);
            entry.put("byTransport", day.getValue());
            out.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("year", month.getYear());
        body.put("month", month.getMonthValue());
        body.put("timeZone", counter.billingZone().getId());
        body.put("total", total);
        body.put("days", out);
        ctx.json(body);
    }

    static long importedTotal(List<ImportedMonth> imported) {
        return imported.stream().mapToLong(ImportedMonth::count).sum();
    }

    private static boolean wantsCsv(Context ctx) {
        Optional<String> format = QueryParameters.single(ctx, "format");
        if (format.isPresent()) {
            String value = format.get().toLowerCase(Locale.ROOT);
            if (value.equals("csv")) {
                return true;
            }
            if (value.equals("json")) {
                return false;
            }
            throw ApiException.invalid("format", "format must be csv or json. Found: "
                    + QueryParameters.echo(format.get()));
        }
        String accept = ctx.header(Header.ACCEPT);
        return accept != null && accept.toLowerCase(Locale.ROOT).contains(CSV_TYPE);
    }

    private static Map<String, Long> byTransport(TransportCounts counts) {
        Map<String, Long> map = new LinkedHashMap<>();
        for (Transport transport : Transport.values()) {
            long count = counts.get(transport);
            if (count > 0 || transport.alwaysReported()) {
                map.put(transport.name(), count);
            }
        }
        return map;
    }

    /** RFC 4180: quote a field holding a comma, quote or line break, doubling inner quotes. */
    static String csvField(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\r') < 0
                && value.indexOf('\n') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
