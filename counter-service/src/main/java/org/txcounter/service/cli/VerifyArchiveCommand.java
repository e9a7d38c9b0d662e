package org.txcounter.service.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import org.txcounter.service.statement.LedgerArchive;
import org.txcounter.service.statement.StatementKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Checks a month's ledger archive offline, with the file and the public key only, as verify-statement does.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "verify-archive", mixinStandardHelpOptions = true,
        description = "Check a month's ledger archive offline with the deployment's public key: its signature, "
                + "every row against its node's totals, and each row's link to the one before it. Exit status 0: "
                + "authentic and whole; 1: it does not verify; 2: a file cannot be read.")
final class VerifyArchiveCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The archive, as archive wrote it.")
    Path file;

    @Option(names = "--public-key", required = true, paramLabel = "KEY",
            description = "The public key (PEM) the deployment's statements are signed with.")
    Path publicKey;

    @Option(names = "--statement", paramLabel = "FILE",
            description = "The month's signed statement (JSON, as downloaded): check that the archive is of it.")
    Path statement;

    @Override
    public Integer call() {
        PublicKey key;
        try {
            key = StatementKey.readPem(Files.readString(publicKey, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            System.err.println("Cannot read the public key " + publicKey.toAbsolutePath() + ": " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            System.err.println("The public key " + publicKey.toAbsolutePath() + " is " + e.getMessage()
                    + ". Use the key from java -jar txcounter.jar statement --public-key.");
            return 2;
        }
        LedgerArchive.Verdict verdict;
        String statementSha256 = null;
        try {
            verdict = LedgerArchive.read(file, key);
            if (statement != null) {
                statementSha256 = LedgerArchive.sha256(Files.readAllBytes(statement));
            }
        } catch (IOException e) {
            System.err.println("Cannot read " + (statementSha256 == null && statement != null ? "the statement "
                    + statement.toAbsolutePath() : "the archive " + file.toAbsolutePath()) + ": " + e.getMessage());
            return 2;
        }
        if (verdict.valid() && statementSha256 != null && !statementSha256.equals(verdict.statementSha256())) {
            System.err.println("The archive of " + verdict.outline().month() + " is authentic, but NOT of the "
                    + "statement " + statement + ": it names the statement with SHA-256 " + verdict.statementSha256()
                    + ", the file given is " + statementSha256 + ".");
            return 1;
        }
        (verdict.valid() ? System.out : System.err).println(verdict.message()
                + (verdict.valid() && statementSha256 != null ? " It is the archive of the statement given." : ""));
        return verdict.valid() ? 0 : 1;
    }
}
