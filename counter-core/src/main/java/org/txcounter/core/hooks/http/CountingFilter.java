package org.txcounter.core.hooks.http;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.Objects;
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
 * should be mapped: forwards, includes and async dispatches are the same request.
 */
public final class CountingFilter implements Filter {

    private final IngressCounter ingress;

    public CountingFilter(IngressCounter ingress) {
        this.ingress = Objects.requireNonNull(ingress, "ingress");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String stamp = request instanceof HttpServletRequest http ? http.getHeader(IngressCounter.HTTP_HEADER) : null;
        try (IngressCounter.Scope scope = ingress.httpRequest(stamp)) {
            chain.doFilter(request, response);
        }
    }
}
