package org.txcounter.service.api;

import io.javalin.config.JavalinConfig;
import io.javalin.http.staticfiles.Location;
import java.util.Set;

/**
 * The operators' dashboard: static pages under {@value #PATH} that log in through {@code /management/login} and
 * then read the same JSON API as every other client, with the bearer token. The pages hold no data and are open
 * to anyone, like a login page; everything they show comes from the API under the user's own role.
 *
 * <p>The chart library (Chart.js, from its webjar) is copied into the jar by the build, so a browser fetches
 * nothing from anywhere but this service. Every response carries {@link #CONTENT_SECURITY_POLICY}: scripts,
 * styles and images from this origin only, requests to this origin only, no inline script or style, no frames,
 * no form submission; the pages are written for it.
 *
 * <p>Stateless; {@link #serve} is called once while the app is configured.
 *
 * <p>Stateless; safe for any number of threads.
 */
final class Dashboard {

    /** Where the pages are served. */
    static final String PATH = "/dashboard";
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final String RESOURCES = "/org/txcounter/service/dashboard";

    private Dashboard() {
    }

    /** Serves the pages from the jar, to anyone: they carry no data. */
    static void serve(JavalinConfig config) {
        config.staticFiles.add(files -> {
            files.hostedPath = PATH;
            files.directory = RESOURCES;
            files.location = Location.CLASSPATH;
            files.roles = Set.of(Access.PUBLIC);
        });
    }
}
