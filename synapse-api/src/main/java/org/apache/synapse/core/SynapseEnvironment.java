package org.apache.synapse.core;

/** Mirror of wso2-synapse's {@code SynapseEnvironment}, by name only: the mirrored constructor takes it. */
public interface SynapseEnvironment {
}
