package com.redisproxy.cache.client;

import com.redisproxy.cache.CacheKey;
import com.redisproxy.cache.CacheStats;
import com.redisproxy.cache.GetResult;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** What a front end asks of the cache: values by key, in order, and its counters. */
public interface CacheReads {
  CompletionStage<List<GetResult>> getAll(List<CacheKey> keys);

  CompletionStage<Optional<CacheStats>> stats();
}
