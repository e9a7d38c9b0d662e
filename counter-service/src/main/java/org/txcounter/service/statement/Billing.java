package org.txcounter.service.statement;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.internal.Internals;
import org.txcounter.core.io.AtomicFiles;
import org.txcounter.service.config.SecretStore;
import org.txcounter.service.config.ServiceConfig;

/**
 * The month-end side of the service: closing months and their signed statements, the licence quota and its alerts,
 * and the month's forecast. {@link #start(Path)} runs {@link #tick()} about once a minute.
 *
 * <pre>{@code
 * Billing billing = Billing.create(config, counter, SecretStore.openOrCreate(config.secretStore(), System::getenv),
 *         clock);
 * billing.start(config.dataDir());
 * }</pre>
 *
 * <p>Thread-safe: its parts are; the timer runs on one daemon thread of its own.
 */
public final class Billing implements AutoCloseable {

    /** The public key auditors verify statements with, written into the data directory at start. */
    public static final String PUBLIC_KEY_FILE = "statement-public-key.pem";
    private static final Logger LOG = LoggerFactory.getLogger(Billing.class);

    private final MonthCloser closer;
    private final Forecasts forecasts;
    private final QuotaMonitor quota;
    private final String deployment;
    private final Clock clock;
    private ScheduledExecutorService timer;

    private Billing(MonthCloser closer, Forecasts forecasts, QuotaMonitor quota, String deployment, Clock clock) {
        this.closer = closer;
        this.forecasts = forecasts;
        this.quota = quota;
        this.deployment = deployment;
        this.clock = clock;
    }

    /** The billing side for {@code counter}, signing with the statement key from {@code secrets}. */
    public static Billing create(ServiceConfig config, TransactionCounter counter, SecretStore secrets, Clock clock) {
        StatementKey key = StatementKey.from(secrets);
        String deployment = config.counter().dedupe().deploymentId();
        Forecasts forecasts = new Forecasts(Internals.store(counter), counter.billingZone(), clock,
                () -> counter.unflushed().total());
        MonthCloser closer = new MonthCloser(Internals.store(counter), counter.updateInterval(), counter.billingZone(),
                config.counter().closeGrace(), deployment, key, clock,
                month -> Internals.checkLedger(counter, month, month, null).findings(), forecasts::project);
        Optional<QuotaWebhook> webhook = config.licence().webhook()
                .map(url -> new QuotaWebhook(url, QuotaWebhook.DEFAULT_BACKOFF));
        QuotaMonitor quota = new QuotaMonitor(Internals.store(counter), config.licence(), counter.billingZone(),
                deployment,
                clock, webhook);
        return new Billing(closer, forecasts, quota, deployment, clock);
    }

    /** Writes the public key to {@code dataDir} and runs {@link #tick()} every minute from now on. */
    public synchronized void start(Path dataDir) {
        Path file = dataDir.resolve(PUBLIC_KEY_FILE);
        try {
            AtomicFiles.write(file, closer.key().publicKeyPem().getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            LOG.warn("Cannot write the statements' public key to {}: {}. It is also served at "
                    + "/transaction/statements/public-key.", file.toAbsolutePath(), e.toString());
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "txn-billing");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::tickLogged, 0, 60, TimeUnit.SECONDS);
        LOG.info("Monthly statements are signed with Ed25519 key {}; auditors verify them with {}.",
                StatementKey.fingerprint(closer.key().publicKey()), file.toAbsolutePath());
    }

    private void tickLogged() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("The month-close and quota check failed: {}. It runs again in a minute.", e.toString());
        }
    }

    /** Closes the months that are due and checks the quota. */
    public void tick() {
        closer.closeDue();
        quota.check();
    }

    public MonthCloser closer() {
        return closer;
    }

    public Forecasts forecasts() {
        return forecasts;
    }

    public QuotaMonitor quota() {
        return quota;
    }

    public String deployment() {
        return deployment;
    }

    /** The billing month it is now. */
    public YearMonth currentMonth() {
        return YearMonth.from(clock.instant().atZone(closer.zone()));
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        quota.webhook().ifPresent(QuotaWebhook::close);
    }
}
