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

  private static boolean refused(int port) {
    try (Socket ignored = new Socket("127.0.0.1", port)) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
