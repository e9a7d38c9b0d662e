package org.txcounter.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * counter-core's module descriptor exports the embedder's API and nothing else. That every public member of the
 * API names only exported types is javac's {@code exports} lint, an error in this build ({@code -Werror}).
 */
class ModuleDescriptorTest {

    private static final Set<String> API = Set.of("org.txcounter.core", "org.txcounter.core.config",
            "org.txcounter.core.hooks.http", "org.txcounter.core.hooks.jms.jakarta",
            "org.txcounter.core.hooks.jms.javax");

    /** The descriptor compiled into counter-core's classes (the test class path holds other jars' too). */
    private static ModuleDescriptor descriptor() throws IOException, URISyntaxException {
        Path classes = Path.of(TransactionCounter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void exportsOnlyTheApiPackagesToEveryone() throws IOException, URISyntaxException {
        ModuleDescriptor module = descriptor();
        assertThat(module.name()).isEqualTo("org.txcounter.core");
        assertThat(module.exports()).allSatisfy(export -> assertThat(export.isQualified()).isFalse());
        assertThat(module.exports().stream().map(ModuleDescriptor.Exports::source))
                .containsExactlyInAnyOrderElementsOf(API);
        assertThat(module.opens()).isEmpty();
    }

    @Test
    void theOptionalLibrariesAndHostApisAreStaticRequirements() throws IOException, URISyntaxException {
        Set<String> optional = descriptor().requires().stream()
                .filter(requires -> requires.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC))
                .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
        assertThat(optional).containsExactlyInAnyOrder("flyway.core", "jakarta.servlet", "jakarta.messaging",
                "javax.jms.api");
    }
}
