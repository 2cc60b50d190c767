package com.redisproxy.resp.command;

import com.redisproxy.cache.CacheClient;
import com.redisproxy.cache.CacheStats;
import com.redisproxy.cache.GetResult;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.util.ByteString;

/** What RESP commands ask of the cache: values by key, in order, and its counters. */
public interface CacheReads {
  CompletionStage<List<GetResult>> getAll(List<ByteString> keys);

  CompletionStage<Optional<CacheStats>> stats();

  /** Straight to the cache, each call its own ask: answers complete on the cache's thread. */
  static CacheReads direct(CacheClient cache) {
    return new CacheReads() {
      @Override
      public CompletionStage<List<GetResult>> getAll(List<ByteString> keys) {
        return cache.getAll(keys);
      }

      @Override
      public CompletionStage<Optional<CacheStats>> stats() {
        return cache.stats();
      }
    };
  }
}
