package org.txcounter.service.statement;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.Transport;
import org.txcounter.core.forecast.MonthForecast;
import org.txcounter.core.interval.IntervalSchedule;
import org.txcounter.core.ledger.LedgerFinding;
import org.txcounter.core.ledger.NodeHead;
import org.txcounter.core.store.Adjustment;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.ImportedMonth;
import org.txcounter.core.store.MonthAlreadyClosedException;
import org.txcounter.core.store.MonthClosure;
import org.txcounter.core.store.MonthSnapshot;
import org.txcounter.core.store.NodeSpan;
import org.txcounter.core.ReportRow;
import org.txcounter.service.json.Json;

/**
 * Closes billing months and issues their signed statements.
 *
 * <p>A month (in the billing zone) may be closed once it has ended and every node that reported in it has reported
 * past its end; a node that stays silent is waited for until the grace period after the month's end has passed, and
 * the statement then lists its silent spans. {@link #closeDue()} closes what is due on its own; an admin closes a
 * month with {@link #close}. A closed month never changes: the store turns a late interval into an adjustment on a
 * later month.
 *
 * <p>Thread-safe: it holds no mutable state; concurrent closes of one month are decided by the store.
 */
public final class MonthCloser {

    /** Who closed a month that closed on its own. */
    public static final String AUTOMATIC = "automatic";
    static final String FORMAT = "txcounter-statement/1";
    private static final Logger LOG = LoggerFactory.getLogger(MonthCloser.class);
    private static final ObjectMapper JSON = Json.MAPPER;

    private final CounterStore store;
    private final IntervalSchedule schedule;
    private final Duration updateInterval;
    private final Duration grace;
    private final String deployment;
    private final StatementKey key;
    private final Clock clock;
    private final Function<YearMonth, List<LedgerFinding>> ledgerCheck;
    private final Function<YearMonth, MonthForecast.Projection> forecast;

    /**
     * @param ledgerCheck the ledger check of one month, as {@code verify --month} runs it
     * @param forecast    the forecast of a month now
     */
    public MonthCloser(CounterStore store, Duration updateInterval, ZoneId zone, Duration grace, String deployment,
            StatementKey key, Clock clock, Function<YearMonth, List<LedgerFinding>> ledgerCheck,
            Function<YearMonth, MonthForecast.Projection> forecast) {
        this.store = store;
        this.schedule = new IntervalSchedule(updateInterval, zone);
        this.updateInterval = updateInterval;
        this.grace = grace;
        this.deployment = deployment;
        this.key = key;
        this.clock = clock;
        this.ledgerCheck = ledgerCheck;
        this.forecast = forecast;
    }

    public StatementKey key() {
        return key;
    }

    public ZoneId zone() {
        return schedule.billingZone();
    }

    /** Where a month stands: closed, ready to close, or waiting for which nodes until when. */
    public record Readiness(YearMonth month, boolean closed, boolean ended, List<String> waitingFor,
            Instant monthEnd, Instant graceEnds, boolean ready) {
    }

    /** Whether {@code month} may be closed now, and if not, why. */
    public Readiness readiness(YearMonth month) {
        Instant end = start(month.plusMonths(1));
        Instant graceEnds = end.plus(grace);
        if (store.closure(month).isPresent()) {
            return new Readiness(month, true, true, List.of(), end, graceEnds, false);
        }
        Instant now = clock.instant();
        boolean ended = !now.isBefore(end);
        List<String> waiting = notReportedPastEnd(store.snapshot(month));
        boolean ready = ended && (waiting.isEmpty() || !now.isBefore(graceEnds));
        return new Readiness(month, false, ended, waiting, end, graceEnds, ready);
    }

    /**
     * Closes {@code month} and issues its signed statement.
     *
     * @throws CloseRefusedException when the month has not ended, or a node has not reported past its end and the
     *         grace period has not passed; the message names the nodes
     * @throws MonthAlreadyClosedException when it is closed already
     */
    public MonthClosure close(YearMonth month, String closedBy) {
        Readiness readiness = readiness(month);
        if (readiness.closed()) {
            throw new MonthAlreadyClosedException(month, store.closure(month).orElseThrow());
        }
        if (!readiness.ended()) {
            throw new CloseRefusedException("Month " + month + " cannot be closed before it ends at "
                    + readiness.monthEnd() + " (" + zone() + ").");
        }
        if (!readiness.ready()) {
            throw new CloseRefusedException("Month " + month + " cannot be closed yet: node(s) "
                    + String.join(", ", readiness.waitingFor()) + " have not reported past the month's end ("
                    + readiness.monthEnd() + "). They are waited for until the grace period ends at "
                    + readiness.graceEnds() + " ([billing] close_grace_days); then the month closes with their "
                    + "silent spans listed. Bring the node(s) back, or close again after that.");
        }
        List<LedgerFinding> findings = ledgerCheck.apply(month);
        MonthForecast.Projection projection = forecast.apply(month);
        Map<String, Instant> registered = new TreeMap<>();
        store.nodes().forEach(node -> registered.put(node.nodeId(), node.registeredAt()));
        List<ImportedMonth> imported = store.imported(month, month);
        MonthClosure closure = store.close(month, closedBy, snapshot -> SignedStatement.sign(
                statement(snapshot, registered, imported, findings, projection, closedBy), key));
        LOG.info("Closed billing month {} ({}) as {}; its statement is signed with {}.", month, zone(), closedBy,
                StatementKey.fingerprint(key.publicKey()));
        return closure;
    }

