package org.txcounter.core.store;

import java.nio.file.Path;
import org.txcounter.core.config.DataSourceConfig;

/** The DB2 dialect and migrations, run on H2 in its DB2 compatibility mode. */
class CounterStoreH2Db2ModeIT extends CounterStoreContract {

    @Override
    DataSourceConfig database(Path dataDir) {
        return TestDatabases.h2InMode(dataDir, "DB2");
    }
}
