package com.redisproxy.auth.acl;

import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Asked before a cached reply is served: may this Redis user run this command on these keys?
 * Answered locally from the latest {@link AclRules} the {@link AclWatch} read (a volatile read and
 * a few set lookups), so a hit costs no trip to Redis. Only ALLOWED may be served from the cache;
 * anything else goes to Redis as that user, which answers it (its own -NOPERM included). Shared
 * by both front ends; any thread.
 */
public final class ReadPermission {
  private volatile AclRules rules = AclRules.UNKNOWN;
  // Asked of every request of a client that never logged in: kept with the rules, not looked up.
  private volatile boolean defaultNeedsPassword;
  private final java.util.concurrent.atomic.AtomicBoolean recheck = new java.util.concurrent.atomic.AtomicBoolean();

  /** Decides nothing: every question is unsure (in front of a cluster, where rights are not followed). */
  public static ReadPermission unknown() {
    return new ReadPermission();
  }

  /** @param command lower case, without a subcommand */
  public AclUser.Decision check(String user, String command, List<ByteString> keys) {
    return rules.mayRun(user, command, keys);
  }

  public AclRules rules() {
    return rules;
  }

  /**
   * A client logged in as {@code user}, which the rules do not name yet: created since the last
   * poll, and perhaps deleted again before the next. The next poll tells its listeners even if
   * ACL LIST reads the same, so that the client is disconnected if the user is gone.
   */
  public void loggedInAs(String user) {
    if (rules.user(user).isEmpty()) recheck.set(true);
  }

  boolean takeRecheck() {
    return recheck.getAndSet(false);
  }

  /** Whether Redis refuses a client that never authenticated, as far as known (false while not). */
  public boolean defaultNeedsPassword() {
    return defaultNeedsPassword;
  }

  void update(AclRules next) {
    defaultNeedsPassword = next.defaultNeedsPassword().orElse(false);
    rules = next;
  }
}
