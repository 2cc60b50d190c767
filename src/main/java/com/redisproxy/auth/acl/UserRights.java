package com.redisproxy.auth.acl;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/**
 * One user's rights as one reading of Redis's users ({@link AclRules}) has them, each command's
 * decision kept once asked: held by a client connection, so that a cache hit as that user costs a
 * map lookup and the key patterns, not the user's rules read again. Replaced when the rules are
 * (see {@link #current}). Used by one connection's loop only.
 */
public final class UserRights {
  /** The proxy's own user's: the cache read every value as that user. */
  public static final UserRights PROXYS_OWN = new UserRights(null, (AclUser) null);

  private final AclRules rules; // null: the proxy's own
  private final AclUser user; // null: not among these rules
  // Only the cached reads' names are asked, so it stays small.
  private final Map<String, AclUser.Decision> commands = new HashMap<>();

  UserRights(AclRules rules, String userName) {
    this(rules, rules.users().get(userName));
  }

  private UserRights(AclRules rules, AclUser user) {
    this.rules = rules;
    this.user = user;
  }

  /** Whether these are still the rules {@code permission} holds. */
  public boolean current(ReadPermission permission) {
    return rules == null || permission.rules() == rules;
  }

  /** As {@link AclRules#mayRun}, for this user. */
  public AclUser.Decision mayRun(String command, List<ByteString> keys) {
    if (rules == null) return AclUser.Decision.ALLOWED;
    if (user == null) return AclUser.Decision.UNSURE;
    AclUser.Decision rootCommand = commands.get(command);
    if (rootCommand == null) {
      rootCommand = user.commandAllowed(command, rules.categories());
      commands.put(command, rootCommand);
    }
    return user.mayRun(rootCommand, keys);
  }
}
