package org.txcounter.core;

/**
 * The ingress paths a transaction can enter by. The name is what the store, the journal and the reports carry (at
 * most 16 characters, the width of the {@code transport} columns).
 *
 * <p>{@link #HTTP} and {@link #JMS} are the two the service's own runtime has and are always reported, zero or not;
 * the others are the transports and inbound endpoint protocols of WSO2 Micro Integrator (and of any host that
 * names them) and appear in a report only where they counted something.
 *
 * <p>Immutable; safe to share between threads.
 */
public enum Transport {
    /** A request entering an HTTP(S) listener: the passthrough, a REST API, a proxy or an HTTP inbound endpoint. */
    HTTP,
    /** A message entering a JMS inbound endpoint or JMS proxy. */
    JMS,
    /** A file picked up by a VFS proxy or a file inbound endpoint. */
    VFS,
    /** A message from a RabbitMQ proxy or inbound endpoint. */
    RABBITMQ,
    /** A record from a Kafka inbound endpoint. */
    KAFKA,
    /** A message from an MQTT proxy or inbound endpoint. */
    MQTT,
    /** A mail read by a mail proxy ({@code mailto}). */
    MAIL,
    /** A message from an HL7 (MLLP) proxy or inbound endpoint. */
    HL7,
    /** A FIX session message. */
    FIX,
    /** A message from a TCP listener. */
    TCP,
    /** A datagram from a UDP listener. */
    UDP,
    /** A frame from a WebSocket (ws, wss) inbound endpoint. */
    WEBSOCKET,
    /** A call to a gRPC inbound endpoint. */
    GRPC,
    /** A document from an SAP (IDoc or BAPI) listener. */
    SAP,
    /** A message from an MSMQ listener. */
    MSMQ,
    /** A message from a custom inbound endpoint (a class of the user's) or a transport not named above. */
    CUSTOM;

    private static final Transport[] ALL = values();

    /** The transports in declaration order, without the defensive copy {@link #values()} makes. */
    static Transport[] all() {
        return ALL;
    }

    /** Whether reports show this transport even when it counted nothing: only the runtime's own two do. */
    public boolean alwaysReported() {
        return this == HTTP || this == JMS;
    }
}
