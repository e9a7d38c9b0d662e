package org.txcounter.core;

import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.txcounter.core.config.NodeIds;
import org.txcounter.core.stamp.StampAuthority;

/**
 * The destinations the deployment consumes itself, the only ones a stamp is ever issued for: its queues (those of
 * this runtime's inbound endpoints, and those configured as consumed by other nodes of the deployment) and its
 * peer nodes' passthrough listeners. Anything else (another backend, another queue) gets no stamp: a stamp that
 * leaves the deployment would be a free transaction for whoever holds it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param queues the deployment's own queues
 * @param peers  the other nodes of the deployment that the passthrough or an endpoint may call over HTTP
 */
public record OwnDestinations(Set<String> queues, List<Peer> peers) {

    public OwnDestinations {
        queues = Set.copyOf(queues);
        peers = List.copyOf(peers);
    }

    public static OwnDestinations none() {
        return new OwnDestinations(Set.of(), List.of());
    }

    /** These destinations plus {@code more} queues (the queues this runtime's inbound endpoints consume). */
    public OwnDestinations withQueues(Collection<String> more) {
        Set<String> all = new TreeSet<>(queues);
        all.addAll(more);
        return new OwnDestinations(all, peers);
    }

    /** The stamp destination for a message sent to {@code queue}, or empty if the deployment does not consume it. */
    public Optional<String> queue(String queue) {
        return queues.contains(queue) ? Optional.of(StampAuthority.queueDestination(queue)) : Optional.empty();
    }

    /** The stamp destination for an HTTP call to {@code target}, or empty if it is no configured peer node. */
    public Optional<String> http(URI target) {
        for (Peer peer : peers) {
            if (peer.covers(target)) {
                return Optional.of(StampAuthority.nodeDestination(peer.nodeId()));
            }
        }
        return Optional.empty();
    }

    /**
     * One other node of the deployment, reached at {@code url} (scheme, host, port and a path prefix): a call whose
     * URL has the same scheme, host and port and whose path starts with that prefix goes to this node.
     */
    public record Peer(String nodeId, URI url) {
        public Peer {
            NodeIds.requireValid(nodeId);
            Objects.requireNonNull(url, "url");
            if (url.getHost() == null || url.getScheme() == null) {
                throw new IllegalArgumentException("A peer URL needs a scheme and a host. Found: " + url);
            }
        }

        boolean covers(URI target) {
            if (target.getHost() == null || target.getScheme() == null
                    || !url.getScheme().equalsIgnoreCase(target.getScheme())
                    || !url.getHost().toLowerCase(Locale.ROOT).equals(target.getHost().toLowerCase(Locale.ROOT))
                    || port(url) != port(target)) {
                return false;
            }
            String prefix = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
            String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
            return path.startsWith(prefix) && (prefix.endsWith("/") || path.length() == prefix.length()
                    || path.charAt(prefix.length()) == '/');
        }

        private static int port(URI uri) {
            if (uri.getPort() != -1) {
                return uri.getPort();
            }
            return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        }
    }
}
