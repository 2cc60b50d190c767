package com.redisproxy.resp.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.command.CommandTable.Invalidation;
import com.redisproxy.resp.command.CommandTable.Route;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** Routes and write invalidations, from a COMMAND reply shaped as Redis 6.2 sends it. */
class CommandTableTest {
  private static List<Object> entry(String name, long arity, List<String> flags, long first, long last, long step) {
    return List.of(ByteString.fromString(name), arity, flags.stream().map(f -> (Object) f).toList(), first, last, step,
        List.of());
  }

  private static final List<Object> COMMAND_REPLY = List.of(
      entry("get", 2, List.of("readonly", "fast"), 1, 1, 1),
      entry("set", -3, List.of("write", "denyoom"), 1, 1, 1),
      entry("mset", -3, List.of("write", "denyoom"), 1, -1, 2),
      entry("rename", 3, List.of("write"), 1, 2, 1),
      entry("hget", 3, List.of("readonly", "fast"), 1, 1, 1),
      entry("eval", -3, List.of("noscript", "movablekeys"), 0, 0, 0),
      entry("zunionstore", -4, List.of("write", "denyoom", "movablekeys"), 0, 0, 0));

  private final CommandTable table = new CommandTable(Set.of("SHUTDOWN"));

  private static RespRequest request(String... args) {
    return new RespRequest(Arrays.stream(args).map(ByteString::fromString).toList());
  }

  private static Invalidation keys(String... keys) {
    return new Invalidation(false, Arrays.stream(keys).map(ByteString::fromString).toList());
  }

  // Redis 7.0's shape: ACL categories, tips, key specs.
  private static List<Object> entry70(String name, long arity, List<String> flags, long first, long last,
      List<String> tips, int keySpecs) {
    return List.of(ByteString.fromString(name), arity, flags.stream().map(f -> (Object) f).toList(), first, last, 1L,
        List.of(), tips.stream().map(t -> (Object) t).toList(), java.util.Collections.nCopies(keySpecs, List.of()));
  }

  @Test
  void theReadsCachedAreReadOnlyOneKeyNotRandomAndNotDeniedIn62AndIn70Shapes() {
    table.load(List.of(
        entry("get", 2, List.of("readonly", "fast"), 1, 1, 1),
        entry("hget", 3, List.of("readonly", "fast"), 1, 1, 1),
        entry("hgetall", 2, List.of("readonly", "random"), 1, 1, 1), // 6.2: random for its order only
        entry("smembers", 2, List.of("readonly", "sort_for_script"), 1, 1, 1),
        entry("srandmember", -2, List.of("readonly", "random"), 1, 1, 1),
        entry("hscan", -3, List.of("readonly", "random"), 1, 1, 1),
        entry("ttl", 2, List.of("readonly", "random", "fast"), 1, 1, 1),
        entry("exists", -2, List.of("readonly", "fast"), 1, -1, 1),
        entry("sunion", -2, List.of("readonly", "sort_for_script"), 1, -1, 1),
        entry("object", -2, List.of("readonly", "random"), 2, 2, 1),
        entry("xread", -4, List.of("readonly", "movablekeys"), 0, 0, 0),
        entry("set", -3, List.of("write", "denyoom"), 1, 1, 1),
        entry70("zrange", -4, List.of("readonly"), 1, 1, List.of(), 1),
        entry70("hkeys", 2, List.of("readonly"), 1, 1, List.of("nondeterministic_output_order"), 1),
        entry70("zrandmember", -2, List.of("readonly"), 1, 1, List.of("nondeterministic_output"), 1),
        entry70("dump", 2, List.of("readonly"), 1, 1, List.of("nondeterministic_output"), 1),
        entry70("expiretime", 2, List.of("readonly", "fast"), 1, 1, List.of(), 1),
        entry70("sort_ro", -2, List.of("readonly", "movablekeys"), 1, 1, List.of(), 2),
        entry70("lcs", -3, List.of("readonly"), 1, 2, List.of(), 1),
        entry70("blmpop", -5, List.of("write", "blocking", "movablekeys"), 0, 0, List.of(), 1)));
    assertEquals(Set.of("hget", "hgetall", "smembers", "zrange", "hkeys"), table.cachedReads());
    assertEquals(Route.CACHED, table.route(request("hgetall", "h")));
    assertEquals(1, table.cachedReadKey(request("ZRANGE", "z", "0", "-1", "WITHSCORES")));
    assertEquals(Route.FORWARDED, table.route(request("HGETALL", "h", "extra")), "Redis's arity error is Redis's");
    assertEquals(Route.FORWARDED, table.route(request("SRANDMEMBER", "s")));
    assertEquals(Route.FORWARDED, table.route(request("EXPIRETIME", "k")));
    assertEquals(0, table.cachedReadKey(request("GET", "k")), "GET has a path of its own");

    CommandTable inFrontOfACluster = new CommandTable(Set.of(), true);
    inFrontOfACluster.load(List.of(entry("hget", 3, List.of("readonly", "fast"), 1, 1, 1)));
    assertEquals(Set.of(), inFrontOfACluster.cachedReads());
    assertEquals(Route.FORWARDED, inFrontOfACluster.route(request("HGET", "h", "f")));
  }

