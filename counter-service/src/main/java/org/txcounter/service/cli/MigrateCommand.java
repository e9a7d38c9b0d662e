package org.txcounter.service.cli;

import java.time.Clock;
import java.util.concurrent.Callable;
import org.txcounter.core.config.CounterConfig;
import org.txcounter.core.config.DataSourceConfig;
import org.txcounter.core.store.CounterStore;
import org.txcounter.core.store.EmbeddedH2;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Creates or updates the schema with the owner account, then exits. Running it again changes nothing.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Create or update the database schema with the owner account, then exit.")
final class MigrateCommand implements Callable<Integer> {

    @Mixin
    ConfigFile configFile = new ConfigFile();

    @Override
    public Integer call() {
        CounterConfig config = configFile.read().counter();
        DataSourceConfig owner = EmbeddedH2.secure(config.migrationDataSource(), config.dataDir());
        try (CounterStore store = CounterStore.open(owner, Clock.systemUTC())) {
            int applied = store.migrate();
            System.out.println(applied == 0
                    ? "The schema of " + owner.id() + " (" + owner.url() + ") is already current; nothing changed."
                    : "Applied " + applied + " migration(s) to " + owner.id() + " (" + owner.url() + ") as "
                            + owner.username() + ".");
        }
        return 0;
    }
}
