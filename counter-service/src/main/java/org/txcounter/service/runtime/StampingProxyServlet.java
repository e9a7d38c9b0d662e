package org.txcounter.service.runtime;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.txcounter.core.ingress.IngressCounter;

/**
 * Jetty's streaming reverse proxy for one passthrough route, with one change: the stamp header a client sent is
 * never passed on, and the request to the backend carries a fresh stamp of this deployment instead, so that
 * another node of the deployment behind this route does not count the same transaction again.
 */
final class StampingProxyServlet extends ProxyServlet.Transparent {

    private static final long serialVersionUID = 1L;

    private final transient Optional<IngressCounter> ingress;

    StampingProxyServlet(Optional<IngressCounter> ingress) {
        this.ingress = ingress;
    }

    @Override
    protected void addProxyHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
        super.addProxyHeaders(clientRequest, proxyRequest);
        proxyRequest.headers(headers -> {
            headers.remove(IngressCounter.HTTP_HEADER);
            ingress.flatMap(IngressCounter::currentStamp)
                    .ifPresent(stamp -> headers.put(IngressCounter.HTTP_HEADER, stamp));
        });
    }
}
