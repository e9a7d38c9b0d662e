package org.txcounter.service.runtime;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.txcounter.core.ingress.IngressCounter;
import org.txcounter.core.stamp.OwnDestinations;

/**
 * Jetty's streaming reverse proxy for one passthrough route, with one change: the stamp header a client sent is
 * never passed on, and a request to a configured peer node of the deployment carries a fresh stamp for that node
 * instead, so that the peer does not count the same transaction again. A request to any other backend carries no
 * stamp at all: a backend that echoes headers would hand it to the caller.
 *
 * <p>Thread-safe, as Jetty requires of a servlet.
 */
final class StampingProxyServlet extends ProxyServlet.Transparent {

    private static final long serialVersionUID = 1L;

    private final transient Optional<IngressCounter> ingress;
    private final transient OwnDestinations own;

    StampingProxyServlet(Optional<IngressCounter> ingress, OwnDestinations own) {
        this.ingress = ingress;
        this.own = own;
    }

    @Override
    protected void addProxyHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
        super.addProxyHeaders(clientRequest, proxyRequest);
        proxyRequest.headers(headers -> {
            headers.remove(IngressCounter.HTTP_HEADER);
            ingress.flatMap(counting -> own.http(proxyRequest.getURI()).flatMap(counting::stampFor))
                    .ifPresent(stamp -> headers.put(IngressCounter.HTTP_HEADER, stamp));
        });
    }
}
