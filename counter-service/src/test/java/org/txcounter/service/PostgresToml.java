package org.txcounter.service;

import org.txcounter.core.config.DataSourceConfig;

/**
 * The sections of a packaged-service test's {@code deployment.toml} that point the counter at a PostgreSQL test
 * database: the {@code [[datasource]]} with the account's password through {@code [secrets]}, and the counter's use
 * of it. Stateless.
 */
final class PostgresToml {

    private PostgresToml() {
    }

    /**
     * The sections for {@code account} at {@code jdbcUrl} (the test database's, or a proxy's in front of it), with
     * {@code moreSecrets} (whole {@code name = "[value]"} lines, or empty) in the same {@code [secrets]} table.
     */
    static String datasource(String jdbcUrl, DataSourceConfig account, String moreSecrets) {
        return """
                [[datasource]]
                id = "WSO2_TRANSACTION_DB"
                url = "%s"
                username = "%s"
                password = "$secret{db}"

                [transaction_counter]
                data_source = "WSO2_TRANSACTION_DB"

                [secrets]
                db = "[%s]"
                %s
                """.formatted(jdbcUrl, account.username(), account.password(), moreSecrets);
    }
}