    /**
     * Closes every month that is due: ended, not closed, with traffic or nodes, and either fully reported or past
     * its grace period. Called about once a minute by the service.
     *
     * @return the months closed by this call
     */
    public List<YearMonth> closeDue() {
        YearMonth current = schedule.billingMonth(clock.instant());
        List<YearMonth> closed = new ArrayList<>();
        Optional<Instant> first = store.nodes().stream().map(node -> node.registeredAt()).min(Instant::compareTo);
        if (first.isEmpty()) {
            return closed;
        }
        TreeSet<YearMonth> done = new TreeSet<>();
        store.closures().forEach(closure -> done.add(closure.month()));
        for (YearMonth month = schedule.billingMonth(first.get()); month.isBefore(current);
                month = month.plusMonths(1)) {
            if (done.contains(month) || !readiness(month).ready()) {
                continue;
            }
            try {
                close(month, AUTOMATIC);
                closed.add(month);
            } catch (MonthAlreadyClosedException e) {
                // Another node closed it first.
            }
        }
        return closed;
    }

    private List<String> notReportedPastEnd(MonthSnapshot snapshot) {
        Instant start = start(snapshot.month());
        Instant end = start(snapshot.month().plusMonths(1));
        Map<String, Instant> lastEnd = new TreeMap<>();
        TreeSet<String> inMonth = new TreeSet<>();
        for (NodeSpan span : snapshot.spans()) {
            if (span.end().isAfter(start) && span.start().isBefore(end)) {
                inMonth.add(span.nodeId());
            }
            lastEnd.merge(span.nodeId(), span.end(), (a, b) -> a.isAfter(b) ? a : b);
        }
        for (ReportRow row : snapshot.rows()) {
            inMonth.add(row.nodeId());
        }
        lastEnd.keySet().retainAll(inMonth);
        for (String node : inMonth) {
            lastEnd.putIfAbsent(node, start);
        }
        List<String> waiting = new ArrayList<>();
        lastEnd.forEach((node, last) -> {
            if (last.isBefore(end)) {
                waiting.add(node + " (last reported " + last + ")");
            }
        });
        return waiting;
    }

    private Instant start(YearMonth month) {
        return month.atDay(1).atStartOfDay(zone()).toInstant();
    }

