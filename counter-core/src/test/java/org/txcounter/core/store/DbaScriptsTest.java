package org.txcounter.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The hand-applied DBA scripts stay in step with the Flyway migrations of every vendor. */
class DbaScriptsTest {

    static final Path SQL = Path.of("..", "sql");
    private static final Pattern VERSION = Pattern.compile("V(\\d+)__.*\\.sql");

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void createSchemaIsTheMigrationsInOrder(Dialect dialect) throws IOException {
        Path migrations = SQL.resolve("flyway").resolve(dialect.folder());
        StringBuilder expected = new StringBuilder()
                .append("-- Transaction counter schema for ").append(dialect.folder())
                .append(", to apply by hand as the schema owner.\n")
                .append("-- Generated from sql/flyway/").append(dialect.folder())
                .append(" by sql/scripts/regenerate.sh; do not edit.\n")
                .append("-- Prefer 'java -jar txcounter.jar migrate', which also records the schema version.\n")
                .append("-- Then grant the runtime account SELECT, INSERT and UPDATE: see grant-runtime-user.sql.\n");
        for (Path migration : migrations(migrations)) {
            expected.append("\n-- ---- ").append(migration.getFileName()).append(" ----\n")
                    .append(Files.readString(migration));
        }

        Path script = SQL.resolve("scripts").resolve(dialect.folder()).resolve("create-schema.sql");
        assertThat(Files.readString(script))
                .as("%s is out of step with %s: run sql/scripts/regenerate.sh", script, migrations)
                .isEqualTo(expected.toString());
        assertThat(SQL.resolve("scripts").resolve(dialect.folder()).resolve("grant-runtime-user.sql")).exists();
    }

    /** The statements of a vendor's create-schema.sql, without comments, for applying it in tests. */
    static List<String> statements(Dialect dialect) throws IOException {
        String script = Files.readString(SQL.resolve("scripts").resolve(dialect.folder()).resolve("create-schema.sql"));
        StringBuilder code = new StringBuilder();
        for (String line : script.split("\n")) {
            int comment = line.indexOf("--");
            code.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
        }
        return Stream.of(code.toString().split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    static List<Path> migrations(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> VERSION.matcher(file.getFileName().toString()).matches())
                    .sorted(Comparator.comparingInt(DbaScriptsTest::version))
                    .toList();
        }
    }

    private static int version(Path file) {
        Matcher matcher = VERSION.matcher(file.getFileName().toString());
        return matcher.matches() ? Integer.parseInt(matcher.group(1)) : -1;
    }
}
