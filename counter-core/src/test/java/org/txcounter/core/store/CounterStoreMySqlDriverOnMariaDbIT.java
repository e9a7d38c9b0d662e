package org.txcounter.core.store;

import java.nio.file.Path;
import org.txcounter.core.config.DataSourceConfig;

/** The store's contract with MySQL's driver ({@code jdbc:mysql:}) against the machine's MariaDB. */
class CounterStoreMySqlDriverOnMariaDbIT extends CounterStoreContract {

    @Override
    DataSourceConfig database(Path dataDir) {
        return TestDatabases.mysqlDriverOnMariadb();
    }

    @Override
    boolean connectionsComeAtReadCommitted() {
        return false;
    }
}
