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

  /**
   * A read of one key, and the id its answer carries: GET (with an empty {@code command}), or the
   * command {@code command} (the whole request, its name first), whose reply is wanted as Redis
   * sends it, in RESP3 or RESP2.
   */
  public record Wanted(ByteString key, List<ByteString> command, boolean resp3, long requestId) {
    /** GET {@code key}. */
    public Wanted(ByteString key, long requestId) {
      this(key, List.of(), false, requestId);
    }

    public boolean isGet() {
      return command.isEmpty();
    }
  }

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
    Wanted wanted = new Wanted(fetch.key(), fetch.requestId());
    readAll(List.of(wanted)).thenAccept(reads -> {
      latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      fetch.replyTo().tell(result(wanted, reads.get(0)));
    });
    return this;
  }

  private Behavior<Command> onFetchAll(FetchAll all) {
    long started = System.nanoTime();
    readAll(all.wanted()).thenAccept(reads -> {
      long elapsed = System.nanoTime() - started;
      List<FetchResult> results = new ArrayList<>(reads.size());
      for (int i = 0; i < reads.size(); i++) {
        latency.record(elapsed, TimeUnit.NANOSECONDS);
        results.add(result(all.wanted().get(i), reads.get(i)));
      }
      all.replyTo().tell(new AllFetched(results));
    });
    return this;
  }

  // A store answers every read, failures included; should it fail as a whole, every read fails with it.
  private CompletionStage<List<KeyRead>> readAll(List<Wanted> wanted) {
    return redis.readAll(wanted).exceptionally(failure -> Collections.nCopies(wanted.size(), KeyRead.failed(failure)));
  }

  private static FetchResult result(Wanted wanted, KeyRead read) {
    Throwable failure = read.failure();
    return failure == null
        ? new FetchResult.Fetched(wanted, read.value())
        : new FetchResult.FetchFailed(wanted, FetchError.classify(failure), FetchError.describe(failure));
  }
}
