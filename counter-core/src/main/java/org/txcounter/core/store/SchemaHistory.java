package org.txcounter.core.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Whether a database has every migration this jar ships, read without Flyway: the versions recorded as successful
 * in Flyway's history table ({@code flyway_schema_history}, written by the service's {@code migrate} command)
 * against the {@code V<version>__*.sql} files under {@code db/migration/<vendor>} in the jar. Migrations are
 * applied out of order when a lower version arrives late, so the check is that no shipped version is missing, not
 * only the highest.
 *
 * <p>Thread-safe: the shipped versions are read once per vendor and cached; each check uses the caller's
 * connection.
 */
final class SchemaHistory {

    static final String TABLE = "flyway_schema_history";
    private static final Pattern MIGRATION = Pattern.compile("V([0-9][0-9._]*)__.*\\.sql");
    private static final Comparator<String> BY_VERSION = SchemaHistory::compareVersions;
    private static final Map<Dialect, List<String>> SHIPPED = new ConcurrentHashMap<>();

    /** What the history says. */
    enum State {
        /** Every shipped migration was applied. */
        CURRENT,
        /** No history table, but the counter's tables exist: created from {@code sql/scripts} by hand. */
        APPLIED_BY_HAND,
        /** Neither a history table nor the counter's tables. */
        NONE,
        /** A history table that lacks at least one shipped migration. */
        OUTDATED
    }

    /**
     * The outcome, with the versions an operator needs to read.
     *
     * @param missing shipped versions the history does not record as successful, lowest first
     */
    record Check(State state, String highestApplied, String highestShipped, List<String> missing) {
    }

    private SchemaHistory() {
    }

    /** Reads the history on {@code connection}; {@code tablesExist} is asked only when there is no history. */
    static Check check(Connection connection, Dialect dialect, BooleanSupplier tablesExist) throws SQLException {
        List<String> shipped = shipped(dialect);
        String highestShipped = shipped.isEmpty() ? "?" : shipped.get(shipped.size() - 1);
        Optional<Set<String>> applied = applied(connection);
        if (applied.isEmpty()) {
            return new Check(tablesExist.getAsBoolean() ? State.APPLIED_BY_HAND : State.NONE, "none", highestShipped,
                    shipped);
        }
        List<String> missing = shipped.stream().filter(version -> !applied.get().contains(version)).toList();
        String highestApplied = applied.get().stream().max(BY_VERSION).orElse("none");
        return new Check(missing.isEmpty() ? State.CURRENT : State.OUTDATED, highestApplied, highestShipped, missing);
    }

    /**
     * The versions of the successful rows of the history table in the connection's own schema, normalised as in
     * the shipped file names; empty when there is no such table. The table's name is looked up in the metadata:
     * Flyway quotes it in lower case, which databases that fold unquoted names to upper case keep as it is.
     */
    private static Optional<Set<String>> applied(Connection connection) throws SQLException {
        DatabaseMetaData metaData = connection.getMetaData();
        Optional<String> table = Optional.empty();
        for (String pattern : List.of(TABLE, TABLE.toUpperCase(java.util.Locale.ROOT))) {
            try (ResultSet tables = metaData.getTables(connection.getCatalog(), connection.getSchema(), pattern,
                    null)) {
                while (table.isEmpty() && tables.next()) {
                    String name = tables.getString("TABLE_NAME");
                    if (name.equalsIgnoreCase(TABLE)) {
                        table = Optional.of(name);
                    }
                }
            }
        }
        if (table.isEmpty()) {
            return Optional.empty();
        }
        String quote = metaData.getIdentifierQuoteString().strip();
        Set<String> versions = new TreeSet<>(BY_VERSION);
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT * FROM " + quote + table.get() + quote)) {
            while (rows.next()) {
                String version = rows.getString("version");
                if (version != null && rows.getBoolean("success")) {
                    versions.add(normalise(version));
                }
            }
        }
        return Optional.of(versions);
    }

    /** The versions of the migrations in {@code db/migration/<vendor>} inside the jar, lowest first. */
    static List<String> shipped(Dialect dialect) {
        return SHIPPED.computeIfAbsent(dialect, SchemaHistory::readShipped);
    }

    private static List<String> readShipped(Dialect dialect) {
        String folder = "db/migration/" + dialect.folder();
        // Class.getResource, not the class loader's: on the module path it finds the resources of this module.
        URL url = SchemaHistory.class.getResource("/" + folder);
        if (url == null) {
            throw new StoreException("The migrations " + folder + " are missing from counter-core's jar: use the "
                    + "jar as released, or a repackaged jar that keeps db/migration/.");
        }
        try {
            URI uri = url.toURI();
            if (!"jar".equals(uri.getScheme())) {
                return versions(Path.of(uri));
            }
            FileSystem jar;
            boolean opened = false;
            try {
                jar = FileSystems.getFileSystem(uri);
            } catch (FileSystemNotFoundException e) {
                jar = FileSystems.newFileSystem(uri, Map.of());
                opened = true;
            }
            try {
                return versions(jar.provider().getPath(uri));
            } finally {
                if (opened) {
                    jar.close();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the migrations in " + url + ": " + e.getMessage(), e);
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new StoreException("Cannot list the migrations in " + url + " (" + e.getMessage() + "): the "
                    + "schema check reads them from counter-core's jar or classes directory; load counter-core from "
                    + "a plain jar file.", e);
        }
    }

    private static List<String> versions(Path folder) throws IOException {
        List<String> versions = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            files.forEach(file -> {
                Matcher matcher = MIGRATION.matcher(file.getFileName().toString());
                if (matcher.matches()) {
                    versions.add(normalise(matcher.group(1)));
                }
            });
        }
        versions.sort(BY_VERSION);
        return List.copyOf(versions);
    }

    /** As Flyway records a version: {@code _} as {@code .}, without leading zeros or trailing {@code .0} parts. */
    static String normalise(String version) {
        List<String> parts = new ArrayList<>();
        for (String part : version.replace('_', '.').split("\\.")) {
            parts.add(new BigInteger(part).toString());
        }
        while (parts.size() > 1 && parts.get(parts.size() - 1).equals("0")) {
            parts.remove(parts.size() - 1);
        }
        return String.join(".", parts);
    }

    private static int compareVersions(String a, String b) {
        String[] left = a.split("\\.");
        String[] right = b.split("\\.");
        for (int i = 0; i < Math.max(left.length, right.length); i++) {
            BigInteger l = i < left.length ? new BigInteger(left[i]) : BigInteger.ZERO;
            BigInteger r = i < right.length ? new BigInteger(right[i]) : BigInteger.ZERO;
            int order = l.compareTo(r);
            if (order != 0) {
                return order;
            }
        }
        return 0;
    }
}
