package org.txcounter.core.store;

import org.txcounter.core.config.DataSourceConfig;

class RuntimeAccountPostgresIT extends RuntimeAccountContract {

    @Override
    DataSourceConfig owner() {
        return TestDatabases.postgres();
    }

    @Override
    DataSourceConfig runtime() {
        return TestDatabases.postgresApp();
    }

    @Override
    Dialect dialect() {
        return Dialect.POSTGRESQL;
    }
}
