package org.txcounter.core.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.ConfigException;

class NodeIdentityTest {

    @TempDir
    Path dataDir;

    @Test
    void theFirstStartCreatesAnIdThatLaterStartsReuse() throws Exception {
        String first = NodeIdentity.resolve(Optional.empty(), dataDir);
        String second = NodeIdentity.resolve(Optional.empty(), dataDir);

        assertThat(second).isEqualTo(first);
        assertThat(Files.readString(dataDir.resolve("node-id")).strip()).isEqualTo(first);
        assertThat(first).matches("[a-z0-9][a-z0-9.-]*-[0-9a-f]{8}");
    }

    @Test
    void aConfiguredIdWins() {
        NodeIdentity.resolve(Optional.empty(), dataDir);

        assertThat(NodeIdentity.resolve(Optional.of("mi-node-1"), dataDir)).isEqualTo("mi-node-1");
    }

    @Test
    void aDamagedIdFileIsReportedWithItsPath() throws Exception {
        Files.writeString(dataDir.resolve("node-id"), "bad id with spaces\n");

        assertThatThrownBy(() -> NodeIdentity.resolve(Optional.empty(), dataDir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(dataDir.resolve("node-id").toAbsolutePath().toString())
                .hasMessageContaining("set [node] id in deployment.toml");
    }

    @Test
    void hostNamesAreMadeSafe() {
        assertThat(NodeIdentity.newId("My_Host.example.COM")).matches("my-host\\.example\\.com-[0-9a-f]{8}");
        assertThat(NodeIdentity.newId("___")).matches("node-[0-9a-f]{8}");
    }
}