  @Test
  void writesInvalidateTheKeysRedisNamesForThem() {
    table.load(COMMAND_REPLY);
    assertEquals(keys("k"), table.invalidation(request("SET", "k", "v", "EX", "10")));
    assertEquals(keys("a", "c"), table.invalidation(request("MSET", "a", "b", "c", "d")));
    assertEquals(keys("from", "to"), table.invalidation(request("rename", "from", "to")));
    assertEquals(Invalidation.NONE, table.invalidation(request("HGET", "h", "f")));
    assertEquals(Invalidation.NONE, table.invalidation(request("NOSUCHCOMMAND", "k")));
  }

  @Test
  void whatMayChangeKeysItCannotNameClearsEverything() {
    table.load(COMMAND_REPLY);
    assertEquals(Invalidation.EVERYTHING, table.invalidation(request("EVAL", "return 1", "1", "k")));
    assertEquals(Invalidation.EVERYTHING, table.invalidation(request("FLUSHDB")));
    assertEquals(Invalidation.EVERYTHING, table.invalidation(request("SWAPDB", "0", "1")));
    assertEquals(Invalidation.EVERYTHING, table.invalidation(request("ZUNIONSTORE", "d", "2", "a", "b")));
  }

  @Test
  void beforeRedisHasAnsweredCommandEveryForwardedCommandClearsEverything() {
    assertEquals(Invalidation.EVERYTHING, table.invalidation(request("HGET", "h", "f")));
  }

  @Test
  void routesCachedLocalForwardedPinnedAndRefused() {
    table.load(COMMAND_REPLY);
    assertEquals(Route.CACHED, table.route(request("GET", "k")));
    assertEquals(Route.CACHED, table.route(request("mget", "a", "b")));
    assertEquals(Route.LOCAL, table.route(request("GET")));
    assertEquals(Route.FORWARDED, table.route(request("SET", "k", "v")));
    assertEquals(Route.FORWARDED, table.route(request("CLIENT", "PAUSE", "10")));
    assertEquals(Route.LOCAL, table.route(request("CLIENT", "LIST")), "the proxy's own clients");
    assertEquals(Route.LOCAL, table.route(request("PING")));
    assertEquals(Route.LOCAL, table.route(request("CLIENT", "SETNAME", "x")));
    assertEquals(Route.LOCAL, table.route(request("SELECT", "0")));
    assertEquals(Route.LOCAL, table.route(request("HELLO", "2")));
    assertEquals(Route.LOCAL, table.route(request("HELLO", "3")), "a RESP3 session shares the RESP3 links");
    assertEquals(Route.INFO, table.route(request("INFO", "server")));
    assertEquals(Route.INFO, table.route(request("INFO")));
    assertEquals(Route.LOCAL, table.route(request("info", "PROXY")));
    for (String[] pinning : List.of(new String[] {"MULTI"}, new String[] {"WATCH", "k"}, new String[] {"BLPOP", "l", "0"},
        new String[] {"SUBSCRIBE", "c"}, new String[] {"SELECT", "1"},
        new String[] {"CLIENT", "REPLY", "OFF"}, new String[] {"XREAD", "BLOCK", "0", "STREAMS", "s", "$"})) {
      assertEquals(Route.PINNED, table.route(request(pinning)), String.join(" ", pinning));
    }
    assertEquals(Route.FORWARDED, table.route(request("XREAD", "STREAMS", "s", "0")));
    assertEquals(Route.REFUSED, table.route(request("shutdown")));
  }

