package com.redisproxy.resp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.resp.cluster.ClusterRouting.AnyNode;
import com.redisproxy.resp.cluster.ClusterRouting.EveryMaster;
import com.redisproxy.resp.cluster.ClusterRouting.Keyed;
import com.redisproxy.resp.cluster.ClusterRouting.KeysFromRedis;
import com.redisproxy.resp.cluster.ClusterRouting.Refused;
import com.redisproxy.resp.cluster.ClusterRouting.Summed;
import com.redisproxy.resp.cluster.ClusterRouting.WholeCluster;
import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.command.CommandTable;
import com.redisproxy.resp.command.CommandTable.Route;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** Where commands go in front of a Redis Cluster, from a COMMAND reply shaped as Redis 6.2 sends it. */
class ClusterRoutingTest {
  private static List<Object> entry(String name, long arity, List<String> flags, long first, long last, long step) {
    return List.of(ByteString.fromString(name), arity, flags.stream().map(f -> (Object) f).toList(), first, last, step,
        List.of());
  }

  private static final List<Object> COMMAND_REPLY = List.of(
      entry("set", -3, List.of("write", "denyoom"), 1, 1, 1),
      entry("incr", 2, List.of("write", "denyoom", "fast"), 1, 1, 1),
      entry("mset", -3, List.of("write", "denyoom"), 1, -1, 2),
      entry("del", -2, List.of("write"), 1, -1, 1),
      entry("exists", -2, List.of("readonly", "fast"), 1, -1, 1),
      entry("eval", -3, List.of("noscript", "movablekeys"), 0, 0, 0),
      entry("dbsize", 1, List.of("readonly", "fast"), 0, 0, 0),
      entry("flushall", -1, List.of("write"), 0, 0, 0),
      entry("info", -1, List.of("random", "loading", "stale"), 0, 0, 0),
      entry("command", -1, List.of("random", "loading", "stale"), 0, 0, 0),
      entry("keys", 2, List.of("readonly", "sort_for_script"), 0, 0, 0),
      entry("scan", -2, List.of("readonly", "random"), 0, 0, 0),
      entry("randomkey", 1, List.of("readonly", "random"), 0, 0, 0),
      entry("script", -2, List.of("noscript"), 0, 0, 0),
      entry("publish", 3, List.of("pubsub", "loading", "stale", "fast", "may_replicate"), 0, 0, 0),
      entry("config", -2, List.of("admin", "noscript", "loading", "stale"), 0, 0, 0),
      entry("multi", 1, List.of("noscript", "fast"), 0, 0, 0),
      entry("blpop", -3, List.of("write", "noscript"), 1, -2, 1),
      entry("xread", -4, List.of("readonly", "movablekeys"), 1, 1, 1),
      entry("subscribe", -2, List.of("pubsub", "noscript", "loading", "stale"), 0, 0, 0));

  // A stand-in for CRC16: the slot is the key's first letter, so tests choose slots by name.
  private static int slot(ByteString key) {
    return key.apply(0);
  }

  private final CommandTable table = new CommandTable(Set.of(), true);
  private final ClusterRouting routing = new ClusterRouting(table, ClusterRoutingTest::slot);

  private static RespRequest request(String... args) {
    return new RespRequest(Arrays.stream(args).map(ByteString::fromString).toList());
  }

  private static List<ByteString> args(String... args) {
    return Arrays.stream(args).map(ByteString::fromString).toList();
  }

  @Test
  void aKeyedCommandGoesToTheMasterOfItsFirstKey() {
    table.load(COMMAND_REPLY);
    assertEquals(new Keyed(1), routing.decide(request("SET", "k", "v")));
    assertEquals(new Keyed(1), routing.decide(request("incr", "k")));
    // the node answers CROSSSLOT itself when the other keys are elsewhere
    assertEquals(new Keyed(1), routing.decide(request("MSET", "a", "1", "b", "2")));
  }

  @Test
  void keysInSeveralSlotsAreSplitBySlotForTheCommandsThatSum() {
    table.load(COMMAND_REPLY);
    assertEquals(new Summed(List.of(args("DEL", "a1", "a2"), args("DEL", "b1"))), routing.decide(request("DEL", "a1", "b1", "a2")));
    assertEquals(new Summed(List.of(args("exists", "a", "a"), args("exists", "b"))), routing.decide(request("exists", "a", "b", "a")));
    assertEquals(new Keyed(1), routing.decide(request("DEL", "a1", "a2")), "one slot: sent as it is");
  }

  @Test
  void commandsWhoseKeysMoveAskRedisForTheirKeys() {
    table.load(COMMAND_REPLY);
    assertEquals(KeysFromRedis.INSTANCE, routing.decide(request("EVAL", "return 1", "1", "k")));
  }

