package com.redisproxy.system;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.TestRedis;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A Redis that refuses CLIENT TRACKING: the proxy keeps trying, without piling up connections. */
class TrackingRefusedIT {

  private static long figure(TestRedis redis, String section, String name) {
    for (String line : redis.commands().info(section).split("\r\n")) {
      if (line.startsWith(name + ":")) return Long.parseLong(line.substring(name.length() + 1).trim());
    }
    throw new AssertionError("no " + name + " in INFO " + section);
  }

  @Test
  void eachConnectionWhoseTrackingIsRefusedIsClosedBeforeTheNextTry() {
    try (TestRedis redis = TestRedis.started()) {
      // A user without +client: every CLIENT TRACKING is refused with NOPERM.
      redis.commands().dispatch(CommandType.ACL, new StatusOutput<>(ByteArrayCodec.INSTANCE), new CommandArgs<>(ByteArrayCodec.INSTANCE)
          .add("SETUSER").add("untracked").add("on").add(">secret").add("~*").add("+@all").add("-client"));
      long before = figure(redis, "stats", "total_connections_received");
      String address = "redis://untracked:secret@" + redis.address();
      try (ProxyProcess proxy = ProxyProcess.start(address, Map.of("CACHE_INVALIDATION", "tracking", "PROXY_RESP_PORT", "0"))) {
        // 2 connections retried every 500 ms: 12 tries take about 3 s.
        Eventually.await(Duration.ofSeconds(30), "the proxy tried 12 connections",
            () -> figure(redis, "stats", "total_connections_received") - before >= 12);
        long open = figure(redis, "clients", "connected_clients");
        assertTrue(open <= 4, open + " connections open in Redis: the test's own, and at most the proxy's 2 tries"
            + " in progress (and one spare), not one per try");
        assertTrue(proxy.output().contains("NOPERM"), "Redis's refusal is logged:\n" + proxy.output());
      }
    }
  }
}
