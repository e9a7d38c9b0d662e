package org.txcounter.core;

/**
 * The ingress paths a transaction can enter by. The name is what the store and the reports carry.
 */
public enum Transport {
    /** One request entering the HTTP(S) passthrough listener. */
    HTTP,
    /** One message entering a JMS inbound endpoint. */
    JMS;

    private static final Transport[] ALL = values();

    /** The transports in declaration order, without the defensive copy {@link #values()} makes. */
    static Transport[] all() {
        return ALL;
    }
}
