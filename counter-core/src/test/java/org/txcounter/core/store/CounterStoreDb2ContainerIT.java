package org.txcounter.core.store;

import java.nio.file.Path;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.db2.Db2Container;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;

/** IBM DB2 12.1 in a container; skipped, and reported as skipped, where no Docker engine is available. */
@Testcontainers(disabledWithoutDocker = true)
class CounterStoreDb2ContainerIT extends CounterStoreContract {

    @Container
    static final Db2Container DATABASE = new Db2Container("icr.io/db2_community/db2:12.1.2.0").acceptLicense();

    @Override
    DataSourceConfig database(Path dataDir) {
        return DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID, DATABASE.getJdbcUrl(),
                DATABASE.getUsername(), DATABASE.getPassword());
    }
}
