package org.txcounter.service.config;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertificateException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.io.AtomicFiles;
import org.txcounter.core.io.PrivateFiles;

/**
 * Encrypts and decrypts the values of {@code [secrets]} in {@code deployment.toml}, so that no plain-text password
 * needs to be in the file.
 *
 * <p>The key is one AES-256 key, kept under the alias {@value #KEY_ALIAS} in a PKCS12 keystore. The keystore's
 * password comes from the environment variable {@value #PASSWORD_VARIABLE} when it is set and not blank, otherwise
 * from the file next to the keystore named after it with {@code .password} appended ({@code secret-store.p12.password},
 * UTF-8, surrounding white space ignored). {@link #openOrCreate} creates a missing keystore with a new random key and,
 * when neither source has a password, a new random password written to that file. Both files are created readable
 * by their owner only where the file system has POSIX permissions.
 *
 * <p>An encrypted value is {@value #PREFIX} followed by the base64url encoding, without padding, of a random 12-byte
 * IV and the AES/GCM ciphertext with its 128-bit tag. The alias is authenticated with it, so a value copied to
 * another alias does not decrypt, and neither does a value that was changed.
 *
 * <pre>{@code
 * SecretStore store = SecretStore.openOrCreate(Path.of("data/secret-store.p12"), System::getenv);
 * String value = store.encrypt("txn_db_password", password);   // enc:v1:...
 * String plain = store.decrypt("txn_db_password", value);
 * }</pre>
 *
 * <p>The keystore also keeps private keys of the product's own, such as the key that signs monthly statements
 * ({@link #privateKey}).
 *
 * <p>Instances are safe to use from several threads; {@link #privateKey} serialises additions to the keystore file
 * within this process.
 */
public final class SecretStore {

    /** The environment variable that holds the keystore password; it takes precedence over the password file. */
    public static final String PASSWORD_VARIABLE = "TXN_SECRET_STORE_PASSWORD";

    /** The keystore alias of the AES key. */
    public static final String KEY_ALIAS = "txcounter-secrets";

    /** How every encrypted value starts: the format and its version. */
    public static final String PREFIX = "enc:v1:";

    private static final String KEYSTORE_TYPE = "PKCS12";
    private static final String CIPHER = "AES/GCM/NoPadding";
    private static final int KEY_BITS = 256;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int GENERATED_PASSWORD_BYTES = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path keystore;
    private final SecretKey key;
    private final Password password;

    private SecretStore(Path keystore, SecretKey key, Password password) {
        this.keystore = keystore;
        this.key = key;
        this.password = password;
    }

    /**
     * Opens the keystore, or creates it with a new random AES-256 key when it does not exist, together with its
     * parent directories and, when neither the environment variable nor the password file has a password, a
     * password file with a new random password.
     *
     * @param keystore the PKCS12 keystore file
     * @param environment the environment variables, such as {@code System::getenv}
     * @return the store holding the keystore's key
     * @throws ConfigException when the keystore cannot be read, created or opened, or holds no key
     */
    public static SecretStore openOrCreate(Path keystore, UnaryOperator<String> environment) {
        Path file = keystore.toAbsolutePath().normalize();
        Optional<Password> password = password(file, environment);
        if (Files.exists(file)) {
            return load(file, password.orElseThrow(() -> noPassword(file)));
        }
        try {
            if (!Files.isDirectory(file.getParent())) {
                PrivateFiles.ownerOnlyDirectory(file.getParent());
            }
        } catch (IOException e) {
            throw new ConfigException("Cannot create the directory " + file.getParent() + " for the secret store "
                    + "keystore: " + e + ". Check that this user may create it, or choose another keystore path.", e);
        }
        return create(file, password.orElseGet(() -> generatePassword(file)));
    }

    /**
     * Opens an existing keystore; it is never created.
     *
     * @param keystore the PKCS12 keystore file
     * @param environment the environment variables, such as {@code System::getenv}
     * @return the store holding the keystore's key
     * @throws ConfigException when the keystore does not exist, cannot be read or opened, or holds no key
     */
    public static SecretStore open(Path keystore, UnaryOperator<String> environment) {
        Path file = keystore.toAbsolutePath().normalize();
        if (!Files.exists(file)) {
            throw new ConfigException("The secret store keystore " + file + " does not exist. Create it by "
                    + "encrypting the secrets again with: " + encryptCommand("<alias>") + ", or copy "
                    + "the keystore and its password from the node where the values were encrypted.");
        }
        return load(file, password(file, environment).orElseThrow(() -> noPassword(file)));
    }

    /** The command that encrypts a value for {@code alias}, for messages that tell the operator what to run. */
    public static String encryptCommand(String alias) {
        return "java -jar txcounter.jar encrypt-secret --alias " + alias;
    }

