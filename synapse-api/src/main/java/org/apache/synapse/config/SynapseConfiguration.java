package org.apache.synapse.config;

/** Mirror of wso2-synapse's {@code SynapseConfiguration}, by name only: the mirrored constructor takes it. */
public class SynapseConfiguration {
}
