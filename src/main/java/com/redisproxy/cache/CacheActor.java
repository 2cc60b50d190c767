package com.redisproxy.cache;

import com.redisproxy.cache.settings.CacheSettings;
import com.redisproxy.cache.settings.KeyRules;
import com.redisproxy.cache.store.LruTtlStore;
import com.redisproxy.cache.store.Ticker;
import com.redisproxy.fetch.FetchResult;
import com.redisproxy.fetch.RedisFetcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.util.ByteString;

/**
 * The one owner of the cache. Hits are answered at once; a miss asks the fetcher pool and is
 * answered when Redis replies, so the actor never waits. Concurrent misses for one key share
 * one fetch. Every accepted request is answered: with the value, not-found, or a failure. Should
 * the actor throw, it restarts with an empty cache, and everyone it owed an answer gets an error.
 *
 * <p>With an invalidation lease, a cached value is served only while the lease is held: once the
 * tracking connections have not proved for a lease that their invalidations are complete, reads
 * are misses, whatever the cache holds.
 */
public final class CacheActor extends AbstractBehavior<CacheActor.Command> {

  public interface Command {}

  public record Get(ByteString key, ActorRef<GetResult> replyTo) implements Command {}

  /**
   * Several reads at once (a RESP pipeline or MGET): one reply, the results in read order. A read
   * is a GET of a key ({@link CacheKey}), answered with its value, or a {@link KeyCommand},
   * answered with its whole reply.
   */
  public record GetAll(List<CacheKey> keys, ActorRef<List<GetResult>> replyTo) implements Command {}

  /**
   * The cached answers to {@code keys}, answered at once: a hit's value or reply,
   * {@link Lookup.NotCached} for every other read. Nothing is fetched and no miss is counted; the
   * caller asks for those in a message of their own, so that no hit waits for a fetch.
   */
  public record GetCached(List<CacheKey> keys, ActorRef<List<Lookup>> replyTo) implements Command {}

  /**
   * {@link GetCached} and {@link GetAll} in one message: the cached answers to {@code keys} at
   * once, and the others fetched, answered together in {@link Lookups#fetched} once the last is
   * in. A front end sends one of these a batch of reads, where the two asks cost an ask's
   * promise, timeout task and mailbox pass each, and the misses a second lookup.
   */
  public record Read(List<CacheKey> keys, ActorRef<Lookups> replyTo) implements Command {}

  /**
   * The answer to {@link Read}: {@code cached} a hit's value or reply, or {@link Lookup.NotCached}
   * for each read being fetched; {@code fetched} completes, on the CacheActor's thread, with the
   * results of those reads in their order (at once, empty, when every read was a hit).
   */
  public record Lookups(List<Lookup> cached, CompletionStage<List<GetResult>> fetched) {}

  public record GetStats(ActorRef<CacheStats> replyTo) implements Command {}

  /** A reload: the capacity, byte budget, expiry and rules of {@code reloaded} apply from now on. */
  public record Reconfigure(CacheSettings reloaded) implements Command {}

  private record FetchCompleted(FetchResult result) implements Command {}

  private record AllFetchCompleted(RedisFetcher.AllFetched all) implements Command {}

  private enum Sweep implements Command {
    INSTANCE
  }

  private enum CheckFetchDeadlines implements Command {
    INSTANCE
  }

  private enum InvalidationsArrived implements Command {
    INSTANCE
  }

  // Due when the lease taken last would lapse, unless renewed meanwhile.
  private enum CheckLease implements Command {
    INSTANCE
  }

  private static final CompletionStage<List<GetResult>> NOTHING_FETCHED = CompletableFuture.completedStage(List.of());

  // Stored for a key Redis does not hold (with tracking): told apart from an empty value by identity.
  private static final byte[] ABSENT = new byte[0];

  private static final GetResult.Failed TOO_MANY_FETCHES =
      new GetResult.Failed(GetResult.Reason.OVERLOADED, "too many fetches in flight");
  private static final GetResult.Failed FETCH_TIMED_OUT =
      new GetResult.Failed(GetResult.Reason.REDIS_TIMEOUT, "backing Redis did not answer in time");
  private static final GetResult.Failed RESTARTED =
      new GetResult.Failed(GetResult.Reason.OVERLOADED, "the cache restarted after an internal error; retry");
  // A fetch is answered with a timeout between fetchTimeout and fetchTimeout * (1 + 1/8).
  private static final int DEADLINE_CHECKS_PER_TIMEOUT = 8;

