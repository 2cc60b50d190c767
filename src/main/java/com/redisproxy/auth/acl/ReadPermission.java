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

  void update(AclRules next) {
    rules = next;
  }
}
