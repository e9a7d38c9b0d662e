package org.apache.synapse.config;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.synapse.inbound.InboundEndpoint;

/**
 * Mirror of the part of wso2-synapse's {@code org.apache.synapse.config.SynapseConfiguration} that counter-mi reads,
 * for compiling and for its tests: MI's own class is used at run time. Same signatures as the original. Thread-safe,
 * as MI's (its deployers add and remove artifacts while messages flow).
 */
public class SynapseConfiguration {

    private final Map<String, InboundEndpoint> inboundEndpoints = new ConcurrentHashMap<>();

    public InboundEndpoint getInboundEndpoint(String name) {
        return inboundEndpoints.get(name);
    }

    public void addInboundEndpoint(String name, InboundEndpoint inboundEndpoint) {
        inboundEndpoints.put(name, inboundEndpoint);
    }

    public void removeInboundEndpoint(String name) {
        inboundEndpoints.remove(name);
    }
}
