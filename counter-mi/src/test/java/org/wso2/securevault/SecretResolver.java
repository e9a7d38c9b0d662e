package org.wso2.securevault;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in of WSO2 Secure Vault's {@code org.wso2.securevault.SecretResolver}: {@code resolve(alias)} answers the
 * decrypted value of an alias that MI's cipher tool encrypted, and, as the real one does for an alias it does not
 * hold, the alias itself. The tests put the decrypted values in {@link #DECRYPTED}, standing for MI's keystore and
 * {@code cipher-text.properties}. Thread-safe.
 */
public final class SecretResolver {

    /** What the vault decrypts, by alias. */
    public static final Map<String, String> DECRYPTED = new ConcurrentHashMap<>();

    public String resolve(String alias) {
        return DECRYPTED.getOrDefault(alias, alias);
    }
}
