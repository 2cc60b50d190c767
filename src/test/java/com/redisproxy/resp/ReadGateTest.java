package com.redisproxy.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ReadGateTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutDown() {
    testKit.shutdownTestKit();
  }

  /** A client that sends {@code first} and then nothing, seen through a gate. */
  private record Connection(
      CompletableFuture<Optional<ByteString>> client, CompletionStage<Done> clientSide, CompletionStage<List<ByteString>> read) {

    static Connection through(ReadGate gate, ByteString first) {
      Pair<Pair<CompletableFuture<Optional<ByteString>>, CompletionStage<Done>>, CompletionStage<List<ByteString>>> m =
          Source.single(first).concatMat(Source.<ByteString>maybe(), Keep.right())
              .watchTermination(Keep.both())
              .via(gate)
              .toMat(Sink.seq(), Keep.both())
              .run(testKit.system());
      return new Connection(m.first().first(), m.first().second(), m.second());
    }

    List<ByteString> awaitRead() throws Exception {
      return read.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void anIdleConnectionCompletesWithWhatItReadAndKeepsTheSocketSideOpen() throws Exception {
    Connection connection = Connection.through(new ReadGate(Duration.ofMillis(200), new ReadGates()), ByteString.fromString("PING\r\n"));
    assertEquals(List.of(ByteString.fromString("PING\r\n")), connection.awaitRead());
    // cancelling the socket's side would close the connection before the replies are written
    assertFalse(connection.clientSide().toCompletableFuture().isDone(), "the client side was cancelled");
    connection.client().complete(Optional.empty());
    connection.clientSide().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void closeAllCompletesEveryGateAndFinishesWhenTheirConnectionsHaveEnded() throws Exception {
    ReadGates gates = new ReadGates();
    ReadGate gate = new ReadGate(Duration.ZERO, gates);
    Connection a = Connection.through(gate, ByteString.fromString("a"));
    Connection b = Connection.through(gate, ByteString.fromString("b"));
    assertFalse(a.read().toCompletableFuture().isDone(), "an open gate without an idle timeout completed");

    CompletableFuture<Done> allClosed = gates.closeAll().toCompletableFuture();
    assertEquals(List.of(ByteString.fromString("a")), a.awaitRead());
    assertEquals(List.of(ByteString.fromString("b")), b.awaitRead());
    assertFalse(allClosed.isDone(), "done before the connections ended");
    a.client().complete(Optional.empty());
    b.client().complete(Optional.empty());
    allClosed.get(10, TimeUnit.SECONDS);

    Connection late = Connection.through(gate, ByteString.fromString("late"));
    assertEquals(List.of(ByteString.fromString("late")), late.awaitRead(), "a gate opened after closeAll closes at once");
  }
}
