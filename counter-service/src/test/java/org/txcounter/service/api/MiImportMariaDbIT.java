package org.txcounter.service.api;

import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.store.TestDatabases;

/** {@code import-mi} from MI's table on the machine's MariaDB, with MI's MySQL definition. */
class MiImportMariaDbIT extends MiImportContract {

    @Override
    DataSourceConfig owner() {
        return TestDatabases.mariadb();
    }

    @Override
    DataSourceConfig app() {
        return TestDatabases.mariadbApp();
    }

    @Override
    String miTable() {
        return """
                CREATE TABLE IF NOT EXISTS CURRENT_STATS (
                  TIME_STAMP DATE NOT NULL,
                  NODE_ID VARCHAR(40) NOT NULL,
                  TRANSACTION_COUNT INT NOT NULL,
                  TRANSACTION_COUNT_ENCRYPTED VARCHAR(400) NOT NULL
                ) ENGINE INNODB""";
    }
}
