package com.redisproxy.resp.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.resp.tracking.Tracker;
import com.redisproxy.cache.CacheKey;
import com.redisproxy.cache.CacheStats;
import com.redisproxy.cache.GetResult;
import com.redisproxy.cache.client.CacheReads;
import com.redisproxy.metrics.ProxyMetrics;
import com.redisproxy.resp.codec.RespBatch;
import com.redisproxy.resp.codec.RespReply;
import com.redisproxy.resp.codec.RespRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** A batch answered by the handlers the command table names, in order, each in the protocol spoken when it was asked. */
class RespCommandsTest {
  private final ProxyMetrics metrics = new ProxyMetrics();
  private final RespAuth auth = new RespAuth(Optional.empty(), metrics.authFailures("resp"));
  private final RespSession session = auth.newSession(7);
  private final RespCommands commands =
      new RespCommands(new ServerInfo(() -> 1, () -> 0, "test"), metrics.readOutcomes("resp"), auth, new CommandTable(Set.of()));
  private final List<ByteString> asked = new ArrayList<>();

  // Nothing is cached, and no figures: every read is a missing key.
  private final CacheReads nothingCached = new CacheReads() {
    @Override
    public CompletionStage<List<GetResult>> getAll(List<CacheKey> keys) {
      for (CacheKey key : keys) asked.add(key.key());
      return CompletableFuture.completedFuture(Collections.nCopies(keys.size(), GetResult.NotFound.INSTANCE));
    }

    @Override
    public CompletionStage<Optional<CacheStats>> stats() {
      return CompletableFuture.completedFuture(Optional.empty());
    }
  };

  private static RespRequest request(String... args) {
    return new RespRequest(Arrays.stream(args).map(ByteString::fromString).toList());
  }

  private RespReply answer(RespRequest... requests) {
    return commands.render(commands.execute(session, new RespBatch(List.of(requests), null), nothingCached, Tracker.disabled())
        .toCompletableFuture().join());
  }

  @Test
  void readsAfterHelloThreeInOneBatchAreResp3AndTheOnesBeforeItResp2() {
    String reply = answer(request("GET", "a"), request("HELLO", "3"), request("GET", "b"), request("MGET", "c", "d"))
        .bytes().utf8String();
    assertTrue(reply.startsWith("$-1\r\n%7\r\n"), reply);
    assertTrue(reply.endsWith("*0\r\n_\r\n*2\r\n_\r\n_\r\n"), reply);
    assertEquals(List.of("a", "b", "c", "d"), asked.stream().map(ByteString::utf8String).toList(), "one ask, in order");
  }

  @Test
  void quitIsAnsweredAndNothingAfterItRuns() {
    RespReply reply = answer(request("PING"), request("QUIT"), request("GET", "after-quit"));
    assertEquals("+PONG\r\n+OK\r\n", reply.bytes().utf8String());
    assertTrue(reply.close());
    assertTrue(asked.isEmpty(), "the GET after QUIT never reached the cache");
  }

  @Test
  void getWithTheWrongArityIsAnsweredWithoutTheCache() {
    RespReply reply = answer(request("GET"), request("MGET"), request("CLIENT", "ID"));
    assertEquals("-ERR wrong number of arguments for 'get' command\r\n-ERR wrong number of arguments for 'mget' command\r\n"
        + ":7\r\n", reply.bytes().utf8String());
    assertFalse(reply.close());
    assertTrue(asked.isEmpty());
  }

  @Test
  void aWrongTypeKeyFailsGetButReadsAsNilInMgetWhileAnyOtherRedisErrorFailsBoth() {
    String wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    String loading = "LOADING Redis is loading the dataset in memory";
    CacheReads reads = new CacheReads() {
      @Override
      public CompletionStage<List<GetResult>> getAll(List<CacheKey> keys) {
        return CompletableFuture.completedFuture(keys.stream().map(CacheKey::key).map(key -> switch (key.utf8String()) {
          case "list" -> (GetResult) new GetResult.Failed(GetResult.Reason.WRONG_TYPE, wrongType);
          case "loading" -> new GetResult.Failed(GetResult.Reason.REDIS_ERROR, loading);
          default -> new GetResult.Found(key, true);
        }).toList());
      }

      @Override
      public CompletionStage<Optional<CacheStats>> stats() {
        return CompletableFuture.completedFuture(Optional.empty());
      }
    };
    RespBatch batch = new RespBatch(List.of(
        request("GET", "list"), request("MGET", "a", "list"), request("GET", "loading"), request("MGET", "a", "loading")), null);
    String reply = commands.render(commands.execute(session, batch, reads, Tracker.disabled()).toCompletableFuture().join()).bytes().utf8String();
    assertEquals("-" + wrongType + "\r\n*2\r\n$1\r\na\r\n$-1\r\n-" + loading + "\r\n-" + loading + "\r\n", reply);
  }

  @Test
  void getsValueKeptAsRedisFramedItIsSentAsItIsInEitherProtocol() {
    GetResult.Found a = GetResult.Found.ofBulk("$1\r\na\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), true);
    CacheReads reads = new CacheReads() {
      @Override
      public CompletionStage<List<GetResult>> getAll(List<CacheKey> keys) {
        return CompletableFuture.completedFuture(keys.stream().map(key -> (GetResult) a).toList());
      }

      @Override
      public CompletionStage<Optional<CacheStats>> stats() {
        return CompletableFuture.completedFuture(Optional.empty());
      }
    };
    RespReply one = commands.render(commands.execute(session, new RespBatch(List.of(request("GET", "a")), null), reads,
        Tracker.disabled()).toCompletableFuture().join());
    assertSame(a.bulk(), one.bytes(), "a lone GET's reply is the bytes as kept, not a copy");
    RespBatch batch = new RespBatch(List.of(request("GET", "a"), request("HELLO", "3"), request("GET", "a"), request("MGET", "a", "a")), null);
    String reply = commands.render(commands.execute(session, batch, reads, Tracker.disabled()).toCompletableFuture().join())
        .bytes().utf8String();
    assertTrue(reply.startsWith("$1\r\na\r\n%7\r\n"), reply);
    assertTrue(reply.endsWith("$1\r\na\r\n*2\r\n$1\r\na\r\n$1\r\na\r\n"), reply);
  }

  @Test
  void infoProxyWithoutTheCachesFiguresSaysSo() {
    assertEquals("-ERR the cache did not answer in time\r\n", answer(request("INFO", "proxy")).bytes().utf8String());
  }
}
