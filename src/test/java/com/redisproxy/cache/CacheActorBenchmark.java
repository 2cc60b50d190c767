package com.redisproxy.cache;

import com.redisproxy.cache.settings.CacheSettings;
import com.redisproxy.cache.store.LruTtlStore;
import com.redisproxy.cache.store.Ticker;

import com.redisproxy.fetch.FetchResult;
import com.redisproxy.fetch.RedisFetcher;
import com.redisproxy.fetch.RedisValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ByteString;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH (run by `make bench`): the CacheActor alone, with a fetcher that answers at once, in keys
 * per second; and its LruTtlStore alone. Hits and misses go in batches of 1,000 keys, one GetAll
 * each, as a RESP pipeline does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class CacheActorBenchmark {
  private static final int CAPACITY = 10_000;
  private static final int BATCH = 1_000;
  private static final int DISTINCT_MISSES = 1_000_000;
  private static final ByteString VALUE = ByteString.fromString("v".repeat(100));

  private ActorTestKit testKit;
  private ActorRef<CacheActor.Command> hitCache;
  private ActorRef<CacheActor.Command> missCache;
  private List<List<ByteString>> hitBatches;
  private List<List<ByteString>> missBatches;
  private int nextHitBatch;
  private int nextMissBatch;
  private LruTtlStore<CacheKey, byte[]> store;
  private CacheKey[] storeKeys;
  private CacheKey[] storeMisses;
  private int nextStoreKey;
  private int nextStoreMiss;

  private static Behavior<RedisFetcher.Command> instantFetcher() {
    return Behaviors.receiveMessage(command -> {
      if (command instanceof RedisFetcher.FetchAll all) {
        all.replyTo().tell(new RedisFetcher.AllFetched(all.wanted().stream()
            .<FetchResult>map(wanted -> new FetchResult.Fetched(wanted.requestId(), wanted.key(), VALUE, RedisValue.NO_EXPIRY))
            .toList()));
        return Behaviors.same();
      }
      RedisFetcher.Fetch fetch = (RedisFetcher.Fetch) command;
      fetch.replyTo().tell(new FetchResult.Fetched(fetch.requestId(), fetch.key(), VALUE, RedisValue.NO_EXPIRY));
      return Behaviors.same();
    });
  }

  private static List<List<ByteString>> batches(String prefix, int keys) {
    List<List<ByteString>> batches = new ArrayList<>();
    for (int start = 0; start < keys; start += BATCH) {
      List<ByteString> batch = new ArrayList<>(BATCH);
      for (int i = start; i < start + BATCH; i++) batch.add(ByteString.fromString(String.format("%s:%012d", prefix, i)));
      batches.add(batch);
    }
    return batches;
  }

  @Setup(Level.Trial)
  public void start() {
    testKit = ActorTestKit.create();
    CacheSettings settings = CacheSettings.defaults()
        .withCapacity(CAPACITY)
        .withExpiry(Duration.ofHours(1))
        .withMaxValueBytes(1 << 20)
        .withMaxFetchesInFlight(100_000)
        .withMaxPendingRequests(100_000)
        .withFetchTimeout(Duration.ofSeconds(5));
    ActorRef<RedisFetcher.Command> fetcher = testKit.spawn(instantFetcher());
    hitCache = testKit.spawn(CacheActor.create(settings, fetcher, new InvalidationInbox(1), Ticker.SYSTEM));
    missCache = testKit.spawn(CacheActor.create(settings, fetcher, new InvalidationInbox(1), Ticker.SYSTEM));
    hitBatches = batches("key", CAPACITY);
    missBatches = batches("miss", DISTINCT_MISSES);
    hitBatches.forEach(batch -> getAll(hitCache, batch)); // now every hit key is cached

    store = new LruTtlStore<>(CAPACITY, Long.MAX_VALUE, CacheEntries::weigh, Duration.ofHours(1).toNanos(), Ticker.SYSTEM);
    storeKeys = hitBatches.stream().flatMap(List::stream).map(CacheKey::of).toArray(CacheKey[]::new);
    storeMisses = missBatches.stream().flatMap(List::stream).map(CacheKey::of).toArray(CacheKey[]::new);
    for (CacheKey key : storeKeys) store.put(key, VALUE.toArrayUnsafe());
  }

  @TearDown(Level.Trial)
  public void stop() {
    testKit.shutdownTestKit();
  }

  private List<GetResult> getAll(ActorRef<CacheActor.Command> cache, List<ByteString> keys) {
    return AskPattern.<CacheActor.Command, List<GetResult>>ask(
            cache, replyTo -> new CacheActor.GetAll(keys.stream().map(CacheKey::of).toList(), replyTo), Duration.ofSeconds(10), testKit.scheduler())
        .toCompletableFuture().join();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public List<GetResult> actorHits() {
    return getAll(hitCache, hitBatches.get(nextHitBatch++ % hitBatches.size()));
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public List<GetResult> actorMissInsertAndEvict() {
    return getAll(missCache, missBatches.get(nextMissBatch++ % missBatches.size()));
  }

  @Benchmark
  public byte[] storeHit() {
    return store.get(storeKeys[nextStoreKey++ % storeKeys.length]);
  }

  @Benchmark
  public int storeInsertAndEvict() {
    store.put(storeMisses[nextStoreMiss++ % storeMisses.length], VALUE.toArrayUnsafe());
    return store.size();
  }
}
