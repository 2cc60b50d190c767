package com.redisproxy.resp.tracking;

import com.redisproxy.cache.KeysChanged;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.util.ByteString;

/**
 * Client tracking done by the proxy: each event loop's {@link LoopTracking}, told by the CacheActor
 * of every change it applied (writes through the proxy, Redis's invalidations, flushes, a lapsed
 * lease or a lost tracking connection).
 */
public final class ClientTrackingHub implements KeysChanged {
  // Beyond this many changed keys waiting for a loop, its clients are told everything changed.
  private static final int QUEUED_KEYS_PER_LOOP = 100_000;

  private final int maxKeysPerClient;
  private final Map<EventLoop, LoopTracking> loops = new ConcurrentHashMap<>();

  /** @param maxKeysPerClient keys tracked for one client at most; past it its oldest read is invalidated */
  public ClientTrackingHub(int maxKeysPerClient) {
    this.maxKeysPerClient = maxKeysPerClient;
  }

  public LoopTracking loop(EventLoop loop, Redirects redirects) {
    return loops.computeIfAbsent(loop, on -> new LoopTracking(on, redirects, maxKeysPerClient, QUEUED_KEYS_PER_LOOP));
  }

  @Override
  public void changed(List<ByteString> keys) {
    if (keys.isEmpty()) return;
    for (LoopTracking loop : loops.values()) if (loop.anyTracking()) loop.offer(keys);
  }

  @Override
  public void everythingChanged() {
    for (LoopTracking loop : loops.values()) if (loop.anyTracking()) loop.offerEverything();
  }
}