    /**
     * The statement's content for the snapshot taken at the close. It runs inside the close's transaction, so it
     * reads nothing from the database: {@code registered} (each node's registration) and {@code imported} (the
     * month's totals imported from MI's counter, {@code import-mi}) are read before.
     */
    ObjectNode statement(MonthSnapshot snapshot, Map<String, Instant> registered, List<ImportedMonth> imported,
            List<LedgerFinding> findings,
            MonthForecast.Projection projection, String closedBy) {
        YearMonth month = snapshot.month();
        Instant start = start(month);
        Instant end = start(month.plusMonths(1));
        ObjectNode doc = JSON.createObjectNode();
        doc.put("format", FORMAT);
        doc.put("deployment", deployment);
        doc.put("month", month.toString());
        doc.put("timeZone", zone().getId());
        doc.put("periodStart", start.toString());
        doc.put("periodEnd", end.toString());
        doc.put("updateIntervalSeconds", updateInterval.toSeconds());

        Map<Transport, Long> byTransport = new LinkedHashMap<>();
        for (Transport transport : Transport.values()) {
            if (transport.alwaysReported()) {
                byTransport.put(transport, 0L);
            }
        }
        ArrayNode rows = doc.putArray("rows");
        long total = 0;
        for (ReportRow row : snapshot.rows()) {
            ObjectNode entry = rows.addObject();
            entry.put("nodeId", row.nodeId());
            entry.put("transport", row.transport().name());
            entry.put("count", row.count());
            byTransport.merge(row.transport(), row.count(), Long::sum);
            total += row.count();
        }
        ObjectNode totals = doc.putObject("totals");
        totals.put("total", total);
        ObjectNode transports = totals.putObject("byTransport");
        byTransport.forEach((transport, count) -> transports.put(transport.name(), count));

        ObjectNode adjustments = doc.putObject("adjustments");
        ArrayNode adjustmentRows = adjustments.putArray("rows");
        long adjusted = 0;
        for (Adjustment adjustment : snapshot.adjustments()) {
            ObjectNode entry = adjustmentRows.addObject();
            entry.put("nodeId", adjustment.nodeId());
            entry.put("seq", adjustment.seq());
            entry.put("transport", adjustment.transport().name());
            entry.put("originMonth", adjustment.originMonth().toString());
            entry.put("intervalStart", adjustment.intervalStart().toString());
            entry.put("intervalEnd", adjustment.intervalEnd().toString());
            entry.put("count", adjustment.count());
            entry.put("recordedAt", adjustment.recordedAt().toString());
            adjusted += adjustment.count();
        }
        adjustments.put("total", adjusted);

        // MI's own counter's traffic of this month, attributed by import-mi and signed under the ledger key: not in
        // the ledger's totals above, billed beside them.
        ObjectNode importedMi = doc.putObject("importedMi");
        ArrayNode importedRows = importedMi.putArray("rows");
        long importedTotal = 0;
        for (ImportedMonth row : imported) {
            ObjectNode entry = importedRows.addObject();
            entry.put("nodeId", row.nodeId());
            entry.put("source", row.source());
            entry.put("reportedCount", row.rawCount());
            entry.put("count", row.count());
            entry.put("mac", row.mac());
            importedTotal += row.count();
        }
        importedMi.put("total", importedTotal);
        doc.put("billableTotal", total + adjusted + importedTotal);

        ArrayNode nodes = doc.putArray("nodes");
        Map<String, List<NodeSpan>> spans = new TreeMap<>();
        for (NodeSpan span : snapshot.spans()) {
            if (span.end().isAfter(start) && span.start().isBefore(end)) {
                spans.computeIfAbsent(span.nodeId(), id -> new ArrayList<>()).add(span);
            }
        }
        for (ReportRow row : snapshot.rows()) {
            spans.computeIfAbsent(row.nodeId(), id -> new ArrayList<>());
        }
        Map<String, NodeHead> heads = new TreeMap<>();
        snapshot.heads().forEach(head -> heads.put(head.nodeId(), head));
        for (Map.Entry<String, List<NodeSpan>> node : spans.entrySet()) {
            ObjectNode entry = nodes.addObject();
            entry.put("nodeId", node.getKey());
            NodeHead head = heads.get(node.getKey());
            ObjectNode chain = entry.putObject("chainHead");
            chain.put("seq", head == null ? 0 : head.lastSeq());
            chain.put("mac", head == null ? null : head.lastMac());
            Instant from = registered.getOrDefault(node.getKey(), start);
            coverage(entry.putObject("coverage"), node.getValue(), from.isAfter(start) ? from : start, end);
        }

        ObjectNode ledger = doc.putObject("ledgerCheck");
        ledger.put("scope", "the month's rows of every node's chain, their links to the rows before and after "
                + "them, and the month's rollup, checked at the close");
        ledger.put("valid", findings.isEmpty());
        ArrayNode found = ledger.putArray("findings");
        for (LedgerFinding finding : findings) {
            ObjectNode entry = found.addObject();
            entry.put("kind", finding.kind().name());
            entry.put("nodeId", finding.nodeId());
            entry.put("seq", finding.seq());
            entry.put("detail", finding.detail());
        }

        ObjectNode projected = doc.putObject("forecast");
        projected.put("model", MonthForecast.MODEL);
        projected.put("asOf", projection.asOf().toString());
        projected.put("projectedTotal", projection.projectedTotal());

        doc.put("closedAt", clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
        doc.put("closedBy", closedBy);
        return doc;
    }

    /**
     * Intervals present against expected from {@code from} to {@code end}, and the silent spans: maximal runs of
     * intervals no reporting span touches.
     */
    private void coverage(ObjectNode coverage, List<NodeSpan> spans, Instant from, Instant end) {
        long expected = 0;
        long present = 0;
        ArrayNode silent = coverage.putArray("silentSpans");
        Instant gapStart = null;
        long gapIntervals = 0;
        for (Instant t = from; t.isBefore(end); ) {
            Instant next = schedule.endOf(t);
            expected++;
            boolean covered = false;
            for (NodeSpan span : spans) {
                if (span.start().isBefore(next) && span.end().isAfter(t)) {
                    covered = true;
                    break;
                }
            }
            if (covered) {
                present++;
                if (gapStart != null) {
                    addGap(silent, gapStart, t, gapIntervals);
                    gapStart = null;
                    gapIntervals = 0;
                }
            } else {
                if (gapStart == null) {
                    gapStart = t;
                }
                gapIntervals++;
            }
            t = next;
        }
        if (gapStart != null) {
            addGap(silent, gapStart, end, gapIntervals);
        }
        coverage.put("expectedIntervals", expected);
        coverage.put("presentIntervals", present);
    }

    private static void addGap(ArrayNode silent, Instant start, Instant end, long intervals) {
        ObjectNode gap = silent.addObject();
        gap.put("start", start.toString());
        gap.put("end", end.toString());
        gap.put("intervals", intervals);
    }
}
