package org.radbridge.server.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of docs/architecture.md, checked on the compiled classes: storage and search
 * sit below every feature and import none of them, the write pipeline knows only storage and
 * search, feature packages form no cycle, and mappers stay pure (no Spring, no I/O, no server).
 */
class PackageRulesTest {
  private static final String SERVER = "org.radbridge.server";
  private static JavaClasses server;
  private static JavaClasses mappers;

  @BeforeAll
  static void load() {
    server = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(SERVER);
    mappers = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("org.radbridge.mappers");
  }

  /** Classes of the server outside the given packages (and outside the top-level configuration). */
  private static com.tngtech.archunit.base.DescribedPredicate<com.tngtech.archunit.core.domain.JavaClass> serverOutside(
      String... allowed) {
    String[] patterns = new String[allowed.length];
    for (int i = 0; i < allowed.length; i++) {
      patterns[i] = SERVER + "." + allowed[i] + "..";
    }
    return resideInAPackage(SERVER + "..").and(not(resideInAnyPackage(patterns)))
        .and(not(com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf(
            org.radbridge.server.RadBridgeProperties.class)))
        .as("a server class outside " + String.join(", ", allowed));
  }

  @Test
  void storeImportsNoOtherPackageOfTheServer() {
    noClasses().that().resideInAPackage(SERVER + ".store..").should().dependOnClassesThat(serverOutside("store"))
        .check(server);
  }

  @Test
  void searchImportsOnlyStorageAndJobs() {
    noClasses().that().resideInAPackage(SERVER + ".search..").should()
        .dependOnClassesThat(serverOutside("search", "store", "job")).check(server);
  }

  @Test
  void theWritePipelineImportsOnlyStorageAndSearch() {
    noClasses().that().resideInAPackage(SERVER + ".write..").should()
        .dependOnClassesThat(serverOutside("write", "store", "search")).check(server);
  }

  @Test
  void readinessImportsNoOtherPackageOfTheServer() {
    // every channel and start-up task asks it; it asks none of them
    noClasses().that().resideInAPackage(SERVER + ".readiness..").should().dependOnClassesThat(serverOutside("readiness"))
        .check(server);
  }

  @Test
  void serverPackagesFormNoCycle() {
    slices().matching(SERVER + ".(*)..").should().beFreeOfCycles().check(server);
  }

  @Test
  void mappersArePure() {
    noClasses().should().dependOnClassesThat(resideInAnyPackage("org.springframework..", "java.sql..", "javax.sql..",
        "java.net..", "java.nio.file..", SERVER + "..")).check(mappers);
  }
}
