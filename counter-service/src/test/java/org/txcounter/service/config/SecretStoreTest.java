package org.txcounter.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.txcounter.core.config.ConfigException;

class SecretStoreTest {

    private static final UnaryOperator<String> NONE = name -> null;

    @TempDir
    Path dir;

    private Path keystore() {
        return dir.resolve("conf").resolve("secret-store.p12");
    }

    private static UnaryOperator<String> passwordVariable(String password) {
        return Map.of("TXN_SECRET_STORE_PASSWORD", password)::get;
    }

    @Test
    void encryptedValuesDecryptToTheSameText() {
        SecretStore store = SecretStore.openOrCreate(keystore(), NONE);

        String value = store.encrypt("db_pw", "s3cret, with ünïcode");

        assertThat(value).startsWith("enc:v1:").doesNotContain("s3cret").doesNotContain("=");
        assertThat(SecretStore.isEncrypted(value)).isTrue();
        assertThat(SecretStore.isEncrypted("[s3cret]")).isFalse();
        assertThat(store.decrypt("db_pw", value)).isEqualTo("s3cret, with ünïcode");
    }

    @Test
    void createsTheKeystoreAndItsPasswordFileReadableByTheOwnerOnly() throws IOException {
        SecretStore.openOrCreate(keystore(), NONE);

        Path passwordFile = dir.resolve("conf").resolve("secret-store.p12.password");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keystore()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(passwordFile, StandardCharsets.UTF_8)).matches("[A-Za-z0-9_-]{43}");
    }

    @Test
    void aSecondOpenUsesTheSameKey() {
        String value = SecretStore.openOrCreate(keystore(), NONE).encrypt("db_pw", "s3cret");

        assertThat(SecretStore.openOrCreate(keystore(), NONE).decrypt("db_pw", value)).isEqualTo("s3cret");
        assertThat(SecretStore.open(keystore(), NONE).decrypt("db_pw", value)).isEqualTo("s3cret");
    }

    @Test
    void thePasswordFromTheEnvironmentComesFirst() {
        String value = SecretStore.openOrCreate(keystore(), passwordVariable("from-the-environment"))
                .encrypt("db_pw", "s3cret");

        assertThat(dir.resolve("conf").resolve("secret-store.p12.password")).doesNotExist();
        assertThat(SecretStore.open(keystore(), passwordVariable("from-the-environment")).decrypt("db_pw", value))
                .isEqualTo("s3cret");
        assertThatThrownBy(() -> SecretStore.open(keystore(), passwordVariable("wrong")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Cannot open the secret store keystore " + keystore() + ": the password from the "
                        + "environment variable TXN_SECRET_STORE_PASSWORD is wrong. Use the password the keystore was "
                        + "created with.");
    }

    @Test
    void theEnvironmentOverridesThePasswordFile() {
        SecretStore.openOrCreate(keystore(), NONE);

        assertThatThrownBy(() -> SecretStore.openOrCreate(keystore(), passwordVariable("wrong")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("the password from the environment variable TXN_SECRET_STORE_PASSWORD is "
                        + "wrong");
    }

    @Test
    void aWrongPasswordFileIsNamed() throws IOException {
        SecretStore.openOrCreate(keystore(), NONE);
        Path passwordFile = dir.resolve("conf").resolve("secret-store.p12.password");
        Files.writeString(passwordFile, "wrong\n", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> SecretStore.open(keystore(), NONE))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Cannot open the secret store keystore " + keystore() + ": the password from the file "
                        + passwordFile + " is wrong. Use the password the keystore was created with.");
    }

    @Test
    void aKeystoreWithoutItsPasswordIsNamed() throws IOException {
        SecretStore.openOrCreate(keystore(), NONE);
        Path passwordFile = dir.resolve("conf").resolve("secret-store.p12.password");
        Files.delete(passwordFile);

        assertThatThrownBy(() -> SecretStore.open(keystore(), NONE))
                .isInstanceOf(ConfigException.class)
                .hasMessage("The secret store keystore " + keystore() + " exists but its password is not available: "
                        + "the environment variable TXN_SECRET_STORE_PASSWORD is not set and there is no file "
                        + passwordFile + ". Set the variable, or write the password into that file.");
    }

    @Test
    void aValueDoesNotDecryptUnderAnotherAlias() {
        SecretStore store = SecretStore.openOrCreate(keystore(), NONE);
        String value = store.encrypt("db_pw", "s3cret");

        assertThatThrownBy(() -> store.decrypt("other_pw", value))
                .isInstanceOf(ConfigException.class)
                .hasMessage("The encrypted value of secret \"other_pw\" does not decrypt with the key in " + keystore()
                        + ": it was changed, copied from another alias, or encrypted with another keystore. Encrypt "
                        + "it again with: java -jar txcounter.jar encrypt-secret --alias other_pw, or use the keystore "
                        + "it was encrypted with.")
                .message().doesNotContain(value);
    }

    @Test
    void aChangedValueDoesNotDecrypt() {
        SecretStore store = SecretStore.openOrCreate(keystore(), NONE);
        String value = store.encrypt("db_pw", "s3cret");
        int index = "enc:v1:".length() + 20;
        char flipped = value.charAt(index) == 'A' ? 'B' : 'A';
        String changed = value.substring(0, index) + flipped + value.substring(index + 1);

        assertThatThrownBy(() -> store.decrypt("db_pw", changed))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("The encrypted value of secret \"db_pw\" does not decrypt with the key in "
                        + keystore() + ": it was changed");
    }

    @Test
    void aValueFromAnotherKeystoreDoesNotDecrypt() {
        String value = SecretStore.openOrCreate(dir.resolve("other.p12"), NONE).encrypt("db_pw", "s3cret");
        SecretStore store = SecretStore.openOrCreate(keystore(), NONE);

        assertThatThrownBy(() -> store.decrypt("db_pw", value))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("The encrypted value of secret \"db_pw\" does not decrypt with the key in "
                        + keystore());
    }

    @Test
    void malformedValuesAreNamed() {
        SecretStore store = SecretStore.openOrCreate(keystore(), NONE);

        assertThatThrownBy(() -> store.decrypt("db_pw", "enc:v1:not base64!"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("The encrypted value of secret \"db_pw\" is not valid base64url after enc:v1:: it was "
                        + "changed or cut when copied. Copy it again whole, or encrypt it again with: java -jar "
                        + "txcounter.jar encrypt-secret --alias db_pw");
        assertThatThrownBy(() -> store.decrypt("db_pw", "enc:v1:AAAA"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("The encrypted value of secret \"db_pw\" does not decrypt");
        assertThatThrownBy(() -> store.decrypt("db_pw", "[s3cret]"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("The value of secret \"db_pw\" is not encrypted: it does not start with enc:v1:. Encrypt "
                        + "it with: java -jar txcounter.jar encrypt-secret --alias db_pw");
    }

    @Test
    void openDoesNotCreateAMissingKeystore() {
        assertThatThrownBy(() -> SecretStore.open(keystore(), NONE))
                .isInstanceOf(ConfigException.class)
                .hasMessage("The secret store keystore " + keystore() + " does not exist. Create it by encrypting the "
                        + "secrets again with: java -jar txcounter.jar encrypt-secret --alias <alias>, or copy the "
                        + "keystore and its password from the node where the values were encrypted.");
        assertThat(keystore()).doesNotExist();
        assertThat(dir.resolve("conf")).doesNotExist();
    }

    @Test
    void theSameTextEncryptsDifferentlyEachTime() {
        SecretStore store = SecretStore.openOrCreate(keystore(), NONE);

        String first = store.encrypt("db_pw", "s3cret");
        String second = store.encrypt("db_pw", "s3cret");

        assertThat(first).isNotEqualTo(second);
        assertThat(store.decrypt("db_pw", first)).isEqualTo(store.decrypt("db_pw", second)).isEqualTo("s3cret");
    }

    @Test
    void aDamagedKeystoreIsNamed() throws IOException {
        Files.createDirectories(keystore().getParent());
        Files.writeString(keystore(), "not a keystore", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> SecretStore.open(keystore(), passwordVariable("pw")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Cannot open the secret store keystore " + keystore() + ": it is not a PKCS12 "
                        + "keystore or it is damaged (")
                .hasMessageEndingWith("). Restore it from a backup, or copy it from another node of the deployment.");
    }

    @Test
    void aKeystoreWithoutTheKeyIsNamed() throws Exception {
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        Files.createDirectories(keystore().getParent());
        try (OutputStream out = Files.newOutputStream(keystore())) {
            empty.store(out, "pw".toCharArray());
        }

        assertThatThrownBy(() -> SecretStore.open(keystore(), passwordVariable("pw")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("The secret store keystore " + keystore() + " holds no AES key under the alias "
                        + "\"txcounter-secrets\". Use the keystore the secrets were encrypted with, or encrypt them "
                        + "again into a new keystore with: java -jar txcounter.jar encrypt-secret --alias <alias>");
    }
}
