package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.store.TestDatabases;

/**
 * The library as an embedder on the module path uses it: a module of its own that {@code requires
 * org.txcounter.core}, compiled and run in a JVM of its own with the packaged {@code counter-core} jar and its
 * dependencies as modules, and the host's {@code DataSource} (H2's). It starts the counter, counts through the
 * exported ingress decision, stops, and the database holds exactly what it counted. A module that imports an
 * unexported package (the store) does not compile.
 */
class ModulePathEmbedderIT {

    /** What counter-core needs at run time, and H2 for the host's pool: the jars' names as Maven writes them. */
    private static final List<String> MODULES = List.of("HikariCP-", "jdbi3-core-", "geantyref-", "tomlj-",
            "antlr4-runtime-", "slf4j-api-", "h2-");

    @TempDir
    Path dir;

    private DataSourceConfig database;

    @BeforeEach
    void migratedDatabase() {
        database = TestDatabases.h2(dir.resolve("db"));
        TestDatabases.migrate(database);
    }

    @Test
    void aModuleThatRequiresTheLibraryCountsThroughItsExportedApi() throws Exception {
        Path source = write("embedder", """
                package example;

                import java.nio.file.Path;
                import java.time.Clock;
                import org.h2.jdbcx.JdbcDataSource;
                import org.txcounter.core.IngressCounter;
                import org.txcounter.core.TransactionCounter;
                import org.txcounter.core.config.CounterConfig;

                public final class Embedder {
                    public static void main(String[] args) throws Exception {
                        JdbcDataSource hostPool = new JdbcDataSource();
                        hostPool.setURL(args[0]);
                        hostPool.setUser(args[1]);
                        hostPool.setPassword(args[2]);
                        CounterConfig config = CounterConfig.builder().dataSource(hostPool).nodeId("module-path")
                                .dataDir(Path.of(args[3])).build();
                        try (TransactionCounter counter = TransactionCounter.start(config, Clock.systemUTC())) {
                            IngressCounter ingress = counter.ingress();
                            for (int i = 0; i < 3; i++) {
                                try (IngressCounter.Scope request = ingress.httpRequest(null)) {
                                    // the host handles the request
                                }
                            }
                        }
                        System.out.println("module " + Embedder.class.getModule().getName() + " counted 3");
                    }
                }
                """, "requires com.h2database;");

        assertThat(compile(source)).as("javac").isEmpty();
        Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", modulePath() + File.pathSeparator + source.resolve("out"),
                "-m", "embedder/example.Embedder", database.url(), database.username(), database.password(),
                dir.resolve("embedder-data").toString()).redirectErrorStream(true).start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(output).isZero();
        assertThat(output).contains("module embedder counted 3");
        assertThat(countedHttp()).isEqualTo(3);
    }

    @Test
    void aModuleThatImportsAnUnexportedPackageDoesNotCompile() throws Exception {
        Path source = write("intruder", """
                package example;

                import org.txcounter.core.store.CounterStore;

                public final class Intruder {
                    static final Class<?> STORE = CounterStore.class;
                }
                """, "");

        assertThat(compile(source)).contains("package org.txcounter.core.store is not visible");
    }

    /** A module named {@code name} with one class in package {@code example}; returns its source root. */
    private Path write(String name, String javaSource, String moreRequires) throws IOException {
        Path root = Files.createDirectories(dir.resolve(name));
        Files.writeString(root.resolve("module-info.java"), "module " + name + " {\n    requires org.txcounter.core;\n"
                + (moreRequires.isEmpty() ? "" : "    " + moreRequires + "\n") + "}\n");
        String className = javaSource.lines().filter(line -> line.startsWith("public final class "))
                .findFirst().orElseThrow().split(" ")[3];
        Path example = Files.createDirectories(root.resolve("example"));
        Files.writeString(example.resolve(className + ".java"), javaSource);
        return root;
    }

    /** Compiles the module at {@code root} into {@code root/out}; returns javac's messages (empty: it compiled). */
    private String compile(Path root) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "javac")
                .toString(), "--module-path", modulePath(), "-d", root.resolve("out").toString()));
        try (Stream<Path> sources = Files.walk(root)) {
            sources.filter(path -> path.toString().endsWith(".java")).map(Path::toString).forEach(command::add);
        }
        Process javac = new ProcessBuilder(command).redirectErrorStream(true).start();
        String messages = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(javac.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return javac.exitValue() == 0 ? messages : (messages.isEmpty() ? "javac exit " + javac.exitValue()
                : messages);
    }

    /** The packaged counter-core jar and the jars of {@link #MODULES}, from this test's class path. */
    private static String modulePath() throws IOException {
        List<String> entries = new ArrayList<>();
        try (Stream<Path> built = Files.list(Path.of("target"))) {
            entries.add(built.filter(path -> path.getFileName().toString().matches("counter-core-[^-]+(-SNAPSHOT)?"
                    + "\\.jar")).findFirst().orElseThrow(() -> new IllegalStateException(
                            "target/counter-core-*.jar: run the integration tests after package")).toString());
        }
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String file = Path.of(entry).getFileName().toString();
            if (file.endsWith(".jar") && MODULES.stream().anyMatch(file::startsWith)) {
                entries.add(entry);
            }
        }
        assertThat(entries).as("counter-core and %s", MODULES).hasSize(MODULES.size() + 1);
        return String.join(File.pathSeparator, entries);
    }

    private long countedHttp() throws SQLException {
        try (Connection connection = DriverManager.getConnection(database.url(), database.username(),
                database.password()); Statement statement = connection.createStatement();
                ResultSet sum = statement.executeQuery("SELECT COALESCE(SUM(txn_count), 0) FROM txn_monthly "
                        + "WHERE node_id = 'module-path' AND transport = 'HTTP'")) {
            sum.next();
            return sum.getLong(1);
        }
    }
}
