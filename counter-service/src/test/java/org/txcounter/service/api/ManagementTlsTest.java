package org.txcounter.service.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.MutableClock;
import org.txcounter.core.TransactionCounter;
import org.txcounter.service.config.ManagementSecurity;
import org.txcounter.service.runtime.RoutingStats;
import org.txcounter.service.security.ManagementTls;
import org.txcounter.service.security.SelfSignedCertificate;
import org.txcounter.service.statement.Billing;

/**
 * The management port's TLS with real handshakes: TLS 1.3 and 1.2 with forward-secret AEAD suites succeed; TLS
 * 1.1, CBC suites and RSA key exchange are refused. Each refused client is first shown to connect to a permissive
 * JDK server with the same key, so the refusal is the management port's doing and not the client's.
 */
class ManagementTlsTest {

    @TempDir
    Path dataDir;

    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:30Z");
    private TransactionCounter counter;
    private Javalin app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop();
        }
        if (counter != null) {
            counter.close();
        }
    }

    /** Starts the API with TLS; with {@code keystore} configured, or else with the generated one. */
    private void start(Optional<Path> keystore, String password) {
        counter = TestApi.counter(dataDir, clock);
        ManagementSecurity security = new ManagementSecurity(true, keystore,
                keystore.map(k -> password), TestUsers.users(), ManagementSecurity.DEFAULT_TOKEN_LIFETIME);
        Billing billing = TestApi.billing(counter, clock);
        app = ManagementApi.create(counter, TestUsers.access(clock), ManagementApi.Listener.tls("127.0.0.1", 0,
                ManagementTls.contextFactory(security, dataDir, "127.0.0.1")),
                new CounterMetrics(counter, new RoutingStats(), billing), billing).start();
    }

    private KeyStore keystore(Path file, String password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }

    private KeyStore generatedKeystore() throws IOException, GeneralSecurityException {
        Path file = dataDir.resolve(ManagementTls.GENERATED_KEYSTORE);
        String password = Files.readString(file.resolveSibling(file.getFileName() + ".password"),
                StandardCharsets.UTF_8).trim();
        return keystore(file, password);
    }

    /** A client context that trusts exactly the certificate in {@code store}. */
    private static SSLContext trusting(KeyStore store) throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("server", store.getCertificate(SelfSignedCertificate.ALIAS));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** Handshakes with the given protocol and suite; returns what was negotiated, or throws the failure. */
    private static String handshake(SSLContext client, int port, String protocol, String suite) throws IOException {
        try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setEnabledProtocols(new String[] {protocol});
            if (suite != null) {
                socket.setEnabledCipherSuites(new String[] {suite});
            }
            socket.startHandshake();
            return socket.getSession().getProtocol() + " " + socket.getSession().getCipherSuite();
        }
    }

    /** A JDK server with the same key that accepts anything, to show the client really can speak {@code protocol}. */
    private static String permissiveHandshake(KeyStore store, char[] password, SSLContext client, String protocol,
            String suite) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        try (SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0)) {
            server.setEnabledProtocols(server.getSupportedProtocols());
            server.setEnabledCipherSuites(server.getSupportedCipherSuites());
            Thread accept = new Thread(() -> {
                try (SSLSocket socket = (SSLSocket) server.accept()) {
                    socket.startHandshake();
                } catch (IOException e) {
                    // The client's side reports the outcome.
                }
            });
            accept.start();
            String negotiated = handshake(client, server.getLocalPort(), protocol, suite);
            accept.join(10_000);
            return negotiated;
        }
    }

    @Test
    void theGeneratedCertificateServesTls13AndTls12WithAeadSuitesAndNamesThisHost() throws Exception {
        start(Optional.empty(), null);
        KeyStore store = generatedKeystore();
        SSLContext client = trusting(store);

        assertThat(handshake(client, app.port(), "TLSv1.3", null)).startsWith("TLSv1.3 TLS_AES_");
        assertThat(handshake(client, app.port(), "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"))
                .isEqualTo("TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        assertThat(handshake(client, app.port(), "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"))
                .isEqualTo("TLSv1.2 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");

        X509Certificate certificate = (X509Certificate) store.getCertificate(SelfSignedCertificate.ALIAS);
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
        List<String> names = certificate.getSubjectAlternativeNames().stream().map(name -> String.valueOf(name.get(1)))
                .toList();
        assertThat(names).contains("localhost", "127.0.0.1");
        assertThat(Files.getPosixFilePermissions(dataDir.resolve(ManagementTls.GENERATED_KEYSTORE)))
                .extracting(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
    }

    @Test
    void tls11AndCbcSuitesAreRefused() throws Exception {
        start(Optional.empty(), null);
        KeyStore store = generatedKeystore();
        String password = Files.readString(dataDir.resolve(ManagementTls.GENERATED_KEYSTORE + ".password")).trim();
        SSLContext client = trusting(store);

        String cbc12 = "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256";
        String cbc11 = "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA";
        assertThat(permissiveHandshake(store, password.toCharArray(), client, "TLSv1.1", cbc11))
                .isEqualTo("TLSv1.1 " + cbc11);
        assertThat(permissiveHandshake(store, password.toCharArray(), client, "TLSv1.2", cbc12))
                .isEqualTo("TLSv1.2 " + cbc12);

        assertThatThrownBy(() -> handshake(client, app.port(), "TLSv1.1", cbc11)).isInstanceOf(SSLException.class);
        assertThatThrownBy(() -> handshake(client, app.port(), "TLSv1.2", cbc12)).isInstanceOf(SSLException.class);
    }

    @Test
    void withAConfiguredRsaKeystoreRsaKeyExchangeIsRefusedAndEcdheGcmAccepted() throws Exception {
        Path file = dataDir.resolve("conf/management.p12");
        String password = "rsa keystore password";
        SelfSignedCertificate.create(file, password.toCharArray(), List.of("localhost", "127.0.0.1"),
                SelfSignedCertificate.KeyType.RSA);
        start(Optional.of(file), password);
        KeyStore store = keystore(file, password);
        SSLContext client = trusting(store);

        String staticRsa = "TLS_RSA_WITH_AES_128_GCM_SHA256";
        assertThat(permissiveHandshake(store, password.toCharArray(), client, "TLSv1.2", staticRsa))
                .isEqualTo("TLSv1.2 " + staticRsa);
        assertThatThrownBy(() -> handshake(client, app.port(), "TLSv1.2", staticRsa))
                .isInstanceOf(SSLException.class);
        assertThatThrownBy(() -> handshake(client, app.port(), "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"))
                .isInstanceOf(SSLException.class);
        assertThat(handshake(client, app.port(), "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"))
                .isEqualTo("TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        assertThat(handshake(client, app.port(), "TLSv1.3", null)).startsWith("TLSv1.3 ");
        assertThat(Files.exists(dataDir.resolve(ManagementTls.GENERATED_KEYSTORE))).isFalse();
    }

    @Test
    void aMissingConfiguredKeystoreIsNamed() {
        Path missing = dataDir.resolve("nowhere.p12");
        ManagementSecurity security = new ManagementSecurity(true, Optional.of(missing), Optional.of("x"),
                List.of(), ManagementSecurity.DEFAULT_TOKEN_LIFETIME);
        assertThatThrownBy(() -> ManagementTls.contextFactory(security, dataDir, "127.0.0.1"))
                .hasMessageStartingWith("[management_api] keystore = \"" + missing + "\": the file does not exist");
    }
}
