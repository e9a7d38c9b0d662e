package org.txcounter.core.store;

import org.txcounter.core.config.DataSourceConfig;

class RuntimeAccountMariaDbIT extends RuntimeAccountContract {

    @Override
    DataSourceConfig owner() {
        return TestDatabases.mariadb();
    }

    @Override
    DataSourceConfig runtime() {
        return TestDatabases.mariadbApp();
    }

    @Override
    Dialect dialect() {
        return Dialect.MYSQL;
    }
}
