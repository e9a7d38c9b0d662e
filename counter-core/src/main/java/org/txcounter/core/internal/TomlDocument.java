package org.txcounter.core.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.ConfigModel;

/**
 * One parsed {@code deployment.toml}, and the checked reading of its values that the counter's sections and the
 * service's share: every mistake names the file, the line, the key, the value found and what was expected.
 *
 * <pre>{@code
 * TomlDocument file = TomlDocument.read(Path.of("conf/deployment.toml"));
 * file.checkTopLevel(ConfigModel.COUNTER, false);   // the counter's sections, strictly; the rest left alone
 * TomlTable node = file.section("node");
 * String id = file.string(node, "node", "id");
 * }</pre>
 *
 * <p>Immutable once parsed; safe to read from any thread.
 */
public final class TomlDocument {

    private static final Pattern SECRET_REFERENCE = Pattern.compile("\\$secret\\{([A-Za-z0-9._-]+)}");
    private static final Pattern PLAIN_SECRET = Pattern.compile("\\[(.*)]", Pattern.DOTALL);
    private static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private final String source;
    private final TomlParseResult toml;

    private TomlDocument(String source, TomlParseResult toml) {
        this.source = source;
        this.toml = toml;
    }

    /** Reads and parses the file; its path names it in error messages. */
    public static TomlDocument read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("Cannot read " + file.toAbsolutePath() + ": " + e.getMessage()
                    + ". Check that the file exists and is readable by this user.", e);
        }
        return parse(text, file.toString());
    }

    /** Parses TOML text; {@code source} names it in error messages. */
    public static TomlDocument parse(String text, String source) {
        TomlParseResult toml = Toml.parse(text);
        if (toml.hasErrors()) {
            TomlParseError first = toml.errors().get(0);
            throw new ConfigException(source + " line " + first.position().line() + ": not valid TOML: "
                    + first.getMessage());
        }
        return new TomlDocument(source, toml);
    }

    /** The file's name in error messages. */
    public String source() {
        return source;
    }

    /** A {@code [name]} section; null when the file has none. */
    public TomlTable section(String name) {
        return toml.getTable(name);
    }

    /** The entries of a top-level {@code [[name]]} array of tables; empty when the file has none. */
    public TomlArray array(String name) {
        return toml.getArrayOrEmpty(name);
    }

    /**
     * Checks the top-level sections that {@code model} has: each written as the model says, and each {@code [name]}
     * section with only the model's keys. A name the model does not have is an error when {@code rejectUnknown},
     * else left alone (a host's own section).
     */
    public void checkTopLevel(ConfigModel model, boolean rejectUnknown) {
        Map<String, Set<String>> tables = model.tables();
        for (String key : toml.keySet()) {
            ConfigModel.Kind kind = model.section(key).map(ConfigModel.Section::kind).orElse(null);
            if (kind == ConfigModel.Kind.ARRAY_OF_TABLES) {
                if (!toml.isArray(key) || !allTables(toml.getArrayOrEmpty(key))) {
                    throw at(toml, key, key + " must be written as [[" + key + "]] tables");
                }
            } else if (kind != null) {
                if (!toml.isTable(key)) {
                    throw at(toml, key, key + " must be a [" + key + "] section");
                }
                if (tables.containsKey(key)) {
                    checkKeys(toml.getTable(key), key, tables.get(key));
                }
            } else if (rejectUnknown) {
                throw at(toml, key, "unknown section or key \"" + key + "\". Known: " + model.writtenSections());
            }
        }
    }

    /** Fails on the first key of {@code table} that is not in {@code known}. */
    public void checkKeys(TomlTable table, String section, Set<String> known) {
        for (String key : table.keySet()) {
            if (!known.contains(key)) {
                throw at(table, key, "unknown key \"" + key + "\" in " + display(section) + ". Known keys: "
                        + known.stream().sorted().toList());
            }
        }
    }

    /**
     * The entries of {@code key}, which must be an array of tables, written {@code [[written]]}; {@code what} names
     * them in the error, e.g. "routes".
     */
    public TomlArray tables(TomlTable table, String key, String what, String written) {
        TomlArray array = table.isArray(key) ? table.getArrayOrEmpty(key) : null;
        if (array == null || !allTables(array)) {
            throw at(table, key, what + " must be written as [[" + written + "]] tables");
        }
        return array;
    }

    /** A string key that must be there. */
    public String required(TomlTable table, String section, String key) {
        if (!table.contains(key)) {
            throw at(table, null, section + " has no " + key + ". Add " + key + " = \"...\"");
        }
        return string(table, section, key);
    }

    /** A non-blank string. */
    public String string(TomlTable table, String section, String key) {
        Object value = table.get(List.of(key));
        if (!(value instanceof String text) || text.isBlank()) {
            throw error(table, section, key, render(value), "a non-empty string in double quotes");
        }
        return text;
    }

    public boolean bool(TomlTable table, String section, String key) {
        Object value = table.get(List.of(key));
        if (!(value instanceof Boolean flag)) {
            throw error(table, section, key, render(value), "true or false");
        }
        return flag;
    }

    /** A whole number from {@code min} to {@code max}; {@code expected} says so in the error. */
    public long integer(TomlTable table, String section, String key, long min, long max, String expected) {
        Object value = table.get(List.of(key));
        if (!(value instanceof Long number) || number < min || number > max) {
            throw error(table, section, key, render(value), expected);
        }
        return number;
    }

    /** An {@code http://} or {@code https://} URL with a host. */
    public URI httpUrl(TomlTable table, String section, String key) {
        String value = string(table, section, key);
        try {
            URI uri = new URI(value);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw error(table, section, key, "\"" + value + "\"", "an http:// or https:// URL with a host");
    }

    /** A queue name: 1 to 128 letters, digits, '.', '_' or '-'. */
    public String queue(TomlTable table, String section, String key) {
        String value = string(table, section, key);
        if (!validQueue(value)) {
            throw error(table, section, key, "\"" + value + "\"",
                    "a queue name of 1 to 128 letters, digits, '.', '_' or '-'");
        }
        return value;
    }

    /** Whether {@code name} is a queue name {@link #queue} accepts. */
    public static boolean validQueue(String name) {
        return QUEUE_NAME.matcher(name).matches();
    }

    /**
     * The value of the key, with a {@code $secret{alias}} reference replaced by {@code secrets.apply(alias)}; an
     * alias {@code secrets} does not know (null) is an error naming the key.
     */
    public String resolveSecret(TomlTable table, String section, String key, UnaryOperator<String> secrets) {
        String value = string(table, section, key);
        Matcher reference = SECRET_REFERENCE.matcher(value);
        if (!reference.matches()) {
            return value;
        }
        String alias = reference.group(1);
        String secret = secrets.apply(alias);
        if (secret == null) {
            throw error(table, section, key, "\"" + value + "\"",
                    "an alias defined in [secrets]; add " + alias + " = \"[...]\" there");
        }
        return secret;
    }

    /** The text of a plain-text {@code [secrets]} value, {@code "[text]"}; empty for any other form. */
    public static Optional<String> plainSecret(String value) {
        Matcher plain = PLAIN_SECRET.matcher(value);
        return plain.matches() ? Optional.of(plain.group(1)) : Optional.empty();
    }

    /** "file line N: [section] key = found: expected ...". */
    public ConfigException error(TomlTable table, String section, String key, String found, String expected) {
        return at(table, key, display(section) + " " + key + " = " + found + ": expected " + expected);
    }

    /** "file line N: message", N the line of {@code key} in {@code table}, or of its first key when null. */
    public ConfigException at(TomlTable table, String key, String message) {
        return new ConfigException(source + " line " + line(table, key) + ": " + message);
    }

    /** A value as an error message shows it. */
    public static String render(Object value) {
        if (value instanceof String text) {
            return "\"" + text + "\"";
        }
        if (value instanceof TomlTable) {
            return "a table";
        }
        if (value instanceof TomlArray) {
            return "an array";
        }
        return String.valueOf(value);
    }

    private static String display(String section) {
        return section.startsWith("[") ? section : "[" + section + "]";
    }

    /** Whether every entry is a table. */
    public static boolean allTables(TomlArray array) {
        for (int i = 0; i < array.size(); i++) {
            if (!(array.get(i) instanceof TomlTable)) {
                return false;
            }
        }
        return true;
    }

    /** The line of {@code key} in {@code table}, or of its first key when null or absent; 0 when none is known. */
    public static int line(TomlTable table, String key) {
        TomlPosition position = key != null ? table.inputPositionOf(List.of(key)) : null;
        if (position == null) {
            for (String any : table.keySet()) {
                TomlPosition first = table.inputPositionOf(List.of(any));
                if (first != null && (position == null || first.line() < position.line())) {
                    position = first;
                }
            }
        }
        return position == null ? 0 : position.line();
    }
}
