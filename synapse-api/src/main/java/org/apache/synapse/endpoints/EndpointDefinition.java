package org.apache.synapse.endpoints;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.synapse.MessageContext;

/**
 * Mirror of the part of wso2-synapse's {@code org.apache.synapse.endpoints.EndpointDefinition} that counter-mi
 * reads, for compiling and for its tests: MI's own class is used at run time. Same signatures as the original;
 * {@link #getAddress(MessageContext)} behaves as the original's (v4.0.0-wso2v215, EndpointDefinition.java
 * l.261-294): the property {@value #DYNAMIC_URL_VALUE} (set by an {@code <http uri-template>} endpoint) replaces
 * the address, and each {@code ${name}} with a property of that name is replaced by its value. Not thread-safe for
 * writes, like the original: MI builds it once at deployment and then only reads it.
 */
public class EndpointDefinition {

    /** The Synapse property an {@code <http>} endpoint sets to its evaluated URI template. */
    public static final String DYNAMIC_URL_VALUE = "DYNAMIC_URL_VALUE";

    private static final Pattern PROPERTY = Pattern.compile("\\$\\{.*?\\}");

    private String address;

    public String getAddress() {
        return address;
    }

    public String getAddress(MessageContext messageContext) {
        if (address == null) {
            return null;
        }
        String addressString = address;
        Object dynamicUrl = messageContext.getProperty(DYNAMIC_URL_VALUE);
        if (dynamicUrl instanceof String && !((String) dynamicUrl).isEmpty()) {
            addressString = (String) dynamicUrl;
        }
        StringBuilder computed = new StringBuilder();
        boolean matches = false;
        int from = 0;
        Matcher matcher = PROPERTY.matcher(addressString);
        while (matcher.find()) {
            Object value = messageContext.getProperty(addressString.substring(matcher.start() + 2, matcher.end() - 1));
            if (value != null) {
                computed.append(addressString, from, matcher.start()).append(value);
                from = matcher.end();
                matches = true;
            }
        }
        if (!matches) {
            return addressString;
        }
        return computed.append(addressString.substring(from)).toString();
    }

    public void setAddress(String address) {
        this.address = address;
    }
}
