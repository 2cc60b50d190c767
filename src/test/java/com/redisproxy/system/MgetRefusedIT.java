package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A proxy whose Redis user may not run MGET: its misses are read one GET a key, as right, and it says so once. */
class MgetRefusedIT {

  private static long mgetsRefused(TestRedis redis) {
    String stats = redis.commands().info("commandstats");
    int at = stats.indexOf("cmdstat_mget:");
    if (at < 0) return 0;
    int from = stats.indexOf("rejected_calls=", at) + "rejected_calls=".length();
    return Long.parseLong(stats.substring(from, stats.indexOf(',', from)));
  }

  @Test
  void missesAreAnsweredRightAndMgetIsTriedNoMoreOnceRefused() {
    try (TestRedis redis = TestRedis.started()) {
      redis.commands().dispatch(CommandType.ACL, new StatusOutput<>(ByteArrayCodec.INSTANCE), new CommandArgs<>(ByteArrayCodec.INSTANCE)
          .add("SETUSER").add("nomget").add("on").add(">secret").add("~*").add("+@all").add("-mget"));
      redis.set("refused-1", "one");
      redis.commands().lpush(TestRedis.bytes("refused-list"), TestRedis.bytes("x"));
      String requests = command("GET", "refused-1") + command("GET", "refused-list") + command("GET", "refused-absent");
      String expected = "$3\r\none\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n$-1\r\n";
      try (ProxyProcess proxy = ProxyProcess.start("redis://nomget:secret@" + redis.address(), Map.of("CACHE_CAPACITY", "0"));
          RespSocket client = new RespSocket(proxy.respPort())) {
        assertEquals(expected, client.call(requests, expected));
        long refused = mgetsRefused(redis);
        assertTrue(refused >= 1, "the misses' GETs were tried as an MGET first");
        Eventually.await(Duration.ofSeconds(10), "the refusal logged",
            () -> proxy.output().contains("Backing Redis refused MGET (NOPERM"));
        for (int i = 0; i < 5; i++) assertEquals(expected, client.call(requests, expected));
        assertEquals(refused, mgetsRefused(redis), "no MGET tried after Redis refused one for good");
      }
    }
  }
}
