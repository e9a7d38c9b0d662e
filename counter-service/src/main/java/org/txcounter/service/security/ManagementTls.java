package org.txcounter.service.security;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.ManagementSecurity;

/**
 * TLS of the management port: TLS 1.2 and 1.3 only, and only cipher suites with forward secrecy (ECDHE, or TLS
 * 1.3's own) and authenticated encryption (GCM, ChaCha20-Poly1305). No CBC, no RSA key exchange, no
 * renegotiation. The key comes from the configured PKCS12 keystore, or from one generated into the data directory
 * on the first start.
 */
public final class ManagementTls {

    /** The protocols the port accepts. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** The cipher suites the port accepts, in the server's order of preference. */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    /** The keystore generated into the data directory when none is configured. */
    public static final String GENERATED_KEYSTORE = "management-tls.p12";

    /** A certificate closer than this to its expiry is renewed (generated) or warned about (configured). */
    static final Duration RENEW_BEFORE = Duration.ofDays(30);
    private static final Logger LOG = LoggerFactory.getLogger(ManagementTls.class);

    private ManagementTls() {
    }

    /**
     * The TLS settings for the port, with the configured keystore or the generated one (created now if missing).
     */
    public static SslContextFactory.Server contextFactory(ManagementSecurity security, Path dataDir, String host) {
        Path keystore;
        String password;
        if (security.keystore().isPresent()) {
            keystore = security.keystore().get();
            password = security.keystorePassword().orElseThrow();
            if (!Files.isReadable(keystore)) {
                throw new ConfigException("[management_api] keystore = \"" + keystore + "\": the file does not exist "
                        + "or cannot be read (" + keystore.toAbsolutePath() + "). Give a PKCS12 keystore with the "
                        + "server key and certificate, or remove keystore to use a generated one.");
            }
            checkExpiry(keystore, password, "Replace it with a renewed certificate and restart.");
        } else {
            keystore = dataDir.resolve(GENERATED_KEYSTORE);
            password = generatedKeystore(keystore, host);
            if (expiresWithin(keystore, password, RENEW_BEFORE)) {
                LOG.warn("The generated management certificate in {} expires within {} days: generating a new one.",
                        keystore.toAbsolutePath(), RENEW_BEFORE.toDays());
                password = regenerate(keystore, host);
            }
        }
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setKeyStorePath(keystore.toAbsolutePath().toString());
        factory.setKeyStoreType("PKCS12");
        factory.setKeyStorePassword(password);
        factory.setIncludeProtocols(PROTOCOLS.toArray(String[]::new));
        factory.setIncludeCipherSuites(CIPHER_SUITES.toArray(String[]::new));
        factory.setUseCipherSuitesOrder(true);
        factory.setRenegotiationAllowed(false);
        return factory;
    }

    /** The password of the generated keystore, creating the keystore and its password file when missing. */
    private static String generatedKeystore(Path keystore, String host) {
        Path passwordFile = keystore.resolveSibling(keystore.getFileName() + ".password");
        try {
            if (Files.exists(keystore) && Files.exists(passwordFile)) {
                return Files.readString(passwordFile, StandardCharsets.UTF_8).trim();
            }
        } catch (IOException e) {
            throw new ConfigException("Cannot read " + passwordFile.toAbsolutePath() + ": " + e.getMessage()
                    + ". Delete it and " + keystore.getFileName() + " to generate a new certificate.", e);
        }
        return regenerate(keystore, host);
    }

    /** Creates a new self-signed keystore and its password file; returns the password. */
    private static String regenerate(Path keystore, String host) {
        Path passwordFile = keystore.resolveSibling(keystore.getFileName() + ".password");
        try {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            SecureFiles.writeOwnerOnly(passwordFile, password.getBytes(StandardCharsets.UTF_8));
            X509Certificate certificate = SelfSignedCertificate.create(keystore, password.toCharArray(),
                    names(host), SelfSignedCertificate.KeyType.EC);
            LOG.warn("No [management_api] keystore is configured: generated a self-signed certificate for {} into {} "
                    + "(SHA-256 fingerprint {}). Clients must trust this certificate (curl --cacert, or -k for a "
                    + "first look). For production set [management_api] keystore and keystore_password.",
                    names(host), keystore.toAbsolutePath(), fingerprint(certificate));
            return password;
        } catch (IOException e) {
            throw new ConfigException("Cannot create the management TLS keystore " + keystore.toAbsolutePath() + ": "
                    + e.getMessage() + ". The data directory must be writable by this user.", e);
        }
    }

    /** Logs when a configured certificate has expired or expires within {@link #RENEW_BEFORE}. */
    private static void checkExpiry(Path keystore, String password, String advice) {
        Instant notAfter = notAfter(keystore, password);
        Instant now = Instant.now();
        if (notAfter.isBefore(now)) {
            LOG.error("The management certificate in {} expired at {}: clients will refuse the connection. {}",
                    keystore.toAbsolutePath(), notAfter, advice);
        } else if (notAfter.isBefore(now.plus(RENEW_BEFORE))) {
            LOG.warn("The management certificate in {} expires at {}, in less than {} days. {}",
                    keystore.toAbsolutePath(), notAfter, RENEW_BEFORE.toDays(), advice);
        }
    }

    private static boolean expiresWithin(Path keystore, String password, Duration window) {
        return notAfter(keystore, password).isBefore(Instant.now().plus(window));
    }

    /** The earliest expiry of the certificates in the keystore. */
    static Instant notAfter(Path keystore, String password) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            Instant earliest = Instant.MAX;
            for (String alias : Collections.list(store.aliases())) {
                if (store.getCertificate(alias) instanceof X509Certificate certificate) {
                    Instant expiry = certificate.getNotAfter().toInstant();
                    earliest = expiry.isBefore(earliest) ? expiry : earliest;
                }
            }
            return earliest;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("Cannot open the management keystore " + keystore.toAbsolutePath() + ": "
                    + e.getMessage() + ". Check the file and [management_api] keystore_password.", e);
        }
    }

    private static List<String> names(String host) {
        Set<String> names = new LinkedHashSet<>();
        names.add("localhost");
        names.add("127.0.0.1");
        names.add("::1");
        if (!host.isBlank() && !host.equals("0.0.0.0") && !host.equals("::")) {
            names.add(host);
        }
        try {
            names.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            LOG.debug("No host name for the certificate: {}", e.toString());
        }
        return List.copyOf(names);
    }

    /** The certificate's SHA-256 fingerprint as colon-separated hex, as browsers and openssl show it. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("Cannot compute the certificate fingerprint", e);
        }
    }
}
