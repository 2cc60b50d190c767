package com.redisproxy.auth.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.auth.acl.AclUser.Decision;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class UserRightsTest {
  private static final Map<String, Set<String>> CATEGORIES = Map.of("read", Set.of("get", "mget", "hgetall"));

  private static ReadPermission permissionWith(String... lines) {
    ReadPermission permission = new ReadPermission();
    permission.update(AclRules.parse(List.of(lines), CATEGORIES));
    return permission;
  }

  private static List<ByteString> keys(String... keys) {
    return java.util.Arrays.stream(keys).map(ByteString::fromString).toList();
  }

  @Test
  void decidesAsTheRulesDoForEveryCommandAndKeyAskedAgain() {
    ReadPermission permission = permissionWith(
        "user alice on nopass ~cache:* resetchannels -@all +@read -hgetall",
        "user carol on nopass ~a* resetchannels -@all +get (~b* resetchannels -@all +mget)");
    UserRights alice = permission.rightsOf("alice");
    UserRights carol = permission.rightsOf("carol");
    for (int twice = 0; twice < 2; twice++) { // the second time from the kept decisions
      for (String command : List.of("get", "mget", "hgetall", "set")) {
        for (List<ByteString> keys : List.of(keys("cache:1"), keys("other"), keys("cache:1", "other"), keys("a1"), keys("b1"))) {
          assertEquals(permission.check("alice", command, keys), alice.mayRun(command, keys), command + " " + keys);
          assertEquals(permission.check("carol", command, keys), carol.mayRun(command, keys), command + " " + keys);
        }
      }
    }
    assertEquals(Decision.ALLOWED, alice.mayRun("get", keys("cache:1")));
    assertEquals(Decision.DENIED, alice.mayRun("get", keys("other")));
    assertEquals(Decision.DENIED, alice.mayRun("hgetall", keys("cache:1")));
    assertEquals(Decision.UNSURE, carol.mayRun("mget", keys("b1"))); // a selector may allow it
  }

  // The pattern that matched last is tried first: whatever the order keys come in, and skipping a
  // request's name, the answers are the rules' own.
  @Test
  void decidesTheKeysAfterTheNameAsTheRulesDoWhicheverPatternMatchedLast() {
    ReadPermission permission = permissionWith(
        "user dave on nopass ~a:* ~b:* ~exact resetchannels -@all +@read",
        "user erin on nopass ~a:* resetchannels -@all +get (~b:* resetchannels -@all +get)");
    List<List<ByteString>> requests = List.of(keys("GET", "b:1"), keys("GET", "a:1"), keys("MGET", "b:1", "a:2", "exact"),
        keys("MGET", "a:1", "c:1"), keys("GET", "exact"), keys("GET", "exactly"), keys("MGET", "b:2", "b:3"), keys("GET", "c:1"),
        keys("GET", "b:"), keys("GET", "b"), keys("MGET"));
    for (String user : List.of("dave", "erin")) {
      UserRights rights = permission.rightsOf(user);
      for (int twice = 0; twice < 2; twice++) {
        for (List<ByteString> request : requests) {
          String command = request.get(0).utf8String().toLowerCase(java.util.Locale.ROOT);
          assertEquals(permission.check(user, command, request.subList(1, request.size())), rights.mayRun(command, request, 1),
              user + " " + request);
        }
      }
    }
    UserRights dave = permission.rightsOf("dave");
    assertEquals(Decision.ALLOWED, dave.mayRun("mget", keys("MGET", "b:1", "a:2", "exact"), 1));
    assertEquals(Decision.DENIED, dave.mayRun("mget", keys("MGET", "a:1", "c:1"), 1));
    assertEquals(Decision.DENIED, dave.mayRun("get", keys("GET", "b"), 1));
    assertEquals(Decision.UNSURE, permission.rightsOf("erin").mayRun("get", keys("GET", "b:1"), 1)); // a selector may allow it
  }

  @Test
  void aUserTheRulesDoNotNameIsUnsureAndRightsAreCurrentOnlyUntilTheRulesChange() {
    ReadPermission permission = permissionWith("user alice on nopass ~* resetchannels +@all");
    UserRights bob = permission.rightsOf("bob");
    assertEquals(Decision.UNSURE, bob.mayRun("get", keys("k")));
    assertTrue(bob.current(permission));
    permission.update(AclRules.parse(List.of("user bob on nopass ~* resetchannels +@all"), CATEGORIES));
    assertFalse(bob.current(permission));
    assertEquals(Decision.ALLOWED, permission.rightsOf("bob").mayRun("get", keys("k")));
  }

  @Test
  void theProxysOwnUserMayReadEverythingWhateverTheRules() {
    ReadPermission permission = permissionWith("user default on nopass ~nothing:* resetchannels -@all");
    assertEquals(Decision.ALLOWED, UserRights.PROXYS_OWN.mayRun("get", keys("k")));
    assertTrue(UserRights.PROXYS_OWN.current(permission));
  }
}