  @Test
  void aCommandRoutedLocalOrCachedIsAnsweredByTheHandlerTheTableNamesForIt() {
    table.load(COMMAND_REPLY);
    for (String[] local : List.of(new String[] {"PING"}, new String[] {"ECHO", "x"}, new String[] {"QUIT"},
        new String[] {"AUTH", "pw"}, new String[] {"HELLO", "2"}, new String[] {"SELECT", "0"},
        new String[] {"CLIENT", "ID"}, new String[] {"client", "setname", "x"}, new String[] {"GET"},
        new String[] {"INFO", "proxy"})) {
      RespRequest request = request(local);
      assertEquals(Route.LOCAL, table.route(request), String.join(" ", local));
      assertTrue(CommandTable.handler(request).isPresent(), String.join(" ", local));
    }
    assertTrue(CommandTable.handler(request("GET", "k")).isPresent());
    assertTrue(CommandTable.handler(request("MGET", "a", "b")).isPresent());
    assertFalse(CommandTable.handler(request("SET", "k", "v")).isPresent());
    assertFalse(CommandTable.handler(request("CLIENT", "PAUSE", "10")).isPresent());
    assertFalse(CommandTable.handler(request("CLIENT", "NO-EVICT", "on")).isPresent());
  }

  @Test
  void theTableSaysWhatIsAnsweredBeforeAuthWhatClosesAndWhatAPinnedSessionStillAnswers() {
    for (String name : List.of("AUTH", "hello", "QUIT")) assertTrue(CommandTable.answeredBeforeAuth(request(name, "x")), name);
    for (String name : List.of("PING", "GET", "SET", "CLIENT")) assertFalse(CommandTable.answeredBeforeAuth(request(name, "x")), name);
    assertTrue(CommandTable.closesConnection(request("quit")));
    assertFalse(CommandTable.closesConnection(request("PING")));
    assertEquals(CommandTable.InPinnedSession.PROXY, CommandTable.inPinnedSession(request("AUTH", "pw")));
    assertEquals(CommandTable.InPinnedSession.AUTHENTICATE_THEN_REDIS, CommandTable.inPinnedSession(request("HELLO", "3")));
    for (String name : List.of("QUIT", "PING", "GET", "SET", "MULTI")) {
      assertEquals(CommandTable.InPinnedSession.REDIS, CommandTable.inPinnedSession(request(name)), name);
    }
  }

  @Test
  void theTableSaysWhatChangesRedisUsersAndWhatAMonitorWouldMiss() {
    assertTrue(CommandTable.changesUsers(request("ACL", "SETUSER", "alice", "on")));
    assertTrue(CommandTable.changesUsers(request("acl", "deluser", "alice")));
    assertTrue(CommandTable.changesUsers(request("ACL", "LOAD")));
    assertTrue(CommandTable.changesUsers(request("CONFIG", "SET", "requirepass", "")));
    assertFalse(CommandTable.changesUsers(request("ACL", "WHOAMI")));
    assertFalse(CommandTable.changesUsers(request("CONFIG", "GET", "requirepass")));
    assertFalse(CommandTable.changesUsers(request("ACL")));
    assertFalse(CommandTable.changesUsers(request("SET", "config", "set")));
    assertTrue(CommandTable.forwardedWhileMonitored(request("PING")));
    assertTrue(CommandTable.forwardedWhileMonitored(request("echo", "x")));
    assertFalse(CommandTable.forwardedWhileMonitored(request("GET", "k")), "a cache hit stays a hit");
  }

