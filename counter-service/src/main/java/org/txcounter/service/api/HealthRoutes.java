package org.txcounter.service.api;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.txcounter.core.DatabaseStatus;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.store.StoreException;
import org.txcounter.service.logging.PrivateRollingFileAppender;

/**
 * Readiness of the management API: {@code /health/ready} with every check and its detail (for an operator), and
 * {@code /health/ready/probe}, UP or DOWN and nothing else (for a load balancer, without credentials). Liveness,
 * metrics and the OpenAPI document are one-line routes of {@link ManagementApi}.
 *
 * <p>Thread-safe: it reads what the counter's threads last saw; it never waits for the database.
 */
final class HealthRoutes {

    private final TransactionCounter counter;

    HealthRoutes(TransactionCounter counter) {
        this.counter = counter;
    }

    /** Readiness for a load balancer or Kubernetes, without credentials: 200 UP or 503 DOWN and nothing else. */
    void readyProbe(Context ctx) {
        boolean up = readiness(new LinkedHashMap<>());
        ctx.status(up ? 200 : 503).json(Map.of("status", up ? "UP" : "DOWN"));
    }

    void ready(Context ctx) {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean up = readiness(checks);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", checks);
        ctx.status(up ? 200 : 503).json(body);
    }

    /**
     * Whether this node is ready, each check put into {@code checks}: the database answered the counter's latest
     * call, its schema is the current one and the flusher is keeping up. Reads what the store thread last saw:
     * never waits for the database.
     */
    private boolean readiness(Map<String, Object> checks) {
        DatabaseStatus status = counter.databaseStatus();
        boolean schema = status.state() != DatabaseStatus.State.SCHEMA_OUTDATED;
        // A database with an outdated schema answers: it is up, and the schema check says what is wrong.
        boolean database = status.up() || !schema;
        int pending = Internals.flusher(counter).queued().size();
        checks.put("database", database ? "UP" : "DOWN");
        checks.put("databaseState", status.state().name());
        checks.put("databaseSince", status.since().toString());
        if (!status.up()) {
            checks.put("databaseDetail", status.detail());
        }
        checks.put("schema", !schema ? "OUTDATED" : database ? "CURRENT" : "UNKNOWN");
        checks.put("pendingIntervals", pending);
        boolean flusher = pending < Internals.flusher(counter).maxQueued() / 2;
        checks.put("flusher", flusher ? "UP" : "BEHIND");
        // A write refused for a reason other than an outage needs an operator, whatever the database answers.
        Optional<String> refused = Internals.flusher(counter).lastWriteFailure()
                .filter(e -> e instanceof StoreException store && !store.outage())
                .map(e -> (e instanceof StoreException.NodeConflictException ? "NODE_CONFLICT"
                        : e instanceof StoreException.SequenceGapException ? "SEQUENCE_GAP" : "SCHEMA_MISMATCH")
                        + ": " + e.getMessage());
        // Another live node holds this node's id: nothing is written until it stops (counting goes on, journaled).
        Optional<String> conflict = counter.nodeConflict().map(message -> "NODE_CONFLICT: " + message);
        checks.put("writes", conflict.or(() -> refused).orElse("UP"));
        // Started without a journal after it had counted: what may have been lost, for the whole run.
        counter.journalGap().ifPresent(gap -> checks.put("journalGap", gap));
        // A journal that cannot be written: the counts go to the database every journal interval instead, and the
        // node is not ready, so that a balancer sends the traffic where a hard stop would lose less.
        Optional<String> journal = counter.journalFailure();
        checks.put("journal", journal.map(failure -> "FAILING " + failure).orElse("UP"));
        // A log file that cannot be written is shown, but the node stays ready: no count depends on it.
        List<PrivateRollingFileAppender.Failure> logs = PrivateRollingFileAppender.failing();
        checks.put("logs", logs.isEmpty() ? "UP" : "FAILING " + logs.stream()
                .map(failure -> failure.file() + " since " + failure.since() + ": " + failure.reason())
                .collect(Collectors.joining("; ")));
        return database && schema && flusher && refused.isEmpty() && conflict.isEmpty() && journal.isEmpty();
    }
}
