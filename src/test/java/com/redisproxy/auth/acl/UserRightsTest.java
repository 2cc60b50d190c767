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