  @Test
  void theTableSaysWhatStateACommandLeavesInItsConnection() {
    assertEquals(CommandTable.Effect.BEGINS_TRANSACTION, CommandTable.effect(request("multi")));
    assertEquals(CommandTable.Effect.RUNS_TRANSACTION, CommandTable.effect(request("EXEC")));
    assertEquals(CommandTable.Effect.DISCARDS_TRANSACTION, CommandTable.effect(request("DISCARD")));
    assertEquals(CommandTable.Effect.WATCHES, CommandTable.effect(request("WATCH", "k")));
    assertEquals(CommandTable.Effect.UNWATCHES, CommandTable.effect(request("UNWATCH")));
    for (String[] unmatching : List.of(new String[] {"SUBSCRIBE", "c"}, new String[] {"PSUBSCRIBE", "c*"},
        new String[] {"MONITOR"}, new String[] {"CLIENT", "REPLY", "OFF"})) {
      assertEquals(CommandTable.Effect.UNMATCHES_REPLIES, CommandTable.effect(request(unmatching)), String.join(" ", unmatching));
    }
    assertEquals(CommandTable.Effect.LASTS, CommandTable.effect(request("SELECT", "2")));
    assertEquals(CommandTable.Effect.LASTS, CommandTable.effect(request("CLIENT", "TRACKING", "on")));
    assertEquals(CommandTable.Effect.RESETS, CommandTable.effect(request("RESET")));
    for (String[] none : List.of(new String[] {"BLPOP", "l", "0"}, new String[] {"CLIENT", "LIST"}, new String[] {"SET", "k", "v"})) {
      assertEquals(CommandTable.Effect.NONE, CommandTable.effect(request(none)), String.join(" ", none));
    }
    assertEquals(Route.FORWARDED, table.route(request("EXEC")), "outside a pinned session Redis answers EXEC without MULTI");
  }

  @Test
  void withTheProxysOwnTrackingAClientsDefaultModeTrackingIsAnsweredHereAndTheOtherModesPin() {
    CommandTable tracking = new CommandTable(Set.of(), false, true);
    assertEquals(Route.LOCAL, tracking.route(request("CLIENT", "TRACKING", "ON", "NOLOOP", "REDIRECT", "5")));
    assertEquals(Route.LOCAL, tracking.route(request("client", "tracking", "off")));
    assertEquals(Route.PINNED, tracking.route(request("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a")));
    assertEquals(Route.PINNED, tracking.route(request("CLIENT", "TRACKING", "ON", "OPTIN")));
    assertEquals(Route.FORWARDED, tracking.route(request("CLIENT", "TRACKING"))); // Redis's own arity error
    assertEquals(Route.LOCAL, tracking.route(request("CLIENT", "CACHING", "yes")));
    assertEquals(Route.LOCAL, tracking.route(request("CLIENT", "GETREDIR")));
    assertEquals(Route.LOCAL, tracking.route(request("CLIENT", "TRACKINGINFO")));
    assertEquals(Route.FORWARDED, tracking.route(request("CLIENT", "TRACKINGINFO", "extra")));
  }

  @Test
  void withoutTheProxysOwnTrackingAClientsTrackingIsRedissOnAConnectionOfItsOwn() {
    assertEquals(Route.PINNED, table.route(request("CLIENT", "TRACKING", "ON")));
    assertEquals(Route.PINNED, table.route(request("CLIENT", "CACHING", "yes")));
    assertEquals(Route.FORWARDED, table.route(request("CLIENT", "GETREDIR")));
    assertEquals(Route.FORWARDED, table.route(request("CLIENT", "TRACKINGINFO")));
    CommandTable cluster = new CommandTable(Set.of(), true, true);
    assertEquals(Route.NOT_IN_CLUSTER, cluster.route(request("CLIENT", "TRACKING", "ON")));
  }

  @Test
  void theKeysAReadReadsAreRedisTablesReadOnlyKeysAndAllOfThemWhenItCannotNameThem() {
    assertEquals(Invalidation.EVERYTHING, table.reads(request("GET", "k"))); // before Redis's table is read
    table.load(List.of(
        entry("get", 2, List.of("readonly", "fast"), 1, 1, 1),
        entry("exists", -2, List.of("readonly", "fast"), 1, -1, 1),
        entry("set", -3, List.of("write", "denyoom"), 1, 1, 1),
        entry("dbsize", 1, List.of("readonly", "fast"), 0, 0, 0),
        entry("sort_ro", -2, List.of("readonly", "movablekeys"), 1, 1, 1)));
    assertEquals(keys("k"), table.reads(request("GET", "k")));
    assertEquals(keys("a", "b"), table.reads(request("EXISTS", "a", "b")));
    assertEquals(Invalidation.NONE, table.reads(request("SET", "k", "v")));
    assertEquals(Invalidation.NONE, table.reads(request("DBSIZE")));
    assertEquals(Invalidation.EVERYTHING, table.reads(request("SORT_RO", "k", "BY", "w_*")));
  }
}
