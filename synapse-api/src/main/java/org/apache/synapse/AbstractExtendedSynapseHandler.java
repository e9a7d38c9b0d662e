package org.apache.synapse;

import java.util.HashMap;
import java.util.Map;

/**
 * Mirror of wso2-synapse's {@code org.apache.synapse.AbstractExtendedSynapseHandler}, for compiling only: MI's own
 * class is used at run time. Same members as the original. Not thread-safe, like the original: MI sets the name
 * and properties once, before the first message.
 */
public abstract class AbstractExtendedSynapseHandler implements ExtendedSynapseHandler {

    private String name;
    private final Map<String, Object> properties = new HashMap<>();

    @Override
    public void addProperty(String name, Object value) {
        properties.put(name, value);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Map getProperties() {
        return properties;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public void setName(String name) {
        this.name = name;
    }
}
