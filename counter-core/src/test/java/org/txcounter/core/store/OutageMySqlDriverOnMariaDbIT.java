package org.txcounter.core.store;

import org.txcounter.core.config.DataSourceConfig;

/** The outage contract with MySQL's driver ({@code jdbc:mysql:}) against the machine's MariaDB. */
class OutageMySqlDriverOnMariaDbIT extends OutageContract {

    @Override
    DataSourceConfig owner() {
        return TestDatabases.mysqlDriverOnMariadb();
    }
}
