package org.txcounter.service.security;

import org.txcounter.service.config.ManagementSecurity.Role;

/**
 * Who a request was authenticated as.
 *
 * <p>A value, not changed after it is built: safe to share between threads.
 */
public record Principal(String name, Role role) {
}