  // Capacity, byte budget, expiry and rules change on a reload (Reconfigure); the rest never.
  private CacheSettings settings;
  private final long fetchTimeoutNanos;
  private final ActorRef<RedisFetcher.Command> fetchers;
  private final ActorRef<FetchResult> fetchReplies;
  private final ActorRef<RedisFetcher.AllFetched> allFetchedReplies;
  // The misses of the message being handled, sent to a fetcher together once it is handled.
  private final List<RedisFetcher.Wanted> toFetch = new ArrayList<>();
  // GET's values are held as bare arrays, framed as Redis's reply (BulkString: a compact ByteString's
  // own array, no copy), and wrapped again on each hit: 16 bytes less per cached key for a 16-byte
  // short-lived allocation per hit. A key read by other commands holds their Replies (GET's value
  // among them, framed, if read too).
  private final LruTtlStore<CacheKey, Object> store;
  private final InFlightFetches inFlight;
  private final CacheCounters counters;
  private final InvalidationInbox invalidations;
  private final Ticker ticker;
  private final boolean leaseGuardsHits;
  // As taken from the inbox with its invalidations: never ahead of what the actor has applied.
  private InvalidationInbox.Lease lease = InvalidationInbox.Lease.NONE;
  private final KeysChanged changes;
  private final TimerScheduler<Command> timers;
  // Whether the changes' listener was last told the lease holds: a lapse is told once.
  private boolean leaseToldHeld;

  public static Behavior<Command> create(
      CacheSettings settings, ActorRef<RedisFetcher.Command> fetchers, InvalidationInbox invalidations, Ticker ticker) {
    return create(settings, fetchers, invalidations, ticker, KeysChanged.NONE);
  }

