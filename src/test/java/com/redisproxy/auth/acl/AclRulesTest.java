package com.redisproxy.auth.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.auth.acl.AclUser.Decision;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * ACL LIST lines as redis-server 7.0.15 and 6.2.6 wrote them, and what Redis answered for each
 * question (ACL DRYRUN on 7.0, the command itself on 6.2); AclRulesIT asks Redis many more.
 */
class AclRulesTest {
  private static final String SECRET_DIGEST = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";
  private static final Map<String, Set<String>> CATEGORIES = Map.of(
      "read", Set.of("get", "mget", "strlen", "sort_ro", "keys"),
      "string", Set.of("get", "mget", "set", "mset", "strlen"));
  private static final AclRules RULES = AclRules.parse(List.of(
      "user alice on #" + SECRET_DIGEST + " ~cache:* %R~r:* %W~w:* resetchannels -@all +@read -sort_ro -keys +client|id",
      "user bob on nopass ~* resetchannels +@all -mget",
      "user carol on #" + SECRET_DIGEST + " ~a* resetchannels -@all +get (~b* resetchannels -@all +mget)",
      "user dave on #" + SECRET_DIGEST + " ~foo &* -@all +@string",
      "user erin off nopass ~* &* +@all",
      "user default on nopass ~* &* +@all"), CATEGORIES);

  @Test
  void aUserMayReadKeysItsReadPatternsMatchWithCommandsItsRulesAllow() {
    assertEquals(Decision.ALLOWED, RULES.mayRun("alice", "get", keys("cache:1")));
    assertEquals(Decision.ALLOWED, RULES.mayRun("alice", "get", keys("r:1")));
    assertEquals(Decision.DENIED, RULES.mayRun("alice", "get", keys("w:1"))); // %W~ grants writes only
    assertEquals(Decision.DENIED, RULES.mayRun("alice", "get", keys("k")));
    assertEquals(Decision.DENIED, RULES.mayRun("alice", "mget", keys("cache:1", "k")));
    assertEquals(Decision.ALLOWED, RULES.mayRun("alice", "mget", keys("cache:1", "r:2")));
    assertEquals(Decision.DENIED, RULES.mayRun("alice", "set", keys("cache:1")));
    assertEquals(Decision.DENIED, RULES.mayRun("alice", "keys", keys()));
  }

  @Test
  void rulesApplyLeftToRight() {
    assertEquals(Decision.ALLOWED, RULES.mayRun("bob", "get", keys("anything")));
    assertEquals(Decision.DENIED, RULES.mayRun("bob", "mget", keys("anything")));
    assertEquals(Decision.ALLOWED, RULES.mayRun("dave", "get", keys("foo")));
    assertEquals(Decision.DENIED, RULES.mayRun("dave", "get", keys("foo2")));
  }

  @Test
  void whatTheRootRefusesASelectorMayAllowSoItIsUnsure() {
    assertEquals(Decision.ALLOWED, RULES.mayRun("carol", "get", keys("a1")));
    assertEquals(Decision.UNSURE, RULES.mayRun("carol", "mget", keys("b1")));
  }

  @Test
  void anUnknownUserOrCategoryIsUnsure() {
    assertEquals(Decision.UNSURE, RULES.mayRun("mallory", "get", keys("k")));
    AclRules noCategories = AclRules.parse(RULES.text(), Map.of());
    assertEquals(Decision.UNSURE, noCategories.mayRun("alice", "get", keys("cache:1")));
    assertEquals(Decision.UNSURE, AclRules.UNKNOWN.mayRun("default", "get", keys("k")));
  }

  @Test
  void aSubcommandRuleOnTheCommandMakesItUnsure() {
    AclRules rules = AclRules.parse(List.of("user frank on nopass ~* -@all +select|0"), CATEGORIES);
    assertEquals(Decision.UNSURE, rules.mayRun("frank", "select", keys()));
    assertEquals(Decision.DENIED, rules.mayRun("frank", "get", keys("k")));
  }

  @Test
  void passwordsAreCheckedAgainstRedissDigestsAndADisabledUserTakesNone() {
    AclUser alice = RULES.user("alice").orElseThrow();
    assertTrue(alice.accepts(bytes("secret")));
    assertFalse(alice.accepts(bytes("Secret")));
    assertTrue(RULES.user("bob").orElseThrow().accepts(bytes("any")));
    assertFalse(RULES.user("erin").orElseThrow().accepts(bytes("any")));
  }

  @Test
  void theDefaultUserNeedsAPasswordUnlessItIsOnWithNopass() {
    assertEquals(Optional.of(false), RULES.defaultNeedsPassword());
    AclRules requirepass = AclRules.parse(List.of("user default on #" + SECRET_DIGEST + " ~* &* +@all"), CATEGORIES);
    assertEquals(Optional.of(true), requirepass.defaultNeedsPassword());
    assertEquals(Optional.of(true), AclRules.parse(List.of("user default off nopass ~* +@all"), CATEGORIES)
        .defaultNeedsPassword());
    assertEquals(Optional.empty(), AclRules.UNKNOWN.defaultNeedsPassword());
  }

  private static List<ByteString> keys(String... keys) {
    return java.util.Arrays.stream(keys).map(ByteString::fromString).toList();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
