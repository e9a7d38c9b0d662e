package org.txcounter.service.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import org.txcounter.service.statement.SignedStatement;
import org.txcounter.service.statement.StatementKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Checks a signed statement offline, with the statement file and the public key only: no service, no database,
 * no configuration.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "verify-statement", mixinStandardHelpOptions = true,
        description = "Check a signed monthly statement (JSON) offline with the deployment's public key. Exit "
                + "status 0: authentic and unchanged; 1: it does not verify; 2: a file cannot be read.")
final class VerifyStatementCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The statement, as downloaded (JSON).")
    Path file;

    @Option(names = "--public-key", required = true, paramLabel = "KEY",
            description = "The public key (PEM) the deployment's statements are signed with.")
    Path publicKey;

    @Override
    public Integer call() {
        String document;
        PublicKey key;
        try {
            document = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            System.err.println("The statement " + file.toAbsolutePath() + " is not text: a statement is checked in "
                    + "its signed JSON form (statement-YYYY-MM.json, or statement --format json). A PDF or CSV "
                    + "statement is a rendering of that JSON; check the JSON it came with.");
            return 2;
        } catch (IOException e) {
            System.err.println("Cannot read the statement " + file.toAbsolutePath() + ": " + e.getMessage());
            return 2;
        }
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
        SignedStatement.Verdict verdict = SignedStatement.verify(document, key);
        (verdict.valid() ? System.out : System.err).println(verdict.message());
        return verdict.valid() ? 0 : 1;
    }
}
