package org.txcounter.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.txcounter.core.config.ConfigException;

/** {@code [metrics]}: off and on loopback by default; Basic credentials both or neither, hashed only. */
class MetricsConfigTest {

    private static final String HASH = "pbkdf2-sha256$600000$c2FsdHNhbHRzYWx0c2FsdA==$"
            + "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=";

    private static ServiceConfig parse(String text) {
        return ServiceToml.parse(text, "deployment.toml", name -> null, name -> null);
    }

    @Test
    void withoutTheSectionTheListenerIsOffAndWouldBindToLoopback() {
        MetricsConfig metrics = parse("").metrics();
        assertThat(metrics).isEqualTo(new MetricsConfig(false, "127.0.0.1", 9201, Optional.empty(), Optional.empty()));
    }

    @Test
    void readsTheListenerAndItsCredentials() {
        MetricsConfig metrics = parse("""
                [metrics]
                enable = true
                host = "0.0.0.0"
                port = 9301
                username = "prometheus"
                password_hash = "%s"
                """.formatted(HASH)).metrics();
        assertThat(metrics).isEqualTo(new MetricsConfig(true, "0.0.0.0", 9301, Optional.of("prometheus"),
                Optional.of(HASH)));
    }

    @Test
    void aUserWithoutAPasswordHashIsRefused() {
        assertThatThrownBy(() -> parse("[metrics]\nenable = true\nusername = \"prometheus\""))
                .isInstanceOf(ConfigException.class)
                .hasMessage("deployment.toml line 2: [metrics] has username but no password_hash. Set both for Basic "
                        + "authentication, or neither.");
    }

    @Test
    void aPlainPasswordInPlaceOfTheHashIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> parse("[metrics]\nusername = \"prometheus\"\npassword_hash = \"secret\""))
                .isInstanceOf(ConfigException.class)
                .hasMessage("deployment.toml line 3: [metrics] password_hash = (hidden): expected a pbkdf2-sha256 "
                        + "hash from: java -jar txcounter.jar hash-password");
    }
}
