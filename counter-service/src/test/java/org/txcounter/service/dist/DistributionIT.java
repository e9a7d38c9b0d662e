package org.txcounter.service.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.txcounter.service.OkBackend;
import org.txcounter.service.ServiceProcess;
import org.txcounter.service.Shell;
import org.txcounter.service.security.PasswordHashing;

/**
 * The distribution as an operator installs it: the {@code .tar.gz} unpacked into a fresh directory (owned by root,
 * only logs/, data/ and tmp/ writable by the service account), started with {@code bin/txcounter.sh} as a non-root
 * user from another directory, traffic through the passthrough, stopped with SIGTERM. The counts are all there
 * at the next start, the logs are under the distribution's logs/, and the service wrote nothing outside its home.
 * The probes answer without credentials and reveal only up or down; the metrics listener serves Prometheus with its
 * own Basic credentials, and every metric the sample alert rules use exists.
 *
 * <p>Run as root, the service runs as the account {@code TXN_TEST_SERVICE_USER} (default {@code txcounter}, which
 * {@code .ci/run} creates) and the whole file system is searched for files it wrote; run as another user, it runs
 * as that user and the directories it was given (working directory, HOME, TMPDIR) are checked. As root without
 * that account the test is skipped, and fails in CI ({@code TXN_TEST_DATABASES_REQUIRED=true}).
 */
class DistributionIT {

    private static final int REQUESTS = 40;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path RULES = Path.of("src", "dist", "conf", "prometheus", "txcounter-health-rules.yml");
    private static final Pattern METRIC = Pattern.compile("\\b((?:txn|jvm)_[a-z_]+)\\b");

    private OkBackend backend;
    private Path base;

    @BeforeEach
    void start() throws IOException {
        backend = new OkBackend();
        base = Files.createTempDirectory("txcounter-dist-");
    }

    @AfterEach
    void stop() throws Exception {
        backend.close();
        Shell.run(List.of("rm", "-rf", base.toString()));
    }

    @Test
    void theUnpackedDistributionRunsAsAServiceAccountAndKeepsEverythingInItsHome() throws Exception {
        Account account = account();
        Path home = unpack();
        for (String dir : List.of("bin", "conf", "lib", "logs", "data", "tmp", "sql")) {
            assertThat(home.resolve(dir)).as("the distribution's %s/", dir).isDirectory();
        }
        assertThat(home.resolve("bin/txcounter.sh")).isExecutable();
        assertThat(home.resolve("bin/txcounter.bat")).isRegularFile();
        assertThat(home.resolve("LICENSE")).isRegularFile();
        assertThat(Files.readString(home.resolve("README.md"))).contains("bin/txcounter.sh start");
        assertThat(Files.readString(home.resolve("THIRD-PARTY-NOTICES.txt"))).contains("Apache License")
                .contains("org.eclipse.jetty");
        assertThat(home.resolve("lib/txcounter.jar")).isRegularFile();
        assertThat(home.resolve("sql/flyway/postgresql")).isDirectory();
        assertThat(Files.readString(home.resolve("conf/deployment.toml")))
                .isEqualTo(ConfigurationReference.commentedToml());
        assertThat(modes(home, "conf")).as("conf/ as shipped: it holds secrets and password hashes")
                .isNotEmpty().allSatisfy((path, mode) -> assertThat(mode).as(path)
                        .isEqualTo(path.endsWith("/") ? "rwx------" : "rw-------"));
        for (String dir : List.of("logs", "data", "tmp")) {
            assertThat(modes(home, dir)).containsEntry(dir + "/", "rwx------");
        }

        String scrapePassword = "scrape-" + Long.toHexString(System.nanoTime());
        Files.writeString(home.resolve("conf/deployment.toml"), """
                [node]
                id = "dist-node"

                [management_api]
                port = 0

                [passthrough]
                port = 0

                [[passthrough.route]]
                prefix = "/api"
                backend = "http://127.0.0.1:%d/backend"

                [metrics]
                enable = true
                port = 0
                username = "prometheus"
                password_hash = "%s"
                """.formatted(backend.port(),
                PasswordHashing.hash(scrapePassword.toCharArray())));
        Path outside = outside();
        Path workDir = outside.resolve("cwd");
        Path userHome = outside.resolve("home");
        Path userTmp = outside.resolve("tmp");
        giveTo(account, home, outside);
        Path marker = base.resolve("started");
        Files.writeString(marker, "");

        ServiceProcess service = ServiceProcess.start(launcher(account, home, workDir, userHome, userTmp));
        String password = service.generatedPassword();
        assertThat(password).as("start-up output:\n%s", service.startupOutput()).isNotNull();
        Matcher metricsLine = Pattern.compile("Metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics")
                .matcher(service.startupOutput());
        assertThat(metricsLine.find()).as("start-up output:\n%s", service.startupOutput()).isTrue();
        int metricsPort = Integer.parseInt(metricsLine.group(1));
        String api = "https://127.0.0.1:" + service.managementPort();

        assertThat(Shell.curl("-k", api + "/health/live")).isEqualTo("200 {\"status\":\"UP\"}");
        assertThat(Shell.curl("-k", api + "/health/ready/probe")).isEqualTo("200 {\"status\":\"UP\"}");
        assertThat(Shell.curl("-k", api + "/health/ready")).startsWith("401 ");
        assertThat(Shell.curl("-k", "-u", "admin:" + password, api + "/health/ready"))
                .startsWith("200 {\"status\":\"UP\",\"checks\":{\"database\":\"UP\"");

        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < REQUESTS; i++) {
            HttpResponse<String> proxied = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + service.passthroughPort() + "/api/orders/" + i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(proxied.statusCode()).isEqualTo(200);
        }

