package org.txcounter.core.store;

import java.nio.file.Path;
import org.txcounter.core.config.DataSourceConfig;

/** The MSSQLServer dialect and migrations, run on H2 in its MSSQLServer compatibility mode. */
class CounterStoreH2MsSqlModeIT extends CounterStoreContract {

    @Override
    DataSourceConfig database(Path dataDir) {
        return TestDatabases.h2InMode(dataDir, "MSSQLServer");
    }
}
