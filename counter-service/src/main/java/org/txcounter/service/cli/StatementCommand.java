package org.txcounter.service.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.YearMonth;
import org.txcounter.core.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Downloads a closed month's signed statement, or the public key it verifies with.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "statement", mixinStandardHelpOptions = true,
        description = "Download the signed statement of a closed month as JSON, CSV or PDF, or with --public-key "
                + "the key auditors verify statements with.")
final class StatementCommand extends ApiCommand {

    @Option(names = "--month", paramLabel = "YYYY-MM", description = "The closed month.")
    String month;

    @Option(names = "--format", defaultValue = "json", description = "json, csv or pdf. Default: ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--public-key", description = "Download the statements' public key (PEM) instead.")
    boolean publicKey;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Where to write it. Default: the file name the service suggests, in this directory.")
    Path out;

    @Override
    public Integer call() {
        String path;
        if (publicKey) {
            if (month != null) {
                throw CliException.usage("Give --month or --public-key, not both.");
            }
            path = "/transaction/statements/public-key";
        } else {
            if (month == null) {
                throw CliException.usage(
                        "Give --month YYYY-MM, or --public-key for the key statements verify with.");
            }
            if (!format.equals("json") && !format.equals("csv") && !format.equals("pdf")) {
                throw CliException.usage("--format must be json, csv or pdf. Found: " + format);
            }
            YearMonth closed = ReportCommand.month("--month", month);
            path = "/transaction/statement?month=" + closed + "&format=" + format;
        }
        ApiClient.Download download = api().download(path);
        Path target = (out != null ? out : Path.of(download.fileName().orElse(publicKey ? "statement-public-key.pem"
                : "statement-" + month + "." + format))).toAbsolutePath();
        try {
            AtomicFiles.write(target, download.body());
        } catch (IOException e) {
            throw new CliException("Cannot write " + target + ": " + e.getMessage());
        }
        System.err.println("Wrote " + target + " (" + download.body().length + " bytes)");
        return 0;
    }
}
