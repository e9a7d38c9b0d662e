package org.txcounter.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged service jar running in a child JVM, as an operator starts it, for tests that stop or kill it. */
public final class ServiceProcess {

    private static final Pattern PASSTHROUGH = Pattern.compile("HTTP passthrough on http://127\\.0\\.0\\.1:(\\d+) ");
    private static final Pattern SERVING = Pattern.compile("serving https?://127\\.0\\.0\\.1:(\\d+) ");
    private static final Pattern GENERATED_PASSWORD = Pattern.compile("^ {5}([A-Za-z0-9]{24})$");

    private final Process process;
    private final int managementPort;
    private final int passthroughPort;
    private final String startupOutput;
    private final String generatedPassword;

    private ServiceProcess(Process process, int managementPort, int passthroughPort, String startupOutput,
            String generatedPassword) {
        this.process = process;
        this.managementPort = managementPort;
        this.passthroughPort = passthroughPort;
        this.startupOutput = startupOutput;
        this.generatedPassword = generatedPassword;
    }

    /**
     * Starts {@code target/txcounter.jar} in {@code workDir} (which holds its deployment.toml) and waits until it
     * serves.
     */
    public static ServiceProcess start(Path workDir) throws IOException {
        Path jar = Path.of("target", "txcounter.jar").toAbsolutePath();
        assertThat(jar).exists();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return start(new ProcessBuilder(java, "-jar", jar.toString()).directory(workDir.toFile()));
    }

    /** Starts the service with the given command (a launcher script, another user) and waits until it serves. */
    public static ServiceProcess start(ProcessBuilder command) throws IOException {
        Process process = command.redirectErrorStream(true).start();
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        int passthrough = -1;
        int management = -1;
        String password = null;
        StringBuilder seen = new StringBuilder();
        for (String line = output.readLine(); line != null; line = output.readLine()) {
            seen.append(line).append('\n');
            Matcher matcher = PASSTHROUGH.matcher(line);
            if (matcher.find()) {
                passthrough = Integer.parseInt(matcher.group(1));
            }
            Matcher generated = GENERATED_PASSWORD.matcher(line);
            if (generated.matches()) {
                password = generated.group(1);
            }
            Matcher serving = SERVING.matcher(line);
            if (serving.find()) {
                management = Integer.parseInt(serving.group(1));
                break;
            }
        }
        assertThat(management).as("start-up output:\n%s", seen).isPositive();
        Thread drain = new Thread(() -> {
            try {
                while (output.readLine() != null) {
                    // Keep the pipe empty so the child never blocks on its own logging.
                }
            } catch (IOException e) {
                // The process ended.
            }
        }, "service-output");
        drain.setDaemon(true);
        drain.start();
        return new ServiceProcess(process, management, passthrough, seen.toString(), password);
    }

    /** The operating system's id of the service's process. */
    public long pid() {
        return process.pid();
    }

    /** Whether the process is still running. */
    public boolean alive() {
        return process.isAlive();
    }

    public int managementPort() {
        return managementPort;
    }

    public int passthroughPort() {
        return passthroughPort;
    }

    /** The admin password the service generated and printed at this start, or {@code null} if it printed none. */
    public String generatedPassword() {
        return generatedPassword;
    }

    public String startupOutput() {
        return startupOutput;
    }

    /** SIGTERM, as a service manager stops it; waits for the exit and returns the exit status. */
    public int terminate() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the service stopped within 60 s").isTrue();
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no final flush. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
}
