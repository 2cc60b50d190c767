package com.redisproxy.system;

import static com.redisproxy.system.support.RespReplies.bulk;
import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.redisproxy.system.support.ProxiedCluster;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestCluster;
import com.redisproxy.system.support.TestRedis;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Sharded pub/sub (Redis 7) through the proxy in front of a Redis Cluster: SSUBSCRIBE on the
 * master of the channel's slot, SPUBLISH routed there too. Runs on Debian's Redis 7 when it is
 * installed (CI has none: skipped); against Redis 6.2 the proxy refuses both clearly
 * ({@code ClusterSessionsIT}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterShardedPubSubIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private ProxiedCluster proxied;
  private TestCluster cluster;
  private ProxyProcess proxy;

  @BeforeAll
  void start() {
    proxied = ProxiedCluster.ready(TestCluster.startedOnRedis7(3, 0), Map.of("CACHE_INVALIDATION", "none"), WAIT);
    cluster = proxied.cluster();
    proxy = proxied.proxy();
  }

  @AfterAll
  void stop() {
    if (proxied != null) proxied.close();
  }

  private RespSocket socket() {
    return new RespSocket(proxy.respPort(), WAIT);
  }

  @Test
  void aShardSubscriberHearsWhatIsPublishedToItsChannelsSlot() {
    for (TestRedis master : cluster.masters()) {
      String channel = cluster.keyOn(master, "shard-");
      try (RespSocket subscriber = socket(); RespSocket publisher = socket()) {
        assertEquals("*3\r\n" + bulk("ssubscribe") + bulk(channel) + ":1\r\n", subscriber.send(command("SSUBSCRIBE", channel)).readReply());
        assertEquals(":1\r\n", publisher.call(command("SPUBLISH", channel, "via the proxy"), ":1\r\n"), "one subscriber on " + master.port());
        assertEquals("*3\r\n" + bulk("smessage") + bulk(channel) + bulk("via the proxy"), subscriber.readReply());
        assertEquals(1L, master.commands().spublish(TestRedis.bytes(channel), TestRedis.bytes("on the node")),
            "subscribed on the channel's own master " + master.port());
        assertEquals("*3\r\n" + bulk("smessage") + bulk(channel) + bulk("on the node"), subscriber.readReply());
        assertEquals("*3\r\n" + bulk("sunsubscribe") + bulk(channel) + ":0\r\n", subscriber.send(command("SUNSUBSCRIBE", channel)).readReply());
      }
    }
  }

  @Test
  void channelsOfTwoSlotsInOneSsubscribeAreCrossslot() {
    String a = cluster.keyOn(cluster.masters().get(0), "shard-a-");
    String b = cluster.keyOn(cluster.masters().get(1), "shard-b-");
    String crossslot = "-CROSSSLOT Keys in request don't hash to the same slot\r\n";
    try (RespSocket subscriber = socket()) {
      assertEquals(crossslot, subscriber.call(command("SSUBSCRIBE", a, b), crossslot));
      assertEquals("+PONG\r\n", subscriber.call(command("PING"), "+PONG\r\n"), "not subscribed");
    }
  }
}
