package com.redisproxy.cache;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/** Collects the answers for a batch of keys in order, and replies once the last one is in. */
final class BatchReply {
  private final GetResult[] results;
  private final ActorRef<List<GetResult>> replyTo;
  private int missing;

  BatchReply(int size, ActorRef<List<GetResult>> replyTo) {
    this.results = new GetResult[size];
    this.replyTo = replyTo;
    this.missing = size;
  }

  /** Starts a read of each key; answers that arrive later fill their slot then. */
  void fillFrom(List<CacheKey> keys, BiConsumer<CacheKey, Consumer<GetResult>> read) {
    if (missing == 0) {
      replyTo.tell(List.of());
      return;
    }
    for (int i = 0; i < results.length; i++) {
      int slot = i;
      read.accept(keys.get(i), result -> fill(slot, result));
    }
  }

  private void fill(int slot, GetResult result) {
    results[slot] = result;
    if (--missing == 0) replyTo.tell(Arrays.asList(results));
  }
}
