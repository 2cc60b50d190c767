package com.redisproxy.fetch.raw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.redisproxy.fetch.cluster.NamedCommand;
import com.redisproxy.system.support.TestRedis;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A reply taken through Lettuce with {@link WholeReplies} and {@link RawReply} is byte for byte
 * what a raw socket to the same Redis receives, for replies of every RESP2 shape.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RawReplyIT {
  private static final String BIG = "v".repeat(300_000);

  private TestRedis redis;
  private ClientResources resources;
  private RedisClient client;
  private StatefulRedisConnection<byte[], byte[]> lettuce;
  private Socket socket;

  @BeforeAll
  void start() throws IOException {
    redis = TestRedis.started();
    resources = DefaultClientResources.builder().nettyCustomizer(new NettyCustomizer() {
      @Override
      public void afterChannelInitialized(Channel channel) {
        WholeReplies.install(channel);
      }
    }).build();
    client = RedisClient.create(resources, RedisURI.create("127.0.0.1", redis.port()));
    client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
    lettuce = client.connect(ByteArrayCodec.INSTANCE);
    socket = new Socket("127.0.0.1", redis.port());
    socket.setSoTimeout(10_000);
  }

  @AfterAll
  void stop() throws IOException {
    if (socket != null) socket.close();
    if (lettuce != null) lettuce.close();
    if (client != null) client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    if (resources != null) resources.shutdown(0, 1, TimeUnit.SECONDS);
    if (redis != null) redis.close();
  }

  @Test
  void everyReplyShapeIsRelayedAsRedisSentIt() throws Exception {
    List<List<String>> commands = List.of(
        List.of("SET", "raw-s", "OK"),
        List.of("GET", "raw-s"), // a bulk string that reads like the simple string before it
        List.of("GET", "raw-missing"), // $-1
        List.of("TYPE", "raw-s"), // +string
        List.of("INCR", "raw-n"), // :1
        List.of("INCRBYFLOAT", "raw-f", "1.5"),
        List.of("DEL", "raw-l", "raw-h", "raw-z", "raw-x"),
        List.of("LRANGE", "raw-l", "0", "-1"), // *0
        List.of("RPUSH", "raw-l", "a", "", "line\r\nbreak"),
        List.of("LRANGE", "raw-l", "0", "-1"),
        List.of("HSET", "raw-h", "f", "v", "g", "w"),
        List.of("HGETALL", "raw-h"),
        List.of("ZADD", "raw-z", "1.5", "a", "2", "b"),
        List.of("ZRANGE", "raw-z", "0", "-1", "WITHSCORES"),
        List.of("XADD", "raw-x", "1-1", "f", "v"),
        List.of("XRANGE", "raw-x", "-", "+"), // arrays in arrays
        List.of("BLPOP", "raw-empty", "0.01"), // *-1
        List.of("LPUSH", "raw-s", "x"), // -WRONGTYPE
        List.of("NOSUCHCOMMAND", "a"),
        List.of("EVAL", "return {1, {2, 'x', {}}, redis.error_reply('BOOM inside'), false}", "0"),
        List.of("SET", "raw-big", BIG),
        List.of("GET", "raw-big"),
        // No MULTI: Lettuce's connection takes a command named MULTI as its own transaction (the
        // proxy refuses MULTI in front of a cluster); EVAL gives an error inside an array instead.
        List.of("PING"),
        List.of("ECHO", ""));
    // Each side has keys of its own, so that both see the same state.
    for (List<String> command : commands) {
      assertEquals(fromSocket(keysOf("sock-", command)), throughLettuce(keysOf("lett-", command)), String.join(" ", command));
    }
  }

  @Test
  void repliesSplitAcrossReadsAndPipelinedStayWhole() throws Exception {
    lettuce.sync().set("raw-p".getBytes(StandardCharsets.UTF_8), BIG.getBytes(StandardCharsets.UTF_8));
    List<java.util.concurrent.CompletableFuture<ByteString>> replies = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      replies.add(dispatch(List.of(i % 2 == 0 ? "GET" : "TYPE", "raw-p")));
    }
    String bulk = "$" + BIG.length() + "\r\n" + BIG + "\r\n";
    for (int i = 0; i < replies.size(); i++) {
      assertEquals(i % 2 == 0 ? bulk : "+string\r\n", replies.get(i).get(10, TimeUnit.SECONDS).utf8String());
    }
  }

  private static List<String> keysOf(String prefix, List<String> command) {
    return command.stream().map(arg -> arg.startsWith("raw-") ? prefix + arg : arg).toList();
  }

  private String throughLettuce(List<String> command) throws Exception {
    return dispatch(command).get(10, TimeUnit.SECONDS).utf8String();
  }

  private java.util.concurrent.CompletableFuture<ByteString> dispatch(List<String> command) {
    CommandArgs<byte[], byte[]> args = new CommandArgs<>(ByteArrayCodec.INSTANCE);
    for (String arg : command.subList(1, command.size())) args.add(arg.getBytes(StandardCharsets.UTF_8));
    RawReply reply = new RawReply();
    NamedCommand name = NamedCommand.of(ByteString.fromString(command.get(0)));
    return lettuce.async().dispatch(name, reply, args).toCompletableFuture()
        .handle((ignored, failure) -> reply.get());
  }

  private String fromSocket(List<String> command) throws IOException {
    StringBuilder frame = new StringBuilder("*").append(command.size()).append("\r\n");
    for (String arg : command) {
      frame.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
    }
    OutputStream out = socket.getOutputStream();
    out.write(frame.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
    ByteArrayOutputStream reply = new ByteArrayOutputStream();
    readReply(socket.getInputStream(), reply);
    return reply.toString(StandardCharsets.UTF_8);
  }

  // As RESP2 frames a reply: a line, then a bulk's bytes or an array's elements.
  private static void readReply(InputStream in, ByteArrayOutputStream into) throws IOException {
    String line = readLine(in);
    into.write(line.getBytes(StandardCharsets.UTF_8));
    char type = line.charAt(0);
    int count = type == '$' || type == '*' ? Integer.parseInt(line.substring(1, line.length() - 2)) : -1;
    if (type == '$' && count >= 0) into.write(in.readNBytes(count + 2));
    if (type == '*') for (int i = 0; i < count; i++) readReply(in, into);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      line.write(b);
      if (b == '\n') break;
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}