    /**
     * Whether a {@code [secrets]} value is in the encrypted form, that is starts with {@value #PREFIX}.
     *
     * @param value the value as written in the file
     * @return true when the value is encrypted
     */
    public static boolean isEncrypted(String value) {
        return value.startsWith(PREFIX);
    }

    /**
     * Encrypts a secret for one alias, with a new random IV: the same text encrypts differently every time.
     *
     * @param alias the alias in {@code [secrets]} the value will be written under; only that alias decrypts it
     * @param plainText the secret
     * @return {@value #PREFIX} followed by the base64url IV, ciphertext and tag
     */
    public String encrypt(String alias, String plainText) {
        Objects.requireNonNull(plainText, "plainText");
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, alias, iv);
            byte[] cipherText = cipher.doFinal(plainText.getBytes(StandardCharsets.UTF_8));
            byte[] value = ByteBuffer.allocate(IV_BYTES + cipherText.length).put(iv).put(cipherText).array();
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(value);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(CIPHER + " with a " + KEY_BITS + "-bit key is not available in this "
                    + "Java runtime: " + e, e);
        }
    }

    /**
     * Decrypts a value that {@link #encrypt} made for the same alias with this keystore's key.
     *
     * @param alias the alias in {@code [secrets]} the value is written under
     * @param value the encrypted value, starting with {@value #PREFIX}
     * @return the secret
     * @throws ConfigException when the value is not in the encrypted form, is not valid base64url, or does not
     *         decrypt: it was changed, copied from another alias, or encrypted with another keystore's key
     */
    public String decrypt(String alias, String value) {
        if (!isEncrypted(value)) {
            throw new ConfigException("The value of secret \"" + alias + "\" is not encrypted: it does not start "
                    + "with " + PREFIX + ". Encrypt it with: " + encryptCommand(alias));
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(value.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("The encrypted value of secret \"" + alias + "\" is not valid base64url after "
                    + PREFIX + ": it was changed or cut when copied. Copy it again whole, or encrypt it again with: "
                    + encryptCommand(alias), e);
        }
        if (bytes.length < IV_BYTES + TAG_BITS / Byte.SIZE) {
            throw undecryptable(alias, null);
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, alias, Arrays.copyOf(bytes, IV_BYTES));
            return new String(cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw undecryptable(alias, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(CIPHER + " with a " + KEY_BITS + "-bit key is not available in this "
                    + "Java runtime: " + e, e);
        }
    }

    /**
     * The private key entry under {@code alias}; when the keystore has none, the entry {@code create} makes is added
     * and the keystore file rewritten (atomically, owner-only), so the key stays the same from then on.
     *
     * @throws ConfigException when the keystore cannot be read or written
     */
    public synchronized KeyStore.PrivateKeyEntry privateKey(String alias, Supplier<KeyStore.PrivateKeyEntry> create) {
        char[] chars = password.value().toCharArray();
        try {
            KeyStore keyStore = KeyStore.getInstance(KEYSTORE_TYPE);
            keyStore.load(new ByteArrayInputStream(Files.readAllBytes(keystore)), chars);
            KeyStore.PasswordProtection protection = new KeyStore.PasswordProtection(chars);
            if (keyStore.entryInstanceOf(alias, KeyStore.PrivateKeyEntry.class)) {
                return (KeyStore.PrivateKeyEntry) keyStore.getEntry(alias, protection);
            }
            KeyStore.PrivateKeyEntry entry = create.get();
            keyStore.setEntry(alias, entry, protection);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            keyStore.store(bytes, chars);
            AtomicFiles.write(keystore, bytes.toByteArray());
            return entry;
        } catch (IOException e) {
            throw new ConfigException("Cannot read or update the secret store keystore " + keystore + " for the key \""
                    + alias + "\": " + e + ". Check that this user may read and write it.", e);
        } catch (GeneralSecurityException e) {
            throw new ConfigException("Cannot open the key \"" + alias + "\" in the secret store keystore " + keystore
                    + ": " + e.getMessage() + ". Restore the keystore from a backup.", e);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    private Cipher cipher(int mode, String alias, byte[] iv) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(CIPHER);
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
        cipher.updateAAD(alias.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    private ConfigException undecryptable(String alias, Throwable cause) {
        return new ConfigException("The encrypted value of secret \"" + alias + "\" does not decrypt with the key in "
                + keystore + ": it was changed, copied from another alias, or encrypted with another keystore. "
                + "Encrypt it again with: " + encryptCommand(alias) + ", or use the keystore "
                + "it was encrypted with.", cause);
    }

    /** A keystore password and where it came from, for messages; the password itself is never shown. */
    private record Password(String value, String origin) {
    }

    private static Path passwordFile(Path keystore) {
        return keystore.resolveSibling(keystore.getFileName() + ".password");
    }

    private static Optional<Password> password(Path keystore, UnaryOperator<String> environment) {
        String variable = environment.apply(PASSWORD_VARIABLE);
        if (variable != null && !variable.isBlank()) {
            return Optional.of(new Password(variable, "the environment variable " + PASSWORD_VARIABLE));
        }
        Path file = passwordFile(keystore);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new ConfigException("Cannot read the secret store password file " + file + ": " + e
                    + ". Check that it is readable by this user, or set the environment variable "
                    + PASSWORD_VARIABLE + ".", e);
        }
        if (text.isEmpty()) {
            throw new ConfigException("The secret store password file " + file + " is empty. Write the keystore "
                    + "password into it, or set the environment variable " + PASSWORD_VARIABLE + ".");
        }
        return Optional.of(new Password(text, "the file " + file));
    }

    private static ConfigException noPassword(Path keystore) {
        return new ConfigException("The secret store keystore " + keystore + " exists but its password is not "
                + "available: the environment variable " + PASSWORD_VARIABLE + " is not set and there is no file "
                + passwordFile(keystore) + ". Set the variable, or write the password into that file.");
    }

    private static Password generatePassword(Path keystore) {
        byte[] random = new byte[GENERATED_PASSWORD_BYTES];
        RANDOM.nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path file = passwordFile(keystore);
        writeOwnerOnly(file, password.getBytes(StandardCharsets.UTF_8), "password file");
        return new Password(password, "the file " + file);
    }

    private static SecretStore create(Path file, Password password) {
        char[] chars = password.value().toCharArray();
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(KEY_BITS, RANDOM);
            SecretKey key = generator.generateKey();
            KeyStore keyStore = KeyStore.getInstance(KEYSTORE_TYPE);
            keyStore.load(null, null);
            keyStore.setEntry(KEY_ALIAS, new KeyStore.SecretKeyEntry(key), new KeyStore.PasswordProtection(chars));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            keyStore.store(bytes, chars);
            writeOwnerOnly(file, bytes.toByteArray(), "keystore");
            return new SecretStore(file, key, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("This Java runtime cannot create a " + KEYSTORE_TYPE + " keystore with a "
                    + KEY_BITS + "-bit AES key: " + e, e);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    private static SecretStore load(Path file, Password password) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException("Cannot read the secret store keystore " + file + ": " + e
                    + ". Check that it is a file readable by this user.", e);
        }
        char[] chars = password.value().toCharArray();
        try {
            KeyStore keyStore = KeyStore.getInstance(KEYSTORE_TYPE);
            try {
                keyStore.load(new ByteArrayInputStream(bytes), chars);
            } catch (IOException | NoSuchAlgorithmException | CertificateException e) {
                if (e.getCause() instanceof UnrecoverableKeyException) {
                    throw new ConfigException("Cannot open the secret store keystore " + file + ": the password from "
                            + password.origin() + " is wrong. Use the password the keystore was created with.", e);
                }
                throw new ConfigException("Cannot open the secret store keystore " + file + ": it is not a "
                        + KEYSTORE_TYPE + " keystore or it is damaged (" + e.getMessage() + "). Restore it from a "
                        + "backup, or copy it from another node of the deployment.", e);
            }
            Key key;
            try {
                key = keyStore.getKey(KEY_ALIAS, chars);
            } catch (UnrecoverableKeyException e) {
                throw new ConfigException("Cannot open the key \"" + KEY_ALIAS + "\" in the secret store keystore "
                        + file + " with the password from " + password.origin() + ": the key has a password of its "
                        + "own. Give the key the keystore's password.", e);
            }
            if (!(key instanceof SecretKey secretKey) || !"AES".equalsIgnoreCase(key.getAlgorithm())) {
                throw new ConfigException("The secret store keystore " + file + " holds no AES key under the alias \""
                        + KEY_ALIAS + "\". Use the keystore the secrets were encrypted with, or encrypt them again "
                        + "into a new keystore with: " + encryptCommand("<alias>"));
            }
            return new SecretStore(file, secretKey, password);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This Java runtime cannot read " + KEYSTORE_TYPE + " keystores: " + e, e);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    private static void writeOwnerOnly(Path file, byte[] content, String what) {
        try {
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } else {
                Files.createFile(file);
            }
            Files.write(file, content);
        } catch (FileAlreadyExistsException e) {
            throw new ConfigException("Cannot create the secret store " + what + " " + file + ": another process "
                    + "created it at the same time. Run the command again.", e);
        } catch (IOException e) {
            throw new ConfigException("Cannot write the secret store " + what + " " + file + ": " + e
                    + ". Check that this user may write to " + file.getParent() + ".", e);
        }
    }
}
