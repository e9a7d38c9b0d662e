package org.txcounter.core.store;

import java.nio.file.Path;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.oracle.OracleContainer;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;

/** Oracle Database Free 23 in a container; skipped, and reported as skipped, where no Docker engine is available. */
@Testcontainers(disabledWithoutDocker = true)
class CounterStoreOracleContainerIT extends CounterStoreContract {

    @Container
    static final OracleContainer DATABASE = new OracleContainer("gvenzl/oracle-free:23-slim-faststart");

    @Override
    DataSourceConfig database(Path dataDir) {
        return DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID, DATABASE.getJdbcUrl(),
                DATABASE.getUsername(), DATABASE.getPassword());
    }
}
