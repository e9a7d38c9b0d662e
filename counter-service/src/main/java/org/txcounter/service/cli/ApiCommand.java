package org.txcounter.service.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * A command that asks the running service's management API, as the {@code mi} CLI does: the configuration file
 * tells where the API is, {@link ClientOptions} how to log in.
 *
 * <p>One instance per command line, filled in by picocli and run on the main thread; not shared.
 */
abstract class ApiCommand implements Callable<Integer> {

    @Mixin
    ConfigFile configFile = new ConfigFile();

    @Mixin
    ClientOptions client = new ClientOptions();

    /** GETs {@code pathAndQuery} from the API and returns the body of its 2xx answer. */
    String get(String pathAndQuery) {
        return api().get(pathAndQuery);
    }

    /** The API client for this command's configuration and login options. */
    ApiClient api() {
        return ApiClient.connect(client, configFile.read());
    }
}
