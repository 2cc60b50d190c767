package com.redisproxy.cache;

import com.redisproxy.ProxySettings;
import com.redisproxy.fetch.FetchResult;
import com.redisproxy.fetch.RedisFetcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.util.ByteString;

/**
 * The one owner of the cache. Hits are answered at once; a miss asks the fetcher pool and is
 * answered when Redis replies, so the actor never waits. Concurrent misses for one key share
 * one fetch. Every accepted request is answered: with the value, not-found, or a failure.
 */
public final class CacheActor extends AbstractBehavior<CacheActor.Command> {

  public interface Command {}

  public record Get(ByteString key, ActorRef<GetResult> replyTo) implements Command {}

  /** Several keys at once (a RESP pipeline or MGET): one reply, the results in key order. */
  public record GetAll(List<ByteString> keys, ActorRef<List<GetResult>> replyTo) implements Command {}

  public record GetStats(ActorRef<CacheStats> replyTo) implements Command {}

  private record FetchCompleted(FetchResult result) implements Command {}

  private record FetchTimedOut(CacheKey key, long requestId) implements Command {}

  private enum Sweep implements Command {
    INSTANCE
  }

  private enum InvalidationsArrived implements Command {
    INSTANCE
  }

  /** One fetch in flight and everyone waiting for it. */
  private static final class PendingFetch {
    final long requestId;
    final long sentAt;
    final List<Consumer<GetResult>> waiters = new ArrayList<>(2);
    // Redis reported the key changed while this fetch was in flight: its value may be the old one.
    boolean invalidated;

    PendingFetch(long requestId, long sentAt) {
      this.requestId = requestId;
      this.sentAt = sentAt;
    }
  }

  private static final GetResult.Failed TOO_MANY_FETCHES =
      new GetResult.Failed(GetResult.Reason.OVERLOADED, "too many fetches in flight");

  private final ProxySettings.Cache settings;
  private final Duration fetchTimeout;
  private final ActorRef<RedisFetcher.Command> fetchers;
  private final ActorRef<FetchResult> fetchReplies;
  private final TimerScheduler<Command> timers;
  // Values are held as bare arrays (a compact ByteString's own, no copy) and wrapped again on each
  // hit: 16 bytes less per cached key for a 16-byte short-lived allocation per hit.
  private final LruTtlStore<CacheKey, byte[]> store;
  private final Map<CacheKey, PendingFetch> inFlight = new HashMap<>();
  private long nextRequestId;
  private long hits;
  private long misses;
  private long coalescedMisses;
  private long keysInvalidated;
  private long fullClears;
  private final InvalidationInbox invalidations;
  private final Ticker ticker;

