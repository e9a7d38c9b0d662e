package org.apache.synapse.inbound;

/**
 * Mirror of the part of wso2-synapse's {@code org.apache.synapse.inbound.InboundEndpoint} that counter-mi reads, for
 * compiling and for its tests: MI's own class is used at run time. Same signatures as the original: the
 * {@code protocol} attribute of {@code <inboundEndpoint>} ({@code http}, {@code jms}, {@code kafka}, ...), or none
 * and the {@code class} of a custom inbound endpoint. Not thread-safe for writes, like the original: built once at
 * deployment.
 */
public class InboundEndpoint {

    private String name;
    private String protocol;
    private String classImpl;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getProtocol() {
        return protocol;
    }

    public void setProtocol(String protocol) {
        this.protocol = protocol;
    }

    public String getClassImpl() {
        return classImpl;
    }

    public void setClassImpl(String classImpl) {
        this.classImpl = classImpl;
    }
}
