package org.txcounter.service.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.txcounter.core.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The billing report for a period from the running service, as CSV or JSON, to a file or the console.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Export the billing report of a period, as CSV or JSON.")
final class ReportCommand extends ApiCommand {

    @Option(names = "--start", required = true, paramLabel = "YYYY-MM", description = "First month.")
    String start;

    @Option(names = "--end", paramLabel = "YYYY-MM", description = "Last month. Default: the same as --start.")
    String end;

    @Option(names = "--format", defaultValue = "csv", description = "csv or json. Default: ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the report to this file. Default: the console.")
    Path out;

    @Override
    public Integer call() {
        YearMonth first = month("--start", start);
        YearMonth last = end == null ? first : month("--end", end);
        if (!format.equals("csv") && !format.equals("json")) {
            throw CliException.usage("--format must be csv or json. Found: " + format);
        }
        String body = get("/transaction/report?start=" + first + "&end=" + last + "&format=" + format);
        if (out == null) {
            System.out.print(body);
            if (!body.endsWith("\n")) {
                System.out.println();
            }
            return 0;
        }
        try {
            AtomicFiles.write(out.toAbsolutePath(), body.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CliException("Cannot write the report to " + out + ": " + e.getMessage());
        }
        System.err.println("Wrote the " + format.toUpperCase(Locale.ROOT) + " report of "
                + (first.equals(last) ? first.toString() : first + " through " + last) + " to " + out.toAbsolutePath());
        return 0;
    }

    static YearMonth month(String option, String value) {
        try {
            if (!value.matches("[0-9]{4}-[0-9]{2}")) {
                throw new DateTimeParseException("not YYYY-MM", value, 0);
            }
            return YearMonth.parse(value);
        } catch (DateTimeParseException e) {
            throw CliException.usage(option + " must be a month written YYYY-MM, e.g. 2026-01. Found: " + value);
        }
    }
}
