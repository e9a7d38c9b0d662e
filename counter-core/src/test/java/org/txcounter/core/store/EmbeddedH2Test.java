package org.txcounter.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.core.Transport;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;

/**
 * The embedded default database gets a generated password, kept owner-only in the data directory; a database made
 * by an earlier version with {@code sa} and no password keeps its data and is given the password.
 */
class EmbeddedH2Test {

    @TempDir
    Path dataDir;

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:30Z");

    @Test
    void aNewDatabaseIsCreatedWithAGeneratedPasswordKeptOwnerOnly() throws Exception {
        DataSourceConfig secured = EmbeddedH2.secure(CounterConfig.embeddedDataSource(dataDir), dataDir);

        Path file = dataDir.resolve(EmbeddedH2.PASSWORD_FILE);
        assertThat(secured.password()).isNotEmpty().isEqualTo(Files.readString(file).strip());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                dataDir.resolve("transactiondb.mv.db")))).isEqualTo("rw-------");
        assertThatThrownBy(() -> DriverManager.getConnection(secured.url(), "sa", "").close())
                .isInstanceOf(SQLException.class);
        DriverManager.getConnection(secured.url(), "sa", secured.password()).close();
        // The next start reads the same password.
        assertThat(EmbeddedH2.secure(CounterConfig.embeddedDataSource(dataDir), dataDir).password())
                .isEqualTo(secured.password());
    }

    @Test
    void aDatabaseOfAnEarlierVersionWithSaAndNoPasswordKeepsItsCountsAndGetsThePassword() throws Exception {
        CounterConfig config = CounterConfig.builder().dataDir(dataDir).nodeId("old-node").build();
        DataSourceConfig old = CounterConfig.embeddedDataSource(dataDir);
        // What an earlier version left: the schema and 3 written transactions, under sa with an empty password.
        try (CounterStore store = CounterStore.open(old, clock)) {
            store.migrate();
        }
        try (Connection connection = DriverManager.getConnection(old.url(), "sa", "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE earlier_version_marker (id INT)");
            statement.execute("INSERT INTO earlier_version_marker VALUES (3)");
        }
        assertThat(Files.exists(dataDir.resolve(EmbeddedH2.PASSWORD_FILE))).isFalse();

        try (TransactionCounter counter = TransactionCounter.open(config, clock)) {
            counter.meter().counter(Transport.HTTP).record();
            assertThat(counter.meter().pending().get(Transport.HTTP)).isEqualTo(1);
        }

        String password = Files.readString(dataDir.resolve(EmbeddedH2.PASSWORD_FILE)).strip();
        assertThatThrownBy(() -> DriverManager.getConnection(old.url(), "sa", "").close())
                .isInstanceOf(SQLException.class);
        try (Connection connection = DriverManager.getConnection(old.url(), "sa", password);
                Statement statement = connection.createStatement();
                ResultSet marker = statement.executeQuery("SELECT id FROM earlier_version_marker")) {
            assertThat(marker.next()).isTrue();
            assertThat(marker.getInt(1)).isEqualTo(3);
        }
        // And it starts again with the password it now has.
        TransactionCounter.open(config, clock).close();
    }

    @Test
    void anyOtherDatasourceIsLeftAsConfigured() {
        DataSourceConfig shared = CounterConfig.embeddedDataSource(dataDir.resolve("elsewhere"));
        assertThat(EmbeddedH2.secure(shared, dataDir)).isSameAs(shared);
        DataSourceConfig withPassword = DataSourceConfig.of("X", CounterConfig.embeddedDataSource(dataDir).url(),
                "sa", "chosen");
        assertThat(EmbeddedH2.secure(withPassword, dataDir)).isSameAs(withPassword);
        assertThat(dataDir.resolve(EmbeddedH2.PASSWORD_FILE)).doesNotExist();
    }
}
