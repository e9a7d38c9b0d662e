package org.txcounter.service.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.ConfigModel.Key;
import org.txcounter.core.config.ConfigModel;
import org.txcounter.service.config.ServiceConfig;
import org.txcounter.service.config.ServiceConfigModel;
import org.txcounter.service.config.ServiceToml;

/**
 * The configuration reference cannot drift from the code: the committed {@code docs/configuration.md} and
 * {@code src/dist/conf/deployment.toml} are what {@link ServiceConfigModel#FILE} renders, every key the parsers read
 * is in the model and documented, and every documented integer range is the range the parser accepts.
 *
 * <p>After changing the model, regenerate both files with
 * {@code ./mvnw -B -ntp -pl counter-service -am test -Dtest=ConfigurationReferenceTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dtxcounter.updateReference=true}.
 */
class ConfigurationReferenceTest {

    private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");
    private static final Path CONF = Path.of("src", "dist", "conf", "deployment.toml");
    /** The counter's parser and the service's. */
    private static final List<Path> PARSERS = List.of(
            Path.of("..", "counter-core", "src", "main", "java", "org", "txcounter", "core", "config",
                    "DeploymentToml.java"),
            Path.of("src", "main", "java", "org", "txcounter", "service", "config", "ServiceToml.java"));
    private static final ConfigModel MODEL = ServiceConfigModel.FILE;
    private static final String REGENERATE = "./mvnw -B -ntp -pl counter-service -am test "
            + "-Dtest=ConfigurationReferenceTest -Dsurefire.failIfNoSpecifiedTests=false "
            + "-Dtxcounter.updateReference=true";
    private static final Pattern RANGE = Pattern.compile("(-?\\d+) to (-?\\d+).*");
    /** The key literals the parser reads: table.contains("key"), string(table, section, "key"), ... */
    private static final Pattern KEY_LITERAL = Pattern.compile(
            "(?:contains|isTable|isArray|getArrayOrEmpty|getTableOrEmpty)\\(\"([A-Za-z_]+)\"\\)"
                    + "|(?:string|bool|integer|required|resolveSecret|line|httpUrl|queue)\\([a-z]+, [a-zA-Z\"_.]+, "
                    + "\"([A-Za-z_]+)\"");

    @Test
    void theCommittedReferenceAndConfAreWhatTheModelRenders() throws IOException {
        compare(REFERENCE, ConfigurationReference.markdown());
        compare(CONF, ConfigurationReference.commentedToml());
    }

    @Test
    void everyKeyAndSectionOfTheModelIsDocumented() {
        assertThat(ConfigurationReference.undocumented(MODEL.sections(), MODEL.keys())).isEmpty();
    }

    @Test
    void aKeyAddedWithoutDocumentationFails() {
        List<Key> keys = new ArrayList<>(MODEL.keys());
        keys.add(new Key("journal", "fsync", "boolean", "true", "true or false", ""));
        keys.add(new Key("quota", "limit", "integer", "", "", "A key of a section nobody described."));
        assertThat(ConfigurationReference.undocumented(MODEL.sections(), keys)).containsExactly(
                "journal fsync has no description",
                "quota limit: its section is not in the model's sections",
                "quota limit has no default (write what happens without it, in parentheses)",
                "quota limit has no range");
    }

