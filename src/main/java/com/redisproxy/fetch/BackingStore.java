package com.redisproxy.fetch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.util.ByteString;

/** What the cache reads a miss from: one Redis ({@link BackingRedis}) or a Redis Cluster ({@code fetch.cluster.ClusterBackingRedis}). */
public interface BackingStore extends AutoCloseable {

  /** GET {@code key}, with its PTTL if asked for: completes with the value (null when absent) or the failure. */
  CompletionStage<RedisValue> get(ByteString key);

  /**
   * GET (with PTTL if asked for) of each key, sent together: one completion per key, in key order.
   * A store that can write them all at once does; this default sends them one by one.
   */
  default List<CompletableFuture<RedisValue>> getEach(List<ByteString> keys) {
    List<CompletableFuture<RedisValue>> values = new ArrayList<>(keys.size());
    for (ByteString key : keys) values.add(get(key).toCompletableFuture());
    return values;
  }

  /** Redis's COMMAND reply (name, arity, flags, key positions of every command), as nested lists. */
  CompletionStage<List<Object>> commandTable();

  /** True when commands can be sent now. */
  boolean isConnected();

  /** The address for logs and messages: no user name, never the password. */
  String address();

  @Override
  void close();
}
