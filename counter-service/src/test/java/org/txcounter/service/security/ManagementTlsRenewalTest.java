package org.txcounter.service.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.ConfigException;
import org.txcounter.service.config.ManagementSecurity;

/** The generated certificate is kept while valid, renewed before it expires; a wrong keystore password is named. */
class ManagementTlsRenewalTest {

    @TempDir
    Path dataDir;

    private Path keystore() {
        return dataDir.resolve(ManagementTls.GENERATED_KEYSTORE);
    }

    private String password() throws Exception {
        return Files.readString(dataDir.resolve(ManagementTls.GENERATED_KEYSTORE + ".password"),
                StandardCharsets.UTF_8).trim();
    }

    @Test
    void aValidGeneratedCertificateIsKeptAcrossStarts() throws Exception {
        ManagementTls.contextFactory(ManagementSecurity.defaults(), dataDir, "127.0.0.1");
        Instant first = ManagementTls.notAfter(new ManagementTls.Keystore(keystore(), password()));
        byte[] bytes = Files.readAllBytes(keystore());

        ManagementTls.contextFactory(ManagementSecurity.defaults(), dataDir, "127.0.0.1");
        assertThat(Files.readAllBytes(keystore())).isEqualTo(bytes);
        assertThat(first).isAfter(Instant.now().plus(Duration.ofDays(396)));
    }

    @Test
    void aGeneratedCertificateCloseToExpiryIsReplaced() throws Exception {
        Files.writeString(dataDir.resolve(ManagementTls.GENERATED_KEYSTORE + ".password"), "old password");
        SelfSignedCertificate.create(keystore(), "old password".toCharArray(), List.of("localhost"),
                SelfSignedCertificate.KeyType.EC, Duration.ofDays(10));
        assertThat(ManagementTls.notAfter(new ManagementTls.Keystore(keystore(), "old password")))
                .isBefore(Instant.now().plus(ManagementTls.RENEW_BEFORE));

        ManagementTls.contextFactory(ManagementSecurity.defaults(), dataDir, "127.0.0.1");

        assertThat(password()).isNotEqualTo("old password");
        assertThat(ManagementTls.notAfter(new ManagementTls.Keystore(keystore(), password())))
                .isAfter(Instant.now().plus(Duration.ofDays(396)));
    }

    @Test
    void aConfiguredKeystoreWithTheWrongPasswordIsNamedAtStart() throws Exception {
        Path file = dataDir.resolve("conf/management.p12");
        SelfSignedCertificate.create(file, "right password".toCharArray(), List.of("localhost"),
                SelfSignedCertificate.KeyType.EC);
        ManagementSecurity security = new ManagementSecurity(true, Optional.of(file), Optional.of("wrong password"),
                List.of(), ManagementSecurity.DEFAULT_TOKEN_LIFETIME);

        assertThatThrownBy(() -> ManagementTls.contextFactory(security, dataDir, "127.0.0.1"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Cannot open the management keystore " + file.toAbsolutePath())
                .hasMessageEndingWith("Check the file and [management_api] keystore_password.");
    }
}
