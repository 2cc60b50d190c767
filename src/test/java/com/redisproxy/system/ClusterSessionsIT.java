package com.redisproxy.system;

import static com.redisproxy.system.support.RespReplies.bulk;
import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxiedCluster;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestCluster;
import com.redisproxy.system.support.TestRedis;
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
 * What pins a session in front of one Redis works in front of a real 3-master / 3-replica Redis
 * Cluster (Redis 6.2) as cluster clients do it: transactions and WATCH on the master of their
 * slot, a key of another slot refused with CROSSSLOT and the transaction aborted, blocking
 * commands on their key's master, subscriptions on any node; through a slot migration and a
 * failover, Redis's own errors and never a hang. The cache has no tracking and a long expiry: a
 * stale read after a transaction through the proxy would show here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterSessionsIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private ProxiedCluster proxied;
  private TestCluster cluster;
  private ProxyProcess proxy;

  @BeforeAll
  void start() {
    proxied = ProxiedCluster.ready(TestCluster.started(3, 1), Map.of("GLOBAL_CACHE_EXPIRY", "600", "CACHE_INVALIDATION", "none"), WAIT);
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

  private static String onNode(TestRedis node, String key) {
    byte[] value = node.commands().get(TestRedis.bytes(key));
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  private static List<String> replies(RespSocket socket, int count) {
    List<String> replies = new ArrayList<>();
    for (int i = 0; i < count; i++) replies.add(socket.readReply());
    return replies;
  }

  @Test
  void aTransactionOfOneSlotRunsOnItsMasterOneCommandAtATime() {
    for (TestRedis master : cluster.masters()) {
      String key = cluster.keyOn(master, "tx-");
      try (RespSocket socket = socket()) {
        assertEquals("+OK\r\n", socket.call(command("SET", key, "10"), "+OK\r\n"));
        assertEquals(bulk("10"), socket.call(command("GET", key), bulk("10")), "cached now");
        // MULTI names no key: answered at once, sent with the first key
        assertEquals("+OK\r\n", socket.call(command("MULTI"), "+OK\r\n"));
        assertEquals("+QUEUED\r\n", socket.call(command("INCR", key), "+QUEUED\r\n"));
        assertEquals("+QUEUED\r\n", socket.call(command("INCR", key), "+QUEUED\r\n"));
        assertEquals("*2\r\n:11\r\n:12\r\n", socket.send(command("EXEC")).readReply());
        assertEquals(bulk("12"), socket.call(command("GET", key), bulk("12")), "the transaction dropped the cached 10");
        assertEquals("12", onNode(master, key), "ran on the slot's master " + master.port());
      }
    }
  }

  @Test
  void commandsPipelinedAroundATransactionKeepTheirOrder() {
    String key = cluster.keyOn(cluster.masters().get(1), "pipelined-tx-");
    String other = cluster.keyOn(cluster.masters().get(2), "pipelined-other-");
    try (RespSocket socket = socket()) {
      for (int i = 0; i < 50; i++) {
        socket.send(command("SET", key, "1") + command("SET", other, "o" + i) + command("MULTI") + command("INCR", key)
            + command("INCR", key) + command("EXEC") + command("GET", key) + command("GET", other) + command("INCR", key));
        assertEquals(List.of("+OK\r\n", "+OK\r\n", "+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "*2\r\n:2\r\n:3\r\n",
            bulk("3"), bulk("o" + i), ":4\r\n"), replies(socket, 9), "round " + i);
      }
    }
  }

  @Test
  void aWatchedKeyWrittenByAnotherClientMakesExecAnswerNil() {
    String key = cluster.keyOn(cluster.masters().get(0), "watched-");
    try (RespSocket watcher = socket(); RespSocket other = socket()) {
      assertEquals("+OK\r\n", watcher.call(command("SET", key, "mine"), "+OK\r\n"));
      assertEquals("+OK\r\n", watcher.call(command("WATCH", key), "+OK\r\n"));
      assertEquals(bulk("mine"), watcher.call(command("GET", key), bulk("mine")));
      assertEquals("+OK\r\n", other.call(command("SET", key, "theirs"), "+OK\r\n"));
      assertEquals("+OK\r\n", watcher.call(command("MULTI"), "+OK\r\n"));
      assertEquals("+QUEUED\r\n", watcher.call(command("SET", key, "mine again"), "+QUEUED\r\n"));
      assertEquals("*-1\r\n", watcher.call(command("EXEC"), "*-1\r\n"), "the watched key changed: nothing ran");
      assertEquals(bulk("theirs"), watcher.call(command("GET", key), bulk("theirs")));

      // unwatched, the same transaction runs
      assertEquals("+OK\r\n", watcher.call(command("WATCH", key), "+OK\r\n"));
      assertEquals("+OK\r\n", watcher.call(command("MULTI"), "+OK\r\n"));
      assertEquals("+QUEUED\r\n", watcher.call(command("SET", key, "mine again"), "+QUEUED\r\n"));
      assertEquals("*1\r\n+OK\r\n", watcher.call(command("EXEC"), "*1\r\n+OK\r\n"));
      assertEquals(bulk("mine again"), other.call(command("GET", key), bulk("mine again")));
    }
  }

  @Test
  void aKeyOfAnotherSlotInATransactionIsCrossslotAndExecAborts() {
    String key = cluster.keyOn(cluster.masters().get(0), "cross-tx-");
    String sameNode = cluster.keyOn(cluster.masters().get(0), "cross-tx-same-node-");
    String elsewhere = cluster.keyOn(cluster.masters().get(1), "cross-tx-");
    String crossslot = "-CROSSSLOT Keys in request don't hash to the same slot\r\n";
    assertTrue(TestCluster.slotOf(key) != TestCluster.slotOf(sameNode), "two slots of one master");
    try (RespSocket socket = socket()) {
      for (String other : List.of(elsewhere, sameNode)) {
        assertEquals("+OK\r\n", socket.call(command("MULTI"), "+OK\r\n"));
        assertEquals("+QUEUED\r\n", socket.call(command("SET", key, "queued"), "+QUEUED\r\n"));
        assertEquals(crossslot, socket.call(command("SET", other, "queued"), crossslot));
        assertEquals("+QUEUED\r\n", socket.call(command("SET", "{" + key + "}tagged", "queued"), "+QUEUED\r\n"));
        assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", socket.send(command("EXEC")).readLine());
        assertEquals(":0\r\n", socket.call(command("EXISTS", key, other, "{" + key + "}tagged"), ":0\r\n"), "nothing ran");
      }
      // keys of two slots in one queued command: Redis's own CROSSSLOT, and the same abort
      assertEquals("+OK\r\n", socket.call(command("MULTI"), "+OK\r\n"));
      assertEquals(crossslot, socket.call(command("MSET", key, "1", elsewhere, "2"), crossslot));
      assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", socket.send(command("EXEC")).readLine());
      // after it the session is the shared one again: any slot goes
      assertEquals("+OK\r\n", socket.call(command("SET", elsewhere, "after"), "+OK\r\n"));
      assertEquals(bulk("after"), socket.call(command("GET", elsewhere), bulk("after")));
    }
  }

  @Test
  void aTransactionWithoutKeysRunsOnAnyMasterAndDiscardEndsOneNotYetSent() {
    try (RespSocket socket = socket()) {
      assertEquals("+OK\r\n", socket.call(command("MULTI"), "+OK\r\n"));
      assertEquals("*0\r\n", socket.call(command("EXEC"), "*0\r\n"));
      assertEquals("+OK\r\n", socket.call(command("MULTI"), "+OK\r\n"));
      assertEquals("-ERR MULTI calls can not be nested\r\n", socket.send(command("MULTI")).readLine());
      assertEquals("+OK\r\n", socket.call(command("DISCARD"), "+OK\r\n"));
      assertEquals("+PONG\r\n", socket.call(command("PING"), "+PONG\r\n"), "no transaction any more");
      assertEquals("-ERR EXEC without MULTI\r\n", socket.call(command("EXEC"), "-ERR EXEC without MULTI\r\n"), "Redis's own answer");
      assertEquals("-ERR DISCARD without MULTI\r\n", socket.call(command("DISCARD"), "-ERR DISCARD without MULTI\r\n"));
      assertEquals("+OK\r\n", socket.call(command("UNWATCH"), "+OK\r\n"));
    }
  }

  @Test
  void aBlockingPopWaitsOnItsKeysMasterUntilAnotherClientPushes() {
    TestRedis master = cluster.masters().get(2);
    String list = cluster.keyOn(master, "blocking-");
    String other = cluster.keyOn(cluster.masters().get(0), "blocking-other-");
    try (RespSocket blocked = socket(); RespSocket pusher = socket()) {
      pusher.call(command("SET", other, "elsewhere"), "+OK\r\n");
      long blockedBefore = blockedClients(master);
      // what is pipelined after it waits for it, then goes to its own slot's master
      blocked.send(command("BLPOP", list, "0") + command("GET", other));
      Eventually.await(WAIT, "BLPOP is blocked on " + master.port(), () -> blockedClients(master) == blockedBefore + 1);
      assertEquals(":1\r\n", pusher.call(command("RPUSH", list, "woken"), ":1\r\n"));
      assertEquals("*2\r\n" + bulk(list) + bulk("woken"), blocked.readReply());
      assertEquals(bulk("elsewhere"), blocked.readReply());
      String crossslot = "-CROSSSLOT Keys in request don't hash to the same slot\r\n";
      assertEquals(crossslot, blocked.call(command("BLPOP", list, other, "1"), crossslot), "keys of two slots, as Redis says");
      assertEquals("*-1\r\n", blocked.call(command("BRPOP", list, "0.1"), "*-1\r\n"), "timed out on an empty list");
    }
  }

  @Test
  void aBlockingStreamReadWhoseKeysOnlyRedisNamesWaitsOnItsStreamsMaster() {
    TestRedis master = cluster.masters().get(1);
    String stream = cluster.keyOn(master, "blocking-stream-");
    try (RespSocket reader = socket(); RespSocket writer = socket()) {
      long blockedBefore = blockedClients(master);
      // XREAD's keys follow STREAMS: the proxy asks Redis (COMMAND GETKEYS) which master to wait on
      reader.send(command("XREAD", "BLOCK", "0", "STREAMS", stream, "$"));
      Eventually.await(WAIT, "XREAD is blocked on " + master.port(), () -> blockedClients(master) == blockedBefore + 1);
      String id = writer.send(command("XADD", stream, "*", "f", "v")).readReply();
      String entryId = id.substring(id.indexOf("\r\n") + 2, id.length() - 2);
      assertEquals("*1\r\n*2\r\n" + bulk(stream) + "*1\r\n*2\r\n" + bulk(entryId) + "*2\r\n" + bulk("f") + bulk("v"),
          reader.readReply());
    }
  }

  private static long blockedClients(TestRedis node) {
    return node.commands().info("clients").lines().filter(line -> line.startsWith("blocked_clients:"))
        .mapToLong(line -> Long.parseLong(line.substring("blocked_clients:".length()).trim())).findFirst().orElseThrow();
  }

  @Test
  void aSubscriberHearsWhatIsPublishedOnEveryNode() {
    try (RespSocket subscriber = socket()) {
      assertEquals("*3\r\n" + bulk("subscribe") + bulk("news") + ":1\r\n", subscriber.send(command("SUBSCRIBE", "news")).readReply());
      assertEquals("*3\r\n" + bulk("psubscribe") + bulk("n*") + ":2\r\n", subscriber.send(command("PSUBSCRIBE", "n*")).readReply());
      // Published straight on each master: whichever node the subscriber is on, the bus carries the rest.
      List<String> expected = new ArrayList<>();
      for (TestRedis master : cluster.masters()) {
        String message = "from " + master.port();
        master.commands().publish(TestRedis.bytes("news"), TestRedis.bytes(message));
        expected.add("*3\r\n" + bulk("message") + bulk("news") + bulk(message));
        expected.add("*4\r\n" + bulk("pmessage") + bulk("n*") + bulk("news") + bulk(message));
      }
      List<String> heard = replies(subscriber, expected.size());
      assertEquals(expected.stream().sorted().toList(), heard.stream().sorted().toList());
      assertEquals("*3\r\n" + bulk("unsubscribe") + bulk("news") + ":1\r\n", subscriber.send(command("UNSUBSCRIBE", "news")).readReply());
    }
  }

  @Test
  void shardedPubSubAgainstRedis62IsRefusedClearlyAndTheRestStaysRefused() {
    try (RespSocket socket = socket()) {
      assertEquals("-ERR SSUBSCRIBE is sharded pub/sub, which needs Redis 7: the cluster's nodes do not know it\r\n",
          socket.send(command("SSUBSCRIBE", "c")).readLine());
      assertEquals("-ERR SPUBLISH is sharded pub/sub, which needs Redis 7: the cluster's nodes do not know it\r\n",
          socket.send(command("SPUBLISH", "c", "m")).readLine());
      for (String[] refused : List.of(new String[] {"MONITOR"}, new String[] {"SELECT", "1"},
          new String[] {"CLIENT", "TRACKING", "on"}, new String[] {"RESET"})) {
        assertTrue(socket.send(command(refused)).readLine().startsWith("-ERR " + refused[0] + " is not supported by the proxy"
            + " in front of a Redis Cluster: it needs a connection of its own to one node"), refused[0]);
      }
      // inside a session too: the transaction aborts
      String key = cluster.keyOn(cluster.masters().get(0), "refused-in-tx-");
      assertEquals("+OK\r\n", socket.call(command("MULTI"), "+OK\r\n"));
      assertEquals("+QUEUED\r\n", socket.call(command("SET", key, "v"), "+QUEUED\r\n"));
      assertTrue(socket.send(command("SELECT", "1")).readLine().startsWith("-ERR SELECT is not supported by the proxy"));
      assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", socket.send(command("EXEC")).readLine());
      assertEquals("$-1\r\n", socket.call(command("GET", key), "$-1\r\n"));
    }
  }

  @Test
  void aTransactionDuringASlotMigrationGetsRedisOwnErrorAndTheNextRunsOnTheNewOwner() {
    TestRedis source = cluster.masters().get(0);
    TestRedis target = cluster.masters().get(1);
    String key = cluster.keyOn(source, "migrating-tx-");
    int slot = TestCluster.slotOf(key);
    try (RespSocket socket = socket()) {
      assertEquals("+OK\r\n", socket.call(command("SET", key, "1"), "+OK\r\n"));
      cluster.startMigration(slot, target);
      cluster.moveKeys(slot, source, target);
      // the key has left the source, which still owns the slot: it answers ASK, and the transaction aborts
      assertEquals("+OK\r\n", socket.call(command("MULTI"), "+OK\r\n"));
      String asked = socket.send(command("INCR", key)).readLine();
      assertTrue(asked.startsWith("-ASK " + slot + " "), asked);
      assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", socket.send(command("EXEC")).readLine());
      cluster.finishMigration(slot, target);
      // The proxy may still see the old owner, which answers MOVED: the transaction aborts, and the
      // slot map is read again before the next one picks its node.
      List<String> first = transaction(socket, key);
      assertTrue(first.equals(List.of("+OK\r\n", "+QUEUED\r\n", "*1\r\n:2\r\n"))
          || (first.get(1).startsWith("-MOVED " + slot + " ") && first.get(2).startsWith("-EXECABORT")), first.toString());
      int expected = first.get(2).startsWith("*") ? 3 : 2;
      assertEquals(List.of("+OK\r\n", "+QUEUED\r\n", "*1\r\n:" + expected + "\r\n"), transaction(socket, key));
      assertEquals(String.valueOf(expected), onNode(target, key), "ran on the slot's new owner");
    }
  }

  @Test
  void aTransactionAcrossAFailoverGetsRedisOwnErrorAndTheNextRunsOnThePromotedReplica() {
    TestRedis master = cluster.masters().get(2);
    TestRedis replica = cluster.replicaOf(master);
    String key = cluster.keyOn(master, "failover-tx-");
    try (RespSocket socket = socket()) {
      assertEquals("+OK\r\n", socket.call(command("SET", key, "1"), "+OK\r\n"));
      assertEquals("+OK\r\n", socket.call(command("MULTI"), "+OK\r\n"));
      assertEquals("+QUEUED\r\n", socket.call(command("INCR", key), "+QUEUED\r\n"));
      cluster.failover(replica);
      // the old master is a replica now: EXEC is redirected, the transaction discarded
      String exec = socket.send(command("EXEC")).readLine();
      assertTrue(exec.startsWith("-MOVED " + TestCluster.slotOf(key) + " "), exec);
      assertEquals(List.of("+OK\r\n", "+QUEUED\r\n", "*1\r\n:2\r\n"), transaction(socket, key));
      assertEquals("2", onNode(replica, key), "ran on the promoted replica");
      // The fetch path refuses a miss while its connection to the promoted node opens (fail fast,
      // see ClusterRespIT): the other tests' reads start once it reads from there.
      Eventually.await(WAIT, "a GET of the promoted replica's key answers its value",
          () -> socket.send(command("GET", key)).readReply().equals(bulk("2")));
    }
  }

  private static List<String> transaction(RespSocket socket, String key) {
    socket.send(command("MULTI") + command("INCR", key) + command("EXEC"));
    return List.of(socket.readLine(), socket.readLine(), socket.readReply());
  }
}
