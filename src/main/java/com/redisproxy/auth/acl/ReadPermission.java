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
  private final java.util.Queue<java.util.concurrent.CompletableFuture<Void>> waiting =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  // The AclWatch's "poll now"; none in front of a cluster, where rights are not followed.
  private volatile java.util.Optional<Runnable> watch = java.util.Optional.empty();

  /** Decides nothing: every question is unsure (in front of a cluster, where rights are not followed). */
  public static ReadPermission unknown() {
    return new ReadPermission();
  }

  /** @param command lower case, without a subcommand */
  public AclUser.Decision check(String user, String command, List<ByteString> keys) {
    return rules.mayRun(user, command, keys);
  }

  /** {@code user}'s rights under the rules held now. */
  public UserRights rightsOf(String user) {
    return new UserRights(rules, user);
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

  /**
   * Completes once the rules have been read again after this call (or found unreadable, so unknown):
   * a change to Redis's users made through the proxy (ACL SETUSER, CONFIG SET requirepass ...) is
   * answered only then, so that it counts from its reply on, for every client, and not a poll later.
   * At once when no watch follows the rules.
   */
  public java.util.concurrent.CompletionStage<Void> readAgain() {
    if (watch.isEmpty()) return java.util.concurrent.CompletableFuture.completedFuture(null);
    java.util.concurrent.CompletableFuture<Void> read = new java.util.concurrent.CompletableFuture<>();
    waiting.add(read);
    watch.get().run();
    return read;
  }

  void readBy(Runnable pollNow) {
    watch = java.util.Optional.of(pollNow);
  }

  /** What readAgain asked so far: the poll starting now answers it. */
  java.util.List<java.util.concurrent.CompletableFuture<Void>> takeWaiting() {
    java.util.List<java.util.concurrent.CompletableFuture<Void>> taken = new java.util.ArrayList<>();
    for (java.util.concurrent.CompletableFuture<Void> read; (read = waiting.poll()) != null; ) taken.add(read);
    return taken;
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
