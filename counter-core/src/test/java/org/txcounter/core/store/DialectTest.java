package org.txcounter.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
}
