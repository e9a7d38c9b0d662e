package org.txcounter.core.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.config.NodeIds;
import org.txcounter.core.io.AtomicFiles;

/**
 * Decides which node this runtime is, so that a restart is the same node and never a new one.
 *
 * <p>A configured id wins. Otherwise the id kept in {@code <data_dir>/node-id} is used, and on the very first
 * start one is made from the host name and a random suffix and written there atomically.
 *
 * <p>Stateless. Called at the start, from one thread: two callers creating the file at once would each generate an id,
 * and the last write would win.
 */
public final class NodeIdentity {

    static final String FILE_NAME = "node-id";
    private static final Logger LOG = LoggerFactory.getLogger(NodeIdentity.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private NodeIdentity() {
    }

    public static String resolve(Optional<String> configured, Path dataDir) {
        if (configured.isPresent()) {
            return NodeIds.requireValid(configured.get());
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            if (Files.exists(file)) {
                String stored = Files.readString(file, StandardCharsets.UTF_8).strip();
                try {
                    return NodeIds.requireValid(stored);
                } catch (ConfigException e) {
                    throw new ConfigException("The node id kept in " + file.toAbsolutePath() + " is not valid: "
                            + e.getMessage() + ". Restore the file, or set [node] id in deployment.toml.", e);
                }
            }
            String created = newId(hostName());
            AtomicFiles.write(file, (created + "\n").getBytes(StandardCharsets.UTF_8));
            LOG.info("Created node id {} and kept it in {}; this runtime reports as that node from now on.",
                    created, file.toAbsolutePath());
            return created;
        } catch (IOException e) {
            throw new ConfigException("Cannot read or write the node id file " + file.toAbsolutePath() + ": "
                    + e.getMessage() + ". Make the data directory writable, or set [node] id in deployment.toml.", e);
        }
    }

    static String newId(String hostName) {
        String host = hostName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-").replaceAll("^[^a-z0-9]+", "");
        if (host.length() > 40) {
            host = host.substring(0, 40);
        }
        byte[] suffix = new byte[4];
        RANDOM.nextBytes(suffix);
        String random = HexFormat.of().formatHex(suffix);
        return host.isEmpty() ? "node-" + random : host + "-" + random;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "node";
        }
    }
}
