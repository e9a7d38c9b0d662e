package org.txcounter.service.runtime;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.ee10.proxy.AsyncProxyServlet;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.txcounter.core.IngressCounter;
import org.txcounter.core.hooks.http.CountingFilter;
import org.txcounter.core.OwnDestinations;

/**
 * Jetty's streaming reverse proxy for one passthrough route, with these changes:
 * <ul>
 *   <li>the stamp header a client sent is never passed on; a request to a configured peer node of the
 *       deployment carries a fresh stamp for that node instead, so that the peer does not count the same
 *       transaction again, and a request to any other backend carries no stamp at all (a backend that echoes
 *       headers would hand it to the caller);</li>
 *   <li>the forwarding headers are the proxy's own: the address the proxy saw is appended to the client's
 *       {@code X-Forwarded-For} (so its last entry is the truth), and {@code X-Forwarded-Host},
 *       {@code X-Forwarded-Proto} and {@code Forwarded} are set from what the proxy saw, replacing any the client
 *       sent; {@code X-Forwarded-Server} and {@code X-Forwarded-Port} from the client are dropped;</li>
 *   <li>response headers that the backend's {@code Connection} header names are hop-by-hop and stay with the hop
 *       between proxy and backend, as RFC 9110 section 7.6.1 requires.</li>
 * </ul>
 *
 * <p>Request and response bodies are copied without blocking a thread ({@link AsyncProxyServlet}): a client that
 * uploads or reads slowly holds its connection, not one of the listener's threads.
 *
 * <p>Thread safety: one instance serves all requests of its route concurrently; it keeps no per-request state.
 */
final class StampingProxyServlet extends AsyncProxyServlet.Transparent {

    private static final long serialVersionUID = 1L;

    private final transient Optional<IngressCounter> ingress;
    private final transient OwnDestinations own;

    StampingProxyServlet(Optional<IngressCounter> ingress, OwnDestinations own) {
        this.ingress = ingress;
        this.own = own;
    }

    /**
     * A request body the client got wrong (a malformed chunk, a body shorter than its Content-Length) is the
     * client's mistake: 400, not the 500 or 502 of a failing backend.
     */
    @Override
    protected void onClientRequestFailure(HttpServletRequest clientRequest, Request proxyRequest,
            HttpServletResponse proxyResponse, Throwable failure) {
        if (RuntimeErrors.clientMistake(failure)) {
            answerBadRequest(clientRequest, proxyRequest, proxyResponse, failure);
            return;
        }
        super.onClientRequestFailure(clientRequest, proxyRequest, proxyResponse, failure);
    }

    @Override
    protected void onProxyResponseFailure(HttpServletRequest clientRequest, HttpServletResponse proxyResponse,
            Response serverResponse, Throwable failure) {
        if (RuntimeErrors.clientMistake(failure)) {
            answerBadRequest(clientRequest, null, proxyResponse, failure);
            return;
        }
        super.onProxyResponseFailure(clientRequest, proxyResponse, serverResponse, failure);
    }

    /** Every other error the proxy answers, as the JSON envelope without any exception's name. */
    @Override
    protected void sendProxyResponseError(HttpServletRequest clientRequest, HttpServletResponse proxyResponse,
            int status) {
        answer(clientRequest, proxyResponse, status, status == 504 ? "backend_timeout" : "backend_unavailable",
                status == 504 ? "The backend did not answer in time." : "The backend could not be reached or failed; "
                        + "try again later.");
    }

    private void answerBadRequest(HttpServletRequest clientRequest, Request proxyRequest,
            HttpServletResponse proxyResponse, Throwable failure) {
        if (proxyRequest != null) {
            proxyRequest.abort(failure);
        }
        // The client's mistake, refused before the backend answered: no transaction.
        ingress.ifPresent(counting -> CountingFilter.refused(clientRequest, counting));
        answer(clientRequest, proxyResponse, 400, "bad_request", "The request body is malformed (its chunked "
                + "encoding or its length); it was not passed on.");
    }

    /** Answers with the error envelope unless the response has begun, closes the connection, ends the request. */
    private static void answer(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, int status,
            String code, String message) {
        try {
            if (!proxyResponse.isCommitted()) {
                proxyResponse.resetBuffer();
                proxyResponse.setHeader("Connection", "close");
                RuntimeErrors.send(proxyResponse, status, code, message);
            }
        } catch (IOException e) {
            // The client is gone.
        }
        clientRequest.getAsyncContext().complete();
    }

    @Override
    protected void addProxyHeaders(HttpServletRequest clientRequest, Request proxyRequest) {
        addViaHeader(clientRequest, proxyRequest);
        String client = clientRequest.getRemoteAddr();
        String host = clientRequest.getHeader(HttpHeader.HOST.asString());
        if (host == null) {
            host = clientRequest.getServerName() + ":" + clientRequest.getServerPort();
        }
        String proto = clientRequest.getScheme();
        String chain = forwardedFor(clientRequest);
        String forwardedHost = host;
        proxyRequest.headers(headers -> {
            headers.remove(IngressCounter.HTTP_HEADER);
            headers.put(HttpHeader.X_FORWARDED_FOR, chain.isEmpty() ? client : chain + ", " + client);
            headers.put(HttpHeader.X_FORWARDED_HOST, forwardedHost);
            headers.put(HttpHeader.X_FORWARDED_PROTO, proto);
            headers.remove(HttpHeader.X_FORWARDED_SERVER);
            headers.remove(HttpHeader.X_FORWARDED_PORT);
            headers.put(HttpHeader.FORWARDED, "for=" + node(client) + ";host=" + quoted(forwardedHost)
                    + ";proto=" + proto);
            if (ingress.isPresent() && !own.peers().isEmpty()) {
                // getURI() builds and parses the target's URI for the request: asked only when a peer may match it.
                own.http(proxyRequest.getURI()).flatMap(ingress.get()::stampFor)
                        .ifPresent(stamp -> headers.put(IngressCounter.HTTP_HEADER, stamp));
            }
        });
    }

    @Override
    protected HttpField filterServerResponseHeader(HttpServletRequest clientRequest, Response serverResponse,
            HttpField field) {
        Set<String> hopByHop = serverResponse.getHeaders().getCSV(HttpHeader.CONNECTION, false).stream()
                .map(name -> name.trim().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        if (hopByHop.contains(field.getLowerCaseName())) {
            return null;
        }
        return super.filterServerResponseHeader(clientRequest, serverResponse, field);
    }

    /** The client's {@code X-Forwarded-For} values as one list, or empty. */
    private static String forwardedFor(HttpServletRequest request) {
        StringBuilder chain = new StringBuilder();
        Enumeration<String> values = request.getHeaders(HttpHeader.X_FORWARDED_FOR.asString());
        while (values.hasMoreElements()) {
            String value = values.nextElement().trim();
            if (!value.isEmpty()) {
                chain.append(chain.length() == 0 ? "" : ", ").append(value);
            }
        }
        return chain.toString();
    }

    /** An address as an RFC 7239 node: IPv4 as is, IPv6 bracketed and quoted. */
    private static String node(String address) {
        if (address.indexOf(':') < 0) {
            return address;
        }
        String bare = address.startsWith("[") ? address.substring(1, address.length() - 1) : address;
        return "\"[" + bare + "]\"";
    }

    private static String quoted(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
