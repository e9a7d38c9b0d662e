package org.txcounter.service.api;

import io.javalin.security.RouteRole;

/**
 * Who may call a route of the management API.
 *
 * <p>Immutable; safe to share between threads.
 */
enum Access implements RouteRole {
    /** Anyone: only liveness, so that probes need no credentials. */
    PUBLIC,
    /** Any user, with HTTP Basic only: the MI login that hands out a bearer token. */
    LOGIN,
    /** Any user (viewer or admin), with Basic or a bearer token. */
    VIEWER,
    /** Administrators only. */
    ADMIN
}
