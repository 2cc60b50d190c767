package com.redisproxy.fetch.cluster;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.util.ByteString;

/**
 * A Redis Cluster as the RESP port forwards to it: commands go to the master owning a key's slot
 * (redirects followed), or to the cluster as a whole. Futures complete on the client's threads,
 * not the caller's. A {@link RedisError} is Redis's own error; any other failure is the proxy's
 * (timeout, no connection).
 */
public interface ClusterRedis {

  /** Redis's reply to {@code args}, byte for byte, from the master of {@code args.get(keyIndex)}'s slot. */
  CompletionStage<ByteString> send(List<ByteString> args, int keyIndex);

  /** Redis's reply to a command that needs no particular node (COMMAND, or one Redis will refuse). */
  CompletionStage<ByteString> sendToAnyNode(List<ByteString> args);

  /** True once the cluster's slot map is read and every master's connection is open. */
  boolean everyMasterConnected();

  /** The hash slot of {@code key}, hash tags included. */
  int slot(ByteString key);

  /** The keys Redis finds in {@code args} (COMMAND GETKEYS), for commands whose keys move. */
  CompletionStage<List<ByteString>> keysOf(List<ByteString> args);

  /** DBSIZE summed over every master. */
  CompletionStage<Long> dbsize();

  /** FLUSHALL or FLUSHDB ({@code command}) with its options, on every master; Redis's status reply. */
  CompletionStage<String> flush(String command, List<ByteString> options);

  /**
   * Redis's reply to {@code args} from every master, byte for byte, in the order of the lowest slot
   * each serves (an order that a failover keeps). The slot map is read again first.
   */
  CompletionStage<List<ByteString>> sendToEveryMaster(List<ByteString> args);

  /**
   * Redis's reply to {@code args} from the {@code nth} master in that order, as this client sees the
   * slot map now, and how many masters it sees; a {@link RedisError} when there is no nth master.
   */
  CompletionStage<MasterReply> sendToMaster(int nth, List<ByteString> args);

  /** One master's reply, and how many masters there are. */
  record MasterReply(ByteString reply, int masters) {}

  /** A node as clients reach it. */
  record Node(String host, int port) {}

  /** The master of {@code slot} as this client's slot map says now; empty when none serves it. */
  Optional<Node> masterOf(int slot);

  /** A master picked at random among those that serve slots; empty when none is known. */
  Optional<Node> anyMaster();

  /**
   * Reads the slot map again (a node redirected a client's own connection: the map may be old);
   * completes once read, or once reading failed.
   */
  CompletionStage<Void> readSlotsAgain();

  /** Redis's COMMAND reply, as nested lists (the RESP port builds its command table from it). */
  CompletionStage<List<Object>> commandTable();

  /** An error reply from Redis: {@code message} starts with its code (ERR, CROSSSLOT, ...). */
  final class RedisError extends RuntimeException {
    public RedisError(String message) {
      super(message, null, false, false);
    }
  }
}
