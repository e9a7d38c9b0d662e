package org.wso2.securevault;

import org.apache.axiom.om.OMElement;

/**
 * A stand-in of WSO2 Secure Vault's {@code org.wso2.securevault.SecretResolverFactory} for the handler's tests: the
 * one method MI's datasource reader calls (micro-integrator 4.3.0, ndatasource DataSourceUtils l.227:
 * {@code SecretResolverFactory.create((OMElement) null, false)}), with the real signature. Thread-safe.
 */
public final class SecretResolverFactory {

    private SecretResolverFactory() {
    }

    public static SecretResolver create(OMElement configuration, boolean isCapLetter) {
        return new SecretResolver();
    }
}
