package org.txcounter.service.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.txcounter.core.Await.awaitUpTo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.TransportCounts;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.interval.IntervalSummary;
import org.txcounter.service.config.SecretStore;
import org.txcounter.service.config.ServiceConfig;
import org.txcounter.service.config.ServiceToml;
import org.txcounter.service.statement.Billing;
import org.txcounter.service.statement.StatementKey;

/**
 * A deployment on its own embedded H2 database with January 2024 counted (three intervals of one node) and closed,
 * and one interval of February: a month old enough to archive under {@code archive_after_months = 1}.
 */
final class ArchivedMonthFixture {

    static final YearMonth MONTH = YearMonth.of(2024, 1);

    private ArchivedMonthFixture() {
    }

    /** Writes the deployment under {@code dir}; returns its deployment.toml. The database is closed again. */
    static Path prepare(Path dir) throws IOException, InterruptedException {
        Path toml = dir.resolve("archive.toml");
        Files.writeString(toml, """
                [node]
                id = "archive-node"
                data_dir = "%s"

                [billing]
                archive_after_months = 1

                [secret_store]
                keystore = "%s"
                """.formatted(dir.resolve("archive-data"), dir.resolve("archive-secrets.p12")));
        ServiceConfig config = ServiceToml.read(toml);
        Clock clock = Clock.systemUTC();
        try (TransactionCounter counter = TransactionCounter.open(config.counter(), clock)) {
            awaitUpTo(Duration.ofSeconds(60), counter::connect);
            long seq = 0;
            for (int minute = 0; minute < 3; minute++) {
                write(counter, ++seq, Instant.parse("2024-01-10T08:00:00Z").plusSeconds(60L * minute), MONTH,
                        5 + minute);
            }
            write(counter, ++seq, Instant.parse("2024-02-01T00:00:00Z"), MONTH.plusMonths(1), 7);
            // Written past the flusher: tell it, so that the journal this run leaves knows the node's last seq, as
            // a run that counted them would (otherwise the next start takes the data directory for another one's).
            Internals.flusher(counter).reconcile(seq);
            SecretStore secrets = SecretStore.openOrCreate(config.secretStore(), name -> null);
            Files.writeString(dir.resolve("archive-public-key.pem"), StatementKey.from(secrets).publicKeyPem());
            try (Billing billing = Billing.create(config, counter, secrets, clock)) {
                billing.closer().close(MONTH, "admin");
            }
        }
        assertThat(Files.exists(dir.resolve("archive-public-key.pem"))).isTrue();
        return toml;
    }

    private static void write(TransactionCounter counter, long seq, Instant start, YearMonth month, long count) {
        Internals.store(counter).write(new IntervalSummary(counter.nodeId(), seq, start, start.plusSeconds(60), month,
                TransportCounts.of(Map.of(Transport.HTTP, count, Transport.JMS, 2 * count))));
    }

    /** A copy of a gzip archive with its text changed (and its signature left as it was). */
    static void rewrite(Path from, Path to, UnaryOperator<String> change) throws IOException {
        String text;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(from))) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String changed = change.apply(text);
        assertThat(changed).as("the change applies").isNotEqualTo(text);
        try (OutputStream gzip = new GZIPOutputStream(Files.newOutputStream(to))) {
            gzip.write(changed.getBytes(StandardCharsets.UTF_8));
        }
    }
}
