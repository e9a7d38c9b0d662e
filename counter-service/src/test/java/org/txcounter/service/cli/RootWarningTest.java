package org.txcounter.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** A start as root is named in a warning with the way to run as a service account; any other user gets none. */
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
}
