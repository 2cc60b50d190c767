package com.redisproxy.fetch;

import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.util.ByteString;

/**
 * Reads keys from the backing Redis, without blocking, and always answers: one key per
 * {@link Fetch}, or every key of a {@link FetchAll} written to Redis together and answered in one
 * message.
 * The answer is told from Redis's reply callback: it touches no state of this actor, and going
 * back through this actor's mailbox first would cost a thread wake-up per miss.
 */
public final class RedisFetcher extends AbstractBehavior<RedisFetcher.Command> {

  public interface Command {}

  public record Fetch(ByteString key, long requestId, ActorRef<FetchResult> replyTo)
      implements Command {}

  /** A key to read, and the id its answer carries. */
  public record Wanted(ByteString key, long requestId) {}

  /** The keys the cache missed in one go: written to Redis together, answered in one {@link AllFetched}. */
  public record FetchAll(List<Wanted> wanted, ActorRef<AllFetched> replyTo) implements Command {}

  /** The answers to a {@link FetchAll}, in its order. */
  public record AllFetched(List<FetchResult> results) {}

  private final BackingStore redis;
  private final Timer latency;

  /** @param latency records how long each GET took, answered or failed */
  public static Behavior<Command> create(BackingStore redis, Timer latency) {
    return Behaviors.setup(context -> new RedisFetcher(context, redis, latency));
  }

  private RedisFetcher(ActorContext<Command> context, BackingStore redis, Timer latency) {
    super(context);
    this.redis = redis;
    this.latency = latency;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Fetch.class, this::onFetch)
        .onMessage(FetchAll.class, this::onFetchAll)
        .build();
  }

  private Behavior<Command> onFetch(Fetch fetch) {
    long started = System.nanoTime();
    readAll(List.of(fetch.key())).thenAccept(reads -> {
      latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      fetch.replyTo().tell(result(fetch.key(), fetch.requestId(), reads.get(0)));
    });
    return this;
  }

  private Behavior<Command> onFetchAll(FetchAll all) {
    long started = System.nanoTime();
    List<ByteString> keys = new ArrayList<>(all.wanted().size());
    for (Wanted wanted : all.wanted()) keys.add(wanted.key());
    readAll(keys).thenAccept(reads -> {
      long elapsed = System.nanoTime() - started;
      List<FetchResult> results = new ArrayList<>(reads.size());
      for (int i = 0; i < reads.size(); i++) {
        latency.record(elapsed, TimeUnit.NANOSECONDS);
        Wanted wanted = all.wanted().get(i);
        results.add(result(wanted.key(), wanted.requestId(), reads.get(i)));
      }
      all.replyTo().tell(new AllFetched(results));
    });
    return this;
  }

  // A store answers every key, failures included; should it fail as a whole, every key fails with it.
  private CompletionStage<List<KeyRead>> readAll(List<ByteString> keys) {
    return redis.getAll(keys).exceptionally(failure -> Collections.nCopies(keys.size(), KeyRead.failed(failure)));
  }

  private static FetchResult result(ByteString key, long requestId, KeyRead read) {
    Throwable failure = read.failure();
    return failure == null
        ? new FetchResult.Fetched(requestId, key, read.value().value(), read.value().ttlMillis(), read.value().cacheable())
        : new FetchResult.FetchFailed(requestId, key, FetchError.classify(failure), FetchError.describe(failure));
  }
}
