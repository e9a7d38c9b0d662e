package org.txcounter.service.statement;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.txcounter.service.config.SecretStore;

/**
 * The Ed25519 key pair that signs monthly statements. The private key lives in the secret store under
 * {@value #ALIAS} (made on first use); the public key is what auditors get, as PEM.
 *
 * <p>Immutable and thread-safe.
 */
public final class StatementKey {

    /** The secret store alias of the signing key. */
    public static final String ALIAS = "txcounter-statement-signing";
    static final String ALGORITHM = "Ed25519";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private StatementKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** The signing key from {@code store}, created there on first use. */
    public static StatementKey from(SecretStore store) {
        KeyStore.PrivateKeyEntry entry = store.privateKey(ALIAS, StatementKey::generate);
        return new StatementKey(entry.getPrivateKey(), entry.getCertificate().getPublicKey());
    }

    /**
     * A new key pair in a self-signed certificate: PKCS12 keeps a private key only with a certificate. The
     * certificate is a container; statements are checked against the bare public key.
     */
    private static KeyStore.PrivateKeyEntry generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            X500Name name = new X500Name("CN=txcounter statement signing");
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()), Date.from(now), Date.from(now.plus(Duration.ofDays(36500))),
                    name, pair.getPublic());
            Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(ALGORITHM).build(pair.getPrivate())));
            return new KeyStore.PrivateKeyEntry(pair.getPrivate(), new Certificate[] {certificate});
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("This Java runtime cannot make an " + ALGORITHM + " key pair: " + e, e);
        }
    }

    /** Signs {@code content}; the Ed25519 signature. */
    byte[] sign(byte[] content) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(privateKey);
            signature.update(content);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign with " + ALGORITHM + ": " + e, e);
        }
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** The public key as PEM ({@code -----BEGIN PUBLIC KEY-----}), for auditors. */
    public String publicKeyPem() {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(publicKey.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** {@code SHA256:} and the hex SHA-256 of the encoded public key: names the key on statements. */
    public static String fingerprint(PublicKey key) {
        try {
            return "SHA256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /**
     * Reads a PEM public key as {@link #publicKeyPem()} writes it.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static PublicKey readPem(String pem) {
        String base64 = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
                .replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(
                    Base64.getDecoder().decode(base64.getBytes(StandardCharsets.US_ASCII))));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException("not an " + ALGORITHM + " public key in PEM form (" + e.getMessage()
                    + ")", e);
        }
    }
}
