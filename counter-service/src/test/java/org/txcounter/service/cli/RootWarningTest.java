package org.txcounter.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
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
}
