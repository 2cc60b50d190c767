package com.redisproxy.system;

import static com.redisproxy.system.support.RespSocket.command;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.system.support.Eventually;
import com.redisproxy.system.support.ProxyProcess;
import com.redisproxy.system.support.RespSocket;
import com.redisproxy.system.support.TestRedis;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** SIGTERM: stop accepting, answer what is in flight, close Redis, exit 0. */
class ShutdownIT {

  @Test
  void sigtermAnswersRequestsInFlightThenExitsZero() throws Exception {
    try (TestRedis redis = TestRedis.started(); ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of())) {
      redis.set("slow-http", "answered after SIGTERM");
      redis.set("slow-resp", "also answered");
      RespSocket resp = new RespSocket(proxy.respPort());
      assertEquals("+PONG\r\n", resp.call(command("PING"), "+PONG\r\n"));

      redis.commands().clientPause(1_500);
      CompletableFuture<HttpResponse<String>> http = HttpClient.newHttpClient().sendAsync(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/proxy?key=slow-http")).build(),
          HttpResponse.BodyHandlers.ofString());
      resp.send(command("GET", "slow-resp"));
      Eventually.await(Duration.ofSeconds(5), "both fetches are in flight", () -> ProxyProcess.body(
          proxy.request("GET", "/metrics")).contains("proxy_redis_fetches_in_flight 2.0"));

      long signalled = System.nanoTime();
      int exitCode = proxy.stop();
      assertEquals(0, exitCode, proxy.output());
      assertTrue(System.nanoTime() - signalled < TimeUnit.SECONDS.toNanos(12), "shutdown took too long");

      HttpResponse<String> answered = http.get(5, TimeUnit.SECONDS);
      assertEquals(200, answered.statusCode());
      assertEquals("answered after SIGTERM", answered.body());
      assertEquals("$13\r\nalso answered\r\n", resp.read("$13\r\nalso answered\r\n".length()));
      resp.close();
      assertTrue(refused(proxy.httpPort()) && refused(proxy.respPort()), "the ports are closed");
      assertTrue(proxy.output().contains("SIGTERM received"), proxy.output());
    }
  }

  @Test
  void sigtermClosesAnIdleRespConnectionAndExitsZeroWellBeforeTheDeadline() {
    try (TestRedis redis = TestRedis.started(); ProxyProcess proxy = ProxyProcess.start(redis.address(), Map.of());
        RespSocket idle = new RespSocket(proxy.respPort())) {
      assertEquals("+PONG\r\n", idle.call(command("PING"), "+PONG\r\n"));

      long signalled = System.nanoTime();
      proxy.sendSigterm();
      assertTrue(idle.endOfStream(), "the idle connection is closed cleanly");
      assertEquals(0, proxy.awaitExit(Duration.ofSeconds(20)), proxy.output());
      long exitedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
      assertTrue(exitedAfter < 6_000, "exited " + exitedAfter + " ms after SIGTERM; the deadline is 10 s");
    }
  }

  @Test
  void aRespRequestInFlightIsAnsweredBeforeItsConnectionClosesWhileIdleOnesCloseAtOnce() throws Exception {
    // Redis is paused for longer than it takes to close an idle connection, and fetches may wait that long.
    Map<String, String> patient = Map.of("REDIS_FETCH_TIMEOUT", "12s",
        "JAVA_TOOL_OPTIONS", "-Dredis-proxy.ask-timeout=20s");
    try (TestRedis redis = TestRedis.started(); ProxyProcess proxy = ProxyProcess.start(redis.address(), patient);
        RespSocket busy = new RespSocket(proxy.respPort(), Duration.ofSeconds(20));
        RespSocket idle = new RespSocket(proxy.respPort())) {
      redis.set("slow", "answered");
      assertEquals("+PONG\r\n", busy.call(command("PING"), "+PONG\r\n"));
      assertEquals("+PONG\r\n", idle.call(command("PING"), "+PONG\r\n"));

      redis.commands().clientPause(8_000);
      long pausedAt = System.nanoTime();
      busy.send(command("GET", "slow"));
      Eventually.await(Duration.ofSeconds(5), "the fetch is in flight", () -> ProxyProcess.body(
          proxy.request("GET", "/metrics")).contains("proxy_redis_fetches_in_flight 1.0"));
      proxy.sendSigterm();

      assertTrue(idle.endOfStream(), "the idle connection is closed cleanly");
      long idleClosedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedAt);
      assertTrue(idleClosedAfter < 6_000, "the idle connection closed " + idleClosedAfter
          + " ms into an 8 s pause: it waited for the request in flight, or for the process to end");
      assertEquals("$8\r\nanswered\r\n", busy.read("$8\r\nanswered\r\n".length()));
      assertTrue(busy.endOfStream(), "after its answer, the busy connection is closed cleanly");
      assertEquals(0, proxy.awaitExit(Duration.ofSeconds(20)), proxy.output());
    }
  }

  private static boolean refused(int port) {
    try (Socket ignored = new Socket("127.0.0.1", port)) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
