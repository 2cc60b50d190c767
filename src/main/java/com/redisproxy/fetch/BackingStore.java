package com.redisproxy.fetch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.util.ByteString;

/** What the cache reads a miss from: one Redis ({@code fetch.redis.BackingRedis}) or a Redis Cluster ({@code fetch.cluster.ClusterBackingRedis}). */
public interface BackingStore extends AutoCloseable {

  /** GET {@code key}, with its PTTL if asked for: completes with the value (null when absent) or the failure. */
  CompletionStage<RedisValue> get(ByteString key);

  /**
   * GET (with PTTL if asked for) of each key, sent together: one read per key, in key order, once
   * all are answered. A store that can write them all at once does; this default sends them one by one.
   */
  default CompletionStage<List<KeyRead>> getAll(List<ByteString> keys) {
    List<CompletableFuture<KeyRead>> reads = new ArrayList<>(keys.size());
    for (ByteString key : keys) {
      reads.add(get(key).handle((value, failure) -> failure == null ? KeyRead.of(value) : KeyRead.failed(failure))
          .toCompletableFuture());
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
        .thenApply(allDone -> reads.stream().map(CompletableFuture::join).toList());
  }

  /**
   * Every read of {@code wanted} (GETs and other commands), sent together, each with its key's
   * PTTL if asked for: one read each, in order, once all are answered. This default reads GETs
   * only; a store that reads commands says so.
   */
  default CompletionStage<List<KeyRead>> readAll(List<RedisFetcher.Wanted> wanted) {
    List<ByteString> keys = new ArrayList<>(wanted.size());
    for (RedisFetcher.Wanted read : wanted) {
      if (!read.isGet()) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("only GET is cached in front of " + address()));
      }
      keys.add(read.key());
    }
    return getAll(keys);
  }

  /** Redis's COMMAND reply (name, arity, flags, key positions of every command), as nested lists. */
  CompletionStage<List<Object>> commandTable();

  /**
   * A command whose reply is a list of strings ({@code ACL LIST}, {@code ACL CAT read}), on the
   * proxy's own connection, as the proxy's own user. A store that cannot send it fails.
   */
  default CompletionStage<List<ByteString>> stringList(List<String> args) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException(args.get(0) + " is not sent to this store"));
  }

  /** True when commands can be sent now. */
  boolean isConnected();

  /**
   * With tracking, false while a connection a read may go through has no lease held, though the
   * cache may still serve the keys of the others (a Redis Cluster's node); the single Redis's
   * lease is the cache's own ({@code InvalidationListener}). Always true without tracking.
   */
  default boolean everyLeaseHeld() {
    return true;
  }

  /** The address for logs and messages: no user name, never the password. */
  String address();

  @Override
  void close();
}
