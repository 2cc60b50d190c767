package com.redisproxy.system;

import static com.redisproxy.system.support.RespReplies.bulks;
import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxiedCluster;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestCluster;
import com.redisproxy.system.support.TestRedis;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The RESP port in front of a real 3-master / 3-replica Redis Cluster presents one standalone
 * Redis: keys of every master are written and read through it, commands across slots are split or
 * get Redis's CROSSSLOT, a migrated slot is followed, and keyless commands are answered for the
 * whole cluster or refused. The cache has no tracking and a long expiry: a stale read after a write
 * through the proxy would show here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterRespIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private ProxiedCluster proxied;
  private TestCluster cluster;
  private ProxyProcess proxy;

  @BeforeAll
  void start() {
    proxied = ProxiedCluster.started(TestCluster.started(3, 1), Map.of("GLOBAL_CACHE_EXPIRY", "600", "CACHE_INVALIDATION", "none"));
    cluster = proxied.cluster();
    proxy = proxied.proxy();
    // /health waits neither for the RESP port nor for its cluster connections: DBSIZE needs every master's.
    Eventually.await(WAIT, "the proxy forwards DBSIZE to every master", () -> {
      try (RespSocket socket = socket()) {
        return socket.send(command("DBSIZE")).readLine().startsWith(":");
      }
    });
  }

  @AfterAll
  void stop() {
    if (proxied != null) proxied.close();
  }

  private RespSocket socket() {
    return new RespSocket(proxy.respPort(), WAIT);
  }

  private static String bulk(String value) {
    return "$" + value.getBytes(StandardCharsets.UTF_8).length + "\r\n" + value + "\r\n";
  }

  private static String onNode(TestRedis node, String key) {
    byte[] value = node.commands().get(TestRedis.bytes(key));
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  @Test
  void keysOfEveryMasterAreWrittenAndReadThroughTheProxy() {
    List<String> keys = new ArrayList<>();
    try (RespSocket socket = socket()) {
      for (TestRedis master : cluster.masters()) {
        String key = cluster.keyOn(master, "every-");
        String counter = cluster.keyOn(master, "every-counter-");
        keys.add(key);
        socket.send(command("DEL", counter));
        socket.readLine();
        assertEquals("+OK\r\n", socket.call(command("SET", key, "on " + master.port()), "+OK\r\n"));
        assertEquals(":1\r\n", socket.call(command("INCR", counter), ":1\r\n"));
        assertEquals(":2\r\n", socket.call(command("INCR", counter), ":2\r\n"));
        String value = bulk("on " + master.port());
        assertEquals(value, socket.call(command("GET", key), value));
        assertEquals(value, socket.call(command("GET", key), value), "now from the cache");
        assertEquals("on " + master.port(), onNode(master, key), "stored on the slot's master");
      }
      String all = "*3\r\n" + keys.stream().map(key -> bulk("on " + cluster.masterOf(key).port())).reduce("", String::concat);
      assertEquals(all, socket.call(command("MGET", keys.get(0), keys.get(1), keys.get(2)), all));
    }
  }

  @Test
  void delExistsAndTouchAcrossSlotsAreSplitAndSummed() {
    List<TestRedis> masters = cluster.masters();
    String a = cluster.keyOn(masters.get(0), "split-");
    String b = cluster.keyOn(masters.get(1), "split-");
    String c = cluster.keyOn(masters.get(2), "split-");
    try (RespSocket socket = socket()) {
      socket.send(command("SET", a, "1") + command("SET", b, "2") + command("SET", c, "3"));
      assertEquals("+OK\r\n+OK\r\n+OK\r\n", socket.read(15));
      String values = "*4\r\n" + bulk("1") + bulk("2") + bulk("3") + "$-1\r\n";
      assertEquals(values, socket.call(command("MGET", a, b, c, "split-none"), values));
      assertEquals(":4\r\n", socket.call(command("EXISTS", a, b, c, a, "split-none"), ":4\r\n"));
      assertEquals(":3\r\n", socket.call(command("TOUCH", a, b, c), ":3\r\n"));
      assertEquals(":3\r\n", socket.call(command("DEL", a, b, c, "split-none"), ":3\r\n"));
      String none = "*3\r\n$-1\r\n$-1\r\n$-1\r\n";
      assertEquals(none, socket.call(command("MGET", a, b, c), none), "DEL dropped them from the cache");
      assertEquals(":0\r\n", socket.call(command("UNLINK", a, b, c), ":0\r\n"));
    }
  }

  @Test
  void otherMultiKeyCommandsAcrossSlotsGetRedisOwnCrossslotError() {
    List<TestRedis> masters = cluster.masters();
    String a = cluster.keyOn(masters.get(0), "cross-");
    String b = cluster.keyOn(masters.get(1), "cross-");
    String crossslot = "-CROSSSLOT Keys in request don't hash to the same slot\r\n";
    try (RespSocket socket = socket()) {
      assertEquals(crossslot, socket.call(command("MSET", a, "1", b, "2"), crossslot));
      assertEquals(crossslot, socket.call(command("RENAME", a, b), crossslot));
      assertEquals(crossslot, socket.call(command("SUNIONSTORE", a, b), crossslot));
      // one slot, by hash tag: Redis runs it
      assertEquals("+OK\r\n", socket.call(command("MSET", "{cross}a", "1", "{cross}b", "2"), "+OK\r\n"));
      String both = "*2\r\n" + bulk("1") + bulk("2");
      assertEquals(both, socket.call(command("MGET", "{cross}a", "{cross}b"), both));
    }
  }

  @Test
  void aWriteThroughTheProxyIsReadThroughItAfterwards() {
    String key = cluster.keyOn(cluster.masters().get(1), "ryw-");
    String other = cluster.keyOn(cluster.masters().get(2), "ryw-");
    try (RespSocket writer = socket(); RespSocket reader = socket()) {
      writer.call(command("SET", key, "old"), "+OK\r\n");
      assertEquals(bulk("old"), reader.call(command("GET", key), bulk("old")));
      assertEquals(bulk("old"), reader.call(command("GET", key), bulk("old")), "cached");
      assertEquals("+OK\r\n", writer.call(command("SET", key, "new"), "+OK\r\n"));
      assertEquals(bulk("new"), reader.call(command("GET", key), bulk("new")));
      assertEquals(":6\r\n", writer.call(command("APPEND", key, "est"), ":6\r\n"));
      writer.call(command("SET", other, "x"), "+OK\r\n");
      String both = "*2\r\n" + bulk("newest") + bulk("x");
      assertEquals(both, reader.call(command("MGET", key, other), both));
      writer.send(command("EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", key, "scripted")).readLine();
      assertEquals(bulk("scripted"), reader.call(command("GET", key), bulk("scripted")), "EVAL clears the cache");
    }
  }

  @Test
  void commandsRoutedByTheKeysRedisNamesKeepTheirPlaceInAPipeline() {
    // SORT ... STORE and EVAL are routed after a COMMAND GETKEYS round trip; what the client
    // pipelined after them must not overtake them.
    try (RespSocket client = socket()) {
      for (int i = 0; i < 100; i++) {
        String value = "v" + i;
        client.send(command("DEL", "{t}list") + command("RPUSH", "{t}list", value)
            + command("SORT", "{t}list", "BY", "nosort", "ALPHA", "STORE", "{t}dst") + command("LRANGE", "{t}dst", "0", "-1")
            + command("EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "{t}scripted", value)
            + command("STRLEN", "{t}scripted") + command("GETRANGE", "{t}scripted", "0", "-1"));
        List<String> replies = new ArrayList<>();
        for (int reply = 0; reply < 7; reply++) replies.add(reply(client));
        assertEquals(List.of(":" + (i == 0 ? 0 : 1) + "\r\n", ":1\r\n", ":1\r\n", "*1\r\n" + bulk(value),
            "+OK\r\n", ":" + value.length() + "\r\n", bulk(value)), replies, "round " + i);
      }
    }
  }

  @Test
  void forwardedRepliesAreTheBytesTheOwningNodeSends() {
    TestRedis master = cluster.masters().get(2);
    List<List<String>> commands = List.of(
        List.of("HSET", "H", "f", "v", "g", "OK"), List.of("HGETALL", "H"), List.of("HGET", "H", "g"),
        List.of("TYPE", "H"), List.of("LRANGE", "L", "0", "-1"), List.of("RPUSH", "L", "a", "", "cr\r\nlf"),
        List.of("LRANGE", "L", "0", "-1"), List.of("LPUSH", "H", "x"), List.of("XADD", "X", "1-1", "f", "v"),
        List.of("XRANGE", "X", "-", "+"), List.of("HINCRBYFLOAT", "H", "n", "1.5"), List.of("TTL", "L"),
        List.of("SET", "L", "v", "NX"), List.of("OBJECT", "ENCODING", "H"),
        List.of("EVAL", "return {1, {'a', {}}, redis.error_reply('BOOM inside'), false}", "1", "H"));
    // Each side has keys of its own on the same master, so both see the same state.
    List<String> direct = List.of(cluster.keyOn(master, "bytes-dh-"), cluster.keyOn(master, "bytes-dl-"), cluster.keyOn(master, "bytes-dx-"));
    List<String> proxied = List.of(cluster.keyOn(master, "bytes-ph-"), cluster.keyOn(master, "bytes-pl-"), cluster.keyOn(master, "bytes-px-"));
    for (String key : direct) master.commands().del(TestRedis.bytes(key));
    for (String key : proxied) master.commands().del(TestRedis.bytes(key));
    try (RespSocket viaProxy = socket(); RespSocket toNode = new RespSocket(master.port(), WAIT)) {
      for (List<String> args : commands) {
        String expected = reply(toNode.send(command(withKeys(args, direct))));
        assertEquals(expected, reply(viaProxy.send(command(withKeys(args, proxied)))), String.join(" ", args));
      }
    }
  }

  private static String[] withKeys(List<String> args, List<String> keys) {
    return args.stream().map(arg -> switch (arg) {
      case "H" -> keys.get(0);
      case "L" -> keys.get(1);
      case "X" -> keys.get(2);
      default -> arg;
    }).toArray(String[]::new);
  }

  @Test
  void aSlotMigratedMidTestIsFollowedThroughMovedAndAsk() {
    List<TestRedis> masters = cluster.masters();
    TestRedis source = masters.get(0);
    TestRedis target = masters.get(1);
    String moved = cluster.keyOn(source, "moved-");
    int slot = TestCluster.slotOf(moved);
    String sameSlot = TestCluster.keyInSlot(slot, "{" + moved + "}new-");
    try (RespSocket socket = socket()) {
      assertEquals("+OK\r\n", socket.call(command("SET", moved, "1"), "+OK\r\n"));
      cluster.startMigration(slot, target);
      // the key is still on the source, which answers; a new key of the slot is ASKed to the target
      assertEquals(":2\r\n", socket.call(command("INCR", moved), ":2\r\n"));
      assertEquals("+OK\r\n", socket.call(command("SET", sameSlot, "asked"), "+OK\r\n"));
      cluster.moveKeys(slot, source, target);
      cluster.finishMigration(slot, target);
      // the proxy's view of the slots is old now: the source answers MOVED and the proxy follows it
      assertEquals(":3\r\n", socket.call(command("INCR", moved), ":3\r\n"));
      assertEquals(bulk("3"), socket.call(command("GET", moved), bulk("3")));
      assertEquals("3", onNode(target, moved));
      assertEquals("asked", onNode(target, sameSlot));
      assertEquals(":2\r\n", socket.call(command("DEL", moved, sameSlot), ":2\r\n"));
    }
  }

  @Test
  void aFailoverIsFollowedByForwardedCommandsAndTheirReadsStayCoherent() {
    TestRedis master = cluster.masters().get(2);
    TestRedis replica = cluster.replicaOf(master);
    String key = cluster.keyOn(master, "failover-");
    try (RespSocket socket = socket()) {
      assertEquals("+OK\r\n", socket.call(command("SET", key, "10"), "+OK\r\n"));
      assertEquals(bulk("10"), socket.call(command("GET", key), bulk("10")));
      cluster.failover(replica);
      // the old master answers MOVED now, or the proxy already knows the new one
      assertEquals(":11\r\n", socket.call(command("INCR", key), ":11\r\n"));
      // The fetch path may refuse a miss while its connection to the promoted node opens (fail
      // fast): an error is allowed for that moment, the cached 10 never.
      List<String> read = new ArrayList<>();
      Eventually.await(WAIT, "GET answers a value after the failover", () -> {
        read.add(socket.send(command("GET", key)).readLine());
        return read.get(read.size() - 1).startsWith("$");
      });
      assertEquals("$2\r\n", read.get(read.size() - 1), "the write dropped the cached 10: " + read);
      assertEquals("11\r\n", socket.readLine());
      assertEquals("11", onNode(replica, key), "written on the promoted replica");
    }
  }

  @Test
  void keylessCommandsAreAnsweredForTheWholeClusterOrRefused() {
    try (RespSocket socket = socket()) {
      assertEquals("+PONG\r\n", socket.call(command("PING"), "+PONG\r\n"));
      for (TestRedis master : cluster.masters()) socket.call(command("SET", cluster.keyOn(master, "keyless-"), "v"), "+OK\r\n");
      long keys = cluster.masters().stream().mapToLong(master -> master.commands().dbsize()).sum();
      assertEquals(":" + keys + "\r\n", socket.send(command("DBSIZE")).readLine());
      String info = bulkText(socket.send(command("INFO")));
      assertTrue(info.contains("db0:keys=" + keys + "\r\n"), info);
      assertTrue(info.contains("# Proxy\r\n"), info);
      String cached = cluster.keyOn(cluster.masters().get(0), "keyless-");
      assertEquals(bulk("v"), socket.call(command("GET", cached), bulk("v")));
      assertEquals("+OK\r\n", socket.call(command("FLUSHALL"), "+OK\r\n"));
      assertEquals(":0\r\n", socket.call(command("DBSIZE"), ":0\r\n"));
      for (TestRedis master : cluster.masters()) assertEquals(0L, master.commands().dbsize());
      assertEquals("$-1\r\n", socket.call(command("GET", cached), "$-1\r\n"), "FLUSHALL cleared the cache");
      assertTrue(socket.send(command("CONFIG", "GET", "maxmemory")).readLine()
          .startsWith("-ERR CONFIG names no key and has no single meaning across a Redis Cluster"));
      assertTrue(socket.send(command("INFO", "memory")).readLine().startsWith("-ERR INFO memory has no single meaning"));
      assertTrue(socket.send(command("COMMAND", "COUNT")).readLine().matches(":[0-9]+\r\n"));
    }
  }

  @Test
  void onceReadyNothingIsRejectedForAConnectionStillOpening() {
    try (ProxyProcess fresh = ProxyProcess.start(cluster.address(), Map.of("CACHE_INVALIDATION", "none"))) {
      Eventually.await(WAIT, "the fresh proxy says it is ready", () -> fresh.request("GET", "/ready").statusCode() == 200);
      try (RespSocket socket = new RespSocket(fresh.respPort(), WAIT)) {
        for (TestRedis master : cluster.masters()) {
          String key = cluster.keyOn(master, "ready-");
          assertEquals("+OK\r\n", socket.send(command("SET", key, "v")).readLine(), "forwarded to " + master.port());
          assertEquals(bulk("v"), reply(socket.send(command("GET", key))), "read from " + master.port());
        }
      }
    }
  }

  @Test
  void keysScanAndRandomkeySeeEveryMaster() {
    try (RespSocket socket = socket()) {
      List<String> written = new ArrayList<>();
      for (TestRedis master : cluster.masters()) {
        for (int i = 0; i < 4; i++) written.add(cluster.keyOn(master, "everywhere-" + i + "-"));
      }
      for (String key : written) socket.call(command("SET", key, "v"), "+OK\r\n");
      List<String> sorted = written.stream().sorted().toList();
      assertEquals(sorted, bulks(reply(socket.send(command("KEYS", "everywhere-*")))).stream().sorted().toList());

      List<String> scanned = new ArrayList<>();
      String cursor = "0";
      int pages = 0;
      do {
        List<String> page = bulks(reply(socket.send(command("SCAN", cursor, "MATCH", "everywhere-*", "COUNT", "2"))));
        cursor = page.get(0);
        scanned.addAll(page.subList(1, page.size()));
        assertTrue(++pages < 10_000, "the scan ends");
      } while (!cursor.equals("0"));
      assertEquals(sorted, scanned.stream().sorted().toList(), "SCAN visits every master once, to the end");
      assertTrue(socket.send(command("SCAN", "not-a-cursor")).readLine().startsWith("-ERR invalid cursor"));

      String random = bulks(reply(socket.send(command("RANDOMKEY")))).get(0);
      assertEquals(":1\r\n", socket.call(command("EXISTS", random), ":1\r\n"), "RANDOMKEY names a key that exists: " + random);
      assertTrue(socket.send(command("PUBLISH", "news", "hello")).readLine().matches(":[0-9]+\r\n"));
    }
  }

  @Test
  void scriptsAreLoadedAndFlushedOnEveryMaster() {
    try (RespSocket socket = socket()) {
      String sha = bulks(reply(socket.send(command("SCRIPT", "LOAD", "return redis.call('get', KEYS[1])")))).get(0);
      assertEquals("*1\r\n:1\r\n", reply(socket.send(command("SCRIPT", "EXISTS", sha))));
      for (TestRedis master : cluster.masters()) {
        String key = cluster.keyOn(master, "script-");
        socket.call(command("SET", key, "on " + master.port()), "+OK\r\n");
        assertEquals(bulk("on " + master.port()), reply(socket.send(command("EVALSHA", sha, "1", key))), "loaded on " + master.port());
        assertEquals(List.of(true), master.commands().scriptExists(sha), "the node itself has it");
      }
      assertEquals("+OK\r\n", socket.call(command("SCRIPT", "FLUSH"), "+OK\r\n"));
      assertEquals("*2\r\n:0\r\n:0\r\n", reply(socket.send(command("SCRIPT", "EXISTS", sha, sha))));
      String key = cluster.keyOn(cluster.masters().get(1), "script-");
      assertTrue(socket.send(command("EVALSHA", sha, "1", key)).readLine().startsWith("-NOSCRIPT"));
    }
  }

  @Test
  void whatNeedsAConnectionOfItsOwnBeyondTransactionsBlockingAndPubSubIsRefusedAndHello3FallsBackToResp2() {
    // Transactions, blocking commands and subscriptions pin (ClusterSessionsIT); the other states do not.
    try (RespSocket socket = socket()) {
      assertEquals("-NOPROTO unsupported protocol version\r\n", socket.send(command("HELLO", "3")).readLine());
      for (String[] pinning : List.of(new String[] {"MONITOR"}, new String[] {"SELECT", "1"},
          new String[] {"CLIENT", "TRACKING", "on"}, new String[] {"CLIENT", "REPLY", "OFF"})) {
        assertTrue(socket.send(command(pinning)).readLine().startsWith("-ERR " + pinning[0] + " is not supported"), pinning[0]);
      }
      assertEquals("+OK\r\n", socket.call(command("SELECT", "0"), "+OK\r\n"));
    }
  }

  @Test
  void authAsOneOfRedissUsersIsRefusedClearlyEvenWithItsRightPassword() {
    // alice is a real user on every node, password and all: the proxy still never logs in as her,
    // and says so, rather than WRONGPASS (her password is right) or +OK (she would be served as the proxy's user).
    String refused = "-ERR AUTH as one of Redis's users is not supported in front of a Redis Cluster: every client acts"
        + " as the proxy's own Redis user there\r\n";
    for (TestRedis node : cluster.nodes()) {
      try (RespSocket direct = new RespSocket(node.port(), WAIT)) {
        direct.call(command("ACL", "SETUSER", "alice", "on", ">secret", "~alice:*", "+@all"), "+OK\r\n");
        assertEquals("+OK\r\n", direct.call(command("AUTH", "alice", "secret"), "+OK\r\n"), "alice logs in on the node itself");
      }
    }
    try (RespSocket socket = socket()) {
      assertEquals(refused, socket.send(command("AUTH", "alice", "secret")).readLine());
      assertEquals(refused, socket.send(command("HELLO", "2", "AUTH", "alice", "secret")).readLine());
      // What a client falls back from to RESP2 and AUTH, which gets the refusal above.
      assertEquals("-NOPROTO unsupported protocol version\r\n", socket.send(command("HELLO", "3", "AUTH", "alice", "secret")).readLine());
      assertEquals(refused, socket.send(command("AUTH", "secret")).readLine(), "no gate: AUTH names no user of the proxy's");
      assertEquals("+PONG\r\n", socket.call(command("PING"), "+PONG\r\n"), "the connection stays open and usable");
    } finally {
      for (TestRedis node : cluster.nodes()) {
        try (RespSocket direct = new RespSocket(node.port(), WAIT)) {
          direct.call(command("ACL", "DELUSER", "alice"), ":1\r\n");
        }
      }
    }
  }

  private static String bulkText(RespSocket socket) {
    String header = socket.readLine();
    int length = Integer.parseInt(header.substring(1, header.length() - 2));
    return socket.read(length + 2);
  }

  // One whole RESP2 reply, read as framed: a line, then a bulk's bytes or an array's elements.
  private static String reply(RespSocket socket) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    readReply(socket, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void readReply(RespSocket socket, ByteArrayOutputStream out) {
    String line = socket.readLine();
    out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
    char type = line.charAt(0);
    if (type != '$' && type != '*') return;
    int count = Integer.parseInt(line.substring(1, line.length() - 2));
    if (type == '$' && count >= 0) out.writeBytes(socket.read(count + 2).getBytes(StandardCharsets.UTF_8));
    if (type == '*') for (int i = 0; i < count; i++) readReply(socket, out);
  }
}
