package org.txcounter.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.txcounter.core.config.DataSourceConfig;

class DialectTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "jdbc:postgresql://db:5432/transactiondb, POSTGRESQL",
        "jdbc:mysql://db:3306/transactiondb, MYSQL",
        "jdbc:mariadb://db:3306/transactiondb, MYSQL",
        "jdbc:sqlserver://db:1433;databaseName=transactiondb, SQLSERVER",
        "jdbc:oracle:thin:@//db:1521/FREEPDB1, ORACLE",
        "jdbc:db2://db:50000/TXNDB, DB2",
        "jdbc:h2:file:./data/transactiondb, H2",
        "jdbc:h2:mem:x;MODE=MSSQLServer, SQLSERVER",
        "jdbc:h2:mem:x;mode=oracle, ORACLE",
        "jdbc:h2:mem:x;MODE=DB2, DB2",
        "jdbc:h2:mem:x;MODE=MariaDB, MYSQL"
    })
    void theDialectFollowsTheUrl(String url, Dialect expected) {
        assertThat(Dialect.forUrl(url)).isEqualTo(expected);
    }

    @Test
    void anUnsupportedDatabaseIsNamed() {
        assertThatThrownBy(() -> Dialect.forUrl("jdbc:sqlite:/tmp/x.db"))
                .isInstanceOf(StoreException.class)
                .hasMessage("Unsupported database URL \"jdbc:sqlite:/tmp/x.db\": expected jdbc:postgresql:, "
                        + "jdbc:mysql:, jdbc:mariadb:, jdbc:sqlserver:, jdbc:oracle:, jdbc:db2: or jdbc:h2:.");
        assertThatThrownBy(() -> Dialect.forUrl("jdbc:h2:mem:x;MODE=Derby"))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("Unsupported H2 compatibility mode \"Derby\"");
    }

    @Test
    void everyNetworkedVendorGetsConnectAndSocketTimeoutsInItsDriversUnits() {
        DataSourceConfig.Timeouts timeouts = new DataSourceConfig.Timeouts(Duration.ofMillis(1500),
                Duration.ofMillis(30_000), Duration.ofMillis(20_000));
        assertThat(Dialect.POSTGRESQL.timeoutProperties(timeouts))
                .containsEntry("connectTimeout", "2").containsEntry("loginTimeout", "2")
                .containsEntry("socketTimeout", "30").containsEntry("cancelSignalTimeout", "2");
        assertThat(Dialect.MYSQL.timeoutProperties(timeouts))
                .containsEntry("connectTimeout", "1500").containsEntry("socketTimeout", "30000");
        assertThat(Dialect.SQLSERVER.timeoutProperties(timeouts))
                .containsEntry("loginTimeout", "2").containsEntry("socketTimeout", "30000");
        assertThat(Dialect.ORACLE.timeoutProperties(timeouts))
                .containsEntry("oracle.net.CONNECT_TIMEOUT", "1500").containsEntry("oracle.jdbc.ReadTimeout", "30000");
        assertThat(Dialect.DB2.timeoutProperties(timeouts))
                .containsEntry("loginTimeout", "2").containsEntry("blockingReadConnectionTimeout", "30");
        assertThat(Dialect.H2.timeoutProperties(timeouts)).isEmpty();
    }
}
