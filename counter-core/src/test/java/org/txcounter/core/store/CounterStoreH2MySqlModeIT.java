package org.txcounter.core.store;

import java.nio.file.Path;
import org.txcounter.core.config.DataSourceConfig;

/** The MySQL dialect and migrations, run on H2 in its MySQL compatibility mode. */
class CounterStoreH2MySqlModeIT extends CounterStoreContract {

    @Override
    DataSourceConfig database(Path dataDir) {
        return TestDatabases.h2InMode(dataDir, "MySQL");
    }
}
