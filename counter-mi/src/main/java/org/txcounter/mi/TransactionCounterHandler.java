package org.txcounter.mi;

import org.apache.synapse.AbstractExtendedSynapseHandler;
import org.apache.synapse.ExtendedSynapseHandler;
import org.apache.synapse.MessageContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler MI loads: {@code class = "org.txcounter.mi.TransactionCounterHandler"} in {@code [[synapse_handlers]]}.
 * It is compiled for Java 8, MI's oldest JDK, and touches nothing of ours but itself until it has checked the JDK: on
 * Java {@value #REQUIRED_JAVA} or later it loads the counting handler ({@link CountingHandler}) by name and hands it
 * every call; on an older JDK it logs one error (the JDK found, the JDK needed) and lets every message through
 * uncounted. MI's SynapseHandlersLoader (l.103) catches only three exception types around a handler's construction,
 * so an {@code UnsupportedClassVersionError} from a newer class would escape it and MI would start without its
 * Synapse environment: this class is what keeps that from happening.
 *
 * <p>Thread-safe: the delegate is fixed at construction; MI calls it from all its worker threads.
 */
public final class TransactionCounterHandler extends AbstractExtendedSynapseHandler {

    /** The Java feature release the counter is built for. */
    static final int REQUIRED_JAVA = 17;
    /** The handler that counts, loaded by name only on a JDK that can run it. */
    static final String IMPLEMENTATION = "org.txcounter.mi.CountingHandler";

    private static final Logger LOG = LoggerFactory.getLogger(TransactionCounterHandler.class);

    private final ExtendedSynapseHandler delegate;

    /** The handler MI instantiates, for the JDK it runs on. */
    public TransactionCounterHandler() {
        this(javaRelease(System.getProperty("java.specification.version")), IMPLEMENTATION);
    }

    TransactionCounterHandler(int javaRelease, String implementation) {
        this.delegate = javaRelease >= REQUIRED_JAVA ? load(implementation, javaRelease) : refuse(javaRelease);
    }

    /** The feature release of a {@code java.specification.version}: "1.8" is 8, "11" is 11; 0 if unreadable. */
    static int javaRelease(String specificationVersion) {
        if (specificationVersion == null) {
            return 0;
        }
        String version = specificationVersion.startsWith("1.") ? specificationVersion.substring(2)
                : specificationVersion;
        int dot = version.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? version : version.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static ExtendedSynapseHandler refuse(int javaRelease) {
        LOG.error("The transaction counter needs Java " + REQUIRED_JAVA + " or later, and MI runs on Java "
                + javaRelease + " (" + System.getProperty("java.home") + "): MI's transactions are NOT counted, "
                + "and MI runs on. Start MI on a JDK " + REQUIRED_JAVA + " or later (MI 4.2 and 4.3 support 11 to "
                + "17, MI 4.4 11 to 21), or remove the TransactionCounter entry from [[synapse_handlers]].");
        return null;
    }

    private static ExtendedSynapseHandler load(String implementation, int javaRelease) {
        try {
            return (ExtendedSynapseHandler) Class.forName(implementation, true,
                    TransactionCounterHandler.class.getClassLoader()).getConstructor().newInstance();
        } catch (Exception | LinkageError e) {
            LOG.error("The transaction counter could not be loaded on Java " + javaRelease + ": " + e
                    + ". MI's transactions are NOT counted, and MI runs on. Check that the whole txcounter-mi jar "
                    + "is in <MI_HOME>/lib (and no older copy in <MI_HOME>/dropins).", e);
            return null;
        }
    }

    /** Whether messages are handed to the counting handler: false on a JDK it cannot run on. */
    boolean counting() {
        return delegate != null;
    }

    /** The counting handler, or null when this JDK cannot run it. */
    ExtendedSynapseHandler delegate() {
        return delegate;
    }

    @Override
    public boolean handleServerInit() {
        return delegate == null || delegate.handleServerInit();
    }

    @Override
    public boolean handleServerShutDown() {
        return delegate == null || delegate.handleServerShutDown();
    }

    @Override
    public boolean handleRequestInFlow(MessageContext synCtx) {
        return delegate == null || delegate.handleRequestInFlow(synCtx);
    }

    @Override
    public boolean handleRequestOutFlow(MessageContext synCtx) {
        return delegate == null || delegate.handleRequestOutFlow(synCtx);
    }

    @Override
    public boolean handleResponseInFlow(MessageContext synCtx) {
        return delegate == null || delegate.handleResponseInFlow(synCtx);
    }

    @Override
    public boolean handleResponseOutFlow(MessageContext synCtx) {
        return delegate == null || delegate.handleResponseOutFlow(synCtx);
    }

    @Override
    public boolean handleArtifactDeployment(String artifactName, String artifactType, String startTime) {
        return delegate == null || delegate.handleArtifactDeployment(artifactName, artifactType, startTime);
    }

    @Override
    public boolean handleArtifactUnDeployment(String artifactName, String artifactType, String unDeployTime) {
        return delegate == null || delegate.handleArtifactUnDeployment(artifactName, artifactType, unDeployTime);
    }

    @Override
    public boolean handleError(MessageContext synCtx) {
        return delegate == null || delegate.handleError(synCtx);
    }

    @Override
    public void setName(String name) {
        super.setName(name);
        if (delegate != null) {
            delegate.setName(name);
        }
    }

    @Override
    public void addProperty(String name, Object value) {
        super.addProperty(name, value);
        if (delegate != null) {
            delegate.addProperty(name, value);
        }
    }
}
