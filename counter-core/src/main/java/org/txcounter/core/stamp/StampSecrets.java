package org.txcounter.core.stamp;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.io.PrivateFiles;

/**
 * Finds the stamp secret: the configured one, or else the one kept in {@code <data_dir>/stamp-secret}, created
 * with 48 random bytes on the first start. A generated secret only suits a single node: every node of a
 * deployment must be given the same {@code [deduplication] stamp_secret}.
 *
 * <p>Stateless. Called at the start, from one thread: two callers creating the file at once would each generate a
 * secret, and the last write would win.
 */
public final class StampSecrets {

    static final String FILE_NAME = "stamp-secret";
    private static final Logger LOG = LoggerFactory.getLogger(StampSecrets.class);

    private StampSecrets() {
    }

    public static byte[] resolve(Optional<byte[]> configured, Path dataDir) {
        if (configured.isPresent()) {
            return configured.get();
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            return PrivateFiles.readOrCreateKey(file, 48, () -> LOG.warn("No [deduplication] stamp_secret is "
                    + "configured: generated one in {}. This is right for a single node; for several nodes that "
                    + "consume each other's messages, configure the same stamp_secret on every node.",
                    file.toAbsolutePath()));
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("Cannot read or create the stamp secret file " + file.toAbsolutePath() + ": "
                    + e.getMessage() + ". Make the data directory writable, restore the file, or set "
                    + "[deduplication] stamp_secret in deployment.toml.", e);
        }
    }
}
