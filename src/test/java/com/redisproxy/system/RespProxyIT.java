package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Redis protocol front end of the real jar, with raw sockets and a real client library. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RespProxyIT {
  private TestRedis redis;
  private ProxyProcess proxy;

  @BeforeAll
  void start() {
    redis = TestRedis.started();
    proxy = ProxyProcess.start(redis.address(), Map.of());
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
  void missesAreReadOnTheCachesEventLoop() {
    // The fetch path's Lettuce connections were lent the loop; a transport mismatch would say so.
    assertTrue(proxy.output().contains("Misses are read from Redis on the cache's event loop"), proxy.output());
  }

  @Test
  void getReturnsTheValueOrANullBulk() {
    redis.set("resp-get", "value");
    try (RespSocket client = connect()) {
      assertEquals("$5\r\nvalue\r\n", client.call(command("GET", "resp-get"), "$5\r\nvalue\r\n"));
      assertEquals("$5\r\nvalue\r\n", client.call(command("get", "resp-get"), "$5\r\nvalue\r\n"));
      assertEquals("$-1\r\n", client.call(command("GET", "resp-absent"), "$-1\r\n"));
    }
  }

  @Test
  void mgetAnswersEachKeyInOrderWithNullsForAbsentAndWrongTypeKeys() {
    redis.set("m1", "one");
    redis.set("m3", "three");
    redis.commands().lpush(TestRedis.bytes("m-list"), TestRedis.bytes("x"));
    String expected = "*4\r\n$3\r\none\r\n$-1\r\n$5\r\nthree\r\n$-1\r\n";
    try (RespSocket client = connect()) {
      assertEquals(expected, client.call(command("MGET", "m1", "m2", "m3", "m-list"), expected));
    }
  }

  @Test
  void redisErrorsReachTheClientAsTheOriginalError() {
    redis.commands().lpush(TestRedis.bytes("resp-list"), TestRedis.bytes("x"));
    try (RespSocket client = connect()) {
      client.send(command("GET", "resp-list"));
      assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", client.readLine());
      assertEquals("+PONG\r\n", client.call(command("PING"), "+PONG\r\n"));
    }
  }

  @Test
  void missesWrittenTogetherAnswerKeysOfAnotherTypeWithWrongtypeAndTheRestWithTheirValues() {
    // Sent in one write, the misses go to Redis as one batch, their GETs as one MGET, which
    // answers a list or a hash null: the proxy reads those keys again by GET.
    redis.set("grouped-1", "one");
    redis.commands().lpush(TestRedis.bytes("grouped-list"), TestRedis.bytes("x"));
    redis.commands().hset(TestRedis.bytes("grouped-hash"), TestRedis.bytes("f"), TestRedis.bytes("v"));
    redis.commands().set(TestRedis.bytes("grouped-3"), TestRedis.bytes("three"), io.lettuce.core.SetArgs.Builder.px(60_000));
    String wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    String requests = command("GET", "grouped-1") + command("GET", "grouped-list") + command("GET", "grouped-absent")
        + command("GET", "grouped-hash") + command("GET", "grouped-3");
    String expected = "$3\r\none\r\n" + wrongType + "$-1\r\n" + wrongType + "$5\r\nthree\r\n";
    long mgetsBefore = mgetCalls();
    try (RespSocket client = connect()) {
      assertEquals(expected, client.call(requests, expected));
      assertTrue(mgetCalls() > mgetsBefore, "the GETs went as an MGET");
      // Cached as read: the list and the hash still WRONGTYPE (not cached as absent), the others hits.
      assertEquals(expected, client.call(requests, expected));
    }
  }

  private long mgetCalls() {
    String stats = redis.commands().info("commandstats");
    int at = stats.indexOf("cmdstat_mget:calls=");
    if (at < 0) return 0;
    int from = at + "cmdstat_mget:calls=".length();
    return Long.parseLong(stats.substring(from, stats.indexOf(',', from)));
  }

  @Test
  void pingEchoAndQuit() {
    try (RespSocket client = connect()) {
      assertEquals("+PONG\r\n", client.call(command("PING"), "+PONG\r\n"));
      assertEquals("$5\r\nhello\r\n", client.call(command("PING", "hello"), "$5\r\nhello\r\n"));
      assertEquals("$3\r\nyou\r\n", client.call(command("ECHO", "you"), "$3\r\nyou\r\n"));
      assertEquals("+OK\r\n", client.call(command("QUIT"), "+OK\r\n"));
      assertTrue(client.closedByPeer(), "QUIT closes the connection");
    }
  }

  @Test
  void inlineCommandsWorkAsTypedInTelnet() {
    redis.set("inline-key", "typed");
    try (RespSocket client = connect()) {
      assertEquals("+PONG\r\n", client.call("PING\r\n", "+PONG\r\n"));
      assertEquals("$5\r\ntyped\r\n", client.call("GET inline-key\n", "$5\r\ntyped\r\n"));
    }
  }

  @Test
  void commandsTheProxyDoesNotKnowGoToRedisAndItsErrorsComeBack() {
    try (RespSocket client = connect()) {
      assertEquals("+OK\r\n", client.call(command("SET", "resp-forwarded", "v"), "+OK\r\n"));
      client.send(command("NOSUCH", "k"));
      assertTrue(client.readLine().startsWith("-ERR unknown command"));
      assertEquals("+PONG\r\n", client.call(command("PING"), "+PONG\r\n"));
    }
  }

  @Test
  void housekeepingCommandsAnswerLikeRedis() {
    try (RespSocket client = connect()) {
      assertEquals("+OK\r\n", client.call(command("SELECT", "0"), "+OK\r\n"));
      assertEquals("+OK\r\n", client.call(command("CLIENT", "SETNAME", "it"), "+OK\r\n"));
      assertEquals("$2\r\nit\r\n", client.call(command("CLIENT", "GETNAME"), "$2\r\nit\r\n"));
      client.send(command("INFO"));
      String header = client.readLine();
      String body = client.read(Integer.parseInt(header.substring(1).trim()) + 2);
      assertTrue(body.contains("connected_clients:"), body);
      assertTrue(body.contains("redis_version:"), body);
      assertTrue(body.contains("cached_keys:"), body);
      // Another database is connection state: the session moves to a connection of its own.
      assertEquals("+OK\r\n", client.call(command("SELECT", "2"), "+OK\r\n"));
      assertEquals(":0\r\n", client.call(command("DBSIZE"), ":0\r\n"));
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "*x\\r\\n                         | -ERR Protocol error: invalid multibulk length",
      "*1\\r\\n$-5\\r\\n                 | -ERR Protocol error: invalid bulk length",
      "*1\\r\\n$4\\r\\nPINGxx\\r\\n       | -ERR Protocol error: expected CRLF after a bulk string of 4 bytes",
      "*1\\r\\n$536870913\\r\\n          | -ERR Protocol error: invalid bulk length (536870913 bytes, the limit is 536870912)",
      "*2147483648\\r\\n                | -ERR Protocol error: invalid multibulk length",
      "*1\\r\\n:1\\r\\n                  | -ERR Protocol error: expected '$', got ':'",
  })
  void protocolErrorsAreAnsweredThenTheConnectionIsClosed(String input, String error) {
    try (RespSocket client = connect()) {
      assertEquals("+PONG\r\n", client.call(command("PING"), "+PONG\r\n"));
      client.send(input.strip().replace("\\r", "\r").replace("\\n", "\n"));
      assertEquals(error.strip() + "\r\n", client.readLine());
      assertTrue(client.closedByPeer(), "the connection is closed after a protocol error");
    }
    try (RespSocket other = connect()) {
      assertEquals("+PONG\r\n", other.call(command("PING"), "+PONG\r\n"));
    }
  }

  @Test
  void clientIdNameListInfoAndKillAgreeOnTheProxysOwnClients() {
    try (RespSocket app = connect(); RespSocket admin = connect()) {
      String idLine = app.send(command("CLIENT", "ID")).readLine();
      long appId = Long.parseLong(idLine.substring(1).trim());
      assertEquals("+OK\r\n", app.call(command("CLIENT", "SETNAME", "billing-app"), "+OK\r\n"));
      String info = bulkBody(app.send(command("CLIENT", "INFO")));
      assertTrue(info.startsWith("id=" + appId + " addr=") && info.contains(" name=billing-app ")
          && info.contains(" cmd=client|info ") && info.contains(" user=default "), info);

      String list = bulkBody(admin.send(command("CLIENT", "LIST")));
      assertTrue(list.contains("id=" + appId + " ") && list.contains(" name=billing-app "), list);
      assertEquals(2, list.lines().filter(line -> line.contains(" name=billing-app ") || line.contains(" cmd=client|list ")).count(), list);
      assertEquals("", bulkBody(admin.send(command("CLIENT", "LIST", "TYPE", "pubsub"))));
      String onlyApp = bulkBody(admin.send(command("CLIENT", "LIST", "ID", String.valueOf(appId))));
      assertEquals(1, onlyApp.lines().count(), onlyApp);

      assertEquals(":0\r\n", admin.call(command("CLIENT", "KILL", "ADDR", "10.0.0.1:1"), ":0\r\n"));
      assertEquals("-ERR No such client\r\n", admin.send(command("CLIENT", "KILL", "10.0.0.1:1")).readLine());
      assertEquals(":1\r\n", admin.call(command("CLIENT", "KILL", "ID", String.valueOf(appId)), ":1\r\n"));
      assertTrue(app.closedByPeer(), "CLIENT KILL ID closed the proxy's connection of that client");
      assertEquals("+PONG\r\n", admin.call(command("PING"), "+PONG\r\n"), "the killer is served on");
    }
  }

  private static String bulkBody(RespSocket socket) {
    String header = socket.readLine();
    int length = Integer.parseInt(header.substring(1).trim());
    return socket.read(length + 2).substring(0, length);
  }

  @Test
  void aRequestAsLongAsRedisTakesIsForwarded() {
    StringBuilder sadd = new StringBuilder("*100002\r\n$4\r\nSADD\r\n$8\r\nbig-sadd\r\n");
    for (int i = 0; i < 100_000; i++) sadd.append("$").append(String.valueOf(i).length()).append("\r\n").append(i).append("\r\n");
    try (RespSocket client = connect()) {
      assertEquals(":100000\r\n", client.send(sadd.toString()).readLine(), "Redis's own answer: no tighter limit than Redis's");
      assertEquals(":100000\r\n", client.call(command("SCARD", "big-sadd"), ":100000\r\n"));
    }
  }

  @Test
  void aThousandRequestPipelineInOneWriteIsAnsweredInOrder() {
    for (int i = 0; i < 10; i++) redis.set("pipe" + i, "v" + i);
    StringBuilder requests = new StringBuilder();
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      if (i % 100 == 99) {
        requests.append(command("PING"));
        expected.append("+PONG\r\n");
      } else {
        requests.append(command("GET", "pipe" + (i % 10)));
        expected.append("$2\r\nv").append(i % 10).append("\r\n");
      }
    }
    try (RespSocket client = connect()) {
      client.send(requests.toString());
      assertEquals(expected.toString(), client.read(expected.length()));
    }
  }

  @Test
  void lettuceConnectsWithItsHandshakeAndReadsThroughTheProxy() {
    redis.set("lettuce-1", "a");
    redis.set("lettuce-2", "b");
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", proxy.respPort()));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> commands = connection.sync();
      assertEquals("PONG", commands.ping());
      assertEquals("a", commands.get("lettuce-1"));
      assertEquals(null, commands.get("lettuce-absent"));
      List<KeyValue<String, String>> values = commands.mget("lettuce-1", "lettuce-absent", "lettuce-2");
      assertEquals(KeyValue.just("lettuce-1", "a"), values.get(0));
      assertTrue(values.get(1).isEmpty());
      assertEquals(KeyValue.just("lettuce-2", "b"), values.get(2));
    } finally {
      client.shutdown();
    }
  }

  @Test
  void anMgetOfSixThousandKeysNotCachedIsAnsweredWhole() {
    int keys = 6_000; // more misses at once than one batch of commands may hold in Lettuce's request queue
    Map<byte[], byte[]> values = new java.util.HashMap<>();
    String[] names = new String[keys];
    for (int i = 0; i < keys; i++) {
      names[i] = "wide-" + i;
      values.put(TestRedis.bytes(names[i]), TestRedis.bytes("v" + i));
    }
    redis.commands().mset(values);
    RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", proxy.respPort()));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      List<KeyValue<String, String>> read = connection.sync().mget(names);
      assertEquals(keys, read.size());
      for (int i = 0; i < keys; i++) assertEquals(KeyValue.just(names[i], "v" + i), read.get(i));
    } finally {
      client.shutdown();
    }
  }

  @Test
  void aKeyReadOverHttpIsACacheHitOverRespAndViceVersa() {
    redis.set("shared-1", "first");
    assertEquals("MISS", proxy.get("shared-1").headers().firstValue("X-Cache").orElse(""));
    redis.set("shared-1", "changed");
    try (RespSocket client = connect()) {
      assertEquals("$5\r\nfirst\r\n", client.call(command("GET", "shared-1"), "$5\r\nfirst\r\n"));
      redis.set("shared-2", "second");
      assertEquals("$6\r\nsecond\r\n", client.call(command("GET", "shared-2"), "$6\r\nsecond\r\n"));
    }
    assertEquals("HIT", proxy.get("shared-2").headers().firstValue("X-Cache").orElse(""));
  }
}
