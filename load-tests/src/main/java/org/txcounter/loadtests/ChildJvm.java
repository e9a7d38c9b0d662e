package org.txcounter.loadtests;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM that a load driver starts to run one measured side in a process of its own, so that the CPU time the
 * operating system accounts to that process belongs to that side alone. The driver talks to it in lines: a command
 * on the child's standard input, one answer per command on its standard output, marked with {@value #ANSWER}.
 * Every other line the child writes (its log) is copied to the driver's standard output behind the child's name.
 *
 * <p>The child runs with the driver's class path and the JVM options of {@code -DchildJvm} (default
 * {@value #DEFAULT_OPTIONS}), the same for every child of a run.
 *
 * <p>Not thread-safe: one driver thread sends the commands and reads the answers; a daemon thread per child only
 * moves the child's output into a queue.
 */
final class ChildJvm implements AutoCloseable {

    /** The mark of an answer line on the child's standard output. */
    static final String ANSWER = "@answer ";
    /** The command that ends a child: it closes what it runs, answers, and exits with 0. */
    static final String STOP = "stop";
    private static final String DEFAULT_OPTIONS = "-Xms1g -Xmx1g";
    private static final long ANSWER_TIMEOUT_MINUTES = 15;
    /** Put into the queue when the child's output ends, so that a waiting driver learns of it at once. */
    private static final String ENDED = "\0ended";

    private final String name;
    private final Process process;
    private final BufferedWriter commands;
    private final BlockingQueue<String> answers;

    private ChildJvm(String name, Process process, BlockingQueue<String> answers) {
        this.name = name;
        this.process = process;
        this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.answers = answers;
    }

    /**
     * Starts {@code main} in a new JVM and waits for its first answer (that it is ready).
     *
     * @param logDir where the child's log file goes ({@code txcounter.log.dir})
     */
    static ChildJvm start(String name, Class<?> main, Path logDir, String... args) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String option : System.getProperty("childJvm", DEFAULT_OPTIONS).trim().split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option);
            }
        }
        command.add("-Dtxcounter.log.dir=" + logDir.toAbsolutePath());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(Redirect.INHERIT).start();
        BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> copyOutput(name, process, answers), name + "-output");
        reader.setDaemon(true);
        reader.start();
        ChildJvm child = new ChildJvm(name, process, answers);
        String ready;
        try {
            ready = child.awaitAnswer("start");
        } catch (IOException | InterruptedException | RuntimeException e) {
            child.close();
            throw e;
        }
        System.out.printf("%s: process %d, %s%n", name, process.pid(), ready);
        return child;
    }

    private static void copyOutput(String name, Process process, BlockingQueue<String> answers) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith(ANSWER)) {
                    answers.add(line.substring(ANSWER.length()));
                } else {
                    System.out.println("[" + name + "] " + line);
                }
            }
        } catch (IOException e) {
            System.out.println("[" + name + "] reading its output failed: " + e);
        } finally {
            answers.add(ENDED);
        }
    }

    /** The child's process id. */
    long pid() {
        return process.pid();
    }

    /** Sends one command and returns the child's answer to it. */
    String call(String command) throws IOException, InterruptedException {
        commands.write(command);
        commands.newLine();
        commands.flush();
        return awaitAnswer(command);
    }

    private String awaitAnswer(String command) throws IOException, InterruptedException {
        String answer = answers.poll(ANSWER_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (answer == null) {
            throw new IOException(name + " (process " + process.pid() + ") did not answer '" + command
                    + "' within " + ANSWER_TIMEOUT_MINUTES + " minutes; its log is above");
        }
        if (answer.equals(ENDED)) {
            throw new IOException(name + " (process " + process.pid() + ") ended before it answered '" + command
                    + "', exit code " + process.waitFor() + "; its log is above");
        }
        return answer;
    }

    /**
     * The CPU time the operating system accounted to the child so far, user and system time of all its threads,
     * ended ones included (Linux: {@code utime + stime} of {@code /proc/<pid>/stat}, in clock ticks of 10 ms).
     */
    Duration cpuTime() {
        return process.info().totalCpuDuration().orElseThrow(() -> new IllegalStateException(
                "the operating system does not report the CPU time of " + name + " (process " + process.pid()
                        + "); this driver needs Linux's /proc"));
    }

    /** Sends {@value #STOP}, waits for the answer and the exit, and requires exit code 0. */
    void stop() throws IOException, InterruptedException {
        String answer = call(STOP);
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IOException(name + " exited with " + exit + " after '" + answer + "'");
        }
    }

    /** Ends the child if it still runs (after a failure of the driver). */
    @Override
    public void close() {
        process.destroyForcibly();
    }

    /**
     * The child's side: answers that it is ready with {@code ready}, then reads commands from standard input and
     * answers each with what {@code handler} returns, until {@value #STOP}, whose answer is
     * {@code handler.run(STOP)} too.
     */
    static void serve(String ready, Commands handler) throws Exception {
        sendAnswer(ready);
        BufferedReader lines = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            String command = line.trim();
            sendAnswer(handler.run(command));
            if (command.equals(STOP)) {
                return;
            }
        }
        throw new IllegalStateException("the driver closed the commands without '" + STOP + "'");
    }

    /** What a child does on a command; an exception ends the child with its stack trace. */
    @FunctionalInterface
    interface Commands {
        String run(String command) throws Exception;
    }

    private static void sendAnswer(String text) {
        System.out.println(ANSWER + text);
        System.out.flush();
    }
}
