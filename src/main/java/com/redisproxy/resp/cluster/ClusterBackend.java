package com.redisproxy.resp.cluster;

import com.redisproxy.fetch.cluster.ClusterRedis;
import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.codec.RespWriter;
import com.redisproxy.resp.forward.Backend;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.util.ByteString;

/**
 * One event loop's forwarding to a Redis Cluster: each command is routed as {@link ClusterRouting}
 * decides and sent through the {@link ClusterRedis}, whose answers are handed back to the loop
 * before anything touches a connection. Used by its loop's thread only.
 *
 * <p>Commands are sent in the order they come: a command whose keys only Redis can name (EVAL,
 * SORT ... STORE, any movable-keys command) waits for a COMMAND GETKEYS round trip, and every
 * command of this loop that comes after it waits behind it until it is sent, so that none
 * reaches Redis before it (a read pipelined after a write would otherwise miss the write).
 */
public final class ClusterBackend implements Backend {
  private static final Set<String> WHOLE_INFO = Set.of("default", "all", "everything", "keyspace");

  private final EventLoop loop;
  private final ClusterRedis cluster;
  private final ClusterRouting routing;
  // Commands that came while a command's keys were asked for, oldest first.
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private boolean askingForKeys;

  public ClusterBackend(EventLoop loop, ClusterRedis cluster, ClusterRouting routing) {
    this.loop = loop;
    this.cluster = cluster;
    this.routing = routing;
  }

  @Override
  public CompletableFuture<ByteString> forward(RespRequest request) {
    if (!askingForKeys) return send(request);
    CompletableFuture<ByteString> answer = new CompletableFuture<>();
    waiting.add(() -> relay(send(request), answer));
    return answer;
  }

  private CompletableFuture<ByteString> send(RespRequest request) {
    ClusterRouting.Decision decision = routing.decide(request);
    CompletionStage<ByteString> reply;
    if (decision instanceof ClusterRouting.Keyed keyed) {
      reply = cluster.send(request.args(), keyed.keyIndex());
    } else if (decision instanceof ClusterRouting.Summed summed) {
      reply = summed(summed.parts());
    } else if (decision == ClusterRouting.KeysFromRedis.INSTANCE) {
      reply = routedByRedisKeys(request);
    } else if (decision == ClusterRouting.AnyNode.INSTANCE) {
      reply = cluster.sendToAnyNode(request.args());
    } else if (decision == ClusterRouting.WholeCluster.DBSIZE) {
      reply = cluster.dbsize().thenApply(keys -> new RespWriter().integer(keys).result());
    } else if (decision == ClusterRouting.WholeCluster.FLUSH) {
      reply = cluster.flush(request.name(), request.args().subList(1, request.size()))
          .thenApply(status -> new RespWriter().simple(status).result());
    } else if (decision == ClusterRouting.WholeCluster.INFO) {
      reply = info(request);
    } else if (decision == ClusterRouting.EveryMaster.SCAN) {
      reply = scan(request);
    } else if (decision instanceof ClusterRouting.EveryMaster every) {
      reply = everyMaster(every, request);
    } else {
      reply = CompletableFuture.completedFuture(((ClusterRouting.Refused) decision).reply());
    }
    return reply.toCompletableFuture().handleAsync(ClusterBackend::asReply, loop);
  }

