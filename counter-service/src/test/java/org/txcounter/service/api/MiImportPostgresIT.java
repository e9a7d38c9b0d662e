package org.txcounter.service.api;

import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.store.TestDatabases;

/** {@code import-mi} from MI's table on the machine's PostgreSQL. */
class MiImportPostgresIT extends MiImportContract {

    @Override
    DataSourceConfig owner() {
        return TestDatabases.postgres();
    }

    @Override
    DataSourceConfig app() {
        return TestDatabases.postgresApp();
    }

    @Override
    String miTable() {
        return """
                CREATE TABLE CURRENT_STATS (
                  TIME_STAMP DATE NOT NULL,
                  NODE_ID VARCHAR(40) NOT NULL,
                  TRANSACTION_COUNT INT NOT NULL,
                  TRANSACTION_COUNT_ENCRYPTED VARCHAR(400) NOT NULL
                )""";
    }
}