  @Test
  void keylessCommandsAreAnsweredForTheClusterOrRefused() {
    table.load(COMMAND_REPLY);
    assertEquals(WholeCluster.DBSIZE, routing.decide(request("DBSIZE")));
    assertEquals(WholeCluster.FLUSH, routing.decide(request("FLUSHALL", "ASYNC")));
    assertEquals(WholeCluster.INFO, routing.decide(request("INFO")));
    assertEquals(AnyNode.INSTANCE, routing.decide(request("COMMAND", "COUNT")));
    assertEquals(EveryMaster.KEYS, routing.decide(request("KEYS", "*")));
    assertEquals(EveryMaster.SCAN, routing.decide(request("scan", "0", "MATCH", "a*")));
    assertEquals(EveryMaster.RANDOMKEY, routing.decide(request("RANDOMKEY")));
    assertEquals(EveryMaster.ALIKE, routing.decide(request("SCRIPT", "LOAD", "return 1")));
    assertEquals(EveryMaster.ALIKE, routing.decide(request("script", "flush")));
    assertEquals(EveryMaster.ALL_OF, routing.decide(request("SCRIPT", "EXISTS", "abc")));
    assertEquals(AnyNode.INSTANCE, routing.decide(request("PUBLISH", "channel", "message")), "the cluster bus carries it to every node");
    Refused refused = assertInstanceOf(Refused.class, routing.decide(request("CONFIG", "GET", "maxmemory")));
    assertTrue(refused.reply().utf8String().startsWith("-ERR CONFIG names no key and has no single meaning across a Redis Cluster"));
    assertInstanceOf(Refused.class, routing.decide(request("SCRIPT", "KILL")), "a subcommand without an entry of its own");
  }

  @Test
  void whatRedisWouldRefuseGoesToAnyNodeForRedisOwnError() {
    table.load(COMMAND_REPLY);
    assertEquals(AnyNode.INSTANCE, routing.decide(request("NOSUCHCOMMAND", "k")));
    assertEquals(AnyNode.INSTANCE, routing.decide(request("DEL")), "wrong arity");
    assertEquals(AnyNode.INSTANCE, routing.decide(request("INCR", "a", "b")), "wrong arity");
    assertEquals(AnyNode.INSTANCE, routing.decide(request("EXEC")), "outside a pinned session: EXEC without MULTI");
    assertEquals(AnyNode.INSTANCE, routing.decide(request("UNWATCH")));
  }

  @Test
  void beforeTheTableIsReadKeyedCommandsGoToAnyNodeAndReachTheirOwnerByRedirect() {
    assertEquals(AnyNode.INSTANCE, routing.decide(request("SET", "k", "v")));
    // what is decided by name is decided at once: a DEL across slots is split all the same
    assertEquals(new Summed(List.of(args("DEL", "a"), args("DEL", "b"))), routing.decide(request("DEL", "a", "b")));
    assertEquals(WholeCluster.DBSIZE, routing.decide(request("DBSIZE")));
  }

  @Test
  void transactionsBlockingCommandsAndSubscriptionsPinTheRestIsRefusedAndSoIsHello3() {
    table.load(COMMAND_REPLY);
    assertEquals(Route.PINNED, table.route(request("MULTI")));
    assertEquals(Route.PINNED, table.route(request("WATCH", "k")));
    assertEquals(Route.PINNED, table.route(request("BLPOP", "k", "0")));
    assertEquals(Route.PINNED, table.route(request("XREAD", "BLOCK", "0", "STREAMS", "s", "$")));
    assertEquals(Route.FORWARDED, table.route(request("XREAD", "STREAMS", "s", "0")), "XREAD without BLOCK is routed by its keys");
    assertEquals(Route.PINNED, table.route(request("SUBSCRIBE", "c")));
    assertEquals(Route.PINNED, table.route(request("SSUBSCRIBE", "c")));
    assertEquals(Route.NOT_IN_CLUSTER, table.route(request("SELECT", "1")));
    assertEquals(Route.NOT_IN_CLUSTER, table.route(request("MONITOR")));
    assertEquals(Route.NOT_IN_CLUSTER, table.route(request("CLIENT", "TRACKING", "on")));
    assertEquals(Route.NOT_IN_CLUSTER, table.route(request("RESET")));
    assertEquals(Route.LOCAL, table.route(request("SELECT", "0")));
    assertEquals(Route.NOT_IN_CLUSTER, table.route(request("HELLO", "3")), "answered -NOPROTO: clients fall back to RESP2");
    assertEquals(Route.LOCAL, table.route(request("HELLO", "2")));
    assertEquals(Route.PINNED, new CommandTable(Set.of()).route(request("SELECT", "1")), "standalone still pins");
  }

  @Test
  void shardedPubSubAgainstARedisThatDoesNotKnowItIsRefusedClearly() {
    table.load(COMMAND_REPLY); // 6.2's table: no SPUBLISH
    Refused refused = assertInstanceOf(Refused.class, routing.decide(request("SPUBLISH", "c", "m")));
    assertEquals("-ERR SPUBLISH is sharded pub/sub, which needs Redis 7: the cluster's nodes do not know it\r\n",
        refused.reply().utf8String());
    assertTrue(table.isShardedPubSubUnknown(request("ssubscribe", "c")));
    table.load(List.of(entry("spublish", 3, List.of("pubsub", "loading", "stale", "fast"), 1, 1, 1)));
    assertEquals(new Keyed(1), routing.decide(request("SPUBLISH", "c", "m")), "Redis 7: to the channel's slot's master");
  }

  @Test
  void theKeysOfARequestAreWhereTheTablePutsThemUnlessOnlyRedisCanNameThem() {
    assertTrue(table.keys(request("SET", "k", "v")).isEmpty(), "the table is not read yet");
    table.load(COMMAND_REPLY);
    assertEquals(java.util.Optional.of(args("a", "b")), table.keys(request("MSET", "a", "1", "b", "2")));
    assertEquals(java.util.Optional.of(args("a", "b")), table.keys(request("BLPOP", "a", "b", "0")));
    assertEquals(java.util.Optional.of(List.of()), table.keys(request("MULTI")));
    assertTrue(table.keys(request("EVAL", "return 1", "1", "k")).isEmpty(), "movable keys: Redis names them");
    assertTrue(table.keys(request("NOSUCHCOMMAND", "k")).isEmpty());
  }
}