  // The first error, in key order, or the sum of the parts' integers.
  private CompletionStage<ByteString> summed(List<List<ByteString>> parts) {
    List<CompletableFuture<ByteString>> replies = new ArrayList<>(parts.size());
    for (List<ByteString> part : parts) replies.add(cluster.send(part, 1).toCompletableFuture());
    return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).thenApply(all -> {
      long sum = 0;
      for (CompletableFuture<ByteString> part : replies) {
        ByteString bytes = part.join();
        if (bytes.isEmpty() || bytes.apply(0) != ':') return bytes;
        sum += Long.parseLong(bytes.slice(1, bytes.size() - 2).utf8String());
      }
      return new RespWriter().integer(sum).result();
    });
  }

  // With no key found (EVAL with numkeys 0), any node runs it alike. Sent on the loop, then the
  // commands that waited behind it are sent in turn.
  private CompletionStage<ByteString> routedByRedisKeys(RespRequest request) {
    askingForKeys = true;
    CompletableFuture<ByteString> answer = new CompletableFuture<>();
    cluster.keysOf(request.args()).handle((keys, failure) -> keys == null ? List.<ByteString>of() : keys)
        .thenAcceptAsync(keys -> {
          try {
            relay(keys.isEmpty()
                ? cluster.sendToAnyNode(request.args())
                : cluster.send(request.args(), Math.max(1, request.args().subList(1, request.size()).indexOf(keys.get(0)) + 1)),
                answer);
          } catch (RuntimeException failure) {
            answer.completeExceptionally(failure);
          } finally {
            askingForKeys = false;
            while (!askingForKeys && !waiting.isEmpty()) waiting.poll().run();
          }
        }, loop);
    return answer;
  }

  private static void relay(CompletionStage<ByteString> reply, CompletableFuture<ByteString> answer) {
    reply.whenComplete((bytes, failure) -> {
      if (failure == null) answer.complete(bytes);
      else answer.completeExceptionally(failure);
    });
  }

  private CompletionStage<ByteString> everyMaster(ClusterRouting.EveryMaster every, RespRequest request) {
    return cluster.sendToEveryMaster(request.args()).thenApply(replies -> switch (every) {
      case KEYS -> MastersReplies.concatenated(replies);
      case RANDOMKEY -> MastersReplies.randomKey(replies, ThreadLocalRandom.current());
      case ALL_OF -> MastersReplies.allOf(replies);
      case ALIKE, SCAN -> MastersReplies.alike(replies);
    });
  }

  // One master at a time, the cursor saying which (see ScanCursor).
  private CompletionStage<ByteString> scan(RespRequest request) {
    Optional<ScanCursor> cursor = ScanCursor.parse(request.arg(1).utf8String());
    if (cursor.isEmpty()) return CompletableFuture.completedFuture(new RespWriter().error("ERR invalid cursor").result());
    List<ByteString> args = new ArrayList<>(request.args());
    args.set(1, ByteString.fromString(Long.toUnsignedString(cursor.get().masterCursor())));
    int master = cursor.get().master();
    return cluster.sendToMaster(master, args).thenApply(answer -> {
      if (answer.masters() > ScanCursor.MAX_MASTERS) {
        return new RespWriter().error("ERR SCAN across more than " + ScanCursor.MAX_MASTERS + " masters is not supported by the proxy").result();
      }
      Optional<MastersReplies.ScanPage> page = MastersReplies.scanPage(answer.reply());
      if (page.isEmpty()) return answer.reply();
      return ScanCursor.next(page.get().cursor(), master, answer.masters())
          .map(next -> MastersReplies.scanReply(next, page.get().keys()))
          .orElseGet(() -> new RespWriter().error("ERR a master's SCAN cursor " + page.get().cursor()
              + " leaves no room for the proxy's master number").result());
    });
  }

  // The proxy's own section follows (see Forwarder); a node's memory or clients would mislead.
  private CompletionStage<ByteString> info(RespRequest request) {
    if (request.size() > 2 || (request.size() == 2
        && !WHOLE_INFO.contains(request.arg(1).utf8String().toLowerCase(Locale.ROOT)))) {
      return CompletableFuture.completedFuture(new RespWriter().error("ERR INFO " + request.arg(request.size() - 1).utf8String()
          + " has no single meaning across a Redis Cluster; the proxy answers INFO, INFO keyspace and INFO proxy").result());
    }
    return cluster.dbsize().thenApply(keys -> new RespWriter().bulk("# Keyspace\r\ndb0:keys=" + keys + "\r\n").result());
  }

  private static ByteString asReply(ByteString reply, Throwable failure) {
    if (failure == null) return reply;
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof ClusterRedis.RedisError redis) return new RespWriter().error(redis.getMessage()).result();
    return new RespWriter().error("ERR the Redis Cluster did not answer (" + cause.getMessage()
        + "); the command may or may not have run").result();
  }
}
