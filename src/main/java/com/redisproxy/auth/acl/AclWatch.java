package com.redisproxy.auth.acl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link ReadPermission} in step with Redis's users: asks {@code ACL LIST} on a timer and,
 * when its text changed (ACL SETUSER, DELUSER, LOAD, CONFIG SET requirepass: through the proxy or
 * straight on Redis), reads the categories the rules name and publishes the new rules. A change is
 * seen within one period plus a round trip; one asked for by {@link ReadPermission#readAgain}
 * (a change made through the proxy) starts at once. While ACL LIST cannot be read (Redis down, or
 * the proxy's own user may not run it) the rules are unknown, so nothing is served from the cache
 * on a guess. One poll at a time.
 */
public final class AclWatch {
  private static final Logger log = LoggerFactory.getLogger(AclWatch.class);

  /** How the proxy asks its own connection to Redis: {@code ACL LIST}, and {@code ACL CAT <category>}. */
  public interface Source {
    CompletionStage<List<String>> aclList();

    CompletionStage<List<String>> category(String name);
  }

  private final Source source;
  private final ReadPermission permission;
  private final ScheduledExecutorService timer;
  private final Duration period;
  private final List<Consumer<AclRules>> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Set<String>> categories = new ConcurrentHashMap<>();
  private volatile boolean stopped;
  // One poll at a time; a poll asked for while one runs (readAgain) follows it at once.
  private final AtomicBoolean polling = new AtomicBoolean();
  private final AtomicBoolean wanted = new AtomicBoolean();
  private volatile ScheduledFuture<?> next;
  private volatile String lastFailure = "";
  private volatile boolean followedOnce; // failures before the first answer (Redis still connecting) are not news

  public AclWatch(Source source, ReadPermission permission, ScheduledExecutorService timer, Duration period) {
    this.source = source;
    this.permission = permission;
    this.timer = timer;
    this.period = period;
  }

  /** Called with each new set of rules (and with UNKNOWN when they can no longer be read), on the poll's thread. */
  public void onChange(Consumer<AclRules> listener) {
    listeners.add(listener);
  }

  public void start() {
    permission.readBy(this::pollNow);
    poll();
  }

  public void stop() {
    stopped = true;
  }

  // ReadPermission.readAgain: a poll now, not at the next tick; after the one running, if one is.
  private void pollNow() {
    ScheduledFuture<?> scheduled = next;
    if (scheduled != null) scheduled.cancel(false);
    poll();
  }

  private void poll() {
    if (stopped) {
      for (CompletableFuture<Void> read : permission.takeWaiting()) read.complete(null); // nobody waits on a stopped watch
      return;
    }
    if (!polling.compareAndSet(false, true)) {
      wanted.set(true);
      return;
    }
    wanted.set(false);
    List<CompletableFuture<Void>> waiting = permission.takeWaiting(); // this poll starts after they asked
    CompletionStage<List<String>> listed;
    try {
      listed = source.aclList().toCompletableFuture().orTimeout(period.toMillis() * 4 + 1000, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      listed = CompletableFuture.failedFuture(e);
    }
    listed.thenCompose(this::withCategories).whenComplete((rules, failure) -> {
      try {
        if (failure != null) unknown(failure);
        else publish(rules);
      } catch (RuntimeException e) {
        log.warn("a listener to Redis's users failed", e);
      } finally {
        for (CompletableFuture<Void> read : waiting) read.complete(null);
        polling.set(false);
        if (wanted.get()) poll();
        else if (!stopped) next = timer.schedule(this::poll, period.toNanos(), TimeUnit.NANOSECONDS);
      }
    });
  }

  private CompletionStage<AclRules> withCategories(List<String> lines) {
    if (lines.equals(permission.rules().text())) return CompletableFuture.completedFuture(permission.rules());
    Set<String> named = new HashSet<>();
    for (String line : lines) {
      for (String word : line.split(" ")) {
        if ((word.startsWith("+@") || word.startsWith("-@")) && !word.equalsIgnoreCase("+@all")
            && !word.equalsIgnoreCase("-@all")) {
          named.add(word.substring(2).toLowerCase(Locale.ROOT));
        }
      }
    }
    named.removeAll(categories.keySet());
    List<CompletableFuture<Void>> reads = new ArrayList<>();
    for (String category : named) {
      // A category Redis does not know (a rule written for another version) stays unknown: its users' answers are unsure.
      reads.add(source.category(category).thenAccept(members -> categories.put(category, Set.copyOf(members)))
          .exceptionally(failure -> {
            log.debug("ACL CAT {} failed: {}", category, failure.toString());
            return null;
          })
          .toCompletableFuture());
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
        .thenApply(done -> AclRules.parse(lines, new HashMap<>(categories)));
  }

  private void publish(AclRules rules) {
    if (!lastFailure.isEmpty()) log.info("Redis's users are followed again (ACL LIST answers)");
    followedOnce = true;
    lastFailure = "";
    if (rules == permission.rules() && !permission.takeRecheck()) return;
    permission.update(rules);
    for (Consumer<AclRules> listener : listeners) listener.accept(rules);
  }

  private void unknown(Throwable failure) {
    Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
    String why = cause instanceof TimeoutException ? "no answer in time" : String.valueOf(cause.getMessage());
    if (!followedOnce) {
      log.debug("Redis's users not read yet (ACL LIST): {}", why);
    } else if (!why.equals(lastFailure)) {
      log.warn("cannot read Redis's users (ACL LIST): {}; cached reads of users other than the proxy's own go to Redis "
          + "until it answers", why);
      lastFailure = why;
    }
    if (permission.rules() == AclRules.UNKNOWN) return;
    permission.update(AclRules.UNKNOWN);
    for (Consumer<AclRules> listener : listeners) listener.accept(AclRules.UNKNOWN);
  }
}
