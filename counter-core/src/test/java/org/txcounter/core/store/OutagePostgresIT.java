package org.txcounter.core.store;

import org.txcounter.core.config.DataSourceConfig;

class OutagePostgresIT extends OutageContract {

    @Override
    DataSourceConfig owner() {
        return TestDatabases.postgres();
    }
}
