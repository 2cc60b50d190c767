package com.redisproxy.system;

import static com.redisproxy.system.support.ProxyProcess.body;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.FaultyRelay;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.TestCluster;
import com.redisproxy.system.support.TestRedis;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each cluster node's tracking connection holds its own lease: one master reached through a relay
 * that stops forwarding its bytes loses the lease of that node only, so its keys stop being served
 * while the other masters' keys stay cached.
 */
class ClusterLeaseIT {
  private static final Map<String, String> TRACKING = Map.of("CACHE_INVALIDATION", "tracking", "GLOBAL_CACHE_EXPIRY", "3600");

  private static String valueOf(ProxyProcess proxy, String key) {
    HttpResponse<byte[]> response = proxy.get(key);
    return response.statusCode() == 200 ? body(response) : String.valueOf(response.statusCode());
  }

  private static String cacheHeader(ProxyProcess proxy, String key) {
    return proxy.get(key).headers().firstValue("X-Cache").orElse("");
  }

  private static void config(TestRedis node, String name, int value) {
    node.commands().dispatch(CommandType.CONFIG, new StatusOutput<>(ByteArrayCodec.INSTANCE),
        new CommandArgs<>(ByteArrayCodec.INSTANCE).add("SET").add(name).add(value));
  }

  @Test
  void aSilentNodeLosesItsOwnLeaseOnlyAndItsKeysAreServedAgainOnceItIsHeard() {
    try (TestCluster cluster = TestCluster.started(3, 0)) {
      TestRedis silent = cluster.masters().get(0);
      TestRedis other = cluster.masters().get(1);
      String silentKey = cluster.keyOn(silent, "silent-");
      String otherKey = cluster.keyOn(other, "other-");
      try (FaultyRelay relay = FaultyRelay.to(silent.port())) {
        // Clients learn the node's address from the cluster: it names the relay (the bus stays direct).
        config(silent, "cluster-announce-bus-port", silent.port() + 10_000);
        config(silent, "cluster-announce-port", relay.port());
        Eventually.await(Duration.ofSeconds(30), "the other nodes name the relay",
            () -> new String(other.commands().clusterNodes()).contains(":" + relay.port() + "@"));
        silent.set(silentKey, "v1");
        other.set(otherKey, "kept");
        try (ProxyProcess proxy = ProxyProcess.start(TestCluster.seedAddress(other), TRACKING)) {
          Eventually.await(Duration.ofSeconds(60), "both keys are cached", () -> valueOf(proxy, silentKey).equals("v1")
              && valueOf(proxy, otherKey).equals("kept") && cacheHeader(proxy, silentKey).equals("HIT")
              && cacheHeader(proxy, otherKey).equals("HIT"));

          relay.stall(FaultyRelay.Direction.FROM_REDIS);
          silent.set(silentKey, "v2");
          Eventually.await(Duration.ofSeconds(2), "the silent node's old value is no longer served",
              () -> !valueOf(proxy, silentKey).equals("v1"));
          assertEquals("HIT", cacheHeader(proxy, otherKey), "the other node's key stays cached");
          assertEquals("kept", valueOf(proxy, otherKey));

          relay.heal();
          Eventually.await(Duration.ofSeconds(15), "the silent node's new value is served",
              () -> valueOf(proxy, silentKey).equals("v2"));
        } finally {
          config(silent, "cluster-announce-port", 0);
        }
      }
    }
  }
}
