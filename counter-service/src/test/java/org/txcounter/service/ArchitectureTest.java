package org.txcounter.service;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The service's structure, checked on its compiled classes: its packages form no cycle, and the embeddable library
 * ({@code org.txcounter.core}) never depends on the service.
 */
class ArchitectureTest {

    private static final JavaClasses SERVICE_AND_LIBRARY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.txcounter.service", "org.txcounter.core");

    @Test
    void theServicesPackagesFormNoCycle() {
        slices().matching("org.txcounter.service.(*)..").should().beFreeOfCycles().check(SERVICE_AND_LIBRARY);
    }

    @Test
    void theLibraryNeverDependsOnTheService() {
        noClasses().that().resideInAPackage("org.txcounter.core..").should().dependOnClassesThat()
                .resideInAPackage("org.txcounter.service..").check(SERVICE_AND_LIBRARY);
    }
}
