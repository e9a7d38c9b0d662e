package org.txcounter.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Commands the process tests run as an operator would (curl, tar, pg_dump); each waits at most two minutes. */
public final class Shell {

    private Shell() {
    }

    /** Runs the command, asserts exit status 0, and returns its output (stdout and stderr), stripped. */
    public static String run(List<String> command) throws Exception {
        return run(command, Map.of());
    }

    /** As {@link #run(List)}, with these environment variables added. */
    public static String run(List<String> command, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s ended within 120 s", command).isTrue();
        assertThat(process.exitValue()).as("%s\n%s", command, output).isZero();
        return output.strip();
    }

    /** curl with the given arguments; returns the status code, a space and the body, e.g. {@code 200 {...}}. */
    public static String curl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-w", "\\n%{http_code}"));
        command.addAll(List.of(arguments));
        String output = run(command);
        int last = output.lastIndexOf('\n');
        return output.substring(last + 1) + " " + output.substring(0, Math.max(last, 0));
    }

    /** The body of a curl call that must answer 200. */
    public static String curl200(String... arguments) throws Exception {
        String response = curl(arguments);
        assertThat(response).as("curl %s", List.of(arguments)).startsWith("200 ");
        return response.substring(4);
    }
}
