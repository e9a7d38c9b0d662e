package org.txcounter.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.txcounter.service.config.ServiceConfig;
import org.txcounter.service.config.ServiceToml;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start as root is named in a warning with the way to run as a service account; any other user gets none. So is a
 * configuration file with secrets that others may read.
 */
class RootWarningTest {

    @Test
    void rootIsWarnedAndToldHowToRunAsAServiceAccount() {
        assertThat(ServeCommand.rootWarning(OptionalLong.of(0))).hasValueSatisfying(warning -> assertThat(warning)
                .startsWith("The service runs as root (uid 0).")
                .contains("useradd --system")
                .contains("User=txcounter")
                .contains("sudo -u txcounter java -jar txcounter.jar"));
    }

    @Test
    void otherUsersAndSystemsWithoutUidsAreNotWarned() {
        assertThat(ServeCommand.rootWarning(OptionalLong.of(1000))).isEmpty();
        assertThat(ServeCommand.rootWarning(OptionalLong.empty())).isEmpty();
    }

    @Test
    void aConfigurationWithSecretsThatOthersMayReadIsWarnedAboutAndAnOwnerOnlyOneIsNot(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("deployment.toml");
        Files.writeString(file, """
                [secrets]
                db_password = "[a plain secret]"

                [[management_api.user]]
                username = "admin"
                password_hash = "pbkdf2-sha256$600000$c2FsdA$aGFzaA"
                """);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(ServeCommand.exposedSecretsWarning(file)).hasValue(file.toAbsolutePath() + " holds plain-text "
                + "secrets and password hashes and is readable by every local user (mode rw-r--r--). Make it "
                + "owner-only: chmod 600 " + file.toAbsolutePath() + "; and encrypt the secrets: java -jar "
                + "txcounter.jar encrypt-secret --alias NAME.");

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(ServeCommand.exposedSecretsWarning(file)).isEmpty();

        Files.writeString(file, "[node]\nid = \"a\"\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(ServeCommand.exposedSecretsWarning(file)).as("nothing secret in it").isEmpty();
    }

    @Test
    void aDescriptorLimitBelowWhatTheListenersMayHoldIsWarnedAbout(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("deployment.toml");
        Files.writeString(file, """
                [passthrough]
                port = 0

                [[passthrough.route]]
                prefix = "/orders"
                queue = "orders"

                [jms]
                embedded_broker_port = 61616
                """);
        ServiceConfig config = ServiceToml.read(file);
        // 256 (API) + 2000 (passthrough) + 256 (broker) + 512 kept for the rest.
        assertThat(ServeCommand.descriptorWarning(OptionalLong.of(2_600), config)).hasValueSatisfying(warning ->
                assertThat(warning).startsWith("The process may open 2600 files (ulimit -n), fewer than the 2512 "
                        + "connections its listeners may hold at once plus 512").contains("at least 3024"));
        assertThat(ServeCommand.descriptorWarning(OptionalLong.of(65_536), config)).isEmpty();
        assertThat(ServeCommand.descriptorWarning(OptionalLong.empty(), config)).isEmpty();
    }
}
