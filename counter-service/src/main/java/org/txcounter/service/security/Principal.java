package org.txcounter.service.security;

import org.txcounter.service.config.ManagementSecurity.Role;

/** Who a request was authenticated as. */
public record Principal(String name, Role role) {
}
