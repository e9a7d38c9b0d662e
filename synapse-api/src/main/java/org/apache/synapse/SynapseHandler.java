package org.apache.synapse;

import java.util.Map;

/**
 * Mirror of wso2-synapse's {@code org.apache.synapse.SynapseHandler}, for compiling only: MI's own class is used at
 * run time. Same signatures as the original.
 */
public interface SynapseHandler {

    boolean handleRequestInFlow(MessageContext synCtx);

    boolean handleRequestOutFlow(MessageContext synCtx);

    boolean handleResponseInFlow(MessageContext synCtx);

    boolean handleResponseOutFlow(MessageContext synCtx);

    void addProperty(String name, Object value);

    @SuppressWarnings("rawtypes")
    Map getProperties();

    String getName();

    void setName(String name);
}
