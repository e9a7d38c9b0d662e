package org.txcounter.core.store;

import java.sql.Types;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;

/**
 * Binds a {@link LocalDateTime} as the text {@code 2026-05-05 12:06:00.123} for the MySQL dialect, which both MySQL
 * and MariaDB convert to {@code DATETIME(3)} with its milliseconds.
 *
 * <p>Why: MySQL's driver ({@code mysql-connector-j}) decides from the server's version whether to send fractions of
 * a second, and MariaDB announces itself as {@code 5.5.5-10.11.19-MariaDB} (the prefix keeps old MySQL clients
 * working), below MySQL 5.6.4 where fractional seconds began. Bound as a date-time, every timestamp written through
 * {@code jdbc:mysql:} to MariaDB lost its milliseconds, and an interval shorter than a second (the last one before a
 * stop) ended where it started and was refused by {@code ck_txn_interval_bounds} on every retry. Text is sent as it
 * is by both drivers; reads are unaffected (both return the milliseconds).
 *
 * <p>Thread-safe: stateless.
 */
final class DateTimeAsText extends AbstractArgumentFactory<LocalDateTime> {

    private static final DateTimeFormatter TEXT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS");

    DateTimeAsText() {
        super(Types.VARCHAR);
    }

    @Override
    protected Argument build(LocalDateTime value, ConfigRegistry config) {
        String text = TEXT.format(value);
        return (position, statement, context) -> statement.setString(position, text);
    }
}
