package org.txcounter.service.statement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import org.txcounter.service.json.Json;

/**
 * A statement and its Ed25519 signature in one JSON document:
 * {@code {"signature": {"algorithm": "Ed25519", "publicKey": "SHA256:..", "value": "<base64>"}, "statement": {..}}}.
 * The signature covers the canonical bytes ({@link CanonicalJson}) of {@code statement}, so the document may be
 * re-formatted but not changed. Checking needs only the document and the public key.
 *
 * <p>Stateless and thread-safe.
 */
public final class SignedStatement {

    private static final ObjectMapper JSON = Json.MAPPER;

    private SignedStatement() {
    }

    /** Signs {@code statement}; returns the signed document in canonical form. */
    public static String sign(ObjectNode statement, StatementKey key) {
        ObjectNode document = JSON.createObjectNode();
        document.set("statement", statement);
        ObjectNode signature = document.putObject("signature");
        signature.put("algorithm", StatementKey.ALGORITHM);
        signature.put("publicKey", StatementKey.fingerprint(key.publicKey()));
        signature.put("value", Base64.getEncoder().encodeToString(key.sign(CanonicalJson.bytes(statement))));
        return CanonicalJson.text(document);
    }

    /** The outcome of a check: valid or not, and what an auditor should read. */
    public record Verdict(boolean valid, String message) {
    }

    /** Checks a signed statement document against {@code key}, offline. */
    public static Verdict verify(String document, PublicKey key) {
        JsonNode root;
        try {
            root = JSON.readTree(document);
        } catch (IOException e) {
            return new Verdict(false, "Not a statement: the file is not valid JSON (" + e.getMessage() + ").");
        }
        JsonNode statement = root == null ? null : root.get("statement");
        JsonNode signature = root == null ? null : root.get("signature");
        if (statement == null || !statement.isObject() || signature == null || !signature.path("value").isTextual()) {
            return new Verdict(false, "Not a signed statement: it needs a \"statement\" object and a "
                    + "\"signature\" with a \"value\".");
        }
        if (!StatementKey.ALGORITHM.equals(signature.path("algorithm").asText())) {
            return new Verdict(false, "The signature algorithm is \"" + signature.path("algorithm").asText()
                    + "\"; statements are signed with " + StatementKey.ALGORITHM + ".");
        }
        String month = statement.path("month").asText("?");
        String expectedKey = StatementKey.fingerprint(key);
        String namedKey = signature.path("publicKey").asText();
        byte[] content;
        byte[] value;
        try {
            content = CanonicalJson.bytes(statement);
            value = Base64.getDecoder().decode(signature.get("value").asText());
        } catch (IllegalArgumentException e) {
            return new Verdict(false, "The statement for " + month + " cannot be checked: " + e.getMessage());
        }
        boolean valid;
        try {
            Signature check = Signature.getInstance(StatementKey.ALGORITHM);
            check.initVerify(key);
            check.update(content);
            valid = check.verify(value);
        } catch (GeneralSecurityException e) {
            valid = false;
        }
        if (valid) {
            return new Verdict(true, "The statement for " + month + " of deployment "
                    + statement.path("deployment").asText("?") + " is authentic and unchanged: signed by " + expectedKey
                    + ". Total " + statement.path("totals").path("total").asText("?") + ", billable "
                    + statement.path("billableTotal").asText("?") + ".");
        }
        if (!expectedKey.equals(namedKey)) {
            return new Verdict(false, "The statement for " + month + " does NOT verify: it names the signing key "
                    + namedKey + ", but the public key given is " + expectedKey + ". Check it with the key of the "
                    + "deployment that issued it; if that is the key given, the statement was changed.");
        }
        return new Verdict(false, "The statement for " + month + " does NOT verify with key " + expectedKey
                + ": its content was changed after it was signed, or the signature belongs to another statement. "
                + "Do not rely on it; ask for the statement again from the service.");
    }
}