        URI metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
        assertThat(client.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(401);
        assertThat(client.send(HttpRequest.newBuilder(metrics).header("Authorization", basic("prometheus", "wrong"))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        HttpResponse<String> scrape = client.send(HttpRequest.newBuilder(metrics)
                .header("Authorization", basic("prometheus", scrapePassword)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("txn_transactions_counted_total{transport=\"HTTP\"} " + REQUESTS + ".0");
        assertThat(scrape.body()).as("the listener serves the same meters as /metrics, the quota's among them")
                .containsPattern("(?m)^txn_quota_used_ratio ").containsPattern("(?m)^txn_quota_alerts_total ");
        assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort
                + "/transaction/count")).header("Authorization", basic("prometheus", scrapePassword)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("the listener serves /metrics only")
                .isEqualTo(404);
        assertThat(metricsOfTheAlertRules()).as("metrics the alert rules use").isNotEmpty()
                .allSatisfy(name -> assertThat(scrape.body()).as("the scrape has %s", name)
                        .containsPattern("(?m)^" + name + "[{ ]"));

        assertThat(service.terminate()).as("exit status after SIGTERM").isEqualTo(143);

        ServiceProcess again = ServiceProcess.start(launcher(account, home, workDir, userHome, userTmp));
        JsonNode count = JSON.readTree(Shell.curl200("-k", "-u", "admin:" + password,
                "https://127.0.0.1:" + again.managementPort() + "/transaction/count"));
        assertThat(count.path("total").asLong()).as("%s", count).isEqualTo(REQUESTS);
        assertThat(count.path("byTransport").path("HTTP").asLong()).isEqualTo(REQUESTS);
        assertThat(again.terminate()).isEqualTo(143);

        assertThat(Files.readString(home.resolve("logs/txcounter.log"))).contains("Counting transactions as node "
                + "dist-node").doesNotContain("txcounter.access");
        assertThat(Files.readString(home.resolve("logs/access.log")))
                .containsPattern("txcounter.access - GET \"/transaction/count\" 200 [0-9.]+ ms from 127\\.0\\.0\\.1 "
                        + "user admin");
        assertThat(home.resolve("logs/gc.log")).isNotEmptyFile();
        // The launcher's umask: gc.log, the logs and everything in data/ are the service account's alone.
        for (String dir : List.of("conf", "logs", "data")) {
            assertThat(modes(home, dir)).allSatisfy((path, mode) -> assertThat(mode).as(path)
                    .isEqualTo(path.endsWith("/") ? "rwx------" : "rw-------"));
        }
        assertThat(home.resolve("data/transactiondb.mv.db")).as("the embedded database in the home").isNotEmptyFile();
        for (Path dir : List.of(workDir, userHome, userTmp)) {
            try (Stream<Path> written = Files.list(dir)) {
                assertThat(written).as("written into %s, outside the distribution's home", dir).isEmpty();
            }
        }
        if (account.switchUser()) {
            // A file of the account's, written now outside the home, shows that the search finds such files.
            Path witness = outside.resolve("witness");
            Files.writeString(witness, "");
            Shell.run(List.of("chown", account.name() + ":", witness.toString()));
            Set<String> found = filesOwnedOutside(account.name(), marker, home);
            assertThat(found).as("the search finds the witness").contains(witness.toString());
            found.removeAll(Set.of(witness.toString(), outside.toString(), workDir.toString(), userHome.toString(),
                    userTmp.toString()));
            assertThat(found).as("files %s wrote outside %s", account.name(), home).isEmpty();
        }
    }

    /** The mode of {@code dir} under {@code home} and of everything in it, by path relative to home (dirs end in /). */
    private static Map<String, String> modes(Path home, String dir) throws IOException {
        Map<String, String> modes = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(home.resolve(dir))) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                modes.put(home.relativize(path) + (Files.isDirectory(path) ? "/" : ""),
                        PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
            }
        }
        return modes;
    }

    /** Who runs the service: a service account when the test runs as root, else the user running the test. */
    /**
     * The launcher's service commands, as an operator uses them: start in the background, status, five commands
     * while the service runs (each with a small heap and without the service's GC log, which they used to rotate
     * away), stop waiting for the exit, status again.
     */
    @Test
    void startStatusStopAndFiveCommandsLeaveTheServicesGcLogAlone() throws Exception {
        Account account = account();
        Path home = unpack();
        String adminPassword = "dist-admin-" + Long.toHexString(System.nanoTime());
        Files.writeString(home.resolve("conf/deployment.toml"), """
                [node]
                id = "dist-launcher"

                [management_api]
                port = 0

                [[management_api.user]]
                name = "ops"
                password_hash = "%s"
                role = "admin"
                """.formatted(PasswordHashing.hash(adminPassword.toCharArray())));
        Path outside = outside();
        Path workDir = outside.resolve("cwd");
        Path userHome = outside.resolve("home");
        Path userTmp = outside.resolve("tmp");
        Path passwordFile = outside.resolve("ops-password");
        Files.writeString(passwordFile, adminPassword);
        giveTo(account, home, outside);

        assertThat(launch(account, home, workDir, userHome, userTmp, "status")).startsWith("3 ")
                .contains("not running");
        assertThat(launch(account, home, workDir, userHome, userTmp, "start")).startsWith("0 ")
                .contains("started (pid ");
        assertThat(launch(account, home, workDir, userHome, userTmp, "status")).startsWith("0 ").contains("running");
        Matcher serving = Pattern.compile("serving https://127\\.0\\.0\\.1:(\\d+)")
                .matcher(Files.readString(home.resolve("logs/console.log")));
        assertThat(serving.find()).isTrue();
        String url = "https://127.0.0.1:" + serving.group(1);
        Path gcLog = home.resolve("logs/gc.log");
        assertThat(gcLog).isNotEmptyFile();
        String gcLogStart = Files.readAllLines(gcLog).get(0);

        String month = java.time.YearMonth.now(java.time.ZoneOffset.UTC).toString();
        List<List<String>> commands = List.of(
                List.of("--version"),
                List.of("count", "--url", url, "-u", "ops", "--password-file", passwordFile.toString()),
                List.of("nodes", "--url", url, "-u", "ops", "--password-file", passwordFile.toString()),
                List.of("report", "--url", url, "-u", "ops", "--password-file", passwordFile.toString(), "--start",
                        month, "--out", outside.resolve("report.csv").toString()),
                List.of("verify", "--url", url, "-u", "ops", "--password-file", passwordFile.toString()));
        for (List<String> command : commands) {
            assertThat(launch(account, home, workDir, userHome, userTmp, command.toArray(String[]::new)))
                    .as("%s", command).startsWith("0 ");
        }
        assertThat(Files.readAllLines(gcLog).get(0)).as("the service's GC log, from its first line")
                .isEqualTo(gcLogStart);
        try (Stream<Path> logs = Files.list(home.resolve("logs"))) {
            assertThat(logs.map(path -> path.getFileName().toString())).as("no GC log rotated by a command")
                    .noneMatch(name -> name.matches("gc\\.log\\.\\d+"));
        }

        assertThat(launch(account, home, workDir, userHome, userTmp, "stop")).startsWith("0 ").contains("stopped");
        assertThat(launch(account, home, workDir, userHome, userTmp, "status")).startsWith("3 ");
        assertThat(Files.readString(home.resolve("logs/txcounter.log"))).contains("dist-launcher");
    }

    /** Unpacks the tarball into {@link #base} as shipped; returns the distribution's home. */
    private Path unpack() throws Exception {
        Shell.run(List.of("chmod", "755", base.toString()));
        Shell.run(List.of("tar", "xzf", tarball().toString(), "-C", base.toString()));
        try (Stream<Path> entries = Files.list(base)) {
            return entries.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    /** The account's world outside the home: {@code cwd}, {@code home} and {@code tmp} under {@code base/outside}. */
    private Path outside() throws IOException {
        Path outside = base.resolve("outside");
        for (String dir : List.of("cwd", "home", "tmp")) {
            Files.createDirectories(outside.resolve(dir));
        }
        return outside;
    }

    /** What the service account writes: the home's conf, logs, data and tmp, and everything outside. */
    private static void giveTo(Account account, Path home, Path outside) throws Exception {
        if (account.switchUser()) {
            for (String dir : List.of("conf", "logs", "data", "tmp")) {
                Shell.run(List.of("chown", "-R", account.name() + ":", home.resolve(dir).toString()));
            }
            Shell.run(List.of("chown", "-R", account.name() + ":", outside.toString()));
        }
    }

    /** Runs the launcher with {@code arguments}; returns its exit status, a space, and what it printed. */
    private static String launch(Account account, Path home, Path workDir, Path userHome, Path userTmp,
            String... arguments) throws Exception {
        ProcessBuilder builder = launcher(account, home, workDir, userHome, userTmp);
        builder.command().addAll(List.of(arguments));
        Process process = builder.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("%s", List.of(arguments)).isTrue();
        return process.exitValue() + " " + output;
    }

    private record Account(String name, boolean switchUser) {
    }

    private static Account account() throws Exception {
        String uid = Shell.run(List.of("id", "-u")).strip();
        if (!uid.equals("0")) {
            return new Account(Shell.run(List.of("id", "-un")).strip(), false);
        }
        String name = System.getenv().getOrDefault("TXN_TEST_SERVICE_USER", "txcounter");
        Process probe = new ProcessBuilder("id", "-u", name).redirectErrorStream(true).start();
        probe.getInputStream().readAllBytes();
        if (probe.waitFor() != 0) {
            String reason = "The test runs as root and there is no service account \"" + name + "\" to run the "
                    + "distribution as (create it with: useradd --system --shell /usr/sbin/nologin " + name
                    + ", as .ci/run does, or set TXN_TEST_SERVICE_USER)";
            if (Boolean.parseBoolean(System.getenv("TXN_TEST_DATABASES_REQUIRED"))) {
                fail(reason);
            }
            Assumptions.abort(reason);
        }
        return new Account(name, true);
    }

    private static ProcessBuilder launcher(Account account, Path home, Path workDir, Path userHome, Path userTmp) {
        List<String> command = new ArrayList<>();
        if (account.switchUser()) {
            command.addAll(List.of("setpriv", "--reuid=" + account.name(), "--regid=" + account.name(),
                    "--init-groups"));
        }
        command.add(home.resolve("bin/txcounter.sh").toString());
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        environment.put("HOME", userHome.toString());
        environment.put("TMPDIR", userTmp.toString());
        environment.put("USER", account.name());
        environment.put("LANG", "C.UTF-8");
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.put("TXCOUNTER_HEAP", "-Xms64m -Xmx256m");
        return builder;
    }

    /**
     * Every file of the account's modified after the marker, outside the home, on the root file system and the
     * temporary ones. find's complaints about files that other processes delete meanwhile are discarded.
     */
    private static Set<String> filesOwnedOutside(String account, Path marker, Path home) throws Exception {
        Process find = new ProcessBuilder("find", "/", "/tmp", "/var/tmp", "/dev/shm", "-xdev", "-user", account,
                "-newer", marker.toString(), "-not", "-path", home + "/*", "-print")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(find.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(find.waitFor(300, TimeUnit.SECONDS)).as("find ended within 300 s").isTrue();
        Set<String> found = new TreeSet<>(List.of(output.split("\n")));
        found.remove("");
        return found;
    }

    private static Set<String> metricsOfTheAlertRules() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(RULES)) {
            if (line.contains("summary:") || line.contains("description:") || line.strip().startsWith("#")) {
                continue;
            }
            Matcher matcher = METRIC.matcher(line);
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
        }
        return names;
    }

    private static Path tarball() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(file -> file.getFileName().toString().matches("txcounter-.*\\.tar\\.gz"))
                    .findFirst().orElseThrow(() -> new AssertionError("no target/txcounter-*.tar.gz: run the "
                            + "package phase first (./mvnw verify does)"));
        }
    }


    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }
}
