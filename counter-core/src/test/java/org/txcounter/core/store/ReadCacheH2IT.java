package org.txcounter.core.store;

import java.nio.file.Path;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;

/** On an H2 file that both nodes open in this JVM, outside their data directories. */
class ReadCacheH2IT extends ReadCacheContract {

    @Override
    DataSourceConfig database(Path dir) {
        return DataSourceConfig.of(CounterConfig.DEFAULT_DATA_SOURCE_ID, "jdbc:h2:file:"
                + dir.toAbsolutePath().resolve("shared") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0", "sa", "");
    }
}
