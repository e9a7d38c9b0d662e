package org.txcounter.core.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.io.AtomicFiles;
import org.txcounter.core.io.PrivateFiles;

/**
 * Gives the embedded default database ({@link CounterConfig#embeddedDataSource}) a password of its own instead of
 * H2's {@code sa} with none. The password is generated on the first start and kept in
 * {@code <data_dir>/embedded-db-password} (mode 600), like the other generated secrets. A database created before
 * this, with {@code sa} and an empty password, is given the password at its next start, and the log says so. The
 * database files are set to mode 600.
 *
 * <p>Called once at start-up, before the pool opens; not for concurrent use on one data directory.
 *
 * <p>Stateless. Called at the start, from one thread: two callers creating the password file at once would each
 * generate one, and the last write would win.
 */
public final class EmbeddedH2 {

    static final String PASSWORD_FILE = "embedded-db-password";
    /** H2's error code for a wrong user name or password. */
    private static final int WRONG_USER_OR_PASSWORD = 28000;
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedH2.class);

    private EmbeddedH2() {
    }

    /**
     * {@code configured} with the generated password when it is the embedded default of {@code dataDir} (user
     * {@code sa}, no password); any other datasource unchanged.
     */
    public static DataSourceConfig secure(DataSourceConfig configured, Path dataDir) {
        DataSourceConfig embedded = CounterConfig.embeddedDataSource(dataDir);
        if (!configured.url().equals(embedded.url()) || !configured.username().equals(embedded.username())
                || !configured.password().isEmpty()) {
            return configured;
        }
        requireH2();
        Path file = dataDir.resolve(PASSWORD_FILE);
        String password;
        try {
            password = Files.exists(file) ? Files.readString(file, StandardCharsets.US_ASCII).strip() : generate(file);
        } catch (IOException e) {
            throw new ConfigException("Cannot read or create the embedded database's password file "
                    + file.toAbsolutePath() + ": " + e.getMessage() + ". Make the data directory writable by this "
                    + "user, or restore the file.", e);
        }
        DataSourceConfig secured = new DataSourceConfig(configured.id(), configured.url(), configured.username(),
                password, configured.driver(), configured.maxPoolSize(), configured.minIdle(),
                configured.connectionTimeout(), configured.validationQuery(), configured.validationTimeout(),
                configured.maxLifetime(), configured.autoCommit());
        setPasswordIfStillEmpty(secured, file);
        restrictFiles(dataDir);
        return secured;
    }

    /**
     * H2 is an optional dependency, needed only for this default: without it the counter refuses to start and
     * says what to add.
     */
    private static void requireH2() {
        try {
            Class.forName("org.h2.Driver", false, EmbeddedH2.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigException("No datasource is configured, and the embedded default database needs H2, "
                    + "which is not on the classpath. Either add com.h2database:h2:2.3.232 and "
                    + "org.flywaydb:flyway-core:12.4.0 for the embedded database in the data directory, or give the "
                    + "counter its database: CounterConfig.builder().dataSource(yourDataSource) (a javax.sql."
                    + "DataSource) or .dataSource(DataSourceConfig.of(...)), or [[datasource]] with "
                    + "[transaction_counter] data_source in deployment.toml.", e);
        }
    }

    private static String generate(Path file) throws IOException {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        AtomicFiles.write(file, (password + "\n").getBytes(StandardCharsets.US_ASCII));
        return password;
    }

    /**
     * Opens the database with the password (which creates a new one with it); when that is refused, opens it the
     * old way, with an empty password, and sets the password.
     */
    private static void setPasswordIfStillEmpty(DataSourceConfig secured, Path file) {
        try {
            DriverManager.getConnection(secured.url(), secured.username(), secured.password()).close();
            return;
        } catch (SQLException e) {
            if (e.getErrorCode() != WRONG_USER_OR_PASSWORD) {
                CounterStore.embeddedInUse(secured.url(), e).ifPresent(inUse -> {
                    throw inUse;
                });
                throw new StoreException("Cannot open the embedded database " + secured.url() + ": "
                        + e.getMessage(), e);
            }
        }
        try (Connection connection = DriverManager.getConnection(secured.url(), secured.username(), "");
                Statement statement = connection.createStatement()) {
            // The password is base64url: no quote can end the literal.
            statement.execute("ALTER USER " + secured.username() + " SET PASSWORD '" + secured.password() + "'");
        } catch (SQLException e) {
            throw new StoreException("The embedded database " + secured.url() + " refuses both the password in "
                    + file.toAbsolutePath() + " and the empty password of earlier versions: " + e.getMessage()
                    + ". Restore the password file that belongs to this database.", e);
        }
        LOG.warn("The embedded database {} still had the user {} with an empty password: it now has the generated "
                + "password kept in {} (owner-only). Keep that file with the database.", secured.url(),
                secured.username(), file.toAbsolutePath());
    }

    private static void restrictFiles(Path dataDir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dataDir, "transactiondb.*")) {
            for (Path file : files) {
                PrivateFiles.restrict(file);
            }
        } catch (IOException e) {
            LOG.warn("Cannot make the embedded database's files in {} owner-only: {}. Check their owner.",
                    dataDir.toAbsolutePath(), e.toString());
        }
    }
}
