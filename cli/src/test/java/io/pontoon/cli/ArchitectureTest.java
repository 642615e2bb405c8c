package io.pontoon.cli;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URL;
import java.util.Enumeration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Module boundaries (issue 10): what each Pontoon module exports to everyone, and the package dependency rules
 * the module descriptors cannot express. The descriptors themselves are enforced by javac: every main module
 * compiles as a named module, so a module that reaches into another's unexported package does not build.
 */
class ArchitectureTest {
    /**
     * The API value types the internal packages (engine, runtime) use: the node facade ({@code RaftNode}) sits on
     * top of the engine, the engine speaks in the API's roles, result codes, config and callbacks. Anything else
     * from {@code io.pontoon} used by an internal package would be a cycle.
     */
    private static final Set<String> API_VALUE_TYPES = Set.of("io.pontoon.Role", "io.pontoon.ResultCode",
        "io.pontoon.RaftConfig", "io.pontoon.RaftConfig$IdleMode", "io.pontoon.RaftStatus",
        "io.pontoon.RaftStatus$Follower", "io.pontoon.CommitListener", "io.pontoon.ProposalCallback",
        "io.pontoon.ProposalException", "io.pontoon.ChangeReason");

    /** One slice per package, the root package included. */
    private static final SliceAssignment EACH_PACKAGE = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            return c.getPackageName().startsWith("io.pontoon") ? SliceIdentifier.of(c.getPackageName())
                : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "each io.pontoon package";
        }
    };

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.pontoon");
    }

    @Test
    void eachModuleExportsOnlyItsApiAndSpis() throws IOException {
        final Map<String, Set<String>> exported = new TreeMap<>();
        final Enumeration<URL> descriptors = getClass().getClassLoader().getResources("module-info.class");
        while (descriptors.hasMoreElements()) {
            try (InputStream in = descriptors.nextElement().openStream()) {
                final ModuleDescriptor d = ModuleDescriptor.read(in);
                if (d.name().startsWith("io.pontoon.")) {
                    exported.put(d.name(), d.exports().stream().filter(e -> !e.isQualified())
                        .map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new)));
                }
            }
        }
        assertEquals(Map.of(
            "io.pontoon.core", Set.of("io.pontoon", "io.pontoon.spi", "io.pontoon.memory", "io.pontoon.metrics"),
            "io.pontoon.storage", Set.of("io.pontoon.storage"),
            "io.pontoon.transport.netty",
                Set.of("io.pontoon.transport", "io.pontoon.transport.client", "io.pontoon.transport.fault"),
            "io.pontoon.server", Set.of("io.pontoon.server"),
            "io.pontoon.kv", Set.of("io.pontoon.kv"),
            "io.pontoon.testkit", Set.of("io.pontoon.sim", "io.pontoon.testkit", "io.pontoon.testkit.history"),
            "io.pontoon.cli", Set.of()), exported);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().assignedFrom(EACH_PACKAGE)
            .should().beFreeOfCycles()
            .ignoreDependency(DescribedPredicate.alwaysTrue(), apiValueType())
            .check(classes);
    }

    @Test
    void theApiPackageDependsOnNoImplementationButItsOwnDefaults() {
        // io.pontoon.memory, transport and storage implement the SPIs; the in-memory stores are the API's
        // defaults (ClusterFabric.inMemory()), nothing in core knows Netty or Chronicle.
        noClasses().that().resideInAPackage("io.pontoon..")
            .and().resideOutsideOfPackages("io.pontoon.storage..", "io.pontoon.server..", "io.pontoon.cli..",
                "io.pontoon.bench..")
            .should().dependOnClassesThat().resideInAnyPackage("net.openhft..")
            .check(classes);
        noClasses().that().resideInAnyPackage("io.pontoon", "io.pontoon.spi..", "io.pontoon.memory..",
                "io.pontoon.engine..", "io.pontoon.runtime..", "io.pontoon.protocol..", "io.pontoon.util..")
            .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "io.pontoon.transport..",
                "io.pontoon.storage..", "io.pontoon.server..")
            .check(classes);
    }

    @Test
    void onlyTheMetricsPackageOfCoreUsesMicrometer() {
        // micrometer-core is optional in core (issue 13): a node without it must never load a Micrometer class.
        noClasses().that().resideInAnyPackage("io.pontoon", "io.pontoon.spi..", "io.pontoon.memory..",
                "io.pontoon.engine..", "io.pontoon.runtime..", "io.pontoon.protocol..", "io.pontoon.util..",
                "io.pontoon.storage..", "io.pontoon.transport..")
            .should().dependOnClassesThat().resideInAnyPackage("io.micrometer..")
            .check(classes);
    }

    @Test
    void storageUsesOnlyCoresSpisAndApi() {
        noClasses().that().resideInAPackage("io.pontoon.storage..")
            .should().dependOnClassesThat().resideInAnyPackage("io.pontoon.engine..", "io.pontoon.runtime..",
                "io.pontoon.protocol..", "io.pontoon.transport..")
            .check(classes);
    }

    private static DescribedPredicate<JavaClass> apiValueType() {
        return DescribedPredicate.describe("an API value type " + API_VALUE_TYPES,
            c -> API_VALUE_TYPES.contains(c.getName()));
    }
}
