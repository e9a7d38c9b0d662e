package org.txcounter.mi;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * Queue names as MI writes them: in an endpoint address ({@code jms:/orders?transport.jms...}) and in the
 * {@code JMS_DESTINATION} transport header of a message taken in ({@code queue://orders}, {@code ActiveMQQueue[orders]}
 * or the plain name).
 *
 * <p>Stateless and thread-safe.
 */
final class MiDestinations {

    private MiDestinations() {
    }

    /** The queue of a {@code jms:/NAME?params} endpoint address; a {@code dynamicQueues/} prefix is dropped. */
    static String queueOfAddress(String address) {
        String rest = address.substring("jms:".length());
        while (rest.startsWith("/")) {
            rest = rest.substring(1);
        }
        int query = rest.indexOf('?');
        String name = query < 0 ? rest : rest.substring(0, query);
        return name.startsWith("dynamicQueues/") ? name.substring("dynamicQueues/".length()) : name;
    }

    /** The queue a {@code JMS_DESTINATION} header names. */
    static String queueOfDestination(String destination) {
        if (destination.startsWith("queue://")) {
            return destination.substring("queue://".length());
        }
        int open = destination.indexOf('[');
        if (open > 0 && destination.endsWith("]")) {
            return destination.substring(open + 1, destination.length() - 1);
        }
        return destination;
    }

    static Optional<URI> uri(String address) {
        try {
            return Optional.of(new URI(address));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }
}
