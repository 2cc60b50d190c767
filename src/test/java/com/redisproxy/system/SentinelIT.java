package com.redisproxy.system;

import static com.redisproxy.system.support.ProxyProcess.body;
import static com.redisproxy.system.support.RespReplies.call;
import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import com.redisproxy.system.support.TestSentinels;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** REDIS_ADDRESS names Sentinels: the proxy follows the master they name, through both front ends. */
class SentinelIT {
  // A fetch timeout longer than FAST: a miss that waited for it instead of failing at once shows.
  private static final Map<String, String> PURE_TTL =
      Map.of("GLOBAL_CACHE_EXPIRY", "600", "CACHE_INVALIDATION", "none", "REDIS_FETCH_TIMEOUT", "4s");
  private static final Map<String, String> TRACKING =
      Map.of("GLOBAL_CACHE_EXPIRY", "600", "CACHE_INVALIDATION", "tracking", "REDIS_FETCH_TIMEOUT", "4s");
  // A failover on a loaded 2-core machine: detection (1 s), election, promotion, and the proxy's poll.
  private static final Duration FAILOVER = Duration.ofSeconds(45);
  private static final Duration FAST = Duration.ofSeconds(3);
  // Sentinel disconnects the clients of a demoted master that is still up only 8-10 s after the
  // switch: writes landing on the new master sooner show that the proxy followed on its own.
  private static final Duration FOLLOW = Duration.ofSeconds(6);

  @Test
  void readsAndForwardedWritesGoToTheMasterTheSentinelsName() {
    try (TestSentinels sentinels = TestSentinels.started();
        ProxyProcess proxy = ready(sentinels.address(), PURE_TTL);
        RespSocket client = new RespSocket(proxy.respPort())) {
      TestRedis master = sentinels.master();
      assertEquals("+OK\r\n", client.call(command("SET", "written", "through resp"), "+OK\r\n"));
      assertEquals(":1\r\n", client.call(command("INCR", "counter"), ":1\r\n"));
      assertArrayEquals(TestRedis.bytes("through resp"), master.commands().get(TestRedis.bytes("written")));
      assertArrayEquals(TestRedis.bytes("1"), master.commands().get(TestRedis.bytes("counter")));

      master.set("seeded", "in the master");
      assertEquals("in the master", body(proxy.get("seeded")));
      assertEquals("$13\r\nin the master\r\n", client.call(command("GET", "seeded"), "$13\r\nin the master\r\n"));
      assertEquals("$12\r\nthrough resp\r\n", client.call(command("GET", "written"), "$12\r\nthrough resp\r\n"));
      assertTrue(proxy.output().contains("Sentinels name 127.0.0.1:" + master.port() + " the master 'mymaster'"),
          proxy.output());
    }
  }

  @Test
  void theUrisPasswordIsTheMastersForMissesAndForwardedCommands() {
    try (TestSentinels sentinels = TestSentinels.startedWithPassword("master-secret");
        ProxyProcess proxy = ready(sentinels.address(), PURE_TTL, Optional.of("Bearer master-secret"));
        RespSocket client = new RespSocket(proxy.respPort())) {
      TestRedis master = sentinels.master();
      master.set("guarded", "read with the password");
      // Redis's default user needs the password: clients, acting as that user, send it too (issue 22).
      assertEquals(401, proxy.get("guarded").statusCode());
      assertEquals("read with the password", body(proxy.getAs("guarded", "Bearer master-secret")));
      assertEquals("+OK\r\n", client.call(command("AUTH", "master-secret"), "+OK\r\n"));
      assertEquals("+OK\r\n", client.call(command("SET", "written", "with the password"), "+OK\r\n"));
      assertArrayEquals(TestRedis.bytes("with the password"), master.commands().get(TestRedis.bytes("written")));
      assertTrue(!proxy.output().contains("master-secret"), "the password is never logged");
    }
  }

