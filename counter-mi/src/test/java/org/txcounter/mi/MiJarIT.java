package org.txcounter.mi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The jar for MI_HOME/lib: only our classes and relocated ones, no Synapse, axis2 or JDBC driver. */
class MiJarIT {

    @Test
    void holdsOnlyOurClassesAndRelocatedOnes() throws IOException {
        Path jar = Path.of(System.getProperty("txcounter.mi.jar"));
        List<String> outside = new ArrayList<>();
        List<String> badServices = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : Collections.list(file.entries())) {
                String name = entry.getName().replaceFirst("^META-INF/versions/\\d+/", "");
                if (name.endsWith(".class") && !name.startsWith("org/txcounter/")) {
                    outside.add(entry.getName());
                }
                if (entry.getName().startsWith("META-INF/services/") && !entry.isDirectory()) {
                    String service = entry.getName().substring("META-INF/services/".length());
                    if (!service.startsWith("org.txcounter.") && !service.startsWith("java.")
                            && !service.startsWith("javax.")) {
                        badServices.add(entry.getName());
                    }
                    try (InputStream in = file.getInputStream(entry)) {
                        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                            String provider = line.replaceFirst("#.*", "").trim();
                            if (!provider.isEmpty() && !provider.startsWith("org.txcounter.")) {
                                badServices.add(entry.getName() + ": " + provider);
                            }
                        }
                    }
                }
            }
            assertThat(file.getEntry("org/txcounter/mi/TransactionCounterHandler.class")).isNotNull();
            assertThat(file.getEntry("org/txcounter/core/TransactionCounter.class")).isNotNull();
            assertThat(file.getEntry("org/txcounter/mi/shaded/com/zaxxer/hikari/HikariDataSource.class")).isNotNull();
        }
        // No org/apache/synapse, org/apache/axis2, org/slf4j, JDBC driver (org/postgresql, org/h2, ...) or
        // unrelocated library class: all of them fail here.
        assertThat(outside).isEmpty();
        assertThat(badServices).isEmpty();
    }
}
