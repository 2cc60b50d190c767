package com.redisproxy.fetch;

import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.util.ByteString;

/** Reads one key from the backing Redis per {@link Fetch}, without blocking, and always answers. */
public final class RedisFetcher extends AbstractBehavior<RedisFetcher.Command> {

  public interface Command {}

  public record Fetch(ByteString key, long requestId, ActorRef<FetchResult> replyTo)
      implements Command {}

  private record Completed(Fetch request, long startedNanos, RedisValue value, Throwable failure)
      implements Command {}

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
        .onMessage(Completed.class, this::onCompleted)
        .build();
  }

  private Behavior<Command> onFetch(Fetch fetch) {
    long started = System.nanoTime();
    getContext().pipeToSelf(redis.get(fetch.key()), (value, failure) -> new Completed(fetch, started, value, failure));
    return this;
  }

  private Behavior<Command> onCompleted(Completed completed) {
    latency.record(System.nanoTime() - completed.startedNanos(), TimeUnit.NANOSECONDS);
    Fetch fetch = completed.request();
    FetchResult result =
        completed.failure() == null
            ? new FetchResult.Fetched(
                fetch.requestId(), fetch.key(), completed.value().value(), completed.value().ttlMillis())
            : new FetchResult.FetchFailed(
                fetch.requestId(),
                fetch.key(),
                FetchError.classify(completed.failure()),
                FetchError.describe(completed.failure()));
    fetch.replyTo().tell(result);
    return this;
  }
}
