package org.txcounter.core.store;

import java.nio.file.Path;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mssqlserver.MSSQLServerContainer;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;

/** Microsoft SQL Server 2022 in a container; skipped, and reported as skipped, where no Docker engine is available. */
@Testcontainers(disabledWithoutDocker = true)
class CounterStoreSqlServerContainerIT extends CounterStoreContract {

    @Container
    static final MSSQLServerContainer DATABASE = new MSSQLServerContainer(
            "mcr.microsoft.com/mssql/server:2022-latest").acceptLicense();

    @Override
    DataSourceConfig database(Path dataDir) {
        return DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID, DATABASE.getJdbcUrl(),
                DATABASE.getUsername(), DATABASE.getPassword());
    }
}
