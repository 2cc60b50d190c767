package com.redisproxy.auth.acl;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
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
  private final AtomicBoolean recheck = new AtomicBoolean();
  private final Queue<CompletableFuture<Void>> waiting =
      new ConcurrentLinkedQueue<>();
  // The AclWatch's "poll now"; none in front of a cluster, where rights are not followed.
  private volatile Optional<Runnable> watch = Optional.empty();

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
  public CompletionStage<Void> readAgain() {
    if (watch.isEmpty()) return CompletableFuture.completedFuture(null);
    CompletableFuture<Void> read = new CompletableFuture<>();
    waiting.add(read);
    watch.get().run();
    return read;
  }

  void readBy(Runnable pollNow) {
    watch = Optional.of(pollNow);
  }

  /** What readAgain asked so far: the poll starting now answers it. */
  List<CompletableFuture<Void>> takeWaiting() {
    List<CompletableFuture<Void>> taken = new ArrayList<>();
    for (CompletableFuture<Void> read; (read = waiting.poll()) != null; ) taken.add(read);
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
