package org.txcounter.service.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.txcounter.core.config.ConfigException;

/**
 * How the management API is protected: TLS on its port and the users allowed in, from {@code [management_api]}.
 *
 * <pre>{@code
 * [management_api]
 * tls = true                                   # default; false serves plain HTTP
 * keystore = "conf/management.p12"             # PKCS12; default: generated into data_dir on first start
 * keystore_password = "$secret{mgmt_keystore}"
 * token_lifetime = 3600                        # seconds a bearer token from /management/login is valid
 *
 * [[management_api.user]]
 * name = "ops"
 * password_hash = "pbkdf2-sha256$600000$...$..." # from: java -jar txcounter.jar hash-password
 * role = "admin"                               # admin or viewer
 * }</pre>
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 *
 * @param tls              whether the port speaks TLS (the default) or plain HTTP
 * @param keystore         the PKCS12 keystore with the key and certificate; empty: a self-signed one is generated
 * @param keystorePassword the keystore's password, required with {@code keystore}
 * @param users            the configured users; empty: the first start creates an admin with a random password
 * @param tokenLifetime    how long a bearer token from {@code /management/login} stays valid
 */
public record ManagementSecurity(boolean tls, Optional<Path> keystore, Optional<String> keystorePassword,
        List<User> users, Duration tokenLifetime) {

    public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofHours(1);
    /** {@code pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>}. */
    public static final Pattern PASSWORD_HASH =
            Pattern.compile("pbkdf2-sha256\\$[1-9][0-9]{0,8}\\$[A-Za-z0-9+/=_-]{16,}\\$[A-Za-z0-9+/=_-]{32,}");
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    public ManagementSecurity {
        Objects.requireNonNull(keystore, "keystore");
        Objects.requireNonNull(keystorePassword, "keystorePassword");
        users = List.copyOf(users);
        Objects.requireNonNull(tokenLifetime, "tokenLifetime");
        if (keystore.isPresent() && keystorePassword.isEmpty()) {
            throw new ConfigException("[management_api] keystore is set without keystore_password; add "
                    + "keystore_password = \"$secret{alias}\"");
        }
    }

    /** TLS with a generated certificate, no configured users, one-hour tokens. */
    public static ManagementSecurity defaults() {
        return new ManagementSecurity(true, Optional.empty(), Optional.empty(), List.of(), DEFAULT_TOKEN_LIFETIME);
    }

    /** Whether {@code name} is a valid user name: 1 to 64 letters, digits, '.', '_', '@' or '-'. */
    public static boolean validUserName(String name) {
        return name != null && USER_NAME.matcher(name).matches();
    }

    /** What a user may do. */
    public enum Role {
        /** Everything, including the ledger check. */
        ADMIN,
        /** Counts, reports, nodes, health and metrics. */
        VIEWER;

        /** The role named in configuration ({@code admin}, {@code viewer}), case-insensitive. */
        public static Optional<Role> named(String name) {
            for (Role role : values()) {
                if (role.name().equalsIgnoreCase(name)) {
                    return Optional.of(role);
                }
            }
            return Optional.empty();
        }

        /** The name used in configuration and responses. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A user of the management API, with a salted, slow password hash. */
    public record User(String name, String passwordHash, Role role) {
        public User {
            if (!validUserName(name)) {
                throw new ConfigException("Invalid management API user name \"" + name + "\": use 1 to 64 letters, "
                        + "digits, '.', '_', '@' or '-'");
            }
            if (!PASSWORD_HASH.matcher(passwordHash).matches()) {
                throw new ConfigException("The password hash of management API user " + name + " is not a "
                        + "pbkdf2-sha256 hash; create one with: java -jar txcounter.jar hash-password");
            }
            Objects.requireNonNull(role, "role");
        }

        @Override
        public String toString() {
            return "User[" + name + ", " + role.label() + "]";
        }
    }
}
