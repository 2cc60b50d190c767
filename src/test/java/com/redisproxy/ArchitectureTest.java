package com.redisproxy;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.redisproxy.fetch.FetchError;
import com.redisproxy.fetch.FetchResult;
import com.redisproxy.fetch.InvalidationListener;
import com.redisproxy.fetch.RedisFetcher;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walls between the rooms (STYLE.md): which package may import which. Only the root package
 * ({@link Main}, {@link Guardian}, the settings that compose every room's) knows every room.
 */
class ArchitectureTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("com.redisproxy");
  }

  @Test
  void cacheKnowsNoFrontEndNoRedisClientAndNoWiring() {
    noClasses().that().resideInAPackage("com.redisproxy.cache..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "com.redisproxy", "com.redisproxy.http..", "com.redisproxy.resp..", "com.redisproxy.fetch.cluster..",
            "com.redisproxy.metrics..", "io.lettuce..", "io.netty..")
        .because("the cache speaks its own protocol and asks a fetcher through fetch/'s messages")
        .check(main);
  }

  @Test
  void cacheUsesOnlyTheFetchersProtocolOfFetch() {
    noClasses().that().resideInAPackage("com.redisproxy.cache..")
        .should().dependOnClassesThat(resideInAPackage("com.redisproxy.fetch..")
            .and(not(belongToAnyOf(RedisFetcher.class, FetchResult.class, FetchError.class, InvalidationListener.class))))
        .because("the cache asks a fetcher and hears invalidations; how Redis is reached is fetch/'s business")
        .check(main);
  }

  @Test
  void frontEndsNeverKnowEachOther() {
    noClasses().that().resideInAPackage("com.redisproxy.http..")
        .should().dependOnClassesThat().resideInAPackage("com.redisproxy.resp..")
        .check(main);
    noClasses().that().resideInAPackage("com.redisproxy.resp..")
        .should().dependOnClassesThat().resideInAPackage("com.redisproxy.http..")
        .check(main);
  }

  @Test
  void fetchKnowsNothingOfTheFrontEndsOrTheCache() {
    noClasses().that().resideInAPackage("com.redisproxy.fetch..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "com.redisproxy", "com.redisproxy.http..", "com.redisproxy.resp..", "com.redisproxy.cache..")
        .check(main);
  }

  @Test
  void onlyTheRootKnowsTheRoot() {
    noClasses().that().resideOutsideOfPackage("com.redisproxy")
        .should().dependOnClassesThat().resideInAPackage("com.redisproxy")
        .because("Main and Guardian wire the rooms; a room that needs the root's settings takes its own record")
        .check(main);
  }

  @Test
  void packagesDoNotDependOnEachOtherInACircle() {
    slices().matching("com.redisproxy.(**)").should().beFreeOfCycles().check(main);
  }
}
