package org.txcounter.core.config;

import java.util.regex.Pattern;

/**
 * The rule every node id follows, wherever it comes from.
 *
 * <p>Stateless; safe for any number of threads.
 */
public final class NodeIds {

    public static final int MAX_LENGTH = 64;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private NodeIds() {
    }

    /** Returns the id if it is 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit. */
    public static String requireValid(String nodeId) {
        if (nodeId == null || !VALID.matcher(nodeId).matches()) {
            throw new ConfigException("node id: expected 1 to 64 letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit. Found: \"" + nodeId + "\"");
        }
        return nodeId;
    }
}
