package com.redisproxy.resp;

import com.redisproxy.cache.CacheStats;
import com.redisproxy.cache.GetResult;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.util.ByteString;

/** What RESP commands ask of the cache: values by key, in order, and its counters. */
interface CacheReads {
  CompletionStage<List<GetResult>> getAll(List<ByteString> keys);

  CompletionStage<Optional<CacheStats>> stats();
}
