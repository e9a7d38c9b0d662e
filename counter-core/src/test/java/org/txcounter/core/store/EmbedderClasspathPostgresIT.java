package org.txcounter.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.leangen.geantyref.GenericTypeReflector;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import org.antlr.v4.runtime.CharStream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.tomlj.Toml;
import org.txcounter.core.config.DataSourceConfig;

/**
 * The counter on the classpath an embedder inherits from counter-core alone (its six jars) plus a JDBC driver:
 * no H2 and no Flyway. Runs in a class loader of those jars only, so nothing of the test's classpath leaks in.
 */
class EmbedderClasspathPostgresIT {

    @TempDir
    Path dataDir;

    /** counter-core's classes and its non-optional dependencies, plus the PostgreSQL driver. */
    private static URLClassLoader embedder() throws Exception {
        List<Class<?>> fromEachJar = List.of(CounterStore.class, LoggerFactory.class, Toml.class, CharStream.class,
                HikariDataSource.class, Jdbi.class, GenericTypeReflector.class, org.postgresql.Driver.class);
        URL[] urls = new URL[fromEachJar.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = fromEachJar.get(i).getProtectionDomain().getCodeSource().getLocation();
        }
        return new URLClassLoader("embedder", urls, ClassLoader.getPlatformClassLoader());
    }

    @Test
    void theClasspathHasNeitherH2NorFlyway() throws Exception {
        try (URLClassLoader loader = embedder()) {
            assertThatThrownBy(() -> loader.loadClass("org.h2.Driver")).isInstanceOf(ClassNotFoundException.class);
            assertThatThrownBy(() -> loader.loadClass("org.flywaydb.core.Flyway"))
                    .isInstanceOf(ClassNotFoundException.class);
        }
    }

    @Test
    void withoutH2AndWithoutADatasourceTheCounterRefusesToStartSayingWhatToAdd() throws Exception {
        try (URLClassLoader loader = embedder()) {
            Object config = build(loader, builder(loader));
            assertThatThrownBy(() -> open(loader, config))
                    .isInstanceOf(InvocationTargetException.class)
                    .cause()
                    .satisfies(e -> assertThat(e.getClass().getName())
                            .isEqualTo("org.txcounter.core.config.ConfigException"))
                    .hasMessageContaining("the embedded default database needs H2, which is not on the classpath")
                    .hasMessageContaining("add com.h2database:h2:2.3.232 and org.flywaydb:flyway-core:12.4.0")
                    .hasMessageContaining("CounterConfig.builder().dataSource(yourDataSource)");
        }
    }

    @Test
    void withoutFlywayTheCounterChecksAMigratedSchemaCountsExactlyAndCannotMigrate() throws Exception {
        DataSourceConfig app = TestDatabases.postgresApp();
        TestDatabases.migrate(TestDatabases.postgres());
        TestDatabases.wipe(TestDatabases.postgres());
        try (URLClassLoader loader = embedder()) {
            // Registers the loader's own copy of the driver, as the service loader does in a host's single class
            // path; DriverManager would otherwise offer the test class path's copy, which this loader cannot use.
            Class.forName("org.postgresql.Driver", true, loader);
            Class<?> dataSourceConfig = loader.loadClass(DataSourceConfig.class.getName());
            Object dataSource = dataSourceConfig.getMethod("of", String.class, String.class, String.class,
                    String.class).invoke(null, "WSO2_TRANSACTION_DB", app.url(), app.username(), app.password());
            Object builder = builder(loader);
            builder.getClass().getMethod("dataSource", dataSourceConfig).invoke(builder, dataSource);
            Object counter = open(loader, build(loader, builder));
            try {
                assertThat(counter.getClass().getMethod("connected").invoke(counter)).isEqualTo(true);
                Object store = loader.loadClass("org.txcounter.core.internal.Internals")
                        .getMethod("store", counter.getClass()).invoke(null, counter);
                assertThat(store.getClass().getMethod("schemaCurrent").invoke(store)).isEqualTo(true);
                assertThatThrownBy(() -> store.getClass().getMethod("migrate").invoke(store))
                        .cause()
                        .hasMessageContaining("Flyway is not on the classpath. Add org.flywaydb:flyway-core:12.4.0")
                        .hasMessageContaining("sql/scripts/postgresql/create-schema.sql");
                Object meter = counter.getClass().getMethod("meter").invoke(counter);
                Class<?> transport = loader.loadClass("org.txcounter.core.Transport");
                Object http = meter.getClass().getMethod("counter", transport)
                        .invoke(meter, transport.getField("HTTP").get(null));
                Method record = http.getClass().getMethod("record");
                for (int i = 0; i < 3; i++) {
                    record.invoke(http);
                }
            } finally {
                // The final flush writes the three requests.
                ((AutoCloseable) counter).close();
            }
        }
        try (Connection connection = DriverManager.getConnection(app.url(), app.username(), app.password());
                Statement statement = connection.createStatement();
                ResultSet total = statement.executeQuery("SELECT SUM(txn_count) FROM txn_monthly "
                        + "WHERE node_id = 'embedder' AND transport = 'HTTP'")) {
            assertThat(total.next()).isTrue();
            assertThat(total.getLong(1)).isEqualTo(3);
        }
    }

    private Object builder(ClassLoader loader) throws Exception {
        Object builder = loader.loadClass("org.txcounter.core.config.CounterConfig").getMethod("builder")
                .invoke(null);
        builder.getClass().getMethod("dataDir", Path.class).invoke(builder, dataDir);
        builder.getClass().getMethod("nodeId", String.class).invoke(builder, "embedder");
        return builder;
    }

    private static Object build(ClassLoader loader, Object builder) throws Exception {
        return builder.getClass().getMethod("build").invoke(builder);
    }

    private static Object open(ClassLoader loader, Object config) throws Exception {
        Class<?> counter = loader.loadClass("org.txcounter.core.TransactionCounter");
        Method open = counter.getMethod("open", config.getClass(), Clock.class);
        return open.invoke(null, config, Clock.systemUTC());
    }
}
