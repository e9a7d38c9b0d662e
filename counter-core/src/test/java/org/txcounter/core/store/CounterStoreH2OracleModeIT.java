package org.txcounter.core.store;

import java.nio.file.Path;
import org.txcounter.core.config.DataSourceConfig;

/** The Oracle dialect and migrations, run on H2 in its Oracle compatibility mode. */
class CounterStoreH2OracleModeIT extends CounterStoreContract {

    @Override
    DataSourceConfig database(Path dataDir) {
        return TestDatabases.h2InMode(dataDir, "Oracle");
    }
}
