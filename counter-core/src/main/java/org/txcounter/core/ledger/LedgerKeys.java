package org.txcounter.core.ledger;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.txcounter.core.config.ConfigException;
import org.txcounter.core.io.PrivateFiles;

/**
 * The ledger's keys: the current one, which signs every new row and records its id in it, and the retired ones,
 * which only check the rows they signed. Rotating the key (a new {@code [ledger] key} and {@code key_id}, the old
 * one moved to {@code [[ledger.retired_key]]}) never touches a row already written, and the ledger verifies clean
 * across the rotation. The stamp secret plays no part: rotating it leaves the ledger alone.
 *
 * <p>Rows written before key ids carry none; they were signed with {@code [ledger] key} or, without one, with a key
 * derived from the stamp secret, so they are checked against every key here and against that derived key: of the
 * stamp secret in force, and of an earlier one given as the retired key with id
 * {@value LedgerSigner#STAMP_DERIVED_ID} (its value is that old stamp secret).
 *
 * <p>Immutable and thread-safe.
 */
public final class LedgerKeys {

    static final String FILE_NAME = "ledger-key";
    private static final Logger LOG = LoggerFactory.getLogger(LedgerKeys.class);

    private final LedgerSigner current;
    private final Map<String, LedgerSigner> byId;
    private final List<LedgerSigner> forRowsWithoutId;

    /**
     * @param retired          keys that no longer sign but still check the rows they signed
     * @param forRowsWithoutId further keys that may have signed rows written before key ids (the stamp-derived one)
     */
    public LedgerKeys(LedgerSigner current, List<LedgerSigner> retired, List<LedgerSigner> forRowsWithoutId) {
        this.current = current;
        Map<String, LedgerSigner> keys = new LinkedHashMap<>();
        keys.put(current.keyId(), current);
        for (LedgerSigner key : retired) {
            if (keys.putIfAbsent(key.keyId(), key) != null) {
                throw new IllegalArgumentException("Two ledger keys have the id " + key.keyId());
            }
        }
        this.byId = Map.copyOf(keys);
        List<LedgerSigner> legacy = new ArrayList<>(keys.values());
        legacy.addAll(forRowsWithoutId);
        this.forRowsWithoutId = List.copyOf(legacy);
    }

    /**
     * The keys of a node: {@code configured} (or else the key kept in {@code <data_dir>/ledger-key}, created with
     * 48 random bytes on the first start), the retired ones, and the key derived from the stamp secret for rows
     * written before key ids. A retired key with id {@value LedgerSigner#STAMP_DERIVED_ID} is an earlier stamp
     * secret, from which the key those rows were signed with is derived.
     */
    public static LedgerKeys resolve(Optional<byte[]> configured, String configuredId, Map<String, byte[]> retired,
            byte[] stampSecret, Path dataDir) {
        LedgerSigner current = configured.map(key -> new LedgerSigner(configuredId, key))
                .orElseGet(() -> generated(dataDir));
        List<LedgerSigner> old = new ArrayList<>();
        List<LedgerSigner> withoutId = new ArrayList<>();
        withoutId.add(LedgerSigner.derivedFrom(stampSecret));
        retired.forEach((id, key) -> {
            if (id.equals(LedgerSigner.STAMP_DERIVED_ID)) {
                withoutId.add(LedgerSigner.derivedFrom(key));
            } else {
                old.add(new LedgerSigner(id, key));
            }
        });
        return new LedgerKeys(current, old, withoutId);
    }

    /** The key that signs new rows. */
    public LedgerSigner current() {
        return current;
    }

    /** The key with this id, if this node has it. */
    public Optional<LedgerSigner> byId(String keyId) {
        return Optional.ofNullable(byId.get(keyId));
    }

    /** The keys that may have signed a row without a key id. */
    public List<LedgerSigner> forRowsWithoutId() {
        return forRowsWithoutId;
    }

    private static LedgerSigner generated(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            byte[] key = PrivateFiles.readOrCreateKey(file, 48, () -> LOG.warn("No [ledger] key is configured: "
                    + "generated one in {}. This is right for a single node; when several nodes share the database, "
                    + "configure the same [ledger] key and key_id on every node so that each can verify the others' "
                    + "rows.", file.toAbsolutePath()));
            return new LedgerSigner(generatedId(key), key);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("Cannot read or create the ledger key file " + file.toAbsolutePath() + ": "
                    + e.getMessage() + ". Make the data directory writable, restore the file, or set [ledger] key "
                    + "and key_id in deployment.toml.", e);
        }
    }

    /** {@code local-} and 12 hex digits of the key's SHA-256: tells one node's generated key from another's. */
    private static String generatedId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return "local-" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM cannot compute SHA-256", e);
        }
    }
}
