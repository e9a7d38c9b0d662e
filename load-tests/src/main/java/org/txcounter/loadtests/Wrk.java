package org.txcounter.loadtests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * wrk, run as a child process, and what it reports: requests, rate, p50 and p99 latency, and the responses that
 * were not 2xx or 3xx or never came. A load client in a process of its own, written in C, leaves the 2 cores to
 * the server under test, where a Java client in the server's JVM would take about as much CPU as the server.
 *
 * <p>Immutable; {@link #run} may be called from several threads, each starting its own wrk.
 */
record Wrk(Path executable, int threads, int connections, List<String> headers) {

    Wrk {
        headers = List.copyOf(headers);
    }

    /** wrk from the PATH, with no extra request headers. */
    static Wrk locate(int threads, int connections) throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "wrk");
            if (Files.isExecutable(candidate)) {
                return new Wrk(candidate, threads, connections, List.of());
            }
        }
        throw new IOException("wrk is not on the PATH; install it (Debian: apt-get install wrk) and run again");
    }

    /** The same wrk sending {@code header} ("Name: value") with every request as well. */
    Wrk withHeader(String header) {
        List<String> more = new ArrayList<>(headers);
        more.add(header);
        return new Wrk(executable, threads, connections, more);
    }

    Result run(String url, int seconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(executable.toString(), "-t" + threads, "-c" + connections,
                "-d" + seconds + "s", "--latency"));
        for (String header : headers) {
            command.add("-H");
            command.add(header);
        }
        command.add(url);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IOException("wrk exited with " + exit + ":\n" + output);
        }
        return Result.parse(output);
    }

    /** What one wrk run reported; {@code failed} counts responses not 2xx or 3xx and socket errors. */
    record Result(long requests, double requestsPerSecond, double p50Micros, double p99Micros, long failed,
            String report) {

        static Result parse(String report) {
            long requests = -1;
            double rps = -1;
            double p50 = -1;
            double p99 = -1;
            long failed = 0;
            for (String raw : report.split("\n")) {
                String line = raw.trim();
                String[] words = line.split("\\s+");
                if (line.startsWith("50%")) {
                    p50 = micros(words[1]);
                } else if (line.startsWith("99%")) {
                    p99 = micros(words[1]);
                } else if (line.matches("\\d+ requests in .*")) {
                    requests = Long.parseLong(words[0]);
                } else if (line.startsWith("Requests/sec:")) {
                    rps = Double.parseDouble(words[1]);
                } else if (line.startsWith("Non-2xx or 3xx responses:")) {
                    failed += Long.parseLong(words[words.length - 1]);
                } else if (line.startsWith("Socket errors:")) {
                    for (String part : line.substring("Socket errors:".length()).split(",")) {
                        failed += Long.parseLong(part.trim().split("\\s+")[1]);
                    }
                }
            }
            if (requests < 0 || rps < 0 || p50 < 0 || p99 < 0) {
                throw new IllegalStateException("could not read the wrk report:\n" + report);
            }
            return new Result(requests, rps, p50, p99, failed, report);
        }

        private static double micros(String value) {
            String number = value.replaceAll("[a-z]+$", "");
            String unit = value.substring(number.length());
            double amount = Double.parseDouble(number);
            return switch (unit) {
                case "us" -> amount;
                case "ms" -> amount * 1_000;
                case "s" -> amount * 1_000_000;
                case "m" -> amount * 60_000_000;
                default -> throw new IllegalStateException("unknown latency unit in wrk report: " + value);
            };
        }

        void requireAllSucceeded() {
            if (failed != 0) {
                throw new IllegalStateException(failed + " requests failed or got errors:\n" + report);
            }
        }
    }
}
