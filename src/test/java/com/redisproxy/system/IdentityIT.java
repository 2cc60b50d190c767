package com.redisproxy.system;

import static com.redisproxy.system.support.RespReplies.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespReplies;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Redis's own users through the proxy's RESP port, on the real jar, in front of Redis 6.2 (the
 * embedded one) and 7.0 (Debian's): AUTH is Redis's, a user's commands run as that user, a cached
 * value is served only to whom Redis would give it, and changes to Redis's users (ACL SETUSER,
 * DELUSER, LOAD, CONFIG SET requirepass), made straight on Redis or through the proxy, count within
 * a second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentityIT {
  // The issue's bound: a change to Redis's users counts within this long.
  private static final Duration WITHIN = Duration.ofSeconds(1);
  private static final String WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
  private static final File REDIS_7 = new File("/usr/bin/redis-server");

  enum Version { REDIS_6_2, REDIS_7_0 }

  /** Where an administrator changes Redis's users: on Redis itself, or through the proxy's RESP port. */
  enum Admin { STRAIGHT_ON_REDIS, THROUGH_THE_PROXY }

  // aclFile: the users file Redis reads at start and on ACL LOAD.
  private record Pair(TestRedis redis, ProxyProcess proxy, Path aclFile) {}

  private final Map<Version, Pair> pairs = new EnumMap<>(Version.class);

  @BeforeAll
  void start() throws IOException {
    for (Version version : Version.values()) {
      if (version == Version.REDIS_7_0 && !REDIS_7.canExecute()) continue;
      Path aclFile = Files.createTempFile("identity-it-", ".acl");
      Files.writeString(aclFile, "user default on nopass ~* &* +@all\n");
      String aclSetting = "aclfile " + aclFile;
      TestRedis redis = version == Version.REDIS_6_2 ? TestRedis.started(aclSetting) : TestRedis.startedWith(REDIS_7, aclSetting);
      // Tracking off and a long expiry: a value stays cached, so only the rights check stands between it and a reader.
      ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of("GLOBAL_CACHE_EXPIRY", "600", "CACHE_INVALIDATION", "none"));
      pairs.put(version, new Pair(redis, proxy, aclFile));
    }
  }

  @AfterAll
  void stop() throws IOException {
    for (Pair pair : pairs.values()) {
      pair.proxy().close();
      pair.redis().close();
      Files.deleteIfExists(pair.aclFile());
    }
  }

  static Stream<Arguments> everyVersionAndAdmin() {
    return Stream.of(Version.values()).flatMap(version -> Stream.of(Admin.values()).map(admin -> Arguments.of(version, admin)));
  }

  private Pair pair(Version version) {
    Assumptions.assumeTrue(pairs.containsKey(version), "no " + version + " binary here");
    return pairs.get(version);
  }

  private static String onRedis(Pair pair, String... args) {
    try (RespSocket redis = new RespSocket(pair.redis().port())) {
      return call(redis, args);
    }
  }

  private static String as(Admin admin, Pair pair, String... args) {
    int port = admin == Admin.STRAIGHT_ON_REDIS ? pair.redis().port() : pair.proxy().respPort();
    try (RespSocket socket = new RespSocket(port)) {
      return call(socket, args);
    }
  }

  private static RespSocket proxyAs(Pair pair, String user, String password) {
    RespSocket socket = new RespSocket(pair.proxy().respPort());
    assertEquals("+OK\r\n", call(socket, "AUTH", user, password));
    return socket;
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void aClientThatAuthenticatesAsAliceIsAliceInRedis(Version version) {
    Pair pair = pair(version);
    onRedis(pair, "ACL", "SETUSER", "alice", "on", ">secret", "~*", "+@all");
    try (RespSocket socket = new RespSocket(pair.proxy().respPort())) {
      assertEquals("$7\r\ndefault\r\n", call(socket, "ACL", "WHOAMI"));
      assertEquals(WRONGPASS, call(socket, "AUTH", "alice", "wrong"));
      assertEquals("$7\r\ndefault\r\n", call(socket, "ACL", "WHOAMI"), "a failed AUTH changes nothing");
      assertEquals("+OK\r\n", call(socket, "AUTH", "alice", "secret"));
      assertEquals("$5\r\nalice\r\n", call(socket, "ACL", "WHOAMI"));
      // A pipeline: what follows AUTH runs as the user it names.
      onRedis(pair, "ACL", "SETUSER", "alice2", "on", ">secret2", "~*", "+@all");
      socket.send(RespSocket.command("AUTH", "alice2", "secret2") + RespSocket.command("ACL", "WHOAMI"));
      assertEquals("+OK\r\n", RespReplies.read(socket));
      assertEquals("$6\r\nalice2\r\n", RespReplies.read(socket));
    }
    try (RespSocket hello = new RespSocket(pair.proxy().respPort())) {
      String answer = call(hello, "HELLO", "3", "AUTH", "alice", "secret");
      assertTrue(answer.startsWith("%"), answer);
      assertEquals("$5\r\nalice\r\n", call(hello, "ACL", "WHOAMI"));
    }
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void aRestrictedUserNeverReadsAKeyCachedForAnother(Version version) {
    Pair pair = pair(version);
    onRedis(pair, "SET", "secret:1", "for-default-only");
    onRedis(pair, "SET", "public:1", "for-everyone");
    onRedis(pair, "ACL", "SETUSER", "bob", "on", ">bobpw", "~public:*", "-@all", "+get", "+mget", "+acl");
    String redisRefusal;
    try (RespSocket direct = new RespSocket(pair.redis().port())) {
      call(direct, "AUTH", "bob", "bobpw");
      redisRefusal = call(direct, "GET", "secret:1");
    }
    assertTrue(redisRefusal.startsWith("-NOPERM"), redisRefusal);
    try (RespSocket reader = new RespSocket(pair.proxy().respPort())) {
      assertEquals("$16\r\nfor-default-only\r\n", call(reader, "GET", "secret:1")); // now cached
      assertEquals("$12\r\nfor-everyone\r\n", call(reader, "GET", "public:1"));
    }
    try (RespSocket bob = proxyAs(pair, "bob", "bobpw")) {
      // Asked again and again: never once the cached value, whether the proxy's rules are read yet or not.
      for (int i = 0; i < 20; i++) {
        assertEquals(redisRefusal, call(bob, "GET", "secret:1"));
        assertEquals(redisRefusal, call(bob, "MGET", "public:1", "secret:1"));
        assertEquals("$12\r\nfor-everyone\r\n", call(bob, "GET", "public:1"));
      }
      assertTrue(call(bob, "SET", "public:1", "x").startsWith("-NOPERM"), "bob's writes run as bob in Redis");
    }
    try (RespSocket reader = new RespSocket(pair.proxy().respPort()); RespSocket bob = proxyAs(pair, "bob", "bobpw")) {
      for (int i = 0; i < 16; i++) call(reader, "GET", "secret:1"); // one read in 8 is counted
      assertTrue(call(reader, "INFO", "proxy").contains("key=\"secret:1\""), "the hot key, named to whom may read it");
      String bobsInfo = call(bob, "INFO", "proxy");
      assertTrue(bobsInfo.contains("cache_hot_keys_read_share:"), bobsInfo);
      assertFalse(bobsInfo.contains("secret:1"), "a key bob may not read is never named to him: " + bobsInfo);
    }
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void aRestrictedUserNeverReadsAReplyCachedForAnotherWhateverTheReadCommand(Version version) {
    Pair pair = pair(version);
    try (RespSocket direct = new RespSocket(pair.redis().port())) {
      for (List<String> write : CachedReadsIT.SEED) call(direct, write.toArray(String[]::new));
    }
    // May run every command, on none of the seeded keys.
    onRedis(pair, "ACL", "SETUSER", "carol", "on", ">carolpw", "~public:*", "+@all");
    try (RespSocket reader = new RespSocket(pair.proxy().respPort());
        RespSocket carolOnRedis = new RespSocket(pair.redis().port());
        RespSocket carol = proxyAs(pair, "carol", "carolpw")) {
      assertEquals("+OK\r\n", call(carolOnRedis, "AUTH", "carol", "carolpw"));
      for (List<String> read : CachedReadsIT.READS) {
        String[] args = read.toArray(String[]::new);
        String cached = call(reader, args);
        assertEquals(cached, call(reader, args), "cached for the default user: " + read);
        String refusal = call(carolOnRedis, args);
        assertTrue(refusal.startsWith("-NOPERM"), read + ": Redis lets carol read it: " + refusal);
        assertEquals(refusal, call(carol, args), "carol gets Redis's own refusal, never the cached reply: " + read);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void overHttpBasicCredentialsReadAsThatRedisUser(Version version) throws Exception {
    Pair pair = pair(version);
    onRedis(pair, "SET", "http-secret:1", "for-default-only");
    onRedis(pair, "SET", "http-public:1", "for-everyone");
    onRedis(pair, "ACL", "SETUSER", "erin", "on", ">erinpw", "~http-public:*", "-@all", "+get");
    assertEquals(200, pair.proxy().request("GET", "/proxy?key=http-secret:1").statusCode()); // default: now cached
    Eventually.await(Duration.ofSeconds(10), "erin reads what she may",
        () -> httpGet(pair.proxy(), "http-public:1", basic("erin", "erinpw")).statusCode() == 200);
    assertEquals("for-everyone", new String(httpGet(pair.proxy(), "http-public:1", basic("erin", "erinpw")).body()));
    assertEquals(403, httpGet(pair.proxy(), "http-secret:1", basic("erin", "erinpw")).statusCode());
    assertEquals(401, httpGet(pair.proxy(), "http-public:1", basic("erin", "wrong")).statusCode());
    assertEquals(401, httpGet(pair.proxy(), "http-public:1", basic("nobody", "x")).statusCode());
  }

  private static String basic(String user, String password) {
    return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static java.net.http.HttpResponse<byte[]> httpGet(ProxyProcess proxy, String key, String authorization) {
    java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + proxy.httpPort() + "/proxy?key=" + key))
        .header("Authorization", authorization).timeout(Duration.ofSeconds(10)).build();
    try {
      return java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @org.junit.jupiter.api.Test
  void protectedModeServesBeyondLoopbackWithoutAProxyPasswordWhileRedisRequiresOne() {
    try (TestRedis guarded = TestRedis.started("requirepass rpw");
        ProxyProcess open = ProxyProcess.start("redis://:rpw@" + guarded.address(), Map.of("PROXY_HOST", "0.0.0.0"))) {
      guarded.set("guarded", "v");
      try (RespSocket anonymous = new RespSocket(open.respPort())) {
        assertEquals("-NOAUTH Authentication required.\r\n", call(anonymous, "GET", "guarded"));
        assertTrue(call(anonymous, "HELLO", "2").startsWith("-NOAUTH HELLO must be called with the client already authenticated"));
        assertEquals("+OK\r\n", call(anonymous, "AUTH", "rpw"));
        assertEquals("$1\r\nv\r\n", call(anonymous, "GET", "guarded"));
      }
      assertEquals(401, open.request("GET", "/proxy?key=guarded").statusCode());
      Eventually.await(Duration.ofSeconds(10), "the default user's password reads over HTTP",
          () -> httpGet(open, "guarded", "Bearer rpw").statusCode() == 200);
      Eventually.await(Duration.ofSeconds(10), "a wrong password is refused over HTTP (once Redis's users are read)",
          () -> httpGet(open, "guarded", "Bearer wrong").statusCode() == 401);
    }
  }

  @ParameterizedTest
  @MethodSource("everyVersionAndAdmin")
  void rightsNarrowedCountWithinASecond(Version version, Admin admin) {
    Pair pair = pair(version);
    String key = "narrowed:" + admin;
    onRedis(pair, "SET", key, "v");
    onRedis(pair, "ACL", "SETUSER", "carol", "on", ">carolpw", "~*", "+@all");
    try (RespSocket carol = proxyAs(pair, "carol", "carolpw")) {
      Eventually.await(Duration.ofSeconds(10), "carol reads " + key, () -> call(carol, "GET", key).equals("$1\r\nv\r\n"));
      assertEquals("+OK\r\n", as(admin, pair, "ACL", "SETUSER", "carol", "resetkeys", "~other:*"));
      if (admin == Admin.THROUGH_THE_PROXY) {
        // Made through the proxy, the change counts from its reply on: the proxy read Redis's users again before it.
        String refused = call(carol, "GET", key);
        assertTrue(refused.startsWith("-NOPERM"), refused);
      } else {
        Eventually.await(WITHIN, "carol is refused " + key, () -> call(carol, "GET", key).startsWith("-NOPERM"));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void aPasswordSetAndClearedThroughTheProxyCountsFromItsReplyOn(Version version) {
    Pair pair = pair(version);
    onRedis(pair, "SET", "guarded:2", "v");
    // redis-py's test_auth does this, then its next test connects: refused once by rules a poll old.
    try (RespSocket admin = new RespSocket(pair.proxy().respPort())) {
      assertEquals("+OK\r\n", call(admin, "CONFIG", "SET", "requirepass", "temp_pass"));
      try {
        try (RespSocket anonymous = new RespSocket(pair.proxy().respPort())) {
          assertEquals("-NOAUTH Authentication required.\r\n", call(anonymous, "GET", "guarded:2"));
        }
        assertEquals("+OK\r\n", call(admin, "AUTH", "temp_pass"));
        assertEquals("+OK\r\n", call(admin, "CONFIG", "SET", "requirepass", ""));
        try (RespSocket anonymous = new RespSocket(pair.proxy().respPort())) {
          assertEquals("$1\r\nv\r\n", call(anonymous, "GET", "guarded:2"));
        }
      } finally {
        try (RespSocket redis = new RespSocket(pair.redis().port())) {
          call(redis, "AUTH", "temp_pass");
          call(redis, "CONFIG", "SET", "requirepass", "");
        }
      }
    }
    Eventually.await(Duration.ofSeconds(10), "/ready again", () -> pair.proxy().request("GET", "/ready").statusCode() == 200);
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void rightsChangedByReloadingTheAclFileCountWithinASecond(Version version) throws IOException {
    Pair pair = pair(version);
    onRedis(pair, "SET", "reloaded:1", "v");
    onRedis(pair, "ACL", "SETUSER", "frank", "on", ">frankpw", "~*", "+@all");
    try (RespSocket frank = proxyAs(pair, "frank", "frankpw")) {
      Eventually.await(Duration.ofSeconds(10), "frank reads reloaded:1",
          () -> call(frank, "GET", "reloaded:1").equals("$1\r\nv\r\n"));
      // The file: Redis's users as they are now, frank's keys narrowed in it, then read back by Redis.
      assertEquals("+OK\r\n", onRedis(pair, "ACL", "SAVE"));
      List<String> users = new ArrayList<>(Files.readAllLines(pair.aclFile()));
      assertTrue(users.removeIf(line -> line.startsWith("user frank ")), "ACL SAVE wrote frank: " + users);
      users.add("user frank on >frankpw ~other:* +@all");
      Files.write(pair.aclFile(), users);
      assertEquals("+OK\r\n", onRedis(pair, "ACL", "LOAD"));
      Eventually.await(WITHIN, "frank is refused reloaded:1", () -> call(frank, "GET", "reloaded:1").startsWith("-NOPERM"));
      assertEquals("$5\r\nfrank\r\n", call(frank, "ACL", "WHOAMI"), "frank is still frank, with his new rights");
    }
  }

  @ParameterizedTest
  @MethodSource("everyVersionAndAdmin")
  void aDeletedUserLosesItsConnectionsWithinASecond(Version version, Admin admin) {
    Pair pair = pair(version);
    onRedis(pair, "ACL", "SETUSER", "dave", "on", ">davepw", "~*", "+@all");
    try (RespSocket dave = proxyAs(pair, "dave", "davepw")) {
      assertEquals("$4\r\ndave\r\n", call(dave, "ACL", "WHOAMI"));
      assertEquals(":1\r\n", as(admin, pair, "ACL", "DELUSER", "dave"));
      long start = System.nanoTime();
      assertTrue(dave.endOfStream(), () -> "the proxy closes dave's connection; its log:\n" + pair.proxy().output());
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(WITHIN) <= 0, "closed after " + took.toMillis() + "ms");
    }
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void aPasswordSetStraightOnRedisRefusesClientsThatNeverAuthenticatedWithinASecond(Version version) {
    Pair pair = pair(version);
    onRedis(pair, "SET", "guarded:1", "v");
    try (RespSocket anonymous = new RespSocket(pair.proxy().respPort())) {
      Eventually.await(Duration.ofSeconds(10), "the default user reads guarded:1",
          () -> call(anonymous, "GET", "guarded:1").equals("$1\r\nv\r\n"));
      onRedis(pair, "CONFIG", "SET", "requirepass", "newpw");
      try {
        Eventually.await(WITHIN, "an unauthenticated client is refused as Redis refuses it",
            () -> call(anonymous, "GET", "guarded:1").equals("-NOAUTH Authentication required.\r\n"));
        // The proxy's own login (no password) would now be refused: it says so.
        Eventually.await(WITHIN, "/ready says the proxy cannot log in", () -> pair.proxy().request("GET", "/ready").statusCode() == 503);
        assertEquals("+OK\r\n", call(anonymous, "AUTH", "newpw"));
        assertEquals("$1\r\nv\r\n", call(anonymous, "GET", "guarded:1"));
      } finally {
        try (RespSocket admin = new RespSocket(pair.redis().port())) {
          call(admin, "AUTH", "newpw");
          call(admin, "CONFIG", "SET", "requirepass", "");
        }
      }
      Eventually.await(Duration.ofSeconds(10), "/ready again", () -> pair.proxy().request("GET", "/ready").statusCode() == 200);
    }
  }
}
