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
  // The key pattern that let the last key through, tried first: a connection's reads mostly share one.
  private int lastMatched;
  // The last command asked and its decision: a connection's hits are mostly of one command, and
  // comparing a short name costs less than the map's hash of a name made anew for each request.
  private String lastCommand;
  private AclUser.Decision lastDecision;

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
    return mayRun(command, keys, 0);
  }

  /**
   * As {@link #mayRun(String, List)} for the keys {@code args} holds from {@code firstKey} on (a
   * request's arguments after its name): asked on every cache hit, so it allocates nothing.
   */
  public AclUser.Decision mayRun(String command, List<ByteString> args, int firstKey) {
    if (rules == null) return AclUser.Decision.ALLOWED;
    if (user == null) return AclUser.Decision.UNSURE;
    AclUser.Decision decided;
    if (command.equals(lastCommand)) {
      decided = lastDecision;
    } else {
      decided = commands.get(command);
      if (decided == null) {
        decided = user.commandAllowed(command, rules.categories());
        commands.put(command, decided);
      }
      lastCommand = command;
      lastDecision = decided;
    }
    if (decided == AclUser.Decision.ALLOWED && !user.allKeys() && !keysAllowed(args, firstKey)) {
      decided = AclUser.Decision.DENIED;
    }
    // What the root rules refuse, one of 7.0's selectors may allow.
    return decided == AclUser.Decision.DENIED && user.selectors() ? AclUser.Decision.UNSURE : decided;
  }

  private boolean keysAllowed(List<ByteString> args, int from) {
    List<KeyPattern> patterns = user.readPatterns();
    for (int k = from; k < args.size(); k++) {
      byte[] key = args.get(k).toArrayUnsafe(); // the parser's own array when compact, else a copy; only read
      if (patterns.isEmpty()) return false;
      if (patterns.get(lastMatched).matches(key)) continue;
      int found = -1;
      for (int p = 0; p < patterns.size() && found < 0; p++) {
        if (p != lastMatched && patterns.get(p).matches(key)) found = p;
      }
      if (found < 0) return false;
      lastMatched = found;
    }
    return true;
  }
}
