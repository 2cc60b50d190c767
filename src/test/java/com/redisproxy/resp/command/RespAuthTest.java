package com.redisproxy.resp.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.resp.tracking.Tracker;
import com.redisproxy.auth.Password;
import com.redisproxy.cache.CacheActor;
import com.redisproxy.cache.CacheKey;
import com.redisproxy.cache.GetResult;
import com.redisproxy.cache.InvalidationInbox;
import com.redisproxy.cache.client.CacheClient;
import com.redisproxy.cache.client.ReadBatcher;
import com.redisproxy.metrics.ExpositionFormat;
import com.redisproxy.metrics.ProxyMetrics;
import com.redisproxy.resp.codec.RespBatch;
import com.redisproxy.resp.codec.RespRequest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** AUTH, HELLO's AUTH and the NOAUTH gate, byte for byte, and their order within a pipeline. */
class RespAuthTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final String NOAUTH = "-NOAUTH Authentication required.\r\n";
  private static final String WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

  private final ProxyMetrics metrics = new ProxyMetrics();
  private final RespAuth auth = new RespAuth(Password.fromSetting("pw"), metrics.authFailures("resp"));
  private final RespSession session = auth.newSession(7);
  private final ServerInfo info = new ServerInfo(() -> 1, () -> 0, "test");
  private final TestProbe<CacheActor.Command> cacheActor = testKit.createTestProbe();
  private final CacheClient cache = new CacheClient(cacheActor.getRef(), testKit.system().scheduler(), Duration.ofSeconds(5), 10,
      new InvalidationInbox(100));
  private final ReadBatcher reads = new ReadBatcher(cache, Runnable::run, Runnable::run);
  private final RespCommands commands = new RespCommands(info, metrics.readOutcomes("resp"), auth, new CommandTable(Set.of()));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static RespRequest request(String... args) {
    return new RespRequest(Arrays.stream(args).map(ByteString::fromString).toList());
  }

  private String answer(String... args) {
    return LocalCommands.answer(session, request(args), auth).utf8String();
  }

  private CompletionStage<RespCommands.AnsweredBatch> execute(RespRequest... requests) {
    return commands.execute(session, new RespBatch(List.of(requests), null), reads, Tracker.disabled());
  }

  private String rendered(CompletionStage<RespCommands.AnsweredBatch> answered) throws Exception {
    return commands.render(answered.toCompletableFuture().get(5, TimeUnit.SECONDS)).bytes().utf8String();
  }

  private String failuresCounted() {
    String text = metrics.scrape(Optional.empty(), ExpositionFormat.PROMETHEUS_TEXT);
    int at = text.indexOf("proxy_auth_failures_total{frontend=\"resp\"} ");
    return text.substring(at).split("[ \n]")[1];
  }

  @Test
  void everyCommandButAuthHelloAndQuitIsRefusedBeforeAuthenticating() throws Exception {
    assertEquals(NOAUTH + NOAUTH + NOAUTH + NOAUTH,
        rendered(execute(request("PING"), request("INFO"), request("CLIENT", "SETNAME", "x"), request("NOSUCH"))));
    assertEquals("+OK\r\n", rendered(execute(request("QUIT"))));
    assertFalse(session.authenticated());
  }

  @Test
  void aWrongPasswordIsWrongpassAndLeavesTheSessionAsItWas() {
    assertEquals(WRONGPASS, answer("AUTH", "nope"));
    assertEquals(WRONGPASS, answer("AUTH", "default", "nope"));
    assertEquals(WRONGPASS, answer("AUTH", "p"));
    assertEquals(WRONGPASS, answer("AUTH", ""));
    assertFalse(session.authenticated());
    assertEquals("4.0", failuresCounted());
    assertEquals("+OK\r\n", answer("AUTH", "pw"));
    assertEquals(WRONGPASS, answer("AUTH", "nope"));
    assertTrue(session.authenticated(), "a failed AUTH does not log an authenticated client out");
  }

  @Test
  void authWithThePasswordOrDefaultUserAndThePassword() {
    assertEquals("+OK\r\n", answer("AUTH", "default", "pw"));
    assertTrue(session.authenticated());
    assertEquals("+OK\r\n", answer("AUTH", "pw"));
    assertEquals("0.0", failuresCounted());
  }

  @Test
  void anotherUserIsWrongpassEvenWithThePassword() {
    assertEquals(WRONGPASS, answer("AUTH", "admin", "pw"));
    assertEquals(WRONGPASS, answer("AUTH", "DEFAULT", "pw"));
    assertFalse(session.authenticated());
  }

  private static final String NOT_IN_CLUSTER = "-ERR AUTH as one of Redis's users is not supported in front of a Redis"
      + " Cluster: every client acts as the proxy's own Redis user there\r\n";

  private static String answer(RespAuth by, RespSession client, String... args) {
    return LocalCommands.answer(client, request(args), by).utf8String();
  }

  @Test
  void inFrontOfAClusterAnotherUsersAuthOrHelloAuthIsRefusedClearlyAndTheGateStillWorks() {
    RespAuth inCluster = new RespAuth(Password.fromSetting("pw"), metrics.authFailures("resp"),
        RespAuth.RedisUsers.inCluster(RedisLogin.DEFAULT_WITHOUT_PASSWORD));
    RespSession client = inCluster.newSession(8);
    assertEquals(NOT_IN_CLUSTER, answer(inCluster, client, "AUTH", "alice", "secret"));
    assertEquals(NOT_IN_CLUSTER, answer(inCluster, client, "HELLO", "2", "AUTH", "alice", "secret"));
    assertFalse(client.authenticated());
    assertEquals(WRONGPASS, answer(inCluster, client, "HELLO", "2", "AUTH", "default", "nope"), "the gate's own user");
    assertTrue(answer(inCluster, client, "HELLO", "2", "AUTH", "default", "pw").startsWith("*14\r\n"));
    assertTrue(client.authenticated());
    assertEquals(NOT_IN_CLUSTER, answer(inCluster, client, "HELLO", "2", "AUTH", "alice", "secret"));
    assertEquals(NOT_IN_CLUSTER, answer(inCluster, client, "AUTH", "alice", "secret"));
    assertEquals("+OK\r\n", answer(inCluster, client, "AUTH", "pw"));
  }

  @Test
  void inFrontOfAClusterWithoutAGateEveryAuthIsRefusedClearly() {
    RespAuth inCluster = new RespAuth(Optional.empty(), metrics.authFailures("resp"),
        RespAuth.RedisUsers.inCluster(RedisLogin.DEFAULT_WITHOUT_PASSWORD));
    RespSession client = inCluster.newSession(9);
    assertEquals(NOT_IN_CLUSTER, answer(inCluster, client, "AUTH", "secret"));
    assertEquals(NOT_IN_CLUSTER, answer(inCluster, client, "AUTH", "default", "secret"));
    assertEquals(NOT_IN_CLUSTER, answer(inCluster, client, "HELLO", "2", "AUTH", "default", "secret"));
    assertEquals(NOT_IN_CLUSTER, answer(inCluster, client, "HELLO", "2", "AUTH", "alice", "secret"));
    assertTrue(answer(inCluster, client, "HELLO", "2").startsWith("*14\r\n"), "HELLO without AUTH is answered");
  }

  @Test
  void authArityAsRedis() {
    assertEquals("-ERR wrong number of arguments for 'auth' command\r\n", answer("AUTH"));
    assertEquals("-ERR syntax error\r\n", answer("AUTH", "default", "pw", "extra"));
    assertFalse(session.authenticated());
  }

  @Test
  void helloTwoWithAuthAuthenticatesAndAnswersTheServerMap() {
    String hello = answer("HELLO", "2", "AUTH", "default", "pw", "SETNAME", "cli");
    assertTrue(hello.startsWith("*14\r\n$6\r\nserver\r\n"), hello);
    assertTrue(session.authenticated());
    assertEquals("$3\r\ncli\r\n", answer("CLIENT", "GETNAME"));
  }

  @Test
  void helloWithAWrongPasswordIsWrongpassAloneAndSetsNoName() {
    assertEquals(WRONGPASS, answer("HELLO", "2", "SETNAME", "cli", "AUTH", "default", "nope"));
    assertEquals(WRONGPASS, answer("HELLO", "2", "AUTH", "admin", "pw"));
    assertFalse(session.authenticated());
    assertTrue(session.name().isEmpty());
    assertEquals("2.0", failuresCounted());
  }

  @Test
  void helloWithoutAuthBeforeAuthenticatingIsRefusedInRedisWords() {
    assertTrue(answer("HELLO", "2").startsWith("-NOAUTH HELLO must be called with the client already authenticated"));
    assertTrue(answer("HELLO").startsWith("-NOAUTH HELLO must be called"));
  }

  @Test
  void helloWithAnUnknownVersionIsNoprotoAndAuthenticatesNothing() {
    // Redis checks the version before the options: an unsupported one ends the command there.
    assertEquals("-NOPROTO unsupported protocol version\r\n", answer("HELLO", "4", "AUTH", "default", "pw"));
    assertFalse(session.authenticated());
  }

  @Test
  void withoutAPasswordAuthGetsRedisOwnAnswer() {
    RespAuth open = new RespAuth(Optional.empty(), metrics.authFailures("resp"));
    RespSession anyone = open.newSession(8);
    assertTrue(anyone.authenticated());
    assertEquals("-ERR AUTH <password> called without any password configured for the default user. "
        + "Are you sure your configuration is correct?\r\n",
        LocalCommands.answer(anyone, request("AUTH", "x"), open).utf8String());
    assertEquals("+OK\r\n", LocalCommands.answer(anyone, request("AUTH", "default", "x"), open).utf8String());
    assertTrue(LocalCommands.answer(anyone, request("HELLO", "2", "AUTH", "default", "x"), open)
        .utf8String().startsWith("*14\r\n"));
  }

  @Test
  void inAPipelineAuthLetsInTheGetAfterIt() throws Exception {
    CompletionStage<RespCommands.AnsweredBatch> answered = execute(request("AUTH", "pw"), request("GET", "k"));
    CacheActor.Read asked = cacheActor.expectMessageClass(CacheActor.Read.class);
    assertEquals(List.of(CacheKey.of(ByteString.fromString("k"))), asked.keys());
    asked.replyTo().tell(new CacheActor.Lookups(List.of(new GetResult.Found(ByteString.fromString("v"), true)),
        CompletableFuture.completedStage(List.of())));
    assertEquals("+OK\r\n$1\r\nv\r\n", rendered(answered));
  }

  @Test
  void inAPipelineGetsBeforeAuthAreRefusedAndNeverReachTheCache() throws Exception {
    CompletionStage<RespCommands.AnsweredBatch> answered =
        execute(request("GET", "a"), request("MGET", "b", "c"), request("AUTH", "pw"), request("PING"));
    // No key asked: the batch is answered without the cache, so it is complete already.
    assertTrue(answered.toCompletableFuture().isDone(), "the cache was asked for a key sent before AUTH");
    assertEquals(0, cache.pendingAsks());
    assertEquals(NOAUTH + NOAUTH + "+OK\r\n+PONG\r\n", rendered(answered));
  }
}