  public static Behavior<Command> create(
      ProxySettings.Cache settings,
      Duration fetchTimeout,
      ActorRef<RedisFetcher.Command> fetchers,
      InvalidationInbox invalidations,
      Ticker ticker) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Sweep.INSTANCE, settings.sweepInterval());
                  ActorRef<Command> self = context.getSelf();
                  invalidations.onArrival(() -> self.tell(InvalidationsArrived.INSTANCE));
                  return new CacheActor(context, timers, settings, fetchTimeout, fetchers, invalidations, ticker);
                }));
  }

  private CacheActor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      ProxySettings.Cache settings,
      Duration fetchTimeout,
      ActorRef<RedisFetcher.Command> fetchers,
      InvalidationInbox invalidations,
      Ticker ticker) {
    super(context);
    this.invalidations = invalidations;
    this.ticker = ticker;
    this.timers = timers;
    this.settings = settings;
    this.fetchTimeout = fetchTimeout;
    this.fetchers = fetchers;
    this.fetchReplies = context.messageAdapter(FetchResult.class, FetchCompleted::new);
    this.store = new LruTtlStore<>(settings.capacity(), settings.expiry().toNanos(), ticker);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Get.class, this::onGet)
        .onMessage(GetAll.class, this::onGetAll)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessage(FetchCompleted.class, this::onFetchCompleted)
        .onMessage(FetchTimedOut.class, this::onFetchTimedOut)
        .onMessageEquals(Sweep.INSTANCE, this::onSweep)
        .onMessageEquals(InvalidationsArrived.INSTANCE, this::onInvalidationsArrived)
        .build();
  }

  private Behavior<Command> onGet(Get get) {
    read(get.key(), get.replyTo()::tell);
    return this;
  }

  private Behavior<Command> onGetAll(GetAll getAll) {
    new BatchReply(getAll.keys().size(), getAll.replyTo()).fillFrom(getAll.keys(), this::read);
    return this;
  }

  private Behavior<Command> onGetStats(GetStats getStats) {
    getStats.replyTo().tell(
        new CacheStats(store.size(), store.capacity(), hits, misses, store.evictions(),
            store.expirations(), coalescedMisses, inFlight.size(),
            invalidations.messages(), keysInvalidated, fullClears));
    return this;
  }

  private Behavior<Command> onFetchCompleted(FetchCompleted completed) {
    FetchResult result = completed.result();
    CacheKey key = CacheKey.of(result.key());
    PendingFetch pending = takePending(key, result.requestId());
    if (pending == null) return this; // answered already (timed out): a late value is not cached
    GetResult answer;
    if (result instanceof FetchResult.Fetched fetched) {
      if (fetched.value() == null) {
        answer = GetResult.NotFound.INSTANCE;
      } else {
        if (!pending.invalidated && fetched.value().size() <= settings.maxValueBytes()) {
          byte[] value = fetched.value().toArrayUnsafe();
          if (fetched.ttlMillis() < 0) store.put(key, value);
          else store.put(key, value, remainingRedisTtl(fetched.ttlMillis(), pending));
        }
        answer = new GetResult.Found(fetched.value(), false);
      }
    } else {
      FetchResult.FetchFailed failed = (FetchResult.FetchFailed) result;
      answer = new GetResult.Failed(reasonFor(failed), failed.message());
    }
    for (Consumer<GetResult> waiter : pending.waiters) waiter.accept(answer);
    return this;
  }

  private Behavior<Command> onFetchTimedOut(FetchTimedOut timedOut) {
    PendingFetch pending = takePending(timedOut.key(), timedOut.requestId());
    if (pending == null) return this;
    GetResult answer =
        new GetResult.Failed(GetResult.Reason.REDIS_TIMEOUT, "backing Redis did not answer in time");
    for (Consumer<GetResult> waiter : pending.waiters) waiter.accept(answer);
    return this;
  }

  private Behavior<Command> onSweep() {
    store.sweepExpired();
    return onInvalidationsArrived(); // normally empty: a safety net, should a signal ever be missed
  }

  private Behavior<Command> onInvalidationsArrived() {
    InvalidationInbox.Taken taken = invalidations.take();
    if (taken.everything()) {
      store.clear();
      inFlight.values().forEach(pending -> pending.invalidated = true);
      fullClears++;
      return this;
    }
    for (ByteString keyBytes : taken.keys()) {
      CacheKey key = CacheKey.of(keyBytes);
      if (store.invalidate(key)) keysInvalidated++;
      PendingFetch pending = inFlight.get(key);
      if (pending != null) pending.invalidated = true;
    }
    return this;
  }

  private void read(ByteString keyBytes, Consumer<GetResult> answer) {
    CacheKey key = CacheKey.of(keyBytes);
    byte[] value = store.get(key);
    if (value != null) {
      hits++;
      answer.accept(new GetResult.Found(ByteString.fromArrayUnsafe(value), true));
      return;
    }
    misses++;
    PendingFetch pending = inFlight.get(key);
    if (pending != null) {
      coalescedMisses++;
      pending.waiters.add(answer);
      return;
    }
    if (inFlight.size() >= settings.maxFetchesInFlight()) {
      answer.accept(TOO_MANY_FETCHES);
      return;
    }
    pending = new PendingFetch(nextRequestId++, ticker.read());
    pending.waiters.add(answer);
    inFlight.put(key, pending);
    fetchers.tell(new RedisFetcher.Fetch(keyBytes, pending.requestId, fetchReplies));
    timers.startSingleTimer(pending.requestId, new FetchTimedOut(key, pending.requestId), fetchTimeout);
  }

  // Redis measured the TTL somewhere between our send and now: counting from the send, the entry
  // never outlives the key in Redis.
  private long remainingRedisTtl(long ttlMillis, PendingFetch pending) {
    return TimeUnit.MILLISECONDS.toNanos(ttlMillis) - (ticker.read() - pending.sentAt);
  }

  private PendingFetch takePending(CacheKey key, long requestId) {
    PendingFetch pending = inFlight.get(key);
    if (pending == null || pending.requestId != requestId) return null;
    inFlight.remove(key);
    timers.cancel(requestId);
    return pending;
  }

  private static GetResult.Reason reasonFor(FetchResult.FetchFailed failed) {
    return switch (failed.error()) {
      case UNAVAILABLE -> GetResult.Reason.REDIS_UNAVAILABLE;
      case TIMEOUT -> GetResult.Reason.REDIS_TIMEOUT;
      case REDIS_ERROR -> GetResult.Reason.REDIS_ERROR;
    };
  }
}
