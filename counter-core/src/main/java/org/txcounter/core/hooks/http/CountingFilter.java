package org.txcounter.core.hooks.http;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import org.txcounter.core.IngressCounter;

/**
 * Counts every HTTP request that enters the servlet container, before any servlet sees it. Put it first in the
 * chain of the passthrough listener.
 *
 * <pre>{@code
 * context.addFilter(new FilterHolder(new CountingFilter(ingress)), "/*", EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 *
 * <p>A request from another node of the same deployment carries a valid stamp in
 * {@link IngressCounter#HTTP_HEADER} and is not counted again when chaining dedupe is on. Only REQUEST dispatches
 * should be mapped: forwards, includes and async dispatches are the same request. A request refused later as the
 * client's malformed request is withdrawn with {@link #refused}.
 *
 * <p>Thread-safe: it keeps no state of its own; the request's attribute {@link #COUNTED} records the decision.
 */
// Its signatures name jakarta.servlet types: a host that uses this hook has that API (the module
// requires it static only), and one that does not need not have it, even to compile.
@SuppressWarnings("exports")
public final class CountingFilter implements Filter {

    /** The request attribute that says whether this filter counted the request ({@link Boolean}). */
    public static final String COUNTED = "org.txcounter.counted";

    private final IngressCounter ingress;

    public CountingFilter(IngressCounter ingress) {
        this.ingress = Objects.requireNonNull(ingress, "ingress");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String stamp = request instanceof HttpServletRequest http ? http.getHeader(IngressCounter.HTTP_HEADER) : null;
        try (IngressCounter.Scope scope = ingress.httpRequest(stamp)) {
            request.setAttribute(COUNTED, scope.counted());
            chain.doFilter(request, response);
        }
    }

    /**
     * Goes on handling a request this filter took in, on the calling thread (an asynchronous servlet's callback), so
     * that what it sends on is stamped as from it; empty for a request that did not pass the filter. Close the scope
     * when the callback is done.
     */
    public static Optional<IngressCounter.Scope> resume(ServletRequest request, IngressCounter ingress) {
        return request.getAttribute(COUNTED) == null ? Optional.empty() : Optional.of(ingress.resumedHttpRequest());
    }

    /**
     * The request this filter counted is refused as the client's own mistake before anything was passed on (a
     * malformed body): it is withdrawn from the count, once. From any thread; does nothing for a request the filter
     * did not count.
     */
    public static void refused(ServletRequest request, IngressCounter ingress) {
        synchronized (request) {
            if (Boolean.TRUE.equals(request.getAttribute(COUNTED))) {
                request.setAttribute(COUNTED, Boolean.FALSE);
                ingress.withdrawHttpRequest();
            }
        }
    }
}
