package org.apache.synapse;

import org.apache.axis2.addressing.EndpointReference;
import org.apache.synapse.config.SynapseConfiguration;

/**
 * Mirror of the part of wso2-synapse's {@code org.apache.synapse.MessageContext} that counter-mi calls, for
 * compiling only: MI's own interface, which has many more methods, is used at run time. Same signatures as the
 * original.
 */
public interface MessageContext {

    SynapseConfiguration getConfiguration();

    Object getProperty(String key);

    void setProperty(String key, Object value);

    EndpointReference getTo();
}
