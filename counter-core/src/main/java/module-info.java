/**
 * The transaction counter as a library a host runtime embeds. Exported, and all an embedder uses:
 * <ul>
 *   <li>{@code org.txcounter.core}: starting and stopping the counter ({@code TransactionCounter}), its meter and
 *       per-transport handles, the ingress decision the hooks share, the counts, the report rows and the
 *       database's status;</li>
 *   <li>{@code org.txcounter.core.config}: the counter's configuration, built in code or read from the counter's own
 *       sections of a {@code deployment.toml}, a host's sections left alone (the standalone service's management
 *       API, users, TLS, listeners, passthrough routes, JMS endpoints, secret store and licence are counter-service's,
 *       not the library's);</li>
 *   <li>the hooks, one package per host API so that a host needs only the API it has:
 *       {@code hooks.http} (a {@code jakarta.servlet} filter), {@code hooks.jms.jakarta} and
 *       {@code hooks.jms.javax} (a counting {@code MessageListener} and a stamper each).</li>
 * </ul>
 * Everything else (store, flusher, journal, ledger, stamps, {@code internal}) is not exported. counter-service and
 * the MI drop-in run on the class path, where they reach the internals without qualified exports.
 *
 * <p>H2, Flyway and the host APIs are {@code static}: the embedder brings the ones it uses. On the module path the
 * store checks the schema; migrating with Flyway needs the class path, where Flyway can read the migrations.
 */
module org.txcounter.core {
    requires transitive java.sql;
    requires org.slf4j;
    requires org.tomlj;
    requires com.zaxxer.hikari;
    requires org.jdbi.v3.core;
    // Jdbi is an automatic module, which cannot say that it needs geantyref (an explicit module, so not resolved
    // with the automatic ones): without this an embedder on the module path fails at the first query with
    // NoClassDefFoundError io/leangen/geantyref/GenericTypeReflector (ModulePathEmbedderIT).
    requires io.leangen.geantyref;
    requires static flyway.core;
    requires static jakarta.servlet;
    requires static jakarta.messaging;
    requires static javax.jms.api;

    exports org.txcounter.core;
    exports org.txcounter.core.config;
    exports org.txcounter.core.hooks.http;
    exports org.txcounter.core.hooks.jms.jakarta;
    exports org.txcounter.core.hooks.jms.javax;
}
