package org.txcounter.core;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Locale;

/**
 * What kind of failure made the database unusable, read from an exception's causes, so that readiness and the log
 * tell an operator where to look: nothing listens (refused), the host is unknown or unreachable, the attempt timed
 * out, the account was refused (authentication failed), or anything else the database said.
 *
 * <p>Stateless; safe from any thread.
 */
enum DatabaseProblem {
    REFUSED("refused", "nothing accepts connections at the database's address: start the database, or check the "
            + "host and port in the datasource's url"),
    UNKNOWN_HOST("unknown host", "the datasource's host name does not resolve: check the url"),
    UNREACHABLE("unreachable", "no route to the database's host: check the network"),
    TIMED_OUT("timed out", "the database did not complete a connection or a query in time: check its load, the "
            + "network, and the connect and socket timeouts"),
    AUTHENTICATION_FAILED("authentication failed", "the database refused the account: check the datasource's "
            + "username and password (and, on PostgreSQL, pg_hba.conf)"),
    ERROR("error", "the database answered with an error: see the message");

    private final String label;
    private final String advice;

    DatabaseProblem(String label, String advice) {
        this.label = label;
        this.advice = advice;
    }

    /** The kind of {@code failure}, from the first cause that tells. */
    static DatabaseProblem of(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException) {
                return REFUSED;
            }
            if (cause instanceof UnknownHostException) {
                return UNKNOWN_HOST;
            }
            if (cause instanceof NoRouteToHostException) {
                return UNREACHABLE;
            }
            if (cause instanceof SocketTimeoutException) {
                return TIMED_OUT;
            }
            if (cause instanceof SQLException sql) {
                String state = sql.getSQLState();
                // 28: invalid authorization (PostgreSQL 28P01/28000, MySQL and MariaDB 28000, SQL Server, DB2).
                if (state != null && state.startsWith("28")) {
                    return AUTHENTICATION_FAILED;
                }
                String message = String.valueOf(sql.getMessage()).toLowerCase(Locale.ROOT);
                if (message.contains("access denied") || message.contains("password authentication failed")
                        || message.contains("login failed")) {
                    return AUTHENTICATION_FAILED;
                }
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        String message = String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("refused")) {
            return REFUSED;
        }
        if (message.contains("timed out") || message.contains("timeout")) {
            return TIMED_OUT;
        }
        return ERROR;
    }

    /** The readiness detail of a failure of this kind: the kind first, then the database's words, then advice. */
    String describe(String message) {
        return label.toUpperCase(Locale.ROOT).replace(' ', '_') + ": " + message + " (" + advice + ")";
    }
}
