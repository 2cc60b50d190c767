package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A client that speaks RESP3 (Lettuce's default handshake, HELLO 3) reads GET and MGET from the
 * cache like any other, and its other commands go to the loop's shared RESP3 connection, whose
 * replies it gets as Redis sent them. Invalidation is off and entries live long, so a value
 * changed in Redis behind the proxy's back shows whether the cache or Redis answered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Resp3CacheIT {
  private TestRedis redis;
  private ProxyProcess proxy;
  private RedisClient client;

  @BeforeAll
  void start() {
    redis = TestRedis.started();
    proxy = ProxyProcess.start(redis.address(), Map.of("GLOBAL_CACHE_EXPIRY", "600", "CACHE_INVALIDATION", "none"));
    client = RedisClient.create(RedisURI.create("127.0.0.1", proxy.respPort())); // RESP3 handshake by default
  }

  @AfterAll
  void stop() {
    if (client != null) client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    if (proxy != null) proxy.close();
    if (redis != null) redis.close();
  }

  @Test
  void aSecondGetOnLettucesDefaultHandshakeIsACacheHit() {
    redis.set("r3-cached", "old");
    withLettuce(commands -> {
      assertEquals("old", commands.get("r3-cached"));
      long hits = proxyFigure("cache_hits");
      redis.set("r3-cached", "changed-behind-the-proxy");
      assertEquals("old", commands.get("r3-cached"), "the cache answered, not Redis");
      assertEquals(hits + 1, proxyFigure("cache_hits"));
    });
  }

  @Test
  void aMissingKeyIsNullAndCountsAsACacheMiss() {
    withLettuce(commands -> {
      long misses = proxyFigure("cache_misses");
      assertNull(commands.get("r3-missing"));
      assertTrue(proxyFigure("cache_misses") > misses, "the cache was asked");
    });
  }

  @Test
  void mgetWithAMissingKeyIsAnsweredFromTheCache() {
    redis.set("r3-m1", "one");
    withLettuce(commands -> {
      List<KeyValue<String, String>> first = commands.mget("r3-m1", "r3-m-missing");
      assertEquals(List.of(KeyValue.just("r3-m1", "one"), KeyValue.empty("r3-m-missing")), first);
      redis.set("r3-m1", "changed-behind-the-proxy");
      assertEquals(first, commands.mget("r3-m1", "r3-m-missing"), "the cache answered, not Redis");
    });
  }

  @Test
  void aWriteThenAReadOnOneResp3ConnectionReadsTheWrite() {
    redis.set("r3-written", "old");
    withLettuce(commands -> {
      assertEquals("old", commands.get("r3-written"));
      assertEquals("OK", commands.set("r3-written", "new"));
      assertEquals("new", commands.get("r3-written"));
      assertEquals(1L, commands.del("r3-written"));
      assertNull(commands.get("r3-written"));
    });
  }

  @Test
  void aGetInsideMultiGoesToRedisQueued() {
    redis.set("r3-tx", "old");
    withLettuce(commands -> {
      assertEquals("old", commands.get("r3-tx"));
      redis.set("r3-tx", "changed-in-redis");
      commands.multi();
      assertNull(commands.get("r3-tx"), "queued, answered at EXEC");
      TransactionResult result = commands.exec();
      assertEquals("changed-in-redis", result.get(0));
    });
  }

  @Test
  void helloThreeThenAMissingKeyIsResp3Null() {
    redis.set("r3-raw", "v");
    try (RespSocket socket = helloThree()) {
      String expected = "_\r\n*2\r\n$1\r\nv\r\n_\r\n";
      assertEquals(expected, socket.call(command("GET", "r3-raw-missing") + command("MGET", "r3-raw", "r3-raw-missing"), expected));
    }
  }

  @Test
  void aResp3PipelineMixingCachedReadsAndWritesIsAnsweredInOrderAndReadsItsWrites() {
    redis.set("r3-pipe", "first");
    try (RespSocket socket = helloThree()) {
      String pipeline = command("GET", "r3-pipe") + command("SET", "r3-pipe", "second") + command("GET", "r3-pipe")
          + command("APPEND", "r3-pipe", "!") + command("MGET", "r3-pipe", "r3-pipe-none") + command("DEL", "r3-pipe")
          + command("GET", "r3-pipe") + command("PING");
      String expected = "$5\r\nfirst\r\n+OK\r\n$6\r\nsecond\r\n:7\r\n*2\r\n$7\r\nsecond!\r\n_\r\n:1\r\n_\r\n+PONG\r\n";
      assertEquals(expected, socket.call(pipeline, expected));
    }
  }

  @Test
  void resp3RepliesFromRedisAreRelayedAsRedisSentThemAndInOrder() {
    redis.set("r3-exact-str", "s");
    try (RespSocket socket = helloThree()) {
      String pipeline = command("HSET", "r3-exact-hash", "f", "v") + command("HGETALL", "r3-exact-hash")
          + command("GET", "r3-exact-str") + command("ZADD", "r3-exact-zset", "1.5", "m")
          + command("ZSCORE", "r3-exact-zset", "m") + command("HGET", "r3-exact-hash", "none")
          + command("SMEMBERS", "r3-exact-none") + command("GET", "r3-exact-none") + command("CLIENT", "GETNAME");
      String expected = ":1\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\ns\r\n:1\r\n,1.5\r\n_\r\n~0\r\n_\r\n_\r\n";
      assertEquals(expected, socket.call(pipeline, expected));
    }
  }

  @Test
  void infoOverResp3IsRedisVerbatimTextWithTheProxySection() {
    try (RespSocket socket = helloThree()) {
      socket.send(command("INFO", "server"));
      String header = socket.readLine();
      assertTrue(header.startsWith("="), "RESP3's verbatim string, as Redis sends INFO: " + header);
      String body = socket.read(Integer.parseInt(header.substring(1).trim()) + 2);
      assertTrue(body.startsWith("txt:# Server\r\n"), body);
      assertTrue(body.contains("redis_version:") && body.contains("# Proxy\r\nproxy_version:"), body);
    }
  }

  @Test
  void helloThreePresentsTheBackingRedissVersion() {
    String info = redis.commands().info("server");
    int at = info.indexOf("redis_version:") + "redis_version:".length();
    String redisVersion = info.substring(at, info.indexOf('\r', at));
    Eventually.await(Duration.ofSeconds(10), "HELLO 3 says version " + redisVersion, () -> {
      try (RespSocket socket = new RespSocket(proxy.respPort())) {
        socket.send(command("HELLO", "3"));
        String map = "";
        for (int line = 0; line < 9; line++) map += socket.readLine();
        return map.equals("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$" + redisVersion.length() + "\r\n"
            + redisVersion + "\r\n");
      }
    });
  }

  @Test
  void helloTwoTakesTheSessionBackToResp2() {
    redis.set("r3-back", "v");
    try (RespSocket socket = helloThree()) {
      String map = ":1\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n";
      assertEquals(map, socket.call(command("HSET", "r3-back-hash", "f", "v") + command("HGETALL", "r3-back-hash"), map));
      socket.send(command("HELLO", "2"));
      assertEquals("*14\r\n", socket.readLine());
      String line;
      do {
        line = socket.readLine();
      } while (!line.equals("*0\r\n") && !line.isEmpty());
      String expected = "*2\r\n$1\r\nf\r\n$1\r\nv\r\n$-1\r\n";
      assertEquals(expected, socket.call(command("HGETALL", "r3-back-hash") + command("GET", "r3-back-none"), expected));
    }
  }

  private void withLettuce(Consumer<RedisCommands<String, String>> test) {
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      test.accept(connection.sync());
    }
  }

  // HELLO's map is Redis's: read up to the PING sent after it.
  private RespSocket helloThree() {
    RespSocket socket = new RespSocket(proxy.respPort());
    socket.send(command("HELLO", "3") + command("PING"));
    assertTrue(socket.readLine().startsWith("%"), "HELLO 3 answers with a RESP3 map");
    String line;
    do {
      line = socket.readLine();
    } while (!line.equals("+PONG\r\n") && !line.isEmpty());
    assertEquals("+PONG\r\n", line);
    return socket;
  }

  private long proxyFigure(String name) {
    try (RespSocket socket = new RespSocket(proxy.respPort())) {
      socket.send(command("INFO", "proxy"));
      String header = socket.readLine();
      String body = socket.read(Integer.parseInt(header.substring(1).trim()) + 2);
      for (String line : body.split("\r\n")) {
        if (line.startsWith(name + ":")) return Long.parseLong(line.substring(name.length() + 1));
      }
      throw new AssertionError("INFO proxy has no " + name + ": " + body);
    }
  }
}
