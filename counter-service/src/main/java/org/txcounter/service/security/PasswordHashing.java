package org.txcounter.service.security;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.txcounter.service.config.ManagementSecurity;

/**
 * Salted, slow password hashes: PBKDF2 with HMAC-SHA256, {@value #ITERATIONS} iterations (OWASP's 2023 figure),
 * a 16-byte random salt and a 32-byte result, written as {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} in
 * base64. The iteration count travels with the hash, so stronger settings later still verify old hashes.
 *
 * <p>Stateless; safe for any number of threads.
 */
public final class PasswordHashing {

    public static final int ITERATIONS = 600_000;
    private static final String PREFIX = "pbkdf2-sha256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHashing() {
    }

    /** A new hash of {@code password} with a fresh salt and the default iterations. */
    public static String hash(char[] password) {
        return hash(password, ITERATIONS);
    }

    /** A new hash with the given iterations (tests use fewer to stay fast). */
    public static String hash(char[] password, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] hash = derive(password, salt, iterations);
        Base64.Encoder base64 = Base64.getEncoder();
        return PREFIX + "$" + iterations + "$" + base64.encodeToString(salt) + "$" + base64.encodeToString(hash);
    }

    /** Whether {@code password} matches {@code encoded}, compared in constant time; false for a malformed hash. */
    public static boolean matches(char[] password, String encoded) {
        if (encoded == null || !ManagementSecurity.PASSWORD_HASH.matcher(encoded).matches()) {
            return false;
        }
        String[] parts = encoded.split("\\$");
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            byte[] actual = derive(password, salt, iterations);
            return MessageDigest.isEqual(expected, actual);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM cannot compute PBKDF2WithHmacSHA256", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** Overwrites a password held in memory once it is no longer needed. */
    static void wipe(char[] password) {
        Arrays.fill(password, '\0');
    }
}