    @Test
    void everyKeyTheParserReadsIsInTheModel() throws IOException {
        Set<String> read = new TreeSet<>();
        for (Path parser : PARSERS) {
            Matcher matcher = KEY_LITERAL.matcher(Files.readString(parser, StandardCharsets.UTF_8));
            while (matcher.find()) {
                read.add(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
            }
        }
        read.removeAll(Set.of("datasource", "inbound_endpoint", "secrets"));
        Set<String> modelled = new TreeSet<>();
        MODEL.keys().forEach(key -> modelled.add(key.name()));
        assertThat(read).as("keys read by DeploymentToml and ServiceToml").hasSizeGreaterThan(40);
        assertThat(modelled).as("keys of the models; add the missing ones with their documentation")
                .containsAll(read);
    }

    @Test
    void theCommentedConfParsesToTheDefaults() throws IOException {
        ServiceConfig fromFile = ServiceToml.parse(Files.readString(CONF), CONF.toString(), name -> null,
                name -> null);
        ServiceConfig defaults = ServiceToml.defaults(name -> null, name -> null);
        assertThat(fromFile.managementPort()).isEqualTo(defaults.managementPort());
        assertThat(fromFile.counter().dataDir()).isEqualTo(defaults.counter().dataDir());
        assertThat(fromFile.metrics()).isEqualTo(defaults.metrics());
        assertThat(fromFile.counter().dataSource().url()).isEqualTo(defaults.counter().dataSource().url());
    }

    static Stream<Arguments> integerKeys() {
        return MODEL.keys().stream()
                .filter(key -> key.type().equals("integer") && !key.section().contains("."))
                .filter(key -> MODEL.tables().containsKey(key.section())
                        || key.section().equals("inbound_endpoint"))
                .map(key -> Arguments.of(key.section(), key.name(), key.range()));
    }

    @ParameterizedTest(name = "[{0}] {1}: {2}")
    @MethodSource("integerKeys")
    void theDocumentedRangeIsExactlyWhatTheParserAccepts(String section, String key, String range) {
        Matcher bounds = RANGE.matcher(range);
        assertThat(bounds.matches()).as("the range of %s %s is written MIN to MAX", section, key).isTrue();
        long min = Long.parseLong(bounds.group(1));
        long max = Long.parseLong(bounds.group(2));
        assertThatCode(() -> parse(section, key, min)).doesNotThrowAnyException();
        assertThatCode(() -> parse(section, key, max)).doesNotThrowAnyException();
        assertThatThrownBy(() -> parse(section, key, min - 1)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(key + " = " + (min - 1));
        assertThatThrownBy(() -> parse(section, key, max + 1)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(key + " = " + (max + 1));
    }

    static Stream<Arguments> poolOptions() {
        return MODEL.keys().stream()
                .filter(key -> key.section().equals("datasource.pool_options") && key.type().equals("integer"))
                // Their bounds depend on each other (socket longer than statement): DeploymentTomlTest checks them.
                .filter(key -> !key.name().equals("socketTimeout") && !key.name().equals("statementTimeout"))
                .map(key -> Arguments.of(key.name(), key.range()));
    }

    @ParameterizedTest(name = "pool_options.{0}: {1}")
    @MethodSource("poolOptions")
    void theDocumentedPoolRangeIsExactlyWhatTheParserAccepts(String key, String range) {
        Matcher bounds = RANGE.matcher(range);
        assertThat(bounds.matches()).isTrue();
        long min = Long.parseLong(bounds.group(1));
        long max = Long.parseLong(bounds.group(2));
        // maxActive at its maximum, so that minIdle may reach its own.
        String pool = key.equals("maxActive") ? "" : "pool_options.maxActive = 10000\n";
        String datasource = "[[datasource]]\nid = \"WSO2_TRANSACTION_DB\"\nurl = \"jdbc:h2:mem:x\"\n" + pool;
        assertThatCode(() -> parse(datasource + "pool_options." + key + " = " + min)).doesNotThrowAnyException();
        assertThatCode(() -> parse(datasource + "pool_options." + key + " = " + max)).doesNotThrowAnyException();
        assertThatThrownBy(() -> parse(datasource + "pool_options." + key + " = " + (min - 1)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(key + " = " + (min - 1));
        assertThatThrownBy(() -> parse(datasource + "pool_options." + key + " = " + (max + 1)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(key + " = " + (max + 1));
    }

    private static void parse(String section, String key, long value) {
        if (section.equals("inbound_endpoint")) {
            parse("[[inbound_endpoint]]\nname = \"in\"\nqueue = \"q\"\nforward_to_queue = \"out\"\n" + key + " = "
                    + value);
        } else if (key.equals("embedded_broker_tls_port")) {
            // The TLS acceptor is refused without its keystore: give it one.
            parse("[jms]\n" + key + " = " + value + "\nembedded_broker_keystore = \"broker.p12\"\n"
                    + "embedded_broker_keystore_password = \"$secret{broker_tls}\"\n[secrets]\nbroker_tls = \"[pw]\"");
        } else {
            parse("[" + section + "]\n" + key + " = " + value);
        }
    }

    private static void parse(String text) {
        ServiceToml.parse(text, "deployment.toml", name -> null, name -> null);
    }

    private static void compare(Path committed, String generated) throws IOException {
        if (Boolean.getBoolean("txcounter.updateReference")) {
            Files.createDirectories(committed.toAbsolutePath().getParent());
            Files.writeString(committed, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(committed) ? Files.readString(committed, StandardCharsets.UTF_8) : "")
                .as("%s is not what the models render; regenerate it with: %s", committed, REGENERATE)
                .isEqualTo(generated);
    }
}
