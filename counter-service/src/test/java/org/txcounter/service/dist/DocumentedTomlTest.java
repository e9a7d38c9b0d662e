package org.txcounter.service.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;
import org.txcounter.core.config.ConfigModel;
import org.txcounter.service.config.ServiceConfigModel;

/**
 * Every {@code toml} example in the README and in {@code docs/} is what the service reads: valid TOML (no key written
 * twice), and every section and key one of the configuration model's, the same model the parsers read. Only the MI
 * guide may show sections of MI's own file ({@code [[synapse_handlers]]}), which the counter leaves alone inside MI.
 * Values are not resolved: the examples use placeholders such as {@code $secret{alias}} and {@code enc:v1:...}.
 */
class DocumentedTomlTest {

    private static final Pattern BLOCK = Pattern.compile("(?m)^([ \\t]*)```toml\\n(.*?)^[ \\t]*```", Pattern.DOTALL);
    private static final ConfigModel MODEL = ServiceConfigModel.FILE;
    private static final Set<String> SECTIONS = MODEL.sections().stream().map(ConfigModel.Section::name)
            .collect(Collectors.toSet());
    private static final Map<String, Set<String>> KEYS = MODEL.keys().stream().collect(Collectors.groupingBy(
            ConfigModel.Key::section, Collectors.mapping(ConfigModel.Key::name, Collectors.toSet())));

    @Test
    void everyTomlExampleIsValidAndUsesOnlyTheModelsSectionsAndKeys() throws IOException {
        List<Path> documents = new ArrayList<>(List.of(Path.of("..", "README.md")));
        try (Stream<Path> docs = Files.list(Path.of("..", "docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        List<String> problems = new ArrayList<>();
        int examples = 0;
        for (Path document : documents) {
            String text = Files.readString(document);
            boolean hostFile = document.getFileName().toString().equals("mi-guide.md");
            Matcher block = BLOCK.matcher(text);
            while (block.find()) {
                examples++;
                String where = document.getFileName() + " line " + (text.substring(0, block.start()).lines().count()
                        + 1);
                String indent = block.group(1);
                String toml = block.group(2).lines().map(line -> line.startsWith(indent)
                        ? line.substring(indent.length()) : line).collect(Collectors.joining("\n"));
                TomlParseResult parsed = Toml.parse(toml);
                parsed.errors().forEach(error -> problems.add(where + ": " + error.toString()));
                if (!parsed.hasErrors()) {
                    check(where, "", parsed, hostFile, problems);
                }
            }
        }
        assertThat(examples).as("toml examples found").isGreaterThanOrEqualTo(7);
        assertThat(problems).isEmpty();
    }

    @Test
    void aKeyWrittenTwiceOrUnknownIsFound() {
        List<String> problems = new ArrayList<>();
        TomlParseResult twice = Toml.parse("[jms]\nembedded_broker_port = 1\nembedded_broker_port = 2\n");
        assertThat(twice.hasErrors()).isTrue();
        check("x", "", Toml.parse("[[deduplication.peer]]\nnode_id = \"b\"\nredelivery_window = 1\n"), false,
                problems);
        assertThat(problems).containsExactly("x: [deduplication.peer] has no key redelivery_window");
    }

    private static void check(String where, String path, TomlTable table, boolean hostFile, List<String> problems) {
        for (String key : table.keySet()) {
            Object value = table.get(List.of(key));
            String inner = path.isEmpty() ? key : path + "." + key;
            if (value instanceof TomlTable section) {
                checkSection(where, inner, List.of(section), hostFile, problems);
            } else if (value instanceof TomlArray array && array.size() > 0 && array.get(0) instanceof TomlTable) {
                List<TomlTable> entries = new ArrayList<>();
                for (int i = 0; i < array.size(); i++) {
                    entries.add(array.getTable(i));
                }
                checkSection(where, inner, entries, hostFile, problems);
            } else if (!KEYS.getOrDefault(path, Set.of()).contains(key) && !freeKeys(path)) {
                problems.add(where + ": " + (path.isEmpty() ? "a key outside every section: " + key
                        : "[" + path + "] has no key " + key));
            }
        }
    }

    private static void checkSection(String where, String name, List<TomlTable> entries, boolean hostFile,
            List<String> problems) {
        if (!SECTIONS.contains(name)) {
            if (!(hostFile && !name.contains("."))) {
                problems.add(where + ": no section [" + name + "]");
            }
            return;
        }
        for (TomlTable entry : entries) {
            check(where, name, entry, hostFile, problems);
        }
    }

    /** A section whose keys the operator chooses ({@code [secrets]}: one alias per key). */
    private static boolean freeKeys(String section) {
        return MODEL.sections().stream().anyMatch(s -> s.name().equals(section)
                && s.kind() == ConfigModel.Kind.ALIASES);
    }
}
