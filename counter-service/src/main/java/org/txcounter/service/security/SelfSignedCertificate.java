package org.txcounter.service.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.txcounter.core.io.AtomicFiles;

/**
 * Creates a PKCS12 keystore with a new key pair and a self-signed server certificate for the given host names and
 * addresses. The key and signature come from the JDK's own providers; Bouncy Castle only assembles the certificate.
 *
 * <p>Stateless; safe for any number of threads.
 */
public final class SelfSignedCertificate {

    /** The alias of the key entry. */
    public static final String ALIAS = "txcounter-management";
    static final Duration VALIDITY = Duration.ofDays(397);

    /** The key type: elliptic curve P-256 (the default) or RSA 3072. */
    public enum KeyType {
        EC, RSA
    }

    private SelfSignedCertificate() {
    }

    /** Writes a new keystore to {@code file} (mode 600) protected by {@code password}; returns its certificate. */
    public static X509Certificate create(Path file, char[] password, List<String> names, KeyType type)
            throws IOException {
        return create(file, password, names, type, VALIDITY);
    }

    /** As {@link #create(Path, char[], List, KeyType)}, valid for {@code validity} from now. */
    static X509Certificate create(Path file, char[] password, List<String> names, KeyType type, Duration validity)
            throws IOException {
        try {
            KeyPair keys = keyPair(type);
            X509Certificate certificate = certificate(keys, names, type, validity);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, keys.getPrivate(), password, new Certificate[] {certificate});
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            store.store(bytes, password);
            AtomicFiles.write(file, bytes.toByteArray());
            return certificate;
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("This JVM cannot create a " + type + " key and certificate: "
                    + e.getMessage(), e);
        }
    }

    private static KeyPair keyPair(KeyType type) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(type.name());
        if (type == KeyType.EC) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            generator.initialize(3072);
        }
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(KeyPair keys, List<String> names, KeyType type, Duration validity)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        X500Name subject = new X500Name("CN=" + names.get(0).replaceAll("[,=+<>#;\"\\\\]", "_")
                + ", O=Transaction counter (self-signed)");
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                new BigInteger(127, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(validity)), subject, keys.getPublic());
        List<GeneralName> alternatives = new ArrayList<>();
        for (String name : names) {
            boolean address = name.matches("[0-9.]+") || name.contains(":");
            alternatives.add(new GeneralName(address ? GeneralName.iPAddress : GeneralName.dNSName, name));
        }
        builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(alternatives.toArray(GeneralName[]::new)));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(type == KeyType.EC
                ? KeyUsage.digitalSignature : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        ContentSigner signer = new JcaContentSignerBuilder(type == KeyType.EC ? "SHA256withECDSA" : "SHA256withRSA")
                .build(keys.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }
}
