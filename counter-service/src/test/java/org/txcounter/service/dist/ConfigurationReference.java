package org.txcounter.service.dist;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.txcounter.core.config.ConfigModel.Key;
import org.txcounter.core.config.ConfigModel.Kind;
import org.txcounter.core.config.ConfigModel.Section;
import org.txcounter.core.config.ConfigModel;
import org.txcounter.service.config.ServiceConfigModel;

/**
 * Renders the configuration reference ({@code docs/configuration.md}) and the distribution's commented
 * {@code conf/deployment.toml} from the service's whole file, {@link ServiceConfigModel#FILE} (the counter's
 * {@link ConfigModel#COUNTER} and the service's sections), and finds what a model leaves undocumented. Stateless.
 */
final class ConfigurationReference {

    static final Set<String> TYPES = Set.of("boolean", "integer", "string", "path", "secret", "table",
            "array of integers", "array of strings", "array of tables");
    private static final int WIDTH = 110;

    private ConfigurationReference() {
    }

    /** Every key or section that lacks a type, default, range or description, or names no known section. */
    static List<String> undocumented(List<Section> sections, List<Key> keys) {
        List<String> problems = new ArrayList<>();
        for (Section section : sections) {
            if (section.description() == null || section.description().isBlank()) {
                problems.add("section " + section.name() + " has no description");
            }
            if (keys.stream().noneMatch(key -> key.section().equals(section.name()))) {
                problems.add("section " + section.name() + " has no keys");
            }
        }
        for (Key key : keys) {
            String name = key.section() + " " + key.name();
            if (sections.stream().noneMatch(section -> section.name().equals(key.section()))) {
                problems.add(name + ": its section is not in the model's sections");
            }
            if (!TYPES.contains(key.type())) {
                problems.add(name + ": type \"" + key.type() + "\" is not one of " + TYPES);
            }
            if (blank(key.defaultValue())) {
                problems.add(name + " has no default (write what happens without it, in parentheses)");
            }
            if (blank(key.range())) {
                problems.add(name + " has no range");
            }
            if (blank(key.description())) {
                problems.add(name + " has no description");
            }
        }
        return problems;
    }

    static String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("# Configuration reference: `deployment.toml`\n\n")
                .append("Generated from `ConfigModel` (counter-core) and `ServiceConfigModel` (counter-service) by "
                        + "`ConfigurationReferenceTest`; do not edit by "
                        + "hand. Every key the service accepts is here, and a key that is not here is refused at "
                        + "start-up as unknown. A default in parentheses says what happens when the key is absent.\n\n"
                        + "Each section belongs either to the **counter** (counter-core) or to the **service**. The "
                        + "counter's sections are read wherever the counter runs: by the service, and inside a host "
                        + "such as WSO2 Micro Integrator, from the host's own `deployment.toml`. There the host's "
                        + "sections, the service's and the host's other `[[datasource]]` entries are left alone, "
                        + "while the counter's stay strict: an unknown key in them is an error naming its line. The "
                        + "service's sections are read by the standalone service only, whose file is all ours: an "
                        + "unknown section or key anywhere in it is an error.\n");
        for (Section section : ServiceConfigModel.FILE.sections()) {
            out.append("\n## ").append(written(section)).append("\n\n").append(owner(section)).append(' ')
                    .append(section.description()).append("\n\n");
            out.append("| key | type | default | accepted | description |\n|---|---|---|---|---|\n");
            for (Key key : keysOf(section)) {
                out.append("| `").append(key.name()).append("` | ").append(key.type()).append(" | ")
                        .append(cell(key.defaultValue(), true)).append(" | ").append(cell(key.range(), false))
                        .append(" | ").append(cell(key.description(), false)).append(" |\n");
            }
        }
        return out.toString();
    }

    static String commentedToml() {
        StringBuilder out = new StringBuilder();
        out.append("# deployment.toml: the transaction counter's configuration.\n")
                .append("#\n")
                .append("# Every section and key, commented out, with its default; uncomment what you change. The\n")
                .append("# reference is conf/configuration.md beside this file. Relative paths resolve from the\n")
                .append("# distribution's home (bin/txcounter.sh runs there). Generated from ConfigModel and\n")
                .append("# ServiceConfigModel; do not edit by hand.\n")
                .append("# Sections read by the counter are also read inside a host such as WSO2 Micro Integrator,\n")
                .append("# from the host's own deployment.toml; the service's sections are read by this service "
                        + "only.\n");
        for (Section section : ServiceConfigModel.FILE.sections()) {
            if (section.kind() == Kind.SUBTABLE) {
                continue;
            }
            out.append("\n");
            comment(out, "", written(section) + ": " + owner(section) + " " + section.description());
            out.append("#").append(written(section)).append("\n");
            for (Key key : keysOf(section)) {
                if (key.type().equals("array of tables") || key.type().equals("table")) {
                    continue;
                }
                line(out, "", key);
            }
            String prefix = section.name() + ".";
            for (Section sub : ServiceConfigModel.FILE.sections()) {
                if (sub.kind() == Kind.SUBTABLE && sub.name().startsWith(prefix)) {
                    for (Key key : keysOf(sub)) {
                        line(out, sub.name().substring(prefix.length()) + ".", key);
                    }
                }
            }
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String prefix, Key key) {
        comment(out, "  ", key.description() + " (" + key.type() + "; " + key.range() + ")");
        if (key.defaultValue().startsWith("(")) {
            out.append("#").append(prefix).append(key.name()).append(" =    # no default: ")
                    .append(key.defaultValue(), 1, key.defaultValue().length() - 1).append("\n");
        } else {
            out.append("#").append(prefix).append(key.name()).append(" = ").append(key.defaultValue()).append("\n");
        }
    }

    private static void comment(StringBuilder out, String indent, String text) {
        StringBuilder current = new StringBuilder("#").append(indent);
        int start = current.length();
        for (String word : text.split(" ")) {
            if (current.length() > start && current.length() + 1 + word.length() > WIDTH) {
                out.append(current).append("\n");
                current = new StringBuilder("#").append(indent);
            }
            current.append(' ').append(word);
        }
        out.append(current).append("\n");
    }

    private static String owner(Section section) {
        return ConfigModel.COUNTER.section(section.name()).isPresent()
                ? "Read by the counter, in the service and inside a host such as MI."
                : "Read by the service only; left alone in a host's file.";
    }

    private static List<Key> keysOf(Section section) {
        return ServiceConfigModel.FILE.keys().stream().filter(key -> key.section().equals(section.name())).toList();
    }

    private static String written(Section section) {
        return switch (section.kind()) {
            case ARRAY_OF_TABLES -> "[[" + section.name() + "]]";
            case SUBTABLE -> "[[" + section.name().substring(0, section.name().lastIndexOf('.')) + "]] "
                    + section.name().substring(section.name().lastIndexOf('.') + 1);
            default -> "[" + section.name() + "]";
        };
    }

    private static String cell(String text, boolean code) {
        String escaped = text.replace("|", "\\|");
        return code && !text.startsWith("(") ? "`" + escaped + "`" : escaped;
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }
}
