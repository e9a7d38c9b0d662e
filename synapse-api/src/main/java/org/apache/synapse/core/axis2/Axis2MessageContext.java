package org.apache.synapse.core.axis2;

import java.util.HashMap;
import java.util.Map;
import org.apache.axis2.addressing.EndpointReference;
import org.apache.synapse.MessageContext;

/**
 * Mirror of the part of wso2-synapse's {@code org.apache.synapse.core.axis2.Axis2MessageContext} that counter-mi
 * uses, for compiling only (and for its tests, which wrap real axis2 message contexts in it): MI's own class is used
 * at run time. Synapse properties live in the Synapse context, {@link #getTo()} is the axis2 context's, as in the
 * original. Not thread-safe, like the original: one message is handled by one thread at a time.
 */
public class Axis2MessageContext implements MessageContext {

    private final Map<String, Object> properties = new HashMap<>();
    private org.apache.axis2.context.MessageContext axis2MessageContext;
    private final org.apache.synapse.config.SynapseConfiguration configuration;

    public Axis2MessageContext(org.apache.axis2.context.MessageContext axisMsgCtx,
            org.apache.synapse.config.SynapseConfiguration synCfg, org.apache.synapse.core.SynapseEnvironment se) {
        this.axis2MessageContext = axisMsgCtx;
        this.configuration = synCfg;
    }

    @Override
    public org.apache.synapse.config.SynapseConfiguration getConfiguration() {
        return configuration;
    }

    public org.apache.axis2.context.MessageContext getAxis2MessageContext() {
        return axis2MessageContext;
    }

    public void setAxis2MessageContext(org.apache.axis2.context.MessageContext axisMsgCtx) {
        this.axis2MessageContext = axisMsgCtx;
    }

    @Override
    public Object getProperty(String key) {
        return properties.get(key);
    }

    @Override
    public void setProperty(String key, Object value) {
        properties.put(key, value);
    }

    @Override
    public EndpointReference getTo() {
        return axis2MessageContext.getTo();
    }
}
