package org.txcounter.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command of the packaged jar run by an operator or an auditor in a directory of their own leaves nothing there:
 * no {@code logs/} (the service's log files are the service's), whatever the command answers.
 */
class CommandLineLoggingIT {

    @TempDir
    Path auditorsDirectory;

    @Test
    void commandsOtherThanServeCreateNoLogsDirectory() throws Exception {
        for (List<String> command : List.of(
                List.of("verify-statement", "statement-2026-11.json", "--public-key", "statements.pem"),
                List.of("--version"),
                List.of("no-such-command"))) {
            Process run = new ProcessBuilder(Stream.concat(Stream.of(Path.of(System.getProperty("java.home"), "bin",
                    "java").toString(), "-jar", Path.of("target", "txcounter.jar").toAbsolutePath().toString()),
                    command.stream()).toList()).directory(auditorsDirectory.toFile()).redirectErrorStream(true)
                    .start();
            String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(run.exitValue()).as("%s: %s", command, output).isIn(0, 2);
            try (Stream<Path> left = java.nio.file.Files.list(auditorsDirectory)) {
                assertThat(left).as("what %s left in the directory it ran in", command).isEmpty();
            }
        }
    }
}
