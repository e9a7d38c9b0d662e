package org.txcounter.core.store;

import java.nio.file.Path;
import org.txcounter.core.config.DataSourceConfig;

class ReadCachePostgresIT extends ReadCacheContract {

    @Override
    DataSourceConfig database(Path dir) {
        return TestDatabases.postgres();
    }
}
