package org.txcounter.core.store;

import java.nio.file.Path;
import org.txcounter.core.config.DataSourceConfig;

class CounterStoreMariaDbIT extends CounterStoreContract {

    @Override
    DataSourceConfig database(Path dataDir) {
        return TestDatabases.mariadb();
    }

    @Override
    boolean connectionsComeAtReadCommitted() {
        return false;
    }
}