  @Test
  void duringAFailoverCachedKeysAreServedAndAfterItWritesGoToTheNewMaster() {
    try (TestSentinels sentinels = TestSentinels.started();
        ProxyProcess proxy = ready(sentinels.address(), PURE_TTL);
        RespSocket client = new RespSocket(proxy.respPort(), Duration.ofSeconds(20));
        RespSocket transaction = new RespSocket(proxy.respPort(), Duration.ofSeconds(20))) {
      TestRedis before = sentinels.master();
      TestRedis after = sentinels.other(before);
      assertEquals("+OK\r\n", transaction.call(command("MULTI"), "+OK\r\n"));
      before.set("cached", "from the old master");
      assertEquals("from the old master", body(proxy.get("cached")));
      assertEquals(":1\r\n", client.call(command("INCR", "counter"), ":1\r\n"));
      sentinels.awaitInSync(after);
      Eventually.await(FAILOVER, "the replica has the counter", () -> after.commands().get(TestRedis.bytes("counter")) != null);

      sentinels.requestFailover();
      int miss = 0;
      long end = System.nanoTime() + FAILOVER.toNanos();
      while (!sentinels.allName(after)) {
        assertTrue(System.nanoTime() - end < 0, "no failover within " + FAILOVER + "\n" + proxy.output());
        assertEquals("from the old master", body(proxy.get("cached")), "a cached key during the failover");
        assertMissAnsweredPromptly(proxy, "miss-" + miss++);
      }

      Eventually.await(FOLLOW, "a transaction begun on the old master ends", () -> {
        String reply = transaction.send(command("SET", "in-transaction", "x")).readLine();
        if (reply.startsWith("-ERR the backing Redis's master moved")) return true;
        assertEquals("+QUEUED\r\n", reply, "queued on the old master until the proxy follows");
        return false;
      });
      assertTrue(transaction.endOfStream(), "the pinned session ends with its connection");
      awaitWritesLandOn(after, client);
      assertEquals(":2\r\n", client.call(command("INCR", "counter"), ":2\r\n"));
      assertArrayEquals(TestRedis.bytes("2"), after.commands().get(TestRedis.bytes("counter")));
      Eventually.await(FAILOVER, "a miss is read from the new master", () -> {
        String key = "fresh-" + System.nanoTime();
        after.set(key, "on the new master");
        return body(proxy.get(key)).equals("on the new master");
      });
      assertEquals("from the old master", body(proxy.get("cached")), "without tracking the cache is kept");
    }
  }

  @Test
  void withTrackingAFailoverClearsTheCacheAndTheNewMasterReportsChanges() {
    try (TestSentinels sentinels = TestSentinels.started();
        ProxyProcess proxy = ready(sentinels.address(), TRACKING)) {
      TestRedis before = sentinels.master();
      TestRedis after = sentinels.other(before);
      before.set("tracked", "v1");
      assertEquals("v1", body(proxy.get("tracked")));
      sentinels.awaitInSync(after);

      sentinels.requestFailover();
      sentinels.awaitMaster(after, FAILOVER);
      after.set("tracked", "v2");
      awaitValue(proxy, "tracked", "v2", FOLLOW);
      // Tracking is on again, now on the new master: its next change is seen without waiting for expiry.
      after.set("tracked", "v3");
      awaitValue(proxy, "tracked", "v3", FOLLOW);
    }
  }

