package com.redisproxy.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.FreePort;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every read the README lists as cached, on the real jar against a real Redis (embedded 6.2, and
 * Debian's redis-server 7.0 where installed): byte for byte what Redis sends, in RESP2 and in
 * RESP3; a hit on its second call, counted in INFO proxy and not seen by Redis's INFO
 * commandstats. Then every write below, through the proxy or straight on Redis (tracking), drops
 * what the proxy cached for the keys it touches: the next read answers what Redis answers.
 */
class CachedReadsIT {
  private static final Path REDIS_70 = Path.of("/usr/bin/redis-server");
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  /** The data the reads read: one key of each type, and one that does not exist. */
  static final List<List<String>> SEED = List.of(
      List.of("SET", "s", "hello world"),
      List.of("HSET", "h", "f1", "v1", "f2", "2.5", "f3", ""),
      List.of("RPUSH", "l", "a", "b", "c", "b"),
      List.of("SADD", "set", "x", "y", "1"),
      List.of("ZADD", "z", "1.5", "a", "0.1", "b", "3", "c", "-2", "d"),
      List.of("ZADD", "lex", "0", "a", "0", "b", "0", "c"),
      List.of("XADD", "x", "1-1", "f", "v"),
      List.of("XADD", "x", "2-1", "g", "w"),
      List.of("GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"));

  /** The README's list, each read as a client sends it (IdentityIT asks them as a restricted user too). */
  static final List<List<String>> READS = List.of(
      List.of("STRLEN", "s"), List.of("GETRANGE", "s", "0", "4"), List.of("SUBSTR", "s", "6", "-1"),
      List.of("GETBIT", "s", "1"), List.of("BITCOUNT", "s"), List.of("BITPOS", "s", "1"),
      List.of("BITFIELD_RO", "s", "GET", "u8", "0"), List.of("TYPE", "h"), List.of("TYPE", "none"),
      List.of("HGET", "h", "f1"), List.of("HGET", "h", "missing"), List.of("HGETALL", "h"), List.of("HGETALL", "none"),
      List.of("HMGET", "h", "f1", "missing", "f3"), List.of("HKEYS", "h"), List.of("HVALS", "h"), List.of("HLEN", "h"),
      List.of("HEXISTS", "h", "f2"), List.of("HSTRLEN", "h", "f1"),
      List.of("LRANGE", "l", "0", "-1"), List.of("LLEN", "l"), List.of("LINDEX", "l", "1"), List.of("LINDEX", "l", "9"),
      List.of("LPOS", "l", "b", "COUNT", "0"),
      List.of("SMEMBERS", "set"), List.of("SMEMBERS", "none"), List.of("SISMEMBER", "set", "x"),
      List.of("SMISMEMBER", "set", "x", "q"), List.of("SCARD", "set"),
      List.of("ZRANGE", "z", "0", "-1"), List.of("ZRANGE", "z", "0", "-1", "WITHSCORES"),
      List.of("ZRANGE", "z", "(0", "+inf", "BYSCORE", "LIMIT", "0", "2", "WITHSCORES"),
      List.of("ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES"), List.of("ZREVRANGE", "z", "0", "1", "withscores"),
      List.of("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES", "LIMIT", "1", "2"),
      List.of("ZRANGEBYLEX", "lex", "[a", "(c"), List.of("ZREVRANGEBYLEX", "lex", "+", "-"),
      List.of("ZSCORE", "z", "b"), List.of("ZSCORE", "z", "missing"), List.of("ZMSCORE", "z", "a", "missing", "d"),
      List.of("ZCARD", "z"), List.of("ZCOUNT", "z", "0", "2"), List.of("ZLEXCOUNT", "lex", "-", "+"),
      List.of("ZRANK", "z", "c"), List.of("ZREVRANK", "z", "c"),
      List.of("XRANGE", "x", "-", "+"), List.of("XRANGE", "x", "-", "+", "COUNT", "0"),
      List.of("XREVRANGE", "x", "+", "-", "COUNT", "1"), List.of("XLEN", "x"),
      List.of("GEOPOS", "g", "Palermo", "Nowhere"), List.of("GEODIST", "g", "Palermo", "Catania", "km"),
      List.of("GEOHASH", "g", "Palermo", "Catania"),
      List.of("GEORADIUS_RO", "g", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "ASC"),
      List.of("GEORADIUSBYMEMBER_RO", "g", "Palermo", "200", "km", "WITHDIST"),
      List.of("GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHDIST", "WITHCOORD", "ASC"));

  /** A write through the proxy, the reads of its keys that were cached, and what they answer after. */
  private static final List<List<List<String>>> WRITES = List.of(
      List.of(List.of("HSET", "h", "f1", "changed"), List.of("HGETALL", "h"), List.of("HGET", "h", "f1")),
      List.of(List.of("HDEL", "h", "f2"), List.of("HLEN", "h"), List.of("HKEYS", "h")),
      List.of(List.of("HINCRBYFLOAT", "h", "f2", "1"), List.of("HGET", "h", "f2")),
      List.of(List.of("RPUSH", "l", "d"), List.of("LRANGE", "l", "0", "-1"), List.of("LLEN", "l")),
      List.of(List.of("LSET", "l", "0", "z"), List.of("LINDEX", "l", "0")),
      List.of(List.of("LPOP", "l"), List.of("LRANGE", "l", "0", "-1")),
      List.of(List.of("SREM", "set", "x"), List.of("SMEMBERS", "set"), List.of("SISMEMBER", "set", "x")),
      List.of(List.of("ZINCRBY", "z", "10", "b"), List.of("ZRANGE", "z", "0", "-1", "WITHSCORES"), List.of("ZSCORE", "z", "b")),
      List.of(List.of("ZREM", "z", "a"), List.of("ZCARD", "z")),
      List.of(List.of("APPEND", "s", "!"), List.of("STRLEN", "s"), List.of("GET", "s")),
      List.of(List.of("SETRANGE", "s", "0", "J"), List.of("GETRANGE", "s", "0", "4")),
      List.of(List.of("XADD", "x", "3-1", "h", "u"), List.of("XLEN", "x"), List.of("XRANGE", "x", "-", "+")),
      List.of(List.of("GEOADD", "g", "13", "38", "Nowhere"), List.of("GEOPOS", "g", "Palermo", "Nowhere")),
      List.of(List.of("HSETNX", "h", "f9", "v9"), List.of("HGETALL", "h"), List.of("HEXISTS", "h", "f9")),
      List.of(List.of("RENAME", "set", "set2"), List.of("SMEMBERS", "set"), List.of("SCARD", "set2")),
      List.of(List.of("DEL", "h"), List.of("HGETALL", "h"), List.of("TYPE", "h")),
      List.of(List.of("FLUSHALL"), List.of("LLEN", "l"), List.of("ZCARD", "z")));

  private static final Pattern FIGURE = Pattern.compile("(\\w+)=(\\d+)");

  @Test
  void everyListedReadIsRedisByteForByteInBothProtocolsAndAHitOnItsSecondCallOnRedis62() {
    try (TestRedis redis = TestRedis.started()) {
      everyListedReadIsRedisByteForByteAndAHit(redis.port());
    }
  }

  @Test
  void everyListedReadIsRedisByteForByteInBothProtocolsAndAHitOnItsSecondCallOnRedis70() throws IOException {
    assumeTrue(Files.isExecutable(REDIS_70), "Debian's redis-server 7.0 is not installed");
    try (Redis70 redis = Redis70.start()) {
      everyListedReadIsRedisByteForByteAndAHit(redis.port);
    }
  }

  private void everyListedReadIsRedisByteForByteAndAHit(int redisPort) {
    try (ProxyProcess proxy = cachingProxy(redisPort);
        RespSocket redis = new RespSocket(redisPort);
        RespSocket redis3 = resp3(new RespSocket(redisPort));
        RespSocket through = new RespSocket(proxy.respPort());
        RespSocket through3 = resp3(new RespSocket(proxy.respPort()))) {
      for (List<String> write : SEED) redis.send(frame(write)).readReply();
      for (List<String> read : READS) {
        String name = read.get(0).toLowerCase();
        String expected = call(redis, read);
        String expected3 = call(redis3, read);
        assertEquals(expected, call(through, read), "RESP2 " + read + ", a miss");
        assertEquals(expected3, call(through3, read), "RESP3 " + read + ", a miss");
        long callsSeen = figure(call(redis, List.of("INFO", "commandstats")), "cmdstat_" + name + " calls");
        assertTrue(callsSeen >= 2, read + " counted by Redis: read directly in both protocols, " + callsSeen);
        long hits = figure(call(through, List.of("INFO", "proxy")), "cache_hits");
        assertEquals(expected, call(through, read), "RESP2 " + read + ", a hit");
        assertEquals(expected3, call(through3, read), "RESP3 " + read + ", a hit");
        assertEquals(hits + 2, figure(call(through, List.of("INFO", "proxy")), "cache_hits"), read + " twice from the cache");
        assertEquals(callsSeen, figure(call(redis, List.of("INFO", "commandstats")), "cmdstat_" + name + " calls"),
            read + " never reached Redis the second time");
      }
    }
  }

  @Test
  void everyWriteThroughTheProxyDropsTheReadsOfItsKeys() {
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = cachingProxy(redis.port());
        RespSocket direct = new RespSocket(redis.port());
        RespSocket through = new RespSocket(proxy.respPort())) {
      for (List<String> write : SEED) direct.send(frame(write)).readReply();
      for (List<List<String>> change : WRITES) {
        List<List<String>> reads = change.subList(1, change.size());
        for (List<String> read : reads) call(through, read);
        through.send(frame(change.get(0))).readReply();
        for (List<String> read : reads) {
          assertEquals(call(direct, read), call(through, read), read + " after " + change.get(0) + " through the proxy");
        }
      }
    }
  }

  @Test
  void everyWriteStraightOnRedisDropsTheReadsOfItsKeysOnceRedisReportsIt() {
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = cachingProxy(redis.port());
        RespSocket direct = new RespSocket(redis.port());
        RespSocket through = new RespSocket(proxy.respPort())) {
      for (List<String> write : SEED) direct.send(frame(write)).readReply();
      for (List<List<String>> change : WRITES) {
        List<List<String>> reads = change.subList(1, change.size());
        for (List<String> read : reads) call(through, read);
        for (List<String> read : reads) call(through, read);
        direct.send(frame(change.get(0))).readReply();
        for (List<String> read : reads) {
          String expected = call(direct, read);
          Eventually.await(DEADLINE, read + " after " + change.get(0) + " on Redis", () -> expected.equals(call(through, read)));
        }
      }
    }
  }

  @Test
  void readsThatAreNeverCachedReachRedisEveryTime() {
    try (TestRedis redis = TestRedis.started();
        ProxyProcess proxy = cachingProxy(redis.port());
        RespSocket direct = new RespSocket(redis.port());
        RespSocket through = new RespSocket(proxy.respPort())) {
      for (List<String> write : SEED) direct.send(frame(write)).readReply();
      direct.send(frame(List.of("EXPIRE", "h", "1000"))).readReply();
      List<List<String>> never = List.of(List.of("SRANDMEMBER", "set"), List.of("HRANDFIELD", "h"),
          List.of("ZRANDMEMBER", "z"), List.of("TTL", "h"), List.of("PTTL", "h"), List.of("OBJECT", "ENCODING", "h"),
          List.of("HSCAN", "h", "0"), List.of("SSCAN", "set", "0"), List.of("ZSCAN", "z", "0"), List.of("DUMP", "s"),
          List.of("EXISTS", "h"));
      for (List<String> read : never) {
        String name = read.get(0).toLowerCase();
        long hits = figure(call(through, List.of("INFO", "proxy")), "cache_hits");
        long calls = figure(call(direct, List.of("INFO", "commandstats")), "cmdstat_" + name + " calls");
        call(through, read);
        call(through, read);
        assertEquals(calls + 2, figure(call(direct, List.of("INFO", "commandstats")), "cmdstat_" + name + " calls"),
            read + " reached Redis both times");
        assertEquals(hits, figure(call(through, List.of("INFO", "proxy")), "cache_hits"), read + " is no hit");
      }
    }
  }

  // Tracking on, so that writes straight on Redis are reported and missing keys are cached too.
  private static ProxyProcess cachingProxy(int redisPort) {
    ProxyProcess proxy = ProxyProcess.start("127.0.0.1:" + redisPort,
        Map.of("GLOBAL_CACHE_EXPIRY", "600", "CACHE_INVALIDATION", "tracking"));
    Eventually.await(DEADLINE, "the proxy has read Redis's COMMAND table",
        () -> proxy.output().contains("commands from the backing Redis's COMMAND table"));
    return proxy;
  }

  private static RespSocket resp3(RespSocket socket) {
    String hello = socket.send(frame(List.of("HELLO", "3"))).readReply();
    assertTrue(hello.startsWith("%"), "HELLO 3 answered with a map: " + hello);
    return socket;
  }

  private static String call(RespSocket socket, List<String> request) {
    return socket.send(frame(request)).readReply();
  }

  private static String frame(List<String> request) {
    return RespSocket.command(request.toArray(String[]::new));
  }

  /** A figure of an INFO reply: {@code name} (cache_hits), or {@code "cmdstat_x calls"}; 0 when absent. */
  private static long figure(String info, String name) {
    String[] parts = name.split(" ");
    for (String line : info.split("\r\n")) {
      if (!line.startsWith(parts[0] + ":")) continue;
      if (parts.length == 1) return Long.parseLong(line.substring(parts[0].length() + 1));
      Matcher matcher = FIGURE.matcher(line.substring(parts[0].length() + 1));
      while (matcher.find()) if (matcher.group(1).equals(parts[1])) return Long.parseLong(matcher.group(2));
    }
    return 0;
  }

  /** Debian's redis-server 7.0, started for one test on a free port, without persistence. */
  private static final class Redis70 implements AutoCloseable {
    final int port;
    final Process process;

    private Redis70(int port, Process process) {
      this.port = port;
      this.process = process;
    }

    static Redis70 start() throws IOException {
      int port = FreePort.find();
      Process process = new ProcessBuilder(REDIS_70.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--daemonize", "no").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      Eventually.await(DEADLINE, "redis-server 7.0 accepts connections on " + port, () -> accepting(port));
      return new Redis70(port, process);
    }

    private static boolean accepting(int port) {
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public void close() {
      process.destroy();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UncheckedIOException(new IOException(e));
      }
    }
  }
}
