package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Transactions, WATCH, blocking commands, pub/sub and RESP3: sessions on a Redis connection of their own. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PinnedSessionsIT {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private TestRedis redis;
  private ProxyProcess proxy;

  @BeforeAll
  void start() {
    redis = TestRedis.started();
    proxy = ProxyProcess.start(redis.address(), Map.of("GLOBAL_CACHE_EXPIRY", "600", "CACHE_INVALIDATION", "none"));
  }

  @AfterAll
  void stop() {
    if (proxy != null) proxy.close();
    if (redis != null) redis.close();
  }

  private RespSocket connect() {
    return new RespSocket(proxy.respPort());
  }

  @Test
  void aGetInsideMultiIsQueuedInRedisAndExecWritesAreSeenAfterwards() {
    redis.set("tx-key", "old");
    try (RespSocket socket = connect()) {
      assertEquals("$3\r\nold\r\n", socket.call(command("GET", "tx-key"), "$3\r\nold\r\n"));
      redis.set("tx-key", "changed-in-redis"); // the cache holds "old" now: no tracking
      String transaction = command("MULTI") + command("GET", "tx-key") + command("SET", "tx-key", "new")
          + command("EXEC") + command("GET", "tx-key");
      String expected = "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n$16\r\nchanged-in-redis\r\n+OK\r\n$3\r\nnew\r\n";
      assertEquals(expected, socket.call(transaction, expected));
    }
  }

  @Test
  void aWatchedKeyChangedByAnotherClientAbortsTheTransaction() {
    redis.set("watched", "1");
    try (RespSocket watcher = connect(); RespSocket other = connect()) {
      assertEquals("+OK\r\n", watcher.call(command("WATCH", "watched"), "+OK\r\n"));
      assertEquals("+OK\r\n", other.call(command("SET", "watched", "2"), "+OK\r\n"));
      String expected = "+OK\r\n+QUEUED\r\n*-1\r\n";
      assertEquals(expected, watcher.call(command("MULTI") + command("SET", "watched", "3") + command("EXEC"), expected));
      assertEquals("$1\r\n2\r\n", watcher.call(command("GET", "watched"), "$1\r\n2\r\n"));
    }
  }

  @Test
  void aDiscardedTransactionChangesNothing() {
    redis.set("discarded", "kept");
    try (RespSocket socket = connect()) {
      String expected = "+OK\r\n+QUEUED\r\n+OK\r\n$4\r\nkept\r\n";
      assertEquals(expected, socket.call(
          command("MULTI") + command("SET", "discarded", "lost") + command("DISCARD") + command("GET", "discarded"), expected));
    }
  }

  @Test
  void aClientBlockedInBlpopBlocksNobodyElseAndGetsThePushedValue() {
    redis.commands().del(TestRedis.bytes("queue"));
    try (RespSocket blocked = connect(); RespSocket other = connect()) {
      blocked.send(command("BLPOP", "queue", "20"));
      awaitPinned(1);
      redis.set("while-blocked", "served");
      assertEquals("+PONG\r\n", other.call(command("PING"), "+PONG\r\n"));
      assertEquals("$6\r\nserved\r\n", other.call(command("GET", "while-blocked"), "$6\r\nserved\r\n"));
      assertEquals(":1\r\n", other.call(command("RPUSH", "queue", "job"), ":1\r\n"));
      String popped = "*2\r\n$5\r\nqueue\r\n$3\r\njob\r\n";
      assertEquals(popped, blocked.read(popped.length()));
      // Blocking is over: the session goes back to the shared connections.
      awaitPinned(0);
      assertEquals("+PONG\r\n", blocked.call(command("PING"), "+PONG\r\n"));
    }
  }

  @ParameterizedTest
  @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
  void subscribersGetWhatIsPublished(ProtocolVersion protocol) {
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", proxy.respPort()));
    client.setOptions(ClientOptions.builder().protocolVersion(protocol).build());
    try (StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub();
        StatefulRedisConnection<String, String> publisher = client.connect()) {
      List<String> received = new CopyOnWriteArrayList<>();
      subscriber.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          received.add(channel + ":" + message);
        }
      });
      subscriber.sync().subscribe("news-" + protocol);
      Eventually.await(DEADLINE, "the message arrives", () -> {
        publisher.sync().publish("news-" + protocol, "hello");
        return received.contains("news-" + protocol + ":hello");
      });
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  @Test
  void helloThreeSpeaksResp3WithRedis() {
    try (RespSocket socket = connect()) {
      socket.send(command("HELLO", "3"));
      assertTrue(socket.readLine().startsWith("%"), "HELLO 3 answers with a RESP3 map");
      redis.set("resp3-key", "v");
      // Read until the reply to PING comes: HELLO's map is still in the stream before it.
      socket.send(command("HGETALL", "resp3-none") + command("PING"));
      String line;
      do {
        line = socket.readLine();
      } while (!line.equals("%0\r\n") && !line.isEmpty());
      assertEquals("%0\r\n", line, "an empty hash is a RESP3 map");
      assertEquals("+PONG\r\n", socket.readLine());
    }
  }

  @Test
  void lettucesDefaultHandshakeGetsResp3AndItsCommandsWork() {
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", proxy.respPort()));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().hset("resp3-hash", "f", "v");
      assertEquals(Map.of("f", "v"), connection.sync().hgetall("resp3-hash"));
      assertEquals("OK", connection.sync().set("resp3-string", "x"));
      assertEquals("x", connection.sync().get("resp3-string"));
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  @Test
  void aResp3SubscriberGetsPushFramesOnItsDedicatedConnection() {
    try (RespSocket socket = connect()) {
      helloThree(socket);
      String subscribed = ">3\r\n$9\r\nsubscribe\r\n$6\r\nr3-ch1\r\n:1\r\n";
      assertEquals(subscribed, socket.call(command("SUBSCRIBE", "r3-ch1"), subscribed), "the dedicated link said HELLO 3");
      redis.commands().publish(TestRedis.bytes("r3-ch1"), TestRedis.bytes("hi"));
      String message = ">3\r\n$7\r\nmessage\r\n$6\r\nr3-ch1\r\n$2\r\nhi\r\n";
      assertEquals(message, socket.read(message.length()));
      // RESP3 lets a subscribed connection run any command.
      assertEquals("+PONG\r\n", socket.call(command("PING"), "+PONG\r\n"));
    }
  }

  @Test
  void aResp3TransactionIsAnsweredInResp3() {
    redis.commands().hset(TestRedis.bytes("r3-tx-hash"), TestRedis.bytes("f"), TestRedis.bytes("v"));
    try (RespSocket socket = connect()) {
      helloThree(socket);
      String expected = "+OK\r\n+QUEUED\r\n*1\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n_\r\n";
      assertEquals(expected, socket.call(command("MULTI") + command("HGETALL", "r3-tx-hash") + command("EXEC")
          + command("GET", "r3-tx-none"), expected));
    }
  }

  @Test
  void aMonitorThroughTheProxySeesOtherClientsPingsAndWritesAndEndsWithItsConnection() {
    try (RespSocket monitor = connect(); RespSocket other = connect()) {
      assertEquals("+OK\r\n", monitor.call(command("MONITOR"), "+OK\r\n"));
      awaitPinned(1);
      // A PING the proxy would answer itself goes to Redis while a client monitors: MONITOR shows it.
      // (With an argument: the proxy PINGs Redis on its own connections too.)
      assertEquals("$11\r\nping-marker\r\n", other.call(command("PING", "ping-marker"), "$11\r\nping-marker\r\n"));
      assertEquals("$14\r\nmonitor-marker\r\n", other.call(command("ECHO", "monitor-marker"), "$14\r\nmonitor-marker\r\n"));
      assertEquals("+OK\r\n", other.call(command("SET", "monitored", "v"), "+OK\r\n"));
      String seen = monitor.readThrough("] \"SET\" \"monitored\" \"v\"\r\n");
      assertTrue(seen.contains("] \"PING\" \"ping-marker\"\r\n") && seen.contains("] \"ECHO\" \"monitor-marker\"\r\n"), seen);
    }
    awaitPinned(0);
    // With nobody monitoring through the proxy, PING and ECHO are the proxy's again: a MONITOR
    // straight on Redis sees the marker sent after them, and not them.
    try (RespSocket onRedis = new RespSocket(redis.port()); RespSocket client = connect()) {
      assertEquals("+OK\r\n", onRedis.call(command("MONITOR"), "+OK\r\n"));
      assertEquals("$14\r\nnot-to-redis-0\r\n", client.call(command("PING", "not-to-redis-0"), "$14\r\nnot-to-redis-0\r\n"));
      assertEquals("$14\r\nnot-to-redis-1\r\n", client.call(command("ECHO", "not-to-redis-1"), "$14\r\nnot-to-redis-1\r\n"));
      assertEquals(":0\r\n", client.call(command("EXISTS", "after-monitor-marker"), ":0\r\n"));
      String seen = onRedis.readThrough("\"EXISTS\" \"after-monitor-marker\"\r\n");
      assertFalse(seen.contains("not-to-redis"), seen);
    }
  }

  // The proxy's map, up to its empty module list.
  private static void helloThree(RespSocket socket) {
    socket.send(command("HELLO", "3"));
    assertEquals("%7\r\n", socket.readLine());
    String line;
    do {
      line = socket.readLine();
    } while (!line.equals("*0\r\n") && !line.isEmpty());
    assertEquals("*0\r\n", line);
  }

  private void awaitPinned(int expected) {
    Eventually.await(DEADLINE, expected + " pinned connections", () -> {
      try (RespSocket socket = connect()) {
        socket.send(command("INFO", "proxy"));
        String header = socket.readLine();
        String body = socket.read(Integer.parseInt(header.substring(1).trim()) + 2);
        return body.contains("proxy_pinned_connections:" + expected + "\r\n");
      }
    });
  }
}
