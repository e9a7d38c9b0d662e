package org.txcounter.service.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * A budget for what the embedded Artemis broker logs about its clients: it writes a line for every connection that
 * times out in its protocol handshake (AMQ224088), is over the connection limit (AMQ222206) or fails to log in, so
 * a flood of connections would write a line each. Its warnings and errors share {@value #PER_SECOND} lines a
 * second; what goes over is dropped and counted with the other budgets ({@link LogBudget#droppedTotal()}).
 *
 * <p>Installed from {@code logback.xml}; logback calls it from any thread, and one short lock decides.
 */
public final class BrokerLogBudget extends TurboFilter {

    static final int PER_SECOND = 20;
    private static final String BROKER = "org.apache.activemq";

    private final LogBudget budget = new LogBudget(PER_SECOND);

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
            Throwable t) {
        if (level == null || !level.isGreaterOrEqual(Level.WARN) || !logger.getName().startsWith(BROKER)) {
            return FilterReply.NEUTRAL;
        }
        return budget.admit() ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
}
