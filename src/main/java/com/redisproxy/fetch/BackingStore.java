package com.redisproxy.fetch;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.util.ByteString;

/** What the cache reads a miss from: one Redis ({@link BackingRedis}) or a Redis Cluster ({@code fetch.cluster.ClusterBackingRedis}). */
public interface BackingStore extends AutoCloseable {

  /** GET {@code key}, with its PTTL if asked for: completes with the value (null when absent) or the failure. */
  CompletionStage<RedisValue> get(ByteString key);

  /** Redis's COMMAND reply (name, arity, flags, key positions of every command), as nested lists. */
  CompletionStage<List<Object>> commandTable();

  /** True when commands can be sent now. */
  boolean isConnected();

  /** The address for logs and messages: no user name, never the password. */
  String address();

  @Override
  void close();
}
