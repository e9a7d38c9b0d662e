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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.io.AtomicFiles;
import org.txcounter.service.config.ManagementSecurity;

/**
 * TLS of the management port: TLS 1.2 and 1.3 only, and only cipher suites with forward secrecy (ECDHE, or TLS
 * 1.3's own) and authenticated encryption (GCM, ChaCha20-Poly1305). No CBC, no RSA key exchange, no
 * renegotiation. The key comes from the configured PKCS12 keystore, or from one generated into the data directory
 * on the first start.
 *
 * <p>Stateless; safe for any number of threads. The SSL context factory it builds is Jetty's, which Jetty uses from its
 * own threads.
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

    /** A PKCS12 keystore file and its password. */
    public record Keystore(Path file, String password) {
    }

    /**
     * The TLS settings for the port, with the configured keystore or the generated one (created now if missing,
     * and replaced when it expires within {@link #RENEW_BEFORE}).
     */
    public static SslContextFactory.Server contextFactory(ManagementSecurity security, Path dataDir, String host) {
        Keystore keystore;
        if (security.keystore().isPresent()) {
            Path file = security.keystore().get();
            if (!Files.isReadable(file)) {
                throw new ConfigException("[management_api] keystore = \"" + file + "\": the file does not exist "
                        + "or cannot be read (" + file.toAbsolutePath() + "). Give a PKCS12 keystore with the "
                        + "server key and certificate, or remove keystore to use a generated one.");
            }
            keystore = new Keystore(file, security.keystorePassword().orElseThrow());
            checkExpiry(keystore);
        } else {
            Optional<Keystore> generated = current(security, dataDir);
            if (generated.isPresent() && notAfter(generated.get()).isBefore(Instant.now().plus(RENEW_BEFORE))) {
                LOG.warn("The generated management certificate in {} expires within {} days: generating a new one.",
                        generated.get().file().toAbsolutePath(), RENEW_BEFORE.toDays());
                generated = Optional.empty();
            }
            keystore = generated.orElseGet(() -> generate(dataDir.resolve(GENERATED_KEYSTORE), host));
        }
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setKeyStorePath(keystore.file().toAbsolutePath().toString());
        factory.setKeyStoreType("PKCS12");
        factory.setKeyStorePassword(keystore.password());
        factory.setIncludeProtocols(PROTOCOLS.toArray(String[]::new));
        factory.setIncludeCipherSuites(CIPHER_SUITES.toArray(String[]::new));
        factory.setUseCipherSuitesOrder(true);
        factory.setRenegotiationAllowed(false);
        return factory;
    }

    /**
     * The keystore the port serves with: the configured one, or the generated one in {@code dataDir} once it
     * exists; empty before the first start generated it.
     */
    public static Optional<Keystore> current(ManagementSecurity security, Path dataDir) {
        if (security.keystore().isPresent()) {
            return Optional.of(new Keystore(security.keystore().get(), security.keystorePassword().orElseThrow()));
        }
        Path file = dataDir.resolve(GENERATED_KEYSTORE);
        Path passwordFile = passwordFile(file);
        if (!Files.exists(file) || !Files.exists(passwordFile)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Keystore(file, Files.readString(passwordFile, StandardCharsets.UTF_8).trim()));
        } catch (IOException e) {
            throw new ConfigException("Cannot read " + passwordFile.toAbsolutePath() + ": " + e.getMessage()
                    + ". Delete it and " + file.getFileName() + " to generate a new certificate.", e);
        }
    }

    private static Path passwordFile(Path keystore) {
        return keystore.resolveSibling(keystore.getFileName() + ".password");
    }

    /** Creates a new self-signed keystore and its password file. */
    private static Keystore generate(Path file, String host) {
        try {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            AtomicFiles.write(passwordFile(file), password.getBytes(StandardCharsets.UTF_8));
            List<String> names = names(host);
            X509Certificate certificate = SelfSignedCertificate.create(file, password.toCharArray(), names,
                    SelfSignedCertificate.KeyType.EC);
            LOG.warn("No [management_api] keystore is configured: generated a self-signed certificate for {} into {} "
                    + "(SHA-256 fingerprint {}). Clients must trust this certificate (curl --cacert, or -k for a "
                    + "first look). For production set [management_api] keystore and keystore_password.",
                    names, file.toAbsolutePath(), fingerprint(certificate));
            return new Keystore(file, password);
        } catch (IOException e) {
            throw new ConfigException("Cannot create the management TLS keystore " + file.toAbsolutePath() + ": "
                    + e.getMessage() + ". The data directory must be writable by this user.", e);
        }
    }

    /** Logs when a configured certificate has expired or expires within {@link #RENEW_BEFORE}. */
    private static void checkExpiry(Keystore keystore) {
        Instant notAfter = notAfter(keystore);
        Instant now = Instant.now();
        String advice = "Replace it with a renewed certificate and restart.";
        if (notAfter.isBefore(now)) {
            LOG.error("The management certificate in {} expired at {}: clients will refuse the connection. {}",
                    keystore.file().toAbsolutePath(), notAfter, advice);
        } else if (notAfter.isBefore(now.plus(RENEW_BEFORE))) {
            LOG.warn("The management certificate in {} expires at {}, in less than {} days. {}",
                    keystore.file().toAbsolutePath(), notAfter, RENEW_BEFORE.toDays(), advice);
        }
    }

    /** The earliest expiry of the certificates in the keystore. */
    static Instant notAfter(Keystore keystore) {
        return certificates(keystore).stream().map(certificate -> certificate.getNotAfter().toInstant())
                .min(Instant::compareTo).orElse(Instant.MAX);
    }

    /** The certificates in the keystore. */
    public static List<X509Certificate> certificates(Keystore keystore) {
        try (InputStream in = Files.newInputStream(keystore.file())) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, keystore.password().toCharArray());
            List<X509Certificate> certificates = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.getCertificate(alias) instanceof X509Certificate certificate) {
                    certificates.add(certificate);
                }
            }
            return certificates;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("Cannot open the management keystore " + keystore.file().toAbsolutePath()
                    + ": " + e.getMessage() + ". Check the file and [management_api] keystore_password.", e);
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
