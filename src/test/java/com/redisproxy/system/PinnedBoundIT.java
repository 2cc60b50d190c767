package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The bound on dedicated connections, what does not count against it, and commands the configuration refuses. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PinnedBoundIT {
  private static final String BLPOP_REFUSED = "-ERR BLPOP needs a dedicated connection to Redis and all 1 are in use "
      + "(resp.max-pinned-connections); try again later\r\n";

  private TestRedis redis;
  private ProxyProcess proxy;

  @BeforeAll
  void start() {
    redis = TestRedis.started();
    proxy = ProxyProcess.start(redis.address(),
        Map.of("PROXY_RESP_MAX_PINNED_CONNECTIONS", "1", "PROXY_RESP_REFUSED_COMMANDS", "SHUTDOWN,debug"));
  }

  @AfterAll
  void stop() {
    if (proxy != null) proxy.close();
    if (redis != null) redis.close();
  }

  @Test
  void overTheBoundAPinningCommandIsRefusedAtOnceAndWorksOnceASlotIsFree() {
    try (RespSocket holder = new RespSocket(proxy.respPort()); RespSocket late = new RespSocket(proxy.respPort())) {
      assertEquals("+OK\r\n", holder.call(command("MULTI"), "+OK\r\n"));
      assertEquals(BLPOP_REFUSED, late.call(command("BLPOP", "bound-list", "5"), BLPOP_REFUSED));
      // A refused MULTI must not let its commands run outside a transaction.
      late.send(command("MULTI"));
      assertEquals("-ERR MULTI needs", late.readLine().substring(0, 16));
      late.send(command("SET", "bound-key", "leaked") + command("EXEC"));
      assertEquals("-ERR this transaction was refused a dedicated connection; it is discarded at EXEC\r\n", late.readLine());
      assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", late.readLine());
      assertEquals("$-1\r\n", late.call(command("GET", "bound-key"), "$-1\r\n"));

      assertEquals("*0\r\n", holder.call(command("EXEC"), "*0\r\n"));
      Eventually.await(Duration.ofSeconds(10), "a slot is free again", () -> {
        if (late.send(command("MULTI")).readLine().equals("+OK\r\n")) return true;
        assertEquals("+OK\r\n", late.call(command("DISCARD"), "+OK\r\n"));
        return false;
      });
      assertEquals("+QUEUED\r\n", late.call(command("SET", "bound-key", "in-tx"), "+QUEUED\r\n"));
      assertEquals("*1\r\n+OK\r\n", late.call(command("EXEC"), "*1\r\n+OK\r\n"));
    }
  }

  @Test
  void resp3ClientsShareTheConnectionsSoTheyWorkWhileEveryDedicatedOneIsTaken() {
    RedisClient lettuce = RedisClient.create(RedisURI.create("127.0.0.1", proxy.respPort())); // HELLO 3 by default
    List<StatefulRedisConnection<String, String>> clients = new ArrayList<>();
    try (RespSocket holder = new RespSocket(proxy.respPort()); RespSocket raw = new RespSocket(proxy.respPort())) {
      assertEquals("+OK\r\n", holder.call(command("MULTI"), "+OK\r\n"));
      clients.add(lettuce.connect());
      clients.get(0).sync().set("resp3-shared-0", "v0");
      long redisClientsWithOneResp3Client = redisClients();
      for (int i = 1; i < 4; i++) {
        clients.add(lettuce.connect());
        assertEquals("OK", clients.get(i).sync().set("resp3-shared-" + i, "v" + i));
        assertEquals("v" + i, clients.get(i).sync().get("resp3-shared-" + i));
        clients.get(i).sync().hset("resp3-shared-hash", "f", "v");
        assertEquals(Map.of("f", "v"), clients.get(i).sync().hgetall("resp3-shared-hash"));
      }
      raw.send(command("HELLO", "3"));
      assertEquals("%7\r\n", raw.readLine(), "HELLO 3 is answered, not refused a dedicated connection");
      String line;
      do {
        line = raw.readLine(); // the rest of the server map, up to its empty module list
      } while (!line.equals("*0\r\n") && !line.isEmpty());
      String hash = "%1\r\n$1\r\nf\r\n$1\r\nv\r\n";
      assertEquals(hash, raw.call(command("HGETALL", "resp3-shared-hash"), hash));

      assertTrue(redisClients() <= redisClientsWithOneResp3Client, "no Redis connection of their own");
      assertEquals(1, proxyFigure("proxy_pinned_connections"), "only the transaction holds one");
      assertEquals("*0\r\n", holder.call(command("EXEC"), "*0\r\n"));
    } finally {
      clients.forEach(StatefulRedisConnection::close);
      lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  @Test
  void refusedCommandsGetAClearErrorAndNeverReachRedis() {
    try (RespSocket client = new RespSocket(proxy.respPort())) {
      String refused = "-ERR command 'SHUTDOWN' is refused by the proxy (resp.refused-commands)\r\n";
      assertEquals(refused, client.call(command("shutdown", "NOSAVE"), refused));
      String debug = "-ERR command 'DEBUG' is refused by the proxy (resp.refused-commands)\r\n";
      assertEquals(debug, client.call(command("DEBUG", "SLEEP", "0"), debug));
      assertEquals("PONG", redis.commands().ping(), "Redis was not shut down");
    }
  }

  private long redisClients() {
    return redis.commands().clientList().lines().count();
  }

  private long proxyFigure(String name) {
    try (RespSocket socket = new RespSocket(proxy.respPort())) {
      socket.send(command("INFO", "proxy"));
      String header = socket.readLine();
      String body = socket.read(Integer.parseInt(header.substring(1).trim()) + 2);
      for (String line : body.split("\r\n")) {
        if (line.startsWith(name + ":")) return Long.parseLong(line.substring(name.length() + 1));
      }
      throw new AssertionError("INFO proxy has no " + name + ": " + body);
    }
  }
}
