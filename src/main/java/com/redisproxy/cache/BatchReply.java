package com.redisproxy.cache;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Collects the answers for a batch of keys in order, and replies once the last one is in. */
final class BatchReply {
  private final GetResult[] results;
  private final Consumer<List<GetResult>> replyTo;
  private int missing;

  /** @param replyTo told the results once, on the thread the last one comes in on */
  BatchReply(int size, Consumer<List<GetResult>> replyTo) {
    this.results = new GetResult[size];
    this.replyTo = replyTo;
    this.missing = size;
  }

  /** Starts a read of each key; answers that arrive later fill their slot then. */
  void fillFrom(List<CacheKey> keys, BiConsumer<CacheKey, Consumer<GetResult>> read) {
    if (missing == 0) {
      replyTo.accept(List.of());
      return;
    }
    for (int i = 0; i < results.length; i++) read.accept(keys.get(i), slot(i));
  }

  /** Where the answer of the batch's {@code slot}th key goes. */
  Consumer<GetResult> slot(int slot) {
    return result -> fill(slot, result);
  }

  private void fill(int slot, GetResult result) {
    results[slot] = result;
    if (--missing == 0) replyTo.accept(Arrays.asList(results));
  }
}
