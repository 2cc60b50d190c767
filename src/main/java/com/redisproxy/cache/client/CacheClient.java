package com.redisproxy.cache.client;

import com.redisproxy.cache.CacheActor;
import com.redisproxy.cache.CacheKey;
import com.redisproxy.cache.CacheStats;
import com.redisproxy.cache.GetResult;
import com.redisproxy.cache.InvalidationInbox;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.util.ByteString;
import scala.concurrent.ExecutionContext;
import scala.jdk.javaapi.FutureConverters;

/**
 * How front ends talk to the CacheActor: asks with a timeout, answered as {@link GetResult}s.
 *
 * <p>The javadsl ask returns Scala's CompletableFuture wrapper, which runs every callback
 * asynchronously on the common pool; with 2 cores that pool has one thread and Java falls back to
 * a new thread per callback. So the answer is taken from the underlying Scala
 * future in place and handed on as a plain CompletableFuture: callers get no hidden thread hop.
 */
public final class CacheClient {
  private final ActorRef<CacheActor.Command> cache;
  private final Scheduler scheduler;
  private final Duration askTimeout;
  private final int maxPendingAsks;
  private final AtomicInteger pendingAsks = new AtomicInteger();
  private final GetResult.Failed askTimedOut;
  private final GetResult.Failed tooManyPending;
  private final InvalidationInbox invalidations;

  /**
   * @param maxPendingAsks asks waiting for the cache at once; more are refused without asking
   * @param invalidations the CacheActor's inbox, for writes the front ends forward
   */
  public CacheClient(ActorRef<CacheActor.Command> cache, Scheduler scheduler, Duration askTimeout, int maxPendingAsks,
      InvalidationInbox invalidations) {
    this.cache = cache;
    this.invalidations = invalidations;
    this.scheduler = scheduler;
    this.askTimeout = askTimeout;
    this.maxPendingAsks = maxPendingAsks;
    this.askTimedOut = new GetResult.Failed(
        GetResult.Reason.OVERLOADED, "the cache did not answer within " + askTimeout.toMillis() + "ms");
    this.tooManyPending = new GetResult.Failed(
        GetResult.Reason.OVERLOADED, "more than " + maxPendingAsks + " requests are waiting for the cache");
  }

  public CompletionStage<GetResult> get(ByteString key) {
    if (!admit()) return CompletableFuture.completedFuture(tooManyPending);
    return inPlace(
        AskPattern.ask(cache, replyTo -> new CacheActor.Get(key, replyTo), askTimeout, scheduler),
        failure -> askTimedOut);
  }

  /**
   * Drops {@code keys} and taints their fetches in flight, before any request sent after this
   * call is served. Through the invalidation inbox, not the bounded mailbox: a dropped
   * invalidation would be a stale read.
   */
  public void invalidate(List<ByteString> keys) {
    invalidations.invalidated(keys);
  }

  /** Empties the cache and taints every fetch in flight, as {@link #invalidate} does for keys. */
  public void invalidateAll() {
    invalidations.everythingInvalidated("a command forwarded to Redis may have changed any key");
  }

  /**
   * The cached answers to {@code keys} at once, and the others fetched, in one ask
   * ({@link CacheActor.Read}). The ask counts as pending until the fetched ones are answered too;
   * refused or timed out, every key gets that failure and nothing is fetched.
   */
  public CompletionStage<CacheActor.Lookups> read(List<CacheKey> keys) {
    if (!admit()) return CompletableFuture.completedFuture(failedLookups(keys.size(), tooManyPending));
    CompletableFuture<CacheActor.Lookups> plain = new CompletableFuture<>();
    FutureConverters.asScala(AskPattern.ask(cache, (ActorRef<CacheActor.Lookups> replyTo) -> new CacheActor.Read(keys, replyTo),
        askTimeout, scheduler)).onComplete(
        answer -> {
          if (answer.isFailure()) {
            pendingAsks.decrementAndGet();
            return plain.complete(failedLookups(keys.size(), askTimedOut));
          }
          CacheActor.Lookups lookups = answer.get();
          lookups.fetched().whenComplete((fetched, never) -> pendingAsks.decrementAndGet());
          return plain.complete(lookups);
        },
        ExecutionContext.parasitic$.MODULE$);
    return plain;
  }

  private static CacheActor.Lookups failedLookups(int keys, GetResult.Failed failure) {
    return new CacheActor.Lookups(Collections.nCopies(keys, failure), CompletableFuture.completedStage(List.of()));
  }

  public int pendingAsks() {
    return pendingAsks.get();
  }

  // Admission before the ask: the CacheActor's bounded mailbox would drop the overflow silently,
  // and the client would learn of it only when its ask timed out.
  private boolean admit() {
    if (pendingAsks.incrementAndGet() <= maxPendingAsks) return true;
    pendingAsks.decrementAndGet();
    return false;
  }

  /** The cache's counters; empty when the cache did not answer in time or is too busy. */
  public CompletionStage<Optional<CacheStats>> stats() {
    if (!admit()) return CompletableFuture.completedFuture(Optional.empty());
    return inPlace(AskPattern.ask(cache, CacheActor.GetStats::new, askTimeout, scheduler), failure -> null)
        .thenApply(Optional::ofNullable);
  }

  private <T> CompletableFuture<T> inPlace(CompletionStage<T> askAnswer, Function<Throwable, T> onFailure) {
    CompletableFuture<T> plain = new CompletableFuture<>();
    FutureConverters.asScala(askAnswer).onComplete(
        answer -> {
          pendingAsks.decrementAndGet();
          return plain.complete(answer.isSuccess() ? answer.get() : onFailure.apply(answer.failed().get()));
        },
        ExecutionContext.parasitic$.MODULE$);
    return plain;
  }
}
