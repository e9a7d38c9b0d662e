package org.txcounter.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.DataSourceConfig;

class CounterStoreH2IT extends CounterStoreContract {

    @TempDir
    Path emptyDir;

    @Override
    DataSourceConfig database(Path dataDir) {
        return TestDatabases.h2(dataDir);
    }

    @Test
    void aDatabaseWithoutTheSchemaIsASchemaMismatchNotAnOutage() {
        try (CounterStore store = CounterStore.open(TestDatabases.h2(emptyDir), Clock.systemUTC())) {
            assertThatThrownBy(store::requireCurrentSchema)
                    .isInstanceOf(StoreException.SchemaMismatchException.class)
                    .hasMessageContaining("no transaction counter schema")
                    .hasMessageContaining("migrate")
                    .matches(e -> !((StoreException) e).outage(), "not an outage");
            assertThat(store.schemaCurrent()).isFalse();
        }
    }
}
