package com.redisproxy.resp;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.Done;

/** The read gates of every open connection, so that shutdown can close them all and wait for them. */
final class ReadGates {
  private final Set<Runnable> open = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Done> allClosed = new CompletableFuture<>();
  private volatile boolean closing;

  void opened(Runnable close) {
    open.add(close);
    if (closing) close.run(); // a connection accepted while closeAll ran
  }

  void closed(Runnable close) {
    open.remove(close);
    if (closing && open.isEmpty()) allClosed.complete(Done.getInstance());
  }

  /** Closes every connection, now and from now on; completes once all of them have closed. */
  CompletionStage<Done> closeAll() {
    closing = true;
    open.forEach(Runnable::run);
    if (open.isEmpty()) allClosed.complete(Done.getInstance());
    return allClosed;
  }
}
