package com.redisproxy.resp.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.redisproxy.metrics.ProxyMetrics;
import com.redisproxy.resp.codec.RespRequest;
import java.util.Arrays;
import java.util.Optional;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class LocalCommandsTest {
  private final RespSession session = new RespSession(7, true);
  private final RespAuth noPassword = new RespAuth(Optional.empty(), new ProxyMetrics().authFailures("resp"));

  private String answer(String... args) {
    return LocalCommands.answer(session, new RespRequest(Arrays.stream(args).map(ByteString::fromString).toList()), noPassword)
        .utf8String();
  }

  @Test
  void pingAndEcho() {
    assertEquals("+PONG\r\n", answer("PING"));
    assertEquals("+PONG\r\n", answer("ping"));
    assertEquals("$2\r\nhi\r\n", answer("PING", "hi"));
    assertEquals("$3\r\nyou\r\n", answer("ECHO", "you"));
    assertEquals("-ERR wrong number of arguments for 'echo' command\r\n", answer("ECHO"));
    assertEquals("-ERR wrong number of arguments for 'get' command\r\n", answer("GET"));
  }

  @Test
  void selectZeroIsTheProxysOwnDatabase() {
    assertEquals("+OK\r\n", answer("SELECT", "0"));
    assertEquals("-ERR wrong number of arguments for 'select' command\r\n", answer("SELECT"));
  }

  @Test
  void clientNameIdAndInfo() {
    assertEquals("$-1\r\n", answer("CLIENT", "GETNAME"));
    assertEquals("+OK\r\n", answer("CLIENT", "SETNAME", "worker"));
    assertEquals("$6\r\nworker\r\n", answer("CLIENT", "GETNAME"));
    assertEquals(":7\r\n", answer("CLIENT", "ID"));
    assertEquals("+OK\r\n", answer("CLIENT", "SETINFO", "LIB-NAME", "x"));
    assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
        answer("CLIENT", "SETNAME", "a b"));
  }

  @Test
  void helloThreeSwitchesToResp3AndIsAnsweredWithRedissMapInIt() {
    String map = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n6.2.0\r\n$5\r\nproto\r\n:3\r\n"
        + "$2\r\nid\r\n:7\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
    assertEquals(map, answer("HELLO", "3"));
    assertEquals(true, session.resp3());
    assertEquals(map, answer("HELLO"), "without a version the protocol stays");
    assertEquals("_\r\n", answer("CLIENT", "GETNAME"), "RESP3's null");
    assertEquals(true, answer("HELLO", "2").startsWith("*14\r\n"));
    assertEquals(false, session.resp3());
    assertEquals("$-1\r\n", answer("CLIENT", "GETNAME"));
  }

  @Test
  void helloTwoIsAnsweredHereAndUnknownVersionsRefused() {
    assertEquals("-NOPROTO unsupported protocol version\r\n", answer("HELLO", "4"));
    String hello = answer("HELLO", "2", "SETNAME", "cli");
    assertEquals(true, hello.startsWith("*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n"), hello);
    assertEquals(true, hello.contains("$5\r\nproto\r\n:2\r\n"), hello);
    assertEquals("$3\r\ncli\r\n", answer("CLIENT", "GETNAME"));
  }
}