  /** @param changes told of each change once applied, and of a lapsed lease (client tracking follows them) */
  public static Behavior<Command> create(CacheSettings settings, ActorRef<RedisFetcher.Command> fetchers,
      InvalidationInbox invalidations, Ticker ticker, KeysChanged changes) {
    CacheCounters counters = new CacheCounters();
    AtomicLong requestIds = new AtomicLong();
    Duration deadlineCheck = settings.fetchTimeout().dividedBy(DEADLINE_CHECKS_PER_TIMEOUT);
    Behavior<Command> actor = Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Sweep.INSTANCE, settings.sweepInterval());
                  timers.startTimerWithFixedDelay(CheckFetchDeadlines.INSTANCE,
                      deadlineCheck.isZero() ? Duration.ofMillis(1) : deadlineCheck);
                  ActorRef<Command> self = context.getSelf();
                  invalidations.onArrival(() -> self.tell(InvalidationsArrived.INSTANCE));
                  return new CacheActor(context, timers, settings, fetchers, invalidations, ticker,
                      counters, new InFlightFetches(requestIds::getAndIncrement), changes);
                }));
    return Behaviors.supervise(actor).onFailure(SupervisorStrategy.restart());
  }

  private CacheActor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      CacheSettings settings,
      ActorRef<RedisFetcher.Command> fetchers,
      InvalidationInbox invalidations,
      Ticker ticker,
      CacheCounters counters,
      InFlightFetches inFlight,
      KeysChanged changes) {
    super(context);
    this.timers = timers;
    this.changes = changes;
    this.invalidations = invalidations;
    this.ticker = ticker;
    this.settings = settings;
    this.fetchTimeoutNanos = settings.fetchTimeout().toNanos();
    this.fetchers = fetchers;
    this.counters = counters;
    this.inFlight = inFlight;
    this.fetchReplies = context.messageAdapter(FetchResult.class, FetchCompleted::new);
    this.allFetchedReplies = context.messageAdapter(RedisFetcher.AllFetched.class, AllFetchCompleted::new);
    this.store = new LruTtlStore<>(settings.capacity(), settings.maxBytes(), CacheEntries::weigh,
        settings.expiry().toNanos(), ticker);
    this.leaseGuardsHits = !settings.invalidationLease().isZero();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Get.class, this::onGet)
        .onMessage(GetAll.class, this::onGetAll)
        .onMessage(GetCached.class, this::onGetCached)
        .onMessage(Read.class, this::onRead)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessage(Reconfigure.class, this::onReconfigure)
        .onMessage(FetchCompleted.class, this::onFetchCompleted)
        .onMessage(AllFetchCompleted.class, this::onAllFetchCompleted)
        .onMessageEquals(CheckFetchDeadlines.INSTANCE, this::onCheckFetchDeadlines)
        .onMessageEquals(Sweep.INSTANCE, this::onSweep)
        .onMessageEquals(InvalidationsArrived.INSTANCE, this::onInvalidationsArrived)
        .onMessageEquals(CheckLease.INSTANCE, this::onCheckLease)
        .onSignal(PreRestart.class, signal -> onPreRestart())
        .build();
  }

  private Behavior<Command> onGet(Get get) {
    CacheKey key = CacheKey.of(get.key());
    counters.hotKeys.read(key);
    read(key, get.replyTo()::tell);
    sendFetches();
    return this;
  }

  private Behavior<Command> onGetAll(GetAll getAll) {
    new BatchReply(getAll.keys().size(), getAll.replyTo()::tell).fillFrom(getAll.keys(), this::read);
    sendFetches();
    return this;
  }

  // One GET goes as a Fetch; several reads, or a command, go as one FetchAll, written to Redis together.
  private void sendFetches() {
    if (toFetch.isEmpty()) return;
    if (toFetch.size() == 1 && toFetch.get(0).isGet()) {
      RedisFetcher.Wanted wanted = toFetch.get(0);
      fetchers.tell(new RedisFetcher.Fetch(wanted.key(), wanted.requestId(), fetchReplies));
    } else {
      fetchers.tell(new RedisFetcher.FetchAll(List.copyOf(toFetch), allFetchedReplies));
    }
    toFetch.clear();
  }

  private Behavior<Command> onGetCached(GetCached getCached) {
    getCached.replyTo().tell(lookUp(getCached.keys()));
    return this;
  }

  // The hits answered at once; the misses' answers (in key order) complete the future together.
  private Behavior<Command> onRead(Read read) {
    List<Lookup> cached = lookUp(read.keys());
    int misses = 0;
    for (Lookup lookup : cached) if (lookup == Lookup.NotCached.INSTANCE) misses++;
    if (misses == 0) {
      read.replyTo().tell(new Lookups(cached, NOTHING_FETCHED));
      return this;
    }
    CompletableFuture<List<GetResult>> fetched = new CompletableFuture<>();
    read.replyTo().tell(new Lookups(cached, fetched));
    BatchReply answers = new BatchReply(misses, fetched::complete);
    try {
      for (int i = 0, slot = 0; i < cached.size(); i++) {
        if (cached.get(i) == Lookup.NotCached.INSTANCE) miss(read.keys().get(i), answers.slot(slot++));
      }
    } catch (RuntimeException failure) {
      // The restart answers the fetches already started, not the keys after the failure: they are answered here.
      fetched.complete(Collections.nCopies(misses, RESTARTED));
      throw failure;
    }
    sendFetches();
    return this;
  }

  private List<Lookup> lookUp(List<CacheKey> keys) {
    List<Lookup> results = new ArrayList<>(keys.size());
    boolean servable = hitsServable(); // one clock read for the whole batch
    for (CacheKey key : keys) {
      counters.hotKeys.read(key); // the read that misses here comes back as GetAll: counted once, here
      byte[] value = servable ? cachedAnswer(key, store.get(key)) : null;
      if (value == null) {
        results.add(Lookup.NotCached.INSTANCE);
        continue;
      }
      counters.hits++;
      results.add((Lookup) hit(key, value)); // a hit is both
    }
    return results;
  }

  private Behavior<Command> onReconfigure(Reconfigure reconfigure) {
    settings = settings.reloadedFrom(reconfigure.reloaded());
    store.reconfigure(settings.capacity(), settings.maxBytes(), settings.expiry().toNanos());
    // Keys a rule now keeps out leave at once; the others keep the expiry they were given.
    counters.keysInvalidated += store.invalidateIf(key -> !settings.rules().policyFor(key.bytes(), settings.expiry()).cached());
    return this;
  }

  private Behavior<Command> onGetStats(GetStats getStats) {
    getStats.replyTo().tell(counters.snapshot(store, inFlight.size(), invalidations.messages()));
    return this;
  }

  private Behavior<Command> onFetchCompleted(FetchCompleted completed) {
    complete(completed.result());
    return this;
  }

  private Behavior<Command> onAllFetchCompleted(AllFetchCompleted completed) {
    for (FetchResult result : completed.all().results()) complete(result);
    return this;
  }

  private void complete(FetchResult result) {
    Object read = result.command().isEmpty()
        ? CacheKey.of(result.key()) : ReadArgs.of(result.command(), result.resp3());
    InFlightFetches.Pending pending = inFlight.take(read, result.requestId());
    if (pending == null) return; // answered already (timed out): a late value is not cached
    pending.answer(result.command().isEmpty() ? answerFor(result, pending) : replyFor(result, (ReadArgs) read, pending));
  }

  private GetResult answerFor(FetchResult result, InFlightFetches.Pending pending) {
    if (result instanceof FetchResult.FetchFailed failed) {
      return new GetResult.Failed(reasonFor(failed), failed.message());
    }
    FetchResult.Fetched fetched = (FetchResult.Fetched) result;
    KeyRules.Policy policy = settings.rules().policyFor(pending.key.bytes(), settings.expiry());
    boolean cacheable = !pending.invalidated && fetched.cacheable() && policy.cached();
    if (fetched.value() == null) {
      if (settings.cachesAbsentKeys() && cacheable) keep(pending, ABSENT, policy.expiry().toNanos());
      return GetResult.NotFound.INSTANCE;
    }
    if (cacheable && fetched.value().size() <= settings.maxValueBytes()) {
      // Kept framed: as Redis framed it (no copy), or framed here for a fetch that did not keep it (a cluster's).
      ByteString bulk = fetched.bulk() != null ? fetched.bulk() : ByteString.fromArrayUnsafe(BulkString.frame(fetched.value()));
      keep(pending, bulk.toArrayUnsafe(), timeToLive(fetched, pending));
      return new GetResult.Found(fetched.value(), false, bulk);
    }
    return new GetResult.Found(fetched.value(), false, fetched.bulk());
  }

  // GET's value; beside the key's replies to other commands, if any, and no longer-lived than they.
  private void keep(InFlightFetches.Pending pending, byte[] value, long ttl) {
    if (store.peek(pending.key) instanceof Replies replies) {
      replies.value(value);
      store.putNoLaterThan(pending.key, replies, ttl);
    } else {
      store.put(pending.key, value, ttl);
    }
  }

  // A command's reply, an error included, is the answer; it is cached unless it is an error, the
  // key changed meanwhile, or the key was missing and its creation would go unnoticed (no tracking).
  private GetResult replyFor(FetchResult result, ReadArgs args, InFlightFetches.Pending pending) {
    if (result instanceof FetchResult.FetchFailed failed) {
      return new GetResult.Failed(reasonFor(failed), failed.message());
    }
    FetchResult.Fetched fetched = (FetchResult.Fetched) result;
    ByteString reply = fetched.value();
    boolean absent = fetched.keyAbsent();
    boolean error = !reply.isEmpty() && (reply.apply(0) == '-' || reply.apply(0) == '!');
    KeyRules.Policy policy = settings.rules().policyFor(pending.key.bytes(), settings.expiry());
    if (!pending.invalidated && fetched.cacheable() && policy.cached() && !error && (!absent || settings.cachesAbsentKeys())
        && reply.size() <= settings.maxValueBytes()) {
      Object entry = store.peek(pending.key);
      Replies replies = entry instanceof Replies known ? known : new Replies(entry instanceof byte[] value ? value : null);
      replies.reply(args, reply.toArrayUnsafe());
      store.putNoLaterThan(pending.key, replies, timeToLive(fetched, pending));
    }
    return new GetResult.Found(reply, false);
  }

  private Behavior<Command> onCheckFetchDeadlines() {
    for (InFlightFetches.Pending late : inFlight.takeSentBy(ticker.read() - fetchTimeoutNanos)) {
      late.answer(FETCH_TIMED_OUT);
    }
    return this;
  }

  private Behavior<Command> onSweep() {
    store.sweepExpired();
    return onInvalidationsArrived(); // normally empty: a safety net, should a signal ever be missed
  }

  private Behavior<Command> onInvalidationsArrived() {
    InvalidationInbox.Taken taken = invalidations.take();
    lease = taken.lease();
    if (taken.everything()) {
      store.clear();
      inFlight.all().forEach(pending -> pending.invalidated = true);
      counters.fullClears++;
      changes.everythingChanged();
      return followLease();
    }
    for (ByteString keyBytes : taken.keys()) {
      CacheKey key = CacheKey.of(keyBytes);
      if (store.invalidate(key)) counters.keysInvalidated++; // every reply of the key with it
      for (InFlightFetches.Pending pending : inFlight.ofKey(key)) pending.invalidated = true;
    }
    changes.changed(taken.keys());
    for (var keyMatches : taken.keysMatching()) {
      counters.keysInvalidated += store.invalidateIf(key -> keyMatches.test(key.bytes()));
      inFlight.all().stream().filter(pending -> keyMatches.test(pending.key.bytes()))
          .forEach(pending -> pending.invalidated = true);
    }
    if (!taken.keysMatching().isEmpty()) changes.everythingChanged(); // clients' keys are not matched one by one
    return followLease();
  }

  // Clients' own caches must not outlive the proxy's bound: when the lease lapses, they are told
  // everything changed, at the moment the proxy stops serving hits. Checked again when it would lapse.
  private Behavior<Command> followLease() {
    if (changes == KeysChanged.NONE || !leaseGuardsHits) return this;
    long now = ticker.read();
    if (lease.heldAt(now)) {
      leaseToldHeld = true;
      timers.startSingleTimer(CheckLease.INSTANCE, Duration.ofNanos(lease.heldUntil() - now));
    } else if (leaseToldHeld) {
      leaseToldHeld = false;
      changes.everythingChanged();
    }
    return this;
  }

  private Behavior<Command> onCheckLease() {
    return followLease();
  }

  private Behavior<Command> onPreRestart() {
    counters.restarted(store);
    inFlight.all().forEach(pending -> pending.answer(RESTARTED));
    return this;
  }

  // Every read, of both front ends, GET or another command, hit or miss, passes here.
  private void read(CacheKey key, Consumer<GetResult> answer) {
    byte[] value = cachedAnswer(key, store.get(key));
    if (value != null && hitsServable()) {
      counters.hits++;
      answer.accept(hit(key, value));
      return;
    }
    miss(key, answer);
  }

  // A read not cached: it joins the key's fetch in flight, or starts one, or is refused at the limit.
  private void miss(CacheKey key, Consumer<GetResult> answer) {
    counters.misses++;
    KeyCommand command = key instanceof KeyCommand read ? read : null;
    InFlightFetches.Pending pending = command == null ? inFlight.get(key) : inFlight.get(command.args());
    if (pending != null) {
      counters.coalescedMisses++;
      pending.waiters.add(answer);
      return;
    }
    if (inFlight.size() >= settings.maxFetchesInFlight()) {
      answer.accept(TOO_MANY_FETCHES);
      return;
    }
    long now = ticker.read();
    pending = command == null ? inFlight.start(key, now) : inFlight.start(command, now);
    pending.waiters.add(answer);
    toFetch.add(command == null
        ? new RedisFetcher.Wanted(key.key(), pending.requestId)
        : new RedisFetcher.Wanted(key.key(), command.request(), command.resp3(), pending.requestId));
  }

  // GET's value is kept framed (BulkString), a command's reply as it is.
  private static GetResult hit(CacheKey key, byte[] answer) {
    if (answer == ABSENT) return GetResult.NotFound.INSTANCE;
    return key instanceof KeyCommand ? new GetResult.Found(ByteString.fromArrayUnsafe(answer), true) : GetResult.Found.ofBulk(answer, true);
  }

  // What the store's entry for a key holds for this read: GET's value, or a command's reply; null if none.
  private static byte[] cachedAnswer(CacheKey key, Object entry) {
    if (entry instanceof byte[] value) return key instanceof KeyCommand ? null : value;
    if (!(entry instanceof Replies replies)) return null;
    return key instanceof KeyCommand command ? replies.reply(command.args()) : replies.value();
  }

  private boolean hitsServable() {
    return !leaseGuardsHits || lease.heldAt(ticker.read());
  }

  // The global expiry, or Redis's TTL if the key has one. Redis measured the TTL somewhere between
  // our send and now: counting from the send, the entry never outlives the key in Redis.
  private long timeToLive(FetchResult.Fetched fetched, InFlightFetches.Pending pending) {
    long lifetime = settings.rules().policyFor(pending.key.bytes(), settings.expiry()).expiry().toNanos();
    if (fetched.ttlMillis() < 0) return lifetime;
    return Math.min(lifetime, TimeUnit.MILLISECONDS.toNanos(fetched.ttlMillis()) - (ticker.read() - pending.sentAt));
  }

  private static GetResult.Reason reasonFor(FetchResult.FetchFailed failed) {
    return switch (failed.error()) {
      case UNAVAILABLE -> GetResult.Reason.REDIS_UNAVAILABLE;
      case TIMEOUT -> GetResult.Reason.REDIS_TIMEOUT;
      case REDIS_ERROR -> GetResult.Reason.REDIS_ERROR;
      case WRONG_TYPE -> GetResult.Reason.WRONG_TYPE;
    };
  }
}
