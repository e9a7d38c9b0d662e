package org.txcounter.mi;

import java.util.Locale;
import org.txcounter.core.Transport;

/**
 * The transport a message entered MI by, under the label the reports carry: for a REST API or proxy service the name
 * of the axis2 transport that received it ({@code axis2MsgCtx.getIncomingTransportName()}: the
 * {@code <transportReceiver name>} of MI's axis2.xml), for an inbound endpoint its {@code protocol} (MI 4.3's
 * {@code InboundRequestProcessorFactoryImpl.Protocols}: jms, file, http, https, hl7, kafka, mqtt, rabbitmq, ws, wss,
 * grpc, httpws, httpswss), or {@link Transport#CUSTOM} for one given by {@code class}.
 *
 * <p>Stateless and thread-safe. Called once per artifact (inbound endpoints) or per message (a string switch, no
 * map, for a proxy's or API's transport).
 */
final class MiTransports {

    private MiTransports() {
    }

    /**
     * The transport of a message received by an axis2 transport listener, or {@code null} for one that is not a
     * transaction: {@code local} (a call from inside MI to itself, part of a transaction already counted), or none
     * (a message MI made itself: a scheduled task's injection, a message processor's forward).
     */
    static Transport ofListener(String transportName) {
        if (transportName == null) {
            return null;
        }
        return switch (transportName) {
            case "http", "https" -> Transport.HTTP;
            case "jms" -> Transport.JMS;
            case "local" -> null;
            default -> named(transportName);
        };
    }

    /** The transport of an inbound endpoint with this {@code protocol} attribute; none means a custom class. */
    static Transport ofInboundProtocol(String protocol) {
        if (protocol == null || protocol.isBlank()) {
            return Transport.CUSTOM;
        }
        return named(protocol);
    }

    private static Transport named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "http", "https" -> Transport.HTTP;
            case "jms" -> Transport.JMS;
            case "vfs", "file" -> Transport.VFS;
            case "rabbitmq" -> Transport.RABBITMQ;
            case "kafka" -> Transport.KAFKA;
            case "mqtt" -> Transport.MQTT;
            case "mailto", "mail" -> Transport.MAIL;
            case "hl7" -> Transport.HL7;
            case "fix" -> Transport.FIX;
            case "tcp" -> Transport.TCP;
            case "udp" -> Transport.UDP;
            case "ws", "wss", "httpws", "httpswss", "websocket" -> Transport.WEBSOCKET;
            case "grpc" -> Transport.GRPC;
            case "idoc", "bapi", "sap" -> Transport.SAP;
            case "msmq" -> Transport.MSMQ;
            default -> Transport.CUSTOM;
        };
    }
}
