package com.redisproxy.resp.cluster;

import com.redisproxy.fetch.cluster.ClusterRedis;
import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.codec.RespWriter;
import com.redisproxy.resp.command.CommandTable;
import com.redisproxy.resp.command.Refusals;
import com.redisproxy.resp.forward.BackendAddress;
import com.redisproxy.resp.forward.Forwarding;
import com.redisproxy.resp.forward.pinned.Pinned;
import com.redisproxy.resp.forward.pinned.PinnedSession;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * A client's pinned session in front of a Redis Cluster, the way cluster clients keep one: a
 * {@link PinnedSession} on a connection of its own to the master of the slot its first key names
 * (any master for a session that names none: SUBSCRIBE, WAIT, a transaction with no key). MULTI
 * is answered here and sent once the transaction's first key names the node. From then on a key
 * of another slot is refused with Redis's CROSSSLOT, and a transaction that had a command refused
 * is discarded at EXEC (-EXECABORT), as Redis does after an error while queuing. Redis's own
 * redirects (MOVED, ASK: the slot moved meanwhile) reach the client as Redis sent them, never
 * retried elsewhere; the slot map is read again before the next session picks its node.
 *
 * <p>A session that holds no state (a blocking command's, or once EXEC is sent) takes nothing
 * more: what follows waits for it to end and then goes the usual way, so that a command of another
 * slot is not sent to a node that does not serve it. Used by the connection's loop only.
 */
final class ClusterSession implements Pinned, PinnedSession.Client {
  private static final ByteString OK = new RespWriter().simple("OK").result();
  private static final ByteString NESTED = new RespWriter().error("ERR MULTI calls can not be nested").result();
  private static final ByteString UNSERVED = new RespWriter().error("CLUSTERDOWN Hash slot not served").result();
  private static final RespRequest MULTI = new RespRequest(List.of(ByteString.fromString("MULTI")));
  private static final RespRequest DISCARD = new RespRequest(List.of(ByteString.fromString("DISCARD")));
  private static final byte[] MOVED = "-MOVED ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ASK = "-ASK ".getBytes(StandardCharsets.US_ASCII);

  private final ClusterPinning pinning;
  private final Forwarding forwarding;
  private final PinnedSession.Connection connection;
  private final PinnedSession.Client client;
  private PinnedSession node;
  private ClusterRedis.Node nodeAddress;
  private int slot = -1;
  private boolean reading = true;
  private boolean multiHeld; // MULTI answered here, not sent: no key has named the node yet
  private boolean choosing; // the node is being looked up
  private boolean dirty; // a command of the transaction was refused: EXEC discards it
  // The state the PinnedSession keeps too, as the same effects change it: while it lasts, the session takes more.
  private boolean inTransaction;
  private boolean watching;
  private boolean lasting;
  private boolean ended;

  ClusterSession(ClusterPinning pinning, Forwarding forwarding, PinnedSession.Connection connection) {
    this.pinning = pinning;
    this.forwarding = forwarding;
    this.connection = connection;
    this.client = connection.client();
  }

  @Override
  public boolean takesRequests() {
    if (choosing) return false;
    return node == null || inTransaction || watching || lasting;
  }

  @Override
  public void handle(RespRequest request) {
    if (ended) return;
    if (node != null) pass(request);
    else start(request);
  }

  private void start(RespRequest request) {
    CommandTable.Effect effect = CommandTable.effect(request);
    if (effect == CommandTable.Effect.BEGINS_TRANSACTION) {
      if (multiHeld) {
        client.answer(NESTED, false);
      } else {
        multiHeld = true;
        client.answer(OK, false);
      }
      return;
    }
    if (multiHeld && effect == CommandTable.Effect.DISCARDS_TRANSACTION) {
      client.answer(OK, false);
      endWithoutNode();
      return;
    }
    if (multiHeld && dirty && effect == CommandTable.Effect.RUNS_TRANSACTION) {
      client.answer(Refusals.EXECABORT, false);
      endWithoutNode();
      return;
    }
    choosing = true;
    pinning.targetOf(request).whenCompleteAsync((target, failure) -> chosen(request, target, failure), connection.loop());
  }

  private void chosen(RespRequest request, ClusterPinning.Target target, Throwable failure) {
    choosing = false;
    if (ended) return;
    Optional<BackendAddress> address = failure == null ? target.node().flatMap(pinning::address) : Optional.empty();
    if (address.isEmpty()) {
      // No master serves the slot as the proxy sees the cluster now (a failover under way).
      client.answer(UNSERVED, false);
      if (!multiHeld) {
        endWithoutNode();
        return;
      }
      dirty = true;
    } else {
      nodeAddress = target.node().get();
      slot = target.slot();
      node = PinnedSession.onNode(forwarding, address.get(),
          new PinnedSession.Connection(connection.loop(), connection.session(), connection.auth(), this));
      node.setReading(reading);
      if (multiHeld) {
        multiHeld = false;
        inTransaction = true;
        node.handleQuietly(MULTI);
      }
      pass(request);
    }
    if (!ended) client.takesMore();
  }

  private void pass(RespRequest request) {
    CommandTable.Effect effect = CommandTable.effect(request);
    if (effect == CommandTable.Effect.RUNS_TRANSACTION && inTransaction && dirty) {
      track(CommandTable.Effect.DISCARDS_TRANSACTION);
      node.handleQuietly(DISCARD);
      node.answerInOrder(Refusals.EXECABORT);
      return;
    }
    Optional<ByteString> refused = forwarding.table().route(request) == CommandTable.Route.NOT_IN_CLUSTER
        ? Optional.of(Refusals.notInCluster(request))
        : inSlot(request) ? Optional.empty() : Optional.of(Refusals.CROSSSLOT);
    if (refused.isPresent()) {
      node.answerInOrder(refused.get());
      if (inTransaction) dirty = true;
      return;
    }
    track(effect);
    node.handle(request);
  }

  // As PinnedSession tracks them, so that this session takes more exactly while that one lasts.
  private void track(CommandTable.Effect effect) {
    switch (effect) {
      case BEGINS_TRANSACTION -> inTransaction = true;
      case RUNS_TRANSACTION, DISCARDS_TRANSACTION -> {
        inTransaction = false;
        watching = false;
        dirty = false;
      }
      case WATCHES -> watching = true;
      case UNWATCHES -> watching = false;
      case UNMATCHES_REPLIES, LASTS, RESETS -> lasting = true;
      case NONE -> { }
    }
  }

  // Keys only Redis can name (EVAL, XREAD) are the node's to judge: it answers MOVED or CROSSSLOT itself.
  private boolean inSlot(RespRequest request) {
    Optional<List<ByteString>> keys = forwarding.table().keys(request);
    if (keys.isEmpty()) return true;
    for (ByteString key : keys.get()) {
      int of = pinning.slotOf(key);
      // A session that named no slot yet (SUBSCRIBE, WAIT, a keyless start) takes the first its node serves.
      if (slot < 0 && pinning.masterOf(of).filter(nodeAddress::equals).isPresent()) slot = of;
      if (of != slot) return false;
    }
    return true;
  }

  private void endWithoutNode() {
    ended = true;
    forwarding.releasePinned();
    client.unpinned();
  }

  @Override
  public void protocolError(String message) {
    if (node != null) node.protocolError(message);
    else client.answer(new RespWriter().error("ERR " + message).result(), true);
  }

  @Override
  public void setReading(boolean reading) {
    this.reading = reading;
    if (node != null) node.setReading(reading);
  }

  @Override
  public boolean waitsOnRedis() {
    return choosing || (node != null && node.waitsOnRedis());
  }

  @Override
  public void end() {
    if (ended) return;
    ended = true;
    if (node != null) node.end();
    else forwarding.releasePinned();
  }

  // --- the node's session's client: what it says goes on to the client's connection

  @Override
  public void relay(ByteBuf frame) {
    if (startsWith(frame, MOVED) || startsWith(frame, ASK)) pinning.redirected();
    client.relay(frame);
  }

  @Override
  public void answer(ByteString reply, boolean close) {
    client.answer(reply, close);
  }

  @Override
  public void backendClosed() {
    ended = true;
    client.backendClosed();
  }

  @Override
  public void unpinned() {
    ended = true;
    client.unpinned();
  }

  @Override
  public java.util.concurrent.CompletionStage<ByteString> pingOnSharedConnection() {
    return client.pingOnSharedConnection();
  }

  @Override
  public boolean tracksReads() {
    return client.tracksReads();
  }

  @Override
  public void readAnswered(com.redisproxy.resp.command.CommandTable.Invalidation reads) {
    client.readAnswered(reads);
  }

  private static boolean startsWith(ByteBuf frame, byte[] prefix) {
    if (frame.readableBytes() < prefix.length) return false;
    for (int i = 0; i < prefix.length; i++) if (frame.getByte(frame.readerIndex() + i) != prefix[i]) return false;
    return true;
  }
}
