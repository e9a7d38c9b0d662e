package org.txcounter.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which command lines start the service (and so log to files) and which are commands (console only). */
class MainTest {

    @Test
    void serveAndNoCommandStartTheServiceEveryOtherCommandDoesNot() {
        assertThat(Main.serves(new String[0])).isTrue();
        assertThat(Main.serves(new String[] {"deployment.toml"})).isTrue();
        assertThat(Main.serves(new String[] {"serve", "--reporting", "conf/deployment.toml"})).isTrue();
        assertThat(Main.serves(new String[] {"conf/deployment.toml", "serve"})).isTrue();
        assertThat(Main.serves(new String[] {"report", "--start", "2026-11"})).isFalse();
        assertThat(Main.serves(new String[] {"verify-statement", "statement.json", "--public-key", "k.pem"}))
                .isFalse();
        assertThat(Main.serves(new String[] {"conf/deployment.toml", "migrate"})).isFalse();
        assertThat(Main.serves(new String[] {"--help"})).isFalse();
        assertThat(Main.serves(new String[] {"--version"})).isFalse();
        assertThat(Main.serves(new String[] {"no-such-command"})).isFalse();
    }
}
