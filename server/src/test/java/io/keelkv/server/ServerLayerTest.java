package io.keelkv.server;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The server's layer rules (docs/ARCHITECTURE.md, "Layer rules"), checked on the compiled classes of both
 * modules: each rule fails with the offending dependency named. {@code KeelServer} is the composition root
 * and the only class that knows every room; {@code command} looks across the rooms below it; {@code config},
 * {@code session} and {@code log} are leaves.
 */
class ServerLayerTest
{
    private static final String ENGINE = "io.keelkv.engine";
    private static final String SERVER = "io.keelkv.server";
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses()
    {
        classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ENGINE, SERVER);
    }

    private static void check(final ArchRule rule)
    {
        rule.check(classes);
    }

    /** No class of {@code room} depends on a class of any other server package, the root included. */
    private static ArchRule leaf(final String room)
    {
        return noClasses().that().resideInAPackage(SERVER + "." + room + "..")
            .should().dependOnClassesThat(resideInAPackage(SERVER + "..")
                .and(not(resideInAPackage(SERVER + "." + room + ".."))))
            .because(room + " is a leaf of the server: every other room may use it, so it may use none of them");
    }

    @Test
    void shouldKeepTheEngineFreeOfTheServer()
    {
        // embedded use, tests and (planned) AOF replay run the same command code as the server
        check(noClasses().that().resideInAPackage(ENGINE + "..")
            .should().dependOnClassesThat().resideInAPackage(SERVER + ".."));
    }

    @Test
    void shouldKeepConfigALeaf()
    {
        check(leaf("config"));
    }

    @Test
    void shouldKeepSessionALeaf()
    {
        check(leaf("session"));
    }

    @Test
    void shouldKeepLogALeaf()
    {
        check(leaf("log"));
    }

    @Test
    void shouldNeverReachBackToTheRootFromTheRooms()
    {
        // the root package is the composition root: the rooms it wires never depend on it (the commands reach
        // the running server through command.ServerControl)
        check(noClasses().that().resideInAPackage(SERVER + ".*..")
            .should().dependOnClassesThat().resideInAPackage(SERVER));
    }

    @Test
    void shouldHaveNoCyclesBetweenServerPackages()
    {
        check(slices().matching(SERVER + ".(*)..").should().beFreeOfCycles());
    }

    @Test
    void shouldKeepPersistenceFreeOfCommandsLoopAndSessions()
    {
        check(noClasses().that().resideInAPackage(SERVER + ".persistence..")
            .should().dependOnClassesThat().resideInAnyPackage(SERVER + ".command..", SERVER + ".net..",
                SERVER + ".session..")
            .because("SHUTDOWN and the termination signal both call the final save: persistence serves them " +
                "without knowing either"));
    }
}
