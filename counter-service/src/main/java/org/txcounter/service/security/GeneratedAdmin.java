package org.txcounter.service.security;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Properties;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.io.AtomicFiles;
import org.txcounter.core.io.PrivateFiles;
import org.txcounter.service.config.ManagementSecurity;

/**
 * The administrator created when no {@code [[management_api.user]]} is configured, so that there are never
 * default credentials. On the first start a random password is generated, printed once on the console, and only
 * its hash is kept in {@code <data_dir>/admin-user.properties}; later starts read the hash. Configuring users in
 * {@code deployment.toml} replaces this account.
 *
 * <p>Stateless. Called at the start, from one thread: two callers creating the file at once would each generate a
 * password, and the last write would win.
 */
public final class GeneratedAdmin {

    public static final String NAME = "admin";
    public static final String FILE = "admin-user.properties";
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final int PASSWORD_LENGTH = 24;

    private GeneratedAdmin() {
    }

    /**
     * The generated admin of {@code dataDir}, created (and its password printed on {@code console}) when there is
     * none yet.
     */
    public static List<ManagementSecurity.User> loadOrCreate(Path dataDir, PrintStream console) {
        Path file = dataDir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                Properties properties = new Properties();
                try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    properties.load(in);
                }
                String hash = properties.getProperty("password_hash");
                if (hash == null || !ManagementSecurity.PASSWORD_HASH.matcher(hash).matches()) {
                    throw new ConfigException(file.toAbsolutePath() + " has no valid password_hash. Delete the file "
                            + "to generate a new admin password at the next start, or configure "
                            + "[[management_api.user]] in deployment.toml.");
                }
                return List.of(new ManagementSecurity.User(NAME, hash, ManagementSecurity.Role.ADMIN));
            }
            char[] password = randomPassword();
            String hash = PasswordHashing.hash(password);
            PrivateFiles.ownerOnlyDirectory(dataDir);
            AtomicFiles.write(file, ("# The generated management API administrator. Only the hash is kept.\n"
                    + "# Delete this file to generate a new password at the next start.\n"
                    + "name=" + NAME + "\npassword_hash=" + hash + "\n").getBytes(StandardCharsets.UTF_8));
            console.println();
            console.println("================================================================================");
            console.println(" No management API user is configured: created user '" + NAME + "' with password");
            console.println();
            console.println("     " + new String(password));
            console.println();
            console.println(" It is shown only this once; only its hash is kept in " + file.toAbsolutePath() + ".");
            console.println(" Configure [[management_api.user]] in deployment.toml to choose your own users.");
            console.println("================================================================================");
            console.println();
            console.flush();
            PasswordHashing.wipe(password);
            return List.of(new ManagementSecurity.User(NAME, hash, ManagementSecurity.Role.ADMIN));
        } catch (IOException e) {
            throw new ConfigException("Cannot read or write " + file.toAbsolutePath() + ": " + e.getMessage()
                    + ". The data directory must be writable by this user.", e);
        }
    }

    private static char[] randomPassword() {
        SecureRandom random = new SecureRandom();
        char[] password = new char[PASSWORD_LENGTH];
        for (int i = 0; i < password.length; i++) {
            password[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }
        return password;
    }
}
