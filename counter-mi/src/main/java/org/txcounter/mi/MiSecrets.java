package org.txcounter.mi;

import java.lang.reflect.Method;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MI's own resolution of the {@code [secrets]} its cipher tool encrypted, used for the counter's {@code $secret{}}
 * references. MI resolves them at run time through WSO2 Secure Vault, as its datasource reader does
 * (micro-integrator 4.3.0, ndatasource DataSourceUtils.loadFromSecureVault l.225-233):
 * {@code SecretResolverFactory.create((OMElement) null, false)}, then {@code resolve(alias)}. Secure Vault is MI's,
 * not ours, so it is reached by name through the class loader that loaded MI's Synapse; without it (the handler
 * outside MI) nothing resolves and an encrypted value is refused with its alias and line.
 *
 * <p>Thread-safe: each call asks Secure Vault afresh (once per start).
 */
final class MiSecrets {

    static final String FACTORY = "org.wso2.securevault.SecretResolverFactory";
    static final String OM_ELEMENT = "org.apache.axiom.om.OMElement";

    private static final Logger LOG = LoggerFactory.getLogger(MiSecrets.class);

    private MiSecrets() {
    }

    /** Secure Vault as MI has it, reached through the class loader of MI's Synapse classes. */
    static UnaryOperator<String> fromMi() {
        return through(org.apache.synapse.MessageContext.class.getClassLoader());
    }

    /**
     * Secure Vault as {@code loader} has it: the alias's decrypted value, or {@code null} when the vault is not
     * there, not initialised, or has no such alias (its {@code resolve} then answers the alias itself or nothing).
     */
    static UnaryOperator<String> through(ClassLoader loader) {
        return alias -> {
            try {
                Class<?> factory = Class.forName(FACTORY, true, loader);
                Class<?> element = Class.forName(OM_ELEMENT, false, loader);
                Object resolver = factory.getMethod("create", element, boolean.class).invoke(null, null, false);
                if (resolver == null) {
                    return null;
                }
                Method resolve = resolver.getClass().getMethod("resolve", String.class);
                Object value = resolve.invoke(resolver, alias);
                if (!(value instanceof String secret) || secret.isEmpty() || secret.equals(alias)) {
                    return null;
                }
                return secret;
            } catch (ClassNotFoundException e) {
                LOG.warn("MI's Secure Vault ({}) is not on the class path, so the encrypted [secrets] {} cannot be "
                        + "resolved.", FACTORY, alias);
                return null;
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                LOG.warn("MI's Secure Vault could not resolve [secrets] {}: {}.", alias, e.toString());
                return null;
            }
        };
    }
}
