package org.txcounter.service.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.txcounter.core.config.ConfigException;
import org.txcounter.service.config.ServiceConfig;
import org.txcounter.service.json.Json;
import org.txcounter.service.security.ManagementTls;

/**
 * Calls the management API of a running service for the CLI's read commands, as the {@code mi} CLI does. It trusts
 * the system's certificate authorities and, on the service's own host, the service's certificate from the data
 * directory, so a generated self-signed certificate works without {@code --insecure}.
 */
final class ApiClient {

    private static final ObjectMapper JSON = Json.MAPPER;
    private static final Pattern FILE_NAME = Pattern.compile("filename=\"([A-Za-z0-9._-]+)\"");

    private final URI base;
    private final String authorization;
    private final HttpClient http;

    private ApiClient(URI base, String authorization, HttpClient http) {
        this.base = base;
        this.authorization = authorization;
        this.http = http;
    }

    static ApiClient connect(ClientOptions options, ServiceConfig config) {
        URI base = options.url != null ? options.url : defaultUrl(config);
        String authorization = "Basic " + Base64.getEncoder().encodeToString(
                (options.user + ":" + options.password()).getBytes(StandardCharsets.UTF_8));
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10));
        if (base.getScheme().equals("https")) {
            builder.sslContext(sslContext(options, config));
        }
        return new ApiClient(base, authorization, builder.build());
    }

    private static URI defaultUrl(ServiceConfig config) {
        String host = config.managementHost();
        if (host.equals("0.0.0.0") || host.equals("::") || host.isBlank()) {
            host = "127.0.0.1";
        }
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        String scheme = config.managementSecurity().tls() ? "https" : "http";
        return URI.create(scheme + "://" + host + ":" + config.managementPort());
    }

    /** GETs {@code pathAndQuery}; returns the body of a 2xx answer, or throws with the API's error message. */
    String get(String pathAndQuery) {
        return new String(exchange("GET", pathAndQuery, HttpRequest.BodyPublishers.noBody()).body(),
                StandardCharsets.UTF_8);
    }

    /** POSTs to {@code pathAndQuery} without a body; returns the body of a 2xx answer, or throws as {@link #get}. */
    String post(String pathAndQuery) {
        return new String(exchange("POST", pathAndQuery, HttpRequest.BodyPublishers.noBody()).body(),
                StandardCharsets.UTF_8);
    }

    /** POSTs {@code text} (plain UTF-8 text) to {@code pathAndQuery}; answers as {@link #get}. */
    String post(String pathAndQuery, String text) {
        return new String(exchange("POST", pathAndQuery, HttpRequest.BodyPublishers.ofString(text,
                StandardCharsets.UTF_8)).body(), StandardCharsets.UTF_8);
    }

    /** A download: its bytes and the file name the API suggests, if any. */
    record Download(byte[] body, Optional<String> fileName) {
    }

    /** GETs a download such as a statement's PDF. */
    Download download(String pathAndQuery) {
        HttpResponse<byte[]> response = exchange("GET", pathAndQuery, HttpRequest.BodyPublishers.noBody());
        Optional<String> name = response.headers().firstValue("Content-Disposition")
                .map(FILE_NAME::matcher).filter(Matcher::find).map(matcher -> matcher.group(1));
        return new Download(response.body(), name);
    }

    private HttpResponse<byte[]> exchange(String method, String pathAndQuery, HttpRequest.BodyPublisher body) {
        URI uri = base.resolve(pathAndQuery);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header("Authorization", authorization)
                .header("Content-Type", "text/plain; charset=utf-8")
                .timeout(Duration.ofMinutes(30))
                .method(method, body).build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new CliException("No management API answers at " + base + ". Start the service (java -jar "
                    + "txcounter.jar serve) or give its address with --url.");
        } catch (SSLHandshakeException e) {
            throw new CliException("The TLS handshake with " + base + " failed: " + e.getMessage() + ". Give the "
                    + "service's certificate with --cacert, or use --insecure for a first look.");
        } catch (IOException e) {
            throw new CliException("Calling " + uri + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Interrupted while calling " + uri);
        }
        if (response.statusCode() / 100 == 2) {
            return response;
        }
        String message = new String(response.body(), StandardCharsets.UTF_8);
        try {
            JsonNode error = JSON.readTree(response.body()).path("error");
            if (error.has("message")) {
                message = error.get("message").asText();
            }
        } catch (IOException e) {
            // Not an envelope: show the body as it came.
        }
        throw new CliException("The management API answered " + response.statusCode() + " to " + method + " "
                + uri.getPath() + ": " + message);
    }

    static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new CliException("The management API answered something that is not JSON: " + e.getMessage());
        }
    }

    private static SSLContext sslContext(ClientOptions options, ServiceConfig config) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            if (options.insecure) {
                context.init(null, new TrustManager[] {new TrustEverything()}, null);
                return context;
            }
            List<X509Certificate> extra = new ArrayList<>();
            if (options.cacert != null) {
                extra.addAll(readCertificates(options.cacert));
            }
            extra.addAll(serviceCertificate(config));
            List<X509TrustManager> managers = new ArrayList<>();
            if (!extra.isEmpty()) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                for (int i = 0; i < extra.size(); i++) {
                    store.setCertificateEntry("trusted-" + i, extra.get(i));
                }
                managers.add(trustManager(store));
            }
            managers.add(trustManager(null));
            context.init(null, new TrustManager[] {new AnyOf(managers)}, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new CliException("Cannot set up TLS for the management API: " + e.getMessage());
        }
    }

    /**
     * The certificate of this host's service, from the configured keystore or the generated one; none when there
     * is no such keystore here or it cannot be read (then the system's CAs and {@code --cacert} decide).
     */
    private static List<X509Certificate> serviceCertificate(ServiceConfig config) {
        try {
            return ManagementTls.current(config.managementSecurity(), config.counter().dataDir())
                    .filter(keystore -> Files.isReadable(keystore.file()))
                    .map(ManagementTls::certificates)
                    .orElse(List.of());
        } catch (ConfigException e) {
            return List.of();
        }
    }

    private static List<X509Certificate> readCertificates(Path file) throws IOException, CertificateException {
        List<X509Certificate> certificates = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) certificate);
            }
        }
        if (certificates.isEmpty()) {
            throw new CliException("--cacert " + file + " holds no certificate (PEM or DER expected)");
        }
        return certificates;
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X509 trust manager");
    }

    /** Trusts a chain when one of its managers does. */
    private record AnyOf(List<X509TrustManager> managers) implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not used");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            CertificateException last = null;
            for (X509TrustManager manager : managers) {
                try {
                    manager.checkServerTrusted(chain, authType);
                    return;
                } catch (CertificateException e) {
                    last = e;
                }
            }
            throw last != null ? last : new CertificateException("no trust manager");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return managers.stream().flatMap(m -> Arrays.stream(m.getAcceptedIssuers()))
                    .toArray(X509Certificate[]::new);
        }
    }

    /** {@code --insecure}: accepts any certificate, as curl -k does. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not used");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // --insecure: the operator chose to skip the check.
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
