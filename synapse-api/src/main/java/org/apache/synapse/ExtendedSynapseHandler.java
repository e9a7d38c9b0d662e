package org.apache.synapse;

/**
 * Mirror of wso2-synapse's {@code org.apache.synapse.ExtendedSynapseHandler}, for compiling only: MI's own class is
 * used at run time. Same signatures as the original.
 */
public interface ExtendedSynapseHandler extends SynapseHandler {

    boolean handleServerInit();

    boolean handleServerShutDown();

    boolean handleArtifactDeployment(String artifactName, String artifactType, String startTime);

    boolean handleArtifactUnDeployment(String artifactName, String artifactType, String unDeployTime);

    boolean handleError(MessageContext synCtx);
}
