package com.redisproxy.resp.command;

import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.codec.RespWriter;
import java.util.Locale;
import org.apache.pekko.util.ByteString;

/** The proxy's errors for commands it will not run. */
public final class Refusals {
  public static final ByteString EXECABORT = new RespWriter().error("EXECABORT Transaction discarded because of previous errors.").result();

  private Refusals() {}

  public static ByteString refused(RespRequest request) {
    return new RespWriter().error("ERR command '" + request.name().toUpperCase(Locale.ROOT)
        + "' is refused by the proxy (resp.refused-commands)").result();
  }

  /** In front of a Redis Cluster the proxy keeps no connection of a client's own to one node. */
  public static ByteString notInCluster(RespRequest request) {
    // What Redis says to a version it does not speak: clients (Lettuce, redis-py) then fall back to RESP2.
    if (CommandTable.inCluster(request) == CommandTable.InCluster.REFUSED_AS_NOPROTO) return new RespWriter().error("NOPROTO unsupported protocol version").result();
    return new RespWriter().error("ERR " + request.name().toUpperCase(Locale.ROOT) + " is not supported by the proxy in"
        + " front of a Redis Cluster: it needs a connection of its own to one node").result();
  }

  /** Sharded pub/sub (SSUBSCRIBE, SPUBLISH, SUNSUBSCRIBE) against nodes older than Redis 7, which would call it unknown. */
  public static ByteString needsRedis7(RespRequest request) {
    return new RespWriter().error("ERR " + request.name().toUpperCase(Locale.ROOT) + " is sharded pub/sub, which needs"
        + " Redis 7: the cluster's nodes do not know it").result();
  }

  /** A transaction's key in another slot than its first: what Redis answers for keys of two slots. */
  public static final ByteString CROSSSLOT = new RespWriter().error("CROSSSLOT Keys in request don't hash to the same slot").result();

  public static ByteString noSingleMeaningInCluster(RespRequest request) {
    return new RespWriter().error("ERR " + request.name().toUpperCase(Locale.ROOT) + " names no key and has no single"
        + " meaning across a Redis Cluster; of the keyless commands the proxy answers PING, ECHO, DBSIZE, FLUSHALL,"
        + " FLUSHDB, INFO, COMMAND, KEYS, SCAN, RANDOMKEY, PUBLISH, SCRIPT LOAD/FLUSH/EXISTS and FUNCTION"
        + " LOAD/DELETE/FLUSH/RESTORE").result();
  }

  public static ByteString tooManyPinned(RespRequest request, int bound) {
    return new RespWriter().error("ERR " + request.name().toUpperCase(Locale.ROOT) + " needs a dedicated connection to "
        + "Redis and all " + bound + " are in use (resp.max-pinned-connections); try again later").result();
  }

  public static ByteString inRefusedTransaction() {
    return new RespWriter().error("ERR this transaction was refused a dedicated connection; it is discarded at EXEC").result();
  }
}
