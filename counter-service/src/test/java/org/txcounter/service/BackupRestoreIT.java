package org.txcounter.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.store.TestDatabases;
import org.txcounter.service.config.SecretStore;
import org.txcounter.service.security.PasswordHashing;

/**
 * The backup and restore of docs/operations.md, performed for real: a node on PostgreSQL whose database password is
 * encrypted with the secret store in its data directory and whose node id was generated there. The backup is a copy
 * of the stopped node's data directory and a {@code pg_dump} of the database.
 *
 * <ul>
 *   <li>The node's disk is lost, the database lives on: the data directory is restored from the (older) backup.
 *       The node starts as the same node, replays nothing twice, and counts on: every transaction exactly once.</li>
 *   <li>Everything is lost: the database is restored with {@code pg_restore} and the data directory from the
 *       same backup. The node counts on from the backup's totals, with the ledger check clean (no gap in its
 *       chain).</li>
 * </ul>
 */
class BackupRestoreIT {

    private static final String USER = "ops";
    private static final String PASSWORD = "backup-restore-password";
    private static final Pattern POSTGRES_URL = Pattern.compile("jdbc:postgresql://([^:/]+)(?::(\\d+))?/([^?]+).*");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dirs;

    private OkBackend backend;
    private ServiceProcess running;
    private DataSourceConfig owner;

    @BeforeEach
    void prepare() throws IOException {
        owner = TestDatabases.postgres();
        TestDatabases.dropSchema(owner);
        TestDatabases.migrate(owner);
        backend = new OkBackend();
    }

    @AfterEach
    void stop() throws Exception {
        if (running != null) {
            running.terminate();
        }
        backend.close();
    }

    @Test
    void aNodeRestoredFromItsBackupCountsOnWithoutAGapOrADouble() throws Exception {
        Path node = Files.createDirectories(dirs.resolve("node"));
        Path data = node.resolve("data");
        DataSourceConfig app = TestDatabases.postgresApp();
        String encrypted = SecretStore.openOrCreate(data.resolve("secret-store.p12"), name -> null)
                .encrypt("db_password", app.password());
        Files.writeString(node.resolve("deployment.toml"), """
                [[datasource]]
                id = "WSO2_TRANSACTION_DB"
                url = "%s"
                username = "%s"
                password = "$secret{db_password}"

                [management_api]
                port = %d

                [[management_api.user]]
                name = "%s"
                password_hash = "%s"
                role = "admin"

                [passthrough]
                port = 0

                [[passthrough.route]]
                prefix = "/api"
                backend = "http://127.0.0.1:%d/backend"

                [secrets]
                db_password = "%s"
                """.formatted(app.url(), app.username(), 0, USER,
                PasswordHashing.hash(PASSWORD.toCharArray()), backend.port(), encrypted));

        JsonNode first = serve(node, 0, 30);
        String nodeId = Files.readString(data.resolve("node-id")).strip();
        assertThat(first.path("unflushed").path("nodeId").asText()).isEqualTo(nodeId);

        // The backup, of the stopped node: its data directory and the database.
        Path backup = Files.createDirectories(dirs.resolve("backup"));
        Shell.run(List.of("tar", "czf", backup.resolve("data.tar.gz").toString(), "-C", node.toString(), "data"));
        Shell.run(postgres("pg_dump", "--format=custom", "--file=" + backup.resolve("database.dump")),
                Map.of("PGPASSWORD", owner.password()));

        serve(node, 30, 20);

        // The node's disk is lost; the database lives on. Restore the data directory from the older backup.
        Shell.run(List.of("rm", "-rf", data.toString()));
        Shell.run(List.of("tar", "xzf", backup.resolve("data.tar.gz").toString(), "-C", node.toString()));
        serve(node, 50, 15);
        JsonNode afterDiskLoss = serve(node, 65, 0);
        assertThat(afterDiskLoss.path("nodes").asInt()).as("the same node, not a new one").isEqualTo(1);

        // Everything is lost: restore the database and the data directory from the same backup.
        Shell.run(List.of("rm", "-rf", data.toString()));
        Shell.run(postgres("pg_restore", "--clean", "--if-exists", "--exit-on-error",
                backup.resolve("database.dump").toString()), Map.of("PGPASSWORD", owner.password()));
        Shell.run(List.of("tar", "xzf", backup.resolve("data.tar.gz").toString(), "-C", node.toString()));
        serve(node, 30, 10);
        JsonNode afterFullRestore = serve(node, 40, 0);
        assertThat(afterFullRestore.path("nodes").asInt()).isEqualTo(1);
        assertThat(Files.readString(data.resolve("node-id")).strip()).isEqualTo(nodeId);
    }

    /**
     * Starts the node, checks that the database holds exactly {@code expected} and the ledger check is clean,
     * sends {@code requests} through the passthrough, and stops it with SIGTERM (which writes them). Returns the
     * count seen at the start.
     */
    private JsonNode serve(Path node, long expected, int requests) throws Exception {
        running = ServiceProcess.start(node);
        String api = "https://127.0.0.1:" + running.managementPort();
        JsonNode count = JSON.readTree(Shell.curl200("-k", "-u", USER + ":" + PASSWORD, api + "/transaction/count"));
        assertThat(count.path("total").asLong()).as("%s", count).isEqualTo(expected);
        assertThat(count.path("unflushed").path("total").asLong()).isZero();
        JsonNode verify = JSON.readTree(Shell.curl200("-k", "-u", USER + ":" + PASSWORD,
                api + "/transaction/verify"));
        assertThat(verify.path("valid").asBoolean()).as("ledger check: %s", verify).isTrue();
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> proxied = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + running.passthroughPort() + "/api/orders/" + i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(proxied.statusCode()).isEqualTo(200);
        }
        assertThat(running.terminate()).isEqualTo(143);
        running = null;
        return count;
    }

    /** A PostgreSQL client command against the test database, as its owner. */
    private List<String> postgres(String command, String... arguments) {
        Matcher url = POSTGRES_URL.matcher(owner.url());
        assertThat(url.matches()).as("a jdbc:postgresql://host[:port]/database URL: %s", owner.url()).isTrue();
        List<String> line = new ArrayList<>(List.of(command, "--host=" + url.group(1),
                "--port=" + (url.group(2) == null ? "5432" : url.group(2)), "--username=" + owner.username(),
                "--dbname=" + url.group(3)));
        line.addAll(List.of(arguments));
        return line;
    }

}
