package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.txcounter.core.store.StoreException;

/** The kind of a database failure, read from the causes as the drivers and the pool nest them. */
class DatabaseProblemTest {

    @Test
    void eachKindIsFoundThroughThePoolsAndTheStoresWrapping() {
        assertThat(DatabaseProblem.of(wrapped(new ConnectException("Connection refused")))).isEqualTo(
                DatabaseProblem.REFUSED);
        assertThat(DatabaseProblem.of(wrapped(new SQLException("FATAL: password authentication failed for user "
                + "\"txn_app\"", "28P01")))).isEqualTo(DatabaseProblem.AUTHENTICATION_FAILED);
        assertThat(DatabaseProblem.of(wrapped(new SQLException("Access denied for user 'txn_app'@'localhost'",
                "28000")))).isEqualTo(DatabaseProblem.AUTHENTICATION_FAILED);
        assertThat(DatabaseProblem.of(wrapped(new SocketTimeoutException("Read timed out")))).isEqualTo(
                DatabaseProblem.TIMED_OUT);
        assertThat(DatabaseProblem.of(wrapped(new UnknownHostException("db.invalid")))).isEqualTo(
                DatabaseProblem.UNKNOWN_HOST);
        assertThat(DatabaseProblem.of(wrapped(new SQLException("relation \"txn_node\" does not exist", "42P01"))))
                .isEqualTo(DatabaseProblem.ERROR);
    }

    @Test
    void theDetailStartsWithTheKindAndEndsWithWhatToCheck() {
        assertThat(DatabaseProblem.REFUSED.describe("Connection to 127.0.0.1:1 refused"))
                .startsWith("REFUSED: Connection to 127.0.0.1:1 refused (nothing accepts connections");
    }

    /** As the store sees a pool's failure: StoreException over Hikari's timeout over the driver's exception. */
    private static StoreException wrapped(Exception driver) {
        return new StoreException("Cannot write interval", new SQLTransientConnectionException(
                "HikariPool-1 - Connection is not available, request timed out after 1000ms.", driver));
    }
}