  @Test
  void whenTheMasterIsKilledMissesFailFastUntilTheReplicaIsPromoted() {
    try (TestSentinels sentinels = TestSentinels.started();
        ProxyProcess proxy = ready(sentinels.address(), PURE_TTL);
        RespSocket client = new RespSocket(proxy.respPort(), Duration.ofSeconds(20))) {
      TestRedis before = sentinels.master();
      TestRedis after = sentinels.other(before);
      before.set("cached", "kept");
      assertEquals("kept", body(proxy.get("cached")));
      sentinels.awaitInSync(after);

      before.stop();
      Eventually.await(FAILOVER, "a miss fails at once while there is no master", () -> {
        assertEquals("kept", body(proxy.get("cached")), "a cached key while the master is gone");
        long start = System.nanoTime();
        HttpResponse<byte[]> response = proxy.get("miss-" + start);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(FAST) < 0, "a miss took " + took);
        if (response.statusCode() != 502) return false;
        assertTrue(body(response).contains("unavailable"), body(response));
        return true;
      });
      // With no master a write fails at once. Sent just as the replica is promoted, it may already
      // go to the new master: then it is there, and a read through the proxy soon gets it.
      String reply = client.send(command("SET", "during", "x")).readLine();
      if (!reply.startsWith("-ERR the backing Redis ")) {
        assertEquals("+OK\r\n", reply, "a write with no master");
        assertArrayEquals(TestRedis.bytes("x"), after.commands().get(TestRedis.bytes("during")), "the write is on the new master");
        awaitValue(proxy, "during", "x", FOLLOW);
      }

      sentinels.awaitMaster(after, FAILOVER);
      awaitWritesLandOn(after, client);
      Eventually.await(FAILOVER, "misses are served again, from the new master", () -> {
        String key = "fresh-" + System.nanoTime();
        after.set(key, "promoted");
        return body(proxy.get(key)).equals("promoted");
      });
      assertEquals("kept", body(proxy.get("cached")));
    }
  }

  @Test
  void aClientLoggedInAsAnAclUserActsAsThatUserBeforeAndAfterAFailover() {
    try (TestSentinels sentinels = TestSentinels.started();
        ProxyProcess proxy = ready(sentinels.address(), PURE_TTL);
        RespSocket anyone = new RespSocket(proxy.respPort(), Duration.ofSeconds(20));
        RespSocket reader = new RespSocket(proxy.respPort(), Duration.ofSeconds(20))) {
      TestRedis before = sentinels.master();
      TestRedis after = sentinels.other(before);
      // Redis does not replicate its users: each node is given them, as an operator (or an ACL file) would.
      for (TestRedis node : List.of(before, after)) {
        try (RespSocket admin = new RespSocket(node.port())) {
          assertEquals("+OK\r\n", call(admin, "ACL", "SETUSER", "reader", "on", ">readerpw", "~public:*",
              "-@all", "+get", "+set", "+acl|whoami"));
        }
      }
      before.set("public:1", "for reader");
      before.set("secret:1", "for default only");
      assertEquals("$16\r\nfor default only\r\n", call(anyone, "GET", "secret:1")); // cached now, as the proxy's user
      assertEquals("+OK\r\n", call(reader, "AUTH", "reader", "readerpw"));
      assertActsAsReader(reader);
      assertEquals("+OK\r\n", call(reader, "SET", "public:before", "x"));
      assertArrayEquals(TestRedis.bytes("x"), before.commands().get(TestRedis.bytes("public:before")));
      sentinels.awaitInSync(after);

      sentinels.requestFailover();
      sentinels.awaitMaster(after, FAILOVER);
      // The reader's writes follow the master, still as reader: a key outside its pattern is refused there.
      Eventually.await(FOLLOW, "the reader's writes land on the new master", () -> {
        String written = "public:after-" + System.nanoTime();
        return call(reader, "SET", written, "x").equals("+OK\r\n") && after.commands().get(TestRedis.bytes(written)) != null;
      });
      assertActsAsReader(reader);
      assertTrue(call(reader, "SET", "secret:2", "x").startsWith("-NOPERM"), "reader's writes run as reader on the new master");
    }
  }

  // reader is reader in Redis: its own key is read, and the one cached for the proxy's user is refused it.
  private static void assertActsAsReader(RespSocket reader) {
    assertEquals("$6\r\nreader\r\n", call(reader, "ACL", "WHOAMI"));
    assertEquals("$10\r\nfor reader\r\n", call(reader, "GET", "public:1"));
    String refused = call(reader, "GET", "secret:1");
    assertTrue(refused.startsWith("-NOPERM"), refused);
  }

  @Test
  void aMasterNameNoSentinelKnowsGivesClearErrors() {
    try (TestSentinels sentinels = TestSentinels.started();
        ProxyProcess proxy = ProxyProcess.start(sentinels.addressForMaster("nosuchmaster"), PURE_TTL);
        RespSocket client = new RespSocket(proxy.respPort())) {
      String known = "no sentinel knows a master named 'nosuchmaster'";
      Eventually.await(FAILOVER, "the sentinels have answered", () -> proxy.output().contains(known));
      HttpResponse<byte[]> miss = proxy.get("anything");
      assertEquals(502, miss.statusCode());
      assertTrue(body(miss).contains(known), body(miss));
      assertEquals("-ERR the backing Redis is unavailable: " + known + "\r\n",
          client.send(command("SET", "k", "v")).readLine());
      assertEquals("-ERR the backing Redis is unavailable: " + known + "\r\n",
          client.send(command("MULTI")).readLine());
    }
  }

  // A miss during a failover is a value (the old master still serves) or a 502 at once, never a wait.
  private static void assertMissAnsweredPromptly(ProxyProcess proxy, String key) {
    long start = System.nanoTime();
    HttpResponse<byte[]> response = proxy.get(key);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(response.statusCode() == 404 || response.statusCode() == 502,
        "a miss during the failover: " + response.statusCode() + " " + body(response));
    assertTrue(took.compareTo(FAST) < 0, "a miss during the failover took " + took);
  }

  // Called once every sentinel names the new master. Forwarded writes and misses (the fetchers'
  // connections) both follow it; after that, every write lands there, none on the old master.
  private static void awaitWritesLandOn(TestRedis master, RespSocket client) {
    Eventually.await(FOLLOW, "a write through the RESP port lands on the new master, and a miss is read there", () -> {
      String written = "probe-" + System.nanoTime();
      if (!client.send(command("SET", written, "x")).readLine().equals("+OK\r\n")) return false;
      if (master.commands().get(TestRedis.bytes(written)) == null) return false;
      for (int i = 0; i < 4; i++) { // misses take the fetchers' connections in turn
        String read = "read-" + i + "-" + System.nanoTime();
        master.set(read, "x");
        if (!client.send(command("GET", read)).readLine().equals("$1\r\n") || !client.readLine().equals("x\r\n")) {
          return false;
        }
      }
      return true;
    });
    for (int i = 0; i < 20; i++) {
      String key = "after-" + i;
      assertEquals("+OK\r\n", client.call(command("SET", key, "v" + i), "+OK\r\n"));
      assertArrayEquals(TestRedis.bytes("v" + i), master.commands().get(TestRedis.bytes(key)), key);
      String bulk = "$" + ("v" + i).length() + "\r\nv" + i + "\r\n";
      assertEquals(bulk, client.call(command("GET", key), bulk), key);
    }
  }

  // Started, and every connection to the master open (misses are shared among them in turn):
  // the sentinels are asked after the front ends are up.
  private static ProxyProcess ready(String address, Map<String, String> env) {
    return ready(address, env, Optional.empty());
  }

  /** @param authorization the Authorization header the probe reads with, when Redis needs a password */
  private static ProxyProcess ready(String address, Map<String, String> env, Optional<String> authorization) {
    ProxyProcess proxy = ProxyProcess.start(address, env);
    try {
      Eventually.await(FAILOVER, "the proxy reads from the master on every connection", () -> {
        for (int i = 0; i < 4; i++) {
          int status = authorization.isPresent()
              ? proxy.getAs("readiness-probe", authorization.get()).statusCode() : proxy.get("readiness-probe").statusCode();
          if (status != 404) return false;
        }
        return true;
      });
      return proxy;
    } catch (AssertionError notReady) {
      String output = proxy.output();
      proxy.close();
      throw new AssertionError(notReady.getMessage() + "\n" + output, notReady);
    }
  }

  private static void awaitValue(ProxyProcess proxy, String key, String expected, Duration deadline) {
    Eventually.await(deadline, "the proxy serves " + expected + " for " + key, () -> {
      HttpResponse<byte[]> response = proxy.get(key);
      return response.statusCode() == 200 && body(response).equals(expected);
    });
  }
}
