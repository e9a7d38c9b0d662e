package org.txcounter.core.store;

import org.txcounter.core.config.DataSourceConfig;

class OutageMariaDbIT extends OutageContract {

    @Override
    DataSourceConfig owner() {
        return TestDatabases.mariadb();
    }
}
