package org.txcounter.mi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.Transport;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.TestDatabases;

/** The jar for MI_HOME/lib: only our classes and relocated ones, no Synapse, axis2 or JDBC driver. */
class MiJarIT {

    @TempDir
    Path home;

    /**
     * The jar alone, as MI loads it: beside Synapse, axis2, slf4j and MI's JDBC driver and nothing else of ours,
     * created by its no-argument constructor, configured from {@code <carbon.home>/conf/deployment.toml}; one API
     * request reaches PostgreSQL through the relocated pool, store and migrations.
     */
    @Test
    void theJarAloneCountsIntoPostgres() throws Exception {
        DataSourceConfig database = TestDatabases.postgres();
        TestDatabases.dropSchema(database);
        TestDatabases.migrate(database);
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/deployment.toml"), """
                [[datasource]]
                id = "WSO2_TRANSACTION_DB"
                url = "%s"
                username = "%s"
                password = "$secret{txn_db_password}"
                driver = "org.postgresql.Driver"

                [transaction_counter]
                enable = true
                data_source = "WSO2_TRANSACTION_DB"

                [node]
                id = "mi-jar"

                [secrets]
                txn_db_password = "[%s]"
                """.formatted(database.url(), database.username(), database.password()));
        // MI's side: everything on this test's class path but counter-core, counter-mi and the libraries the jar
        // carries relocated (so the jar must bring its own); Synapse's mirror, axis2 with its libraries, slf4j and
        // the PostgreSQL driver stay.
        List<URL> classpath = new ArrayList<>();
        classpath.add(Path.of(System.getProperty("txcounter.mi.jar")).toUri().toURL());
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String path = entry.replace('\\', '/');
            if (!path.matches(".*(/counter-core|/counter-mi/|/org/txcounter/counter-|/com/zaxxer/|/org/jdbi/"
                    + "|/org/flywaydb/|/org/tomlj/|/org/antlr/|/tools/jackson/|/com/fasterxml/|/io/leangen/"
                    + "|/com/h2database/|/org/checkerframework/).*")) {
                classpath.add(Path.of(entry).toUri().toURL());
            }
        }
        String previousHome = System.getProperty("carbon.home");
        ClassLoader previousContext = Thread.currentThread().getContextClassLoader();
        System.setProperty("carbon.home", home.toString());
        try (URLClassLoader mi = new URLClassLoader(classpath.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader())) {
            Thread.currentThread().setContextClassLoader(mi);
            Class<?> handlerClass = mi.loadClass("org.txcounter.mi.TransactionCounterHandler");
            assertThat(handlerClass.getClassLoader()).isSameAs(mi);
            Object handler = handlerClass.getConstructor().newInstance();
            Class<?> axis2Class = mi.loadClass("org.apache.axis2.context.MessageContext");
            Object axis2 = axis2Class.getConstructor().newInstance();
            axis2Class.getMethod("setIncomingTransportName", String.class).invoke(axis2, "https");
            Class<?> synapseClass = mi.loadClass("org.apache.synapse.core.axis2.Axis2MessageContext");
            Object synCtx = synapseClass.getConstructors()[0].newInstance(axis2, null, null);
            Method inFlow = handlerClass.getMethod("handleRequestInFlow",
                    mi.loadClass("org.apache.synapse.MessageContext"));

            assertThat(handlerClass.getMethod("handleServerInit").invoke(handler)).isEqualTo(true);
            assertThat(inFlow.invoke(handler, synCtx)).isEqualTo(true);
            Method counting = handlerClass.getDeclaredMethod("counting");
            counting.setAccessible(true);
            assertThat(counting.invoke(handler)).isEqualTo(true);
            assertThat(handlerClass.getMethod("handleServerShutDown").invoke(handler)).isEqualTo(true);
        } finally {
            Thread.currentThread().setContextClassLoader(previousContext);
            if (previousHome == null) {
                System.clearProperty("carbon.home");
            } else {
                System.setProperty("carbon.home", previousHome);
            }
        }
        try (CounterStore store = CounterStore.open(database, Clock.systemUTC())) {
            assertThat(store.count(YearMonth.now(ZoneOffset.UTC)).counts().get(Transport.HTTP)).isEqualTo(1);
        }
    }


    @Test
    void holdsOnlyOurClassesAndRelocatedOnes() throws IOException {
        Path jar = Path.of(System.getProperty("txcounter.mi.jar"));
        List<String> outside = new ArrayList<>();
        List<String> badServices = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : Collections.list(file.entries())) {
                String name = entry.getName().replaceFirst("^META-INF/versions/\\d+/", "");
                if (name.endsWith(".class") && !name.startsWith("org/txcounter/")) {
                    outside.add(entry.getName());
                }
                if (entry.getName().startsWith("META-INF/services/") && !entry.isDirectory()) {
                    String service = entry.getName().substring("META-INF/services/".length());
                    if (!service.startsWith("org.txcounter.") && !service.startsWith("java.")
                            && !service.startsWith("javax.")) {
                        badServices.add(entry.getName());
                    }
                    try (InputStream in = file.getInputStream(entry)) {
                        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                            String provider = line.replaceFirst("#.*", "").trim();
                            if (!provider.isEmpty() && !provider.startsWith("org.txcounter.")) {
                                badServices.add(entry.getName() + ": " + provider);
                            }
                        }
                    }
                }
            }
            assertThat(file.getEntry("org/txcounter/mi/TransactionCounterHandler.class")).isNotNull();
            assertThat(file.getEntry("org/txcounter/core/TransactionCounter.class")).isNotNull();
            assertThat(file.getEntry("org/txcounter/mi/shaded/com/zaxxer/hikari/HikariDataSource.class")).isNotNull();
        }
        // No org/apache/synapse, org/apache/axis2, org/slf4j, JDBC driver (org/postgresql, org/h2, ...) or
        // unrelocated library class: all of them fail here.
        assertThat(outside).isEmpty();
        assertThat(badServices).isEmpty();
    }
}
