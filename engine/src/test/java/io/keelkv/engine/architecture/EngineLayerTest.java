package io.keelkv.engine.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The engine's layer rules (docs/ARCHITECTURE.md, "Layer rules"), checked on the compiled classes: each rule
 * fails with the offending dependency named. The engine-never-imports-the-server rule is checked in the
 * server module, where both are on the class path.
 */
class EngineLayerTest
{
    private static final String ENGINE = "io.keelkv.engine";
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses()
    {
        classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ENGINE);
    }

    private static void check(final ArchRule rule)
    {
        rule.check(classes);
    }

    @Test
    void shouldKeepMemoryFreeOfEverythingAboveIt()
    {
        check(noClasses().that().resideInAPackage(ENGINE + ".memory..")
            .should().dependOnClassesThat().resideInAnyPackage(ENGINE + ".keyspace..", ENGINE + ".types..",
                ENGINE + ".command..", ENGINE + ".resp..", ENGINE + ".snapshot..", ENGINE + ".aof.."));
    }

    @Test
    void shouldKeepKeyspaceAndTypesFreeOfCommandsAndResp()
    {
        check(noClasses().that().resideInAnyPackage(ENGINE + ".keyspace..", ENGINE + ".types..")
            .should().dependOnClassesThat().resideInAnyPackage(ENGINE + ".command..", ENGINE + ".resp..",
                ENGINE + ".snapshot..", ENGINE + ".aof.."));
    }

    @Test
    void shouldKeepRespPureBytes()
    {
        check(noClasses().that().resideInAPackage(ENGINE + ".resp..")
            .should().dependOnClassesThat().resideInAnyPackage(ENGINE + ".memory..", ENGINE + ".keyspace..",
                ENGINE + ".types..", ENGINE + ".command..", ENGINE + ".snapshot..", ENGINE + ".aof.."));
    }

    @Test
    void shouldLetSnapshotsCopyPagesKnowingNothingOfCommands()
    {
        check(noClasses().that().resideInAPackage(ENGINE + ".snapshot..")
            .should().dependOnClassesThat().resideInAnyPackage(ENGINE + ".command..", ENGINE + ".resp..",
                ENGINE + ".types.."));
    }

    @Test
    void shouldNeverReachBackToTheEngineClassFromItsParts()
    {
        // the root package is the composition root and the typed API: the parts it wires never depend on it
        check(noClasses().that().resideInAPackage(ENGINE + ".*..")
            .should().dependOnClassesThat().resideInAPackage(ENGINE));
    }

    @Test
    void shouldHaveNoCyclesBetweenEnginePackages()
    {
        check(slices().matching(ENGINE + ".(*)..").should().beFreeOfCycles());
    }
}
