package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Commands the proxy does not cache go to Redis and back unchanged, in request order, and a write
 * through the proxy is never followed by a stale read. The cache here has no tracking and a long
 * expiry: without the write rule, every read after a write in these tests would be stale.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransparentRespIT {
  private TestRedis redis;
  private ProxyProcess proxy;
  private RedisClient client;

  @BeforeAll
  void start() {
    redis = TestRedis.started();
    // A fetch timeout near the ask timeout: a test holds a GET on a paused Redis for a few seconds.
    proxy = ProxyProcess.start(redis.address(), Map.of("GLOBAL_CACHE_EXPIRY", "600", "CACHE_INVALIDATION", "none",
        "REDIS_FETCH_TIMEOUT", "4500ms"));
    client = RedisClient.create(RedisURI.create("127.0.0.1", proxy.respPort()));
    client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
  }

  @AfterAll
  void stop() {
    if (client != null) client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    if (proxy != null) proxy.close();
    if (redis != null) redis.close();
  }

  private StatefulRedisConnection<String, String> connect() {
    return client.connect();
  }

  @Test
  void aWriteThenAReadOnOneConnectionReadsTheWrite() {
    try (StatefulRedisConnection<String, String> connection = connect()) {
      RedisCommands<String, String> commands = connection.sync();
      assertEquals("OK", commands.set("own-write", "first"));
      assertEquals("first", commands.get("own-write"));
      assertEquals("first", commands.get("own-write"));
      assertEquals("OK", commands.set("own-write", "second"));
      assertEquals("second", commands.get("own-write"));
    }
  }

  @Test
  void aFiveMegabyteValueIsWrittenAndReadBack() {
    String value = "v".repeat(5 * 1024 * 1024); // redis-py's own suite writes one (test_large_responses)
    try (StatefulRedisConnection<String, String> connection = connect()) {
      RedisCommands<String, String> commands = connection.sync();
      assertEquals("OK", commands.set("large-value", value));
      assertEquals(value, commands.get("large-value"));
      assertEquals(value.length(), commands.strlen("large-value"));
    }
  }

  @Test
  void aWriteOnOneConnectionIsReadOnAnother() {
    try (StatefulRedisConnection<String, String> writer = connect();
        StatefulRedisConnection<String, String> reader = connect()) {
      writer.sync().set("shared-write", "old");
      assertEquals("old", reader.sync().get("shared-write"));
      writer.sync().set("shared-write", "new");
      assertEquals("new", reader.sync().get("shared-write"));
      assertEquals("[KeyValue[shared-write, new]]", reader.sync().mget("shared-write").toString());
    }
  }

  @ParameterizedTest(name = "{0} invalidates")
  @CsvSource(delimiter = '|', value = {
      "INCR inv-incr                | 10 | :11\\r\\n              | $2\\r\\n11\\r\\n",
      "APPEND inv-append x          | 10 | :3\\r\\n               | $3\\r\\n10x\\r\\n",
      "EXPIRE inv-expire 0          | 10 | :1\\r\\n               | $-1\\r\\n",
      "DEL inv-del                  | 10 | :1\\r\\n               | $-1\\r\\n",
      "RENAME inv-rename inv-other  | 10 | +OK\\r\\n              | $-1\\r\\n",
      "SET inv-set 20 KEEPTTL       | 10 | +OK\\r\\n              | $2\\r\\n20\\r\\n",
      "FLUSHDB                      | 10 | +OK\\r\\n              | $-1\\r\\n"})
  void eachWriteDropsWhatItChangesFromTheCache(String write, String before, String reply, String readAfter) {
    String key = write.equals("FLUSHDB") ? "inv-flush" : write.split(" ")[1];
    redis.set(key, before);
    try (RespSocket socket = new RespSocket(proxy.respPort())) {
      String cached = "$2\r\n" + before + "\r\n";
      assertEquals(cached, socket.call(command("GET", key), cached));
      assertEquals(cached, socket.call(command("GET", key), cached), "now cached");
      assertEquals(unescape(reply), socket.call(command(write.split(" ")), unescape(reply)));
      assertEquals(unescape(readAfter), socket.call(command("GET", key), unescape(readAfter)));
    }
  }

  @Test
  void aRenamedKeyIsReadUnderItsNewName() {
    redis.set("renamed-from", "moved");
    redis.set("renamed-to", "stale");
    try (RespSocket socket = new RespSocket(proxy.respPort())) {
      assertEquals("$5\r\nstale\r\n", socket.call(command("GET", "renamed-to"), "$5\r\nstale\r\n"));
      socket.send(command("RENAME", "renamed-from", "renamed-to") + command("GET", "renamed-to"));
      assertEquals("+OK\r\n$5\r\nmoved\r\n", socket.read("+OK\r\n$5\r\nmoved\r\n".length()));
    }
  }

  @Test
  void aPipelineMixingCachedLocalAndForwardedCommandsIsAnsweredInOrder() {
    redis.commands().del(TestRedis.bytes("mix-a"), TestRedis.bytes("mix-h"));
    String pipeline = command("PING") + command("GET", "mix-a") + command("SET", "mix-a", "1") + command("INCR", "mix-a")
        + command("GET", "mix-a") + command("HSET", "mix-h", "f", "v") + command("HGET", "mix-h", "f")
        + command("MGET", "mix-a", "mix-none") + command("ECHO", "end");
    String expected = "+PONG\r\n$-1\r\n+OK\r\n:2\r\n$1\r\n2\r\n:1\r\n$1\r\nv\r\n*2\r\n$1\r\n2\r\n$-1\r\n$3\r\nend\r\n";
    try (RespSocket socket = new RespSocket(proxy.respPort())) {
      assertEquals(expected, socket.call(pipeline, expected));
      // The same pipeline split at every command boundary arrives in many reads: still in order.
      assertEquals(":2\r\n", socket.call(command("DEL", "mix-a", "mix-h"), ":2\r\n"));
      for (String part : pipeline.split("(?=\\*[0-9]+\r\n\\$)")) socket.send(part);
      assertEquals(expected, socket.read(expected.length()));
    }
  }

  @Test
  void forwardedRequestsReadOneByOneBehindAWaitingReadReachRedisInRequestOrder() {
    redis.commands().del(TestRedis.bytes("order-n"), TestRedis.bytes("order-missing"));
    try (RespSocket socket = new RespSocket(proxy.respPort(), Duration.ofSeconds(30));
        RespSocket observer = new RespSocket(proxy.respPort())) {
      long misses = proxyFigure(observer, "cache_misses");
      redis.commands().clientPause(4_000); // the GET's fetch waits in Redis meanwhile
      socket.send(command("GET", "order-missing") + command("INCRBY", "order-n", "1"));
      Eventually.await(Duration.ofMillis(3_500), "the proxy has read the GET",
          () -> proxyFigure(observer, "cache_misses") > misses);
      // A read of its own, queued behind the first INCRBY: it must not reach Redis before it.
      socket.send(command("INCRBY", "order-n", "10"));
      assertEquals("$-1\r\n:1\r\n:11\r\n", socket.read("$-1\r\n:1\r\n:11\r\n".length()));
    }
  }

  private static long proxyFigure(RespSocket socket, String name) {
    socket.send(command("INFO", "proxy"));
    String header = socket.readLine();
    String info = socket.read(Integer.parseInt(header.substring(1).trim()) + 2);
    return info.lines().filter(line -> line.startsWith(name + ":"))
        .mapToLong(line -> Long.parseLong(line.substring(name.length() + 1))).findFirst().orElseThrow(() -> new AssertionError("no " + name + " in INFO proxy: " + info));
  }

  @Test
  void aRedisErrorMidPipelineIsRelayedAndTheRestIsAnswered() {
    String pipeline = command("SET", "err-s", "text") + command("LPUSH", "err-s", "x") + command("GET", "err-s")
        + command("INCR", "err-s") + command("NOSUCHCOMMAND", "a") + command("PING");
    try (RespSocket socket = new RespSocket(proxy.respPort())) {
      socket.send(pipeline);
      assertEquals("+OK\r\n", socket.readLine());
      assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", socket.readLine());
      assertEquals("$4\r\ntext\r\n", socket.read(10));
      assertEquals("-ERR value is not an integer or out of range\r\n", socket.readLine());
      assertTrue(socket.readLine().startsWith("-ERR unknown command"));
      assertEquals("+PONG\r\n", socket.readLine());
    }
  }

  @Test
  void aTenMebibyteScriptWithATenMebibyteArgumentIsRelayedAndItsTenMebibyteReplyComesBack() {
    String large = "x".repeat(10 * 1024 * 1024);
    // The script is 10 MiB itself (a long comment), its argument 10 MiB, and it answers the argument.
    String script = "return ARGV[1] --" + large;
    try (RespSocket client = new RespSocket(proxy.respPort(), Duration.ofSeconds(30)); RespSocket other = new RespSocket(proxy.respPort())) {
      client.send(command("EVAL", script, "0", large));
      assertEquals("$" + large.length() + "\r\n", client.readLine());
      assertEquals(large + "\r\n", client.read(large.length() + 2));
      assertEquals("+OK\r\n", other.call(command("SET", "after-large-eval", "v"), "+OK\r\n"));
      assertEquals("$1\r\nv\r\n", client.call(command("GET", "after-large-eval"), "$1\r\nv\r\n"));
    }
  }

  @Test
  void repliesOfEveryShapeArriveAsRedisSentThem() {
    try (StatefulRedisConnection<String, String> connection = connect()) {
      RedisCommands<String, String> commands = connection.sync();
      commands.del("shape-z", "shape-l");
      commands.zadd("shape-z", 1.5, "a");
      commands.rpush("shape-l", "x", "y");
      assertEquals(1.5, commands.zscore("shape-z", "a"));
      assertEquals("[x, y]", commands.lrange("shape-l", 0, -1).toString());
      assertNull(commands.lpop("shape-none"));
      assertTrue(commands.info("server").contains("redis_version:"));
      assertTrue(commands.dbsize() >= 2);
    }
  }

  @Test
  void infoIsRedisInfoWithTheProxySectionAfterIt() {
    try (StatefulRedisConnection<String, String> connection = connect()) {
      String all = connection.sync().info();
      assertTrue(all.contains("# Server") && all.contains("arch_bits:") && all.contains("# Keyspace"), all);
      assertTrue(all.indexOf("# Proxy") > all.indexOf("# Keyspace"), all);
      assertTrue(all.contains("cache_hits:"), all);
      String proxyOnly = connection.sync().info("proxy");
      assertTrue(proxyOnly.startsWith("# Proxy\r\n") && !proxyOnly.contains("# Server"), proxyOnly);
    }
  }

  private static String unescape(String text) {
    return text.trim().replace("\\r\\n", "\r\n");
  }
}
