package org.apache.synapse.endpoints;

/**
 * Mirror of the part of wso2-synapse's {@code org.apache.synapse.endpoints.AbstractEndpoint} that counter-mi reads,
 * for compiling and for its tests: MI's own class, the parent of every leaf endpoint ({@code <address>},
 * {@code <http>}, {@code <wsdl>}, {@code <default>}), is used at run time. Same signatures as the original. Its
 * {@code send} stores the endpoint under the Synapse property {@code last_endpoint} just before the message goes to
 * the handlers' request out-flow (AbstractEndpoint.java l.398, then Axis2Sender.sendOn l.84); the tests reproduce
 * that step. Not thread-safe for writes, like the original: built once at deployment.
 */
public abstract class AbstractEndpoint {

    private EndpointDefinition definition;

    public EndpointDefinition getDefinition() {
        return definition;
    }

    public void setDefinition(EndpointDefinition definition) {
        this.definition = definition;
    }
}
