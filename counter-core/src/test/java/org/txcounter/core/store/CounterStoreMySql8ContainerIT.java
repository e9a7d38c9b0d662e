package org.txcounter.core.store;

import java.nio.file.Path;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mysql.MySQLContainer;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;

/** MySQL 8 in a container; skipped, and reported as skipped, where no Docker engine is available. */
@Testcontainers(disabledWithoutDocker = true)
class CounterStoreMySql8ContainerIT extends CounterStoreContract {

    @Container
    static final MySQLContainer DATABASE = new MySQLContainer("mysql:8.4");

    @Override
    DataSourceConfig database(Path dataDir) {
        return DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID, DATABASE.getJdbcUrl(),
                DATABASE.getUsername(), DATABASE.getPassword());
    }

    @Override
    boolean connectionsComeAtReadCommitted() {
        return false;
    }
}
