package org.txcounter.core.store;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.txcounter.core.config.DataSourceConfig;

/**
 * A DataSource that opens a new connection of a configured database for every call and counts, across all of
 * them, what a host's pool would see the store do: connections asked for and given, commits (with the isolation
 * level each committed at), statements run in auto-commit mode, and calls that read or set the isolation level.
 * While {@link #gate() gated}, a request for a connection waits until it is {@link #letOneThrough() let through}.
 *
 * <p>Thread-safe: the counters are atomic; each connection is used by one caller at a time, as JDBC expects.
 */
final class CountingDataSource implements DataSource {

    private static final Set<String> EXECUTES = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate", "executeBatch", "executeLargeBatch");

    private final AtomicInteger requested = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicBoolean gated = new AtomicBoolean();
    private final Semaphore through = new Semaphore(0);
    final AtomicInteger commits = new AtomicInteger();
    final AtomicInteger statementsOutsideTransaction = new AtomicInteger();
    final AtomicInteger isolationCalls = new AtomicInteger();
    final List<Integer> levelsAtCommit = new CopyOnWriteArrayList<>();
    private final DataSourceConfig database;

    CountingDataSource(DataSourceConfig database) {
        this.database = database;
    }

    /** Connections given so far. */
    int connections() {
        return connections.get();
    }

    /** Connections asked for so far, given or still waiting at the gate. */
    int requested() {
        return requested.get();
    }

    void gate() {
        gated.set(true);
    }

    void letOneThrough() {
        through.release();
    }

    void ungate() {
        gated.set(false);
        through.release(1_000);
    }

    /** Forgets the commits, statements and isolation calls counted so far. */
    void reset() {
        commits.set(0);
        statementsOutsideTransaction.set(0);
        isolationCalls.set(0);
        levelsAtCommit.clear();
    }

    @Override
    public Connection getConnection() throws SQLException {
        requested.incrementAndGet();
        if (gated.get()) {
            try {
                through.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("Interrupted while waiting at the gate", e);
            }
        }
        connections.incrementAndGet();
        Connection real = DriverManager.getConnection(database.url(), database.username(), database.password());
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                new CountingConnection(real));
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        throw new SQLException("Not a wrapper of " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return false;
    }

    private final class CountingConnection implements InvocationHandler {

        private final Connection real;

        CountingConnection(Connection real) {
            this.real = real;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "commit" -> {
                    commits.incrementAndGet();
                    levelsAtCommit.add(real.getTransactionIsolation());
                }
                case "getTransactionIsolation", "setTransactionIsolation" -> isolationCalls.incrementAndGet();
                default -> {
                }
            }
            Object result = call(real, method, args);
            if (result instanceof Statement statement) {
                Class<?> type = method.getReturnType();
                return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type},
                        (statementProxy, statementMethod, statementArgs) -> {
                            if (EXECUTES.contains(statementMethod.getName()) && real.getAutoCommit()) {
                                statementsOutsideTransaction.incrementAndGet();
                            }
                            return call(statement, statementMethod, statementArgs);
                        });
            }
            return result;
        }
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
