package org.txcounter.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.service.config.ManagementSecurity;
import org.txcounter.service.config.ServiceToml;
import org.txcounter.service.security.PasswordHashing;

/** The local commands, run in-process as the jar runs them: input on stdin, the result on stdout. */
class CommandsTest {

    /** Logging starts before stdout is captured, so nothing it prints at start-up lands in a command's output. */
    private static final Logger LOG = LoggerFactory.getLogger(CommandsTest.class);

    @TempDir
    Path dir;

    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final InputStream originalIn = System.in;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void capture() {
        LOG.debug("capturing stdout and stderr");
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        System.setIn(originalIn);
    }

    private int run(String stdin, String... args) {
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        return Commands.run(args);
    }

    @Test
    void hashPasswordPrintsAHashTheConfigurationAcceptsAndThatMatchesThePassword() {
        assertThat(run("a long enough password\n", "hash-password")).isZero();
        String hash = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(hash).matches(ManagementSecurity.PASSWORD_HASH.pattern()).startsWith("pbkdf2-sha256$600000$");
        assertThat(PasswordHashing.matches("a long enough password".toCharArray(), hash)).isTrue();
        assertThat(PasswordHashing.matches("a long enough passworD".toCharArray(), hash)).isFalse();
    }

    @Test
    void hashPasswordRefusesAShortPassword() {
        assertThat(run("short\n", "hash-password")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("at least 12 characters");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void encryptSecretPrintsALineThatTheConfigurationDecryptsAtStartUp() throws Exception {
        Path keystore = dir.resolve("secrets/store.p12");
        Path toml = dir.resolve("deployment.toml");
        Files.writeString(toml, "[secret_store]\nkeystore = \"" + keystore + "\"\n");

        assertThat(run("s3cret db password\n", "encrypt-secret", "--alias", "db_password", toml.toString()))
                .isZero();
        String line = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(line).startsWith("db_password = \"enc:v1:").doesNotContain("s3cret");
        assertThat(keystore).exists();

        Files.writeString(toml, """
                [secret_store]
                keystore = "%s"

                [[datasource]]
                id = "WSO2_TRANSACTION_DB"
                url = "jdbc:h2:mem:x"
                username = "sa"
                password = "$secret{db_password}"

                [secrets]
                %s
                """.formatted(keystore, line));
        CounterConfig config = ServiceToml.read(toml, name -> null, name -> null).counter();
        assertThat(config.dataSource().password()).isEqualTo("s3cret db password");
    }

    @Test
    void wrongUsageExitsWith2AndNamesTheProblem() {
        assertThat(run("", "report")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Missing required option: '--start=YYYY-MM'");
        assertThat(run("", "no-such-command", "x")).isEqualTo(2);
    }

    @Test
    void aCountWithOnlyTheYearIsRefusedBeforeCallingTheService() {
        assertThat(run("", "count", "--year", "2026")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("Give --year and --month together, or neither for the current month.");
    }

    @Test
    void helpListsEveryCommand() {
        assertThat(run("", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("serve", "migrate", "count", "report", "nodes",
                "verify", "hash-password", "encrypt-secret");
    }
}
