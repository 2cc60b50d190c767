package com.redisproxy.fetch.redis;

import com.redisproxy.fetch.ByteStringCodec;
import com.redisproxy.fetch.KeyRead;
import com.redisproxy.fetch.RedisFetcher;
import com.redisproxy.fetch.RedisValue;
import com.redisproxy.fetch.raw.Resp2Form;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.buffer.ByteBuf;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.util.ByteString;

/**
 * The reads (GET, or another command of one key, and PTTL) of a batch of misses, answered together
 * in one completion, with one deadline (the fetch timeout). A command's reply is kept as Redis sent
 * it, in RESP3, the fetch connections' protocol, or turned into RESP2 ({@link Resp2Form}) for a
 * RESP2 client; a command's key always has its PTTL read, if only to tell a reply about a missing key.
 *
 * <p>With {@code groupGets}, the batch's GETs go as one MGET (then each key's PTTL), which costs
 * Redis about a third less than a GET a key. MGET answers null for a key that is not a string,
 * where GET answers WRONGTYPE: a key MGET found null but PTTL found there (not a string, or
 * written in between) is read again with GET, in a batch of its own, as is every key of an MGET
 * Redis refused.
 *
 * <p>The batch is one command for Lettuce ({@link Envelope}): one entry on its command stack, one
 * encoding of every read into one buffer, one completion. {@link BatchReplies}, just before
 * Lettuce's command handler, reads the batch's replies off the wire into the batch itself, in the
 * order they were sent, and hands Lettuce one short reply for the whole batch once the last is
 * in. A command a read cost Lettuce a stack entry, an argument list, an output, a decoding of its
 * reply into a buffer of its own and a completion: most of a miss's cost in the proxy.
 */
public final class MissBatch {
  /** Marks this class's commands, which {@link #sharesBatchDeadline} tells Lettuce's per-command timeouts to skip. */
  private interface Batched {}

  /** What the batch's next reply answers. */
  enum Expected {
    /** MGET's array header: as many elements as the batch has GETs. */
    GROUP,
    /** GET's value (or MGET's element): a bulk string, or null. */
    VALUE,
    /** A command's reply, kept whole. */
    WHOLE,
    /** The key's PTTL: an integer. */
    TTL
  }

  private static final byte[] GET = "*2\r\n$3\r\nGET\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PTTL = "*2\r\n$4\r\nPTTL\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MGET = "$4\r\nMGET\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final Expected[] KINDS = Expected.values();
  private static final byte[] CRLF = {'\r', '\n'};

  private final List<RedisFetcher.Wanted> keys;
  private final boolean withTtl;
  private final ByteString[] values;
  // GET's values as Redis framed them (values' views are into these), null for other reads.
  private final ByteString[] bulks;
  private final long[] ttls;
  private final Throwable[] failures;
  private final Envelope envelope = new Envelope();
  // The GETs sent as one MGET (their indexes in keys, in MGET's order); empty when not grouped.
  private final int[] grouped;
  // Reply by reply, in the order sent: whose key it answers (-1 for MGET's header) and what it is.
  private final int[] replyKey;
  private final byte[] replyKind;
  // Keys MGET answered null for but PTTL found, or whose MGET Redis refused: read again by GET.
  private final boolean[] reread;
  // Those keys' indexes, once the batch is answered (none if it ended otherwise).
  private List<Integer> rereads = List.of();
  // Redis's error for the MGET, if it refused it; the connection's failure, if the batch ended by it.
  private String mgetRefusal;
  private Throwable lost;
  // The next reply. Replies are recorded on the connection's event loop only, in the order sent.
  private int reply;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final CompletableFuture<List<KeyRead>> done = new CompletableFuture<>();

  /** @param groupGets the GETs as one MGET, when there are several and their PTTLs are read (to tell a value from WRONGTYPE) */
  MissBatch(List<RedisFetcher.Wanted> keys, boolean withTtl, boolean groupGets) {
    this.keys = keys;
    this.withTtl = withTtl;
    this.values = new ByteString[keys.size()];
    this.bulks = new ByteString[keys.size()];
    this.ttls = new long[keys.size()];
    this.failures = new Throwable[keys.size()];
    this.reread = new boolean[keys.size()];
    int gets = 0;
    for (RedisFetcher.Wanted read : keys) if (read.isGet()) gets++;
    this.grouped = new int[groupGets && withTtl && gets > 1 ? gets : 0];
    int replies = grouped.length > 0 ? 1 : 0;
    for (RedisFetcher.Wanted read : keys) replies += hasTtl(read) ? 2 : 1;
    this.replyKey = new int[replies];
    this.replyKind = new byte[replies];
    planReplies();
    if (keys.isEmpty()) end();
  }

  // The replies in the order encode sends their commands: MGET's header, its elements and each
  // one's PTTL first when grouped, then every other read, each followed by its PTTL when read.
  private void planReplies() {
    int at = 0;
    if (grouped.length > 0) {
      for (int i = 0, g = 0; i < keys.size(); i++) if (keys.get(i).isGet()) grouped[g++] = i;
      at = plan(at, -1, Expected.GROUP);
      for (int i : grouped) at = plan(at, i, Expected.VALUE);
      for (int i : grouped) at = plan(at, i, Expected.TTL);
    }
    for (int i = 0; i < keys.size(); i++) {
      RedisFetcher.Wanted read = keys.get(i);
      if (grouped.length > 0 && read.isGet()) continue;
      at = plan(at, i, read.isGet() ? Expected.VALUE : Expected.WHOLE);
      if (hasTtl(read)) at = plan(at, i, Expected.TTL);
    }
  }

  private int plan(int at, int key, Expected kind) {
    replyKey[at] = key;
    replyKind[at] = (byte) kind.ordinal();
    return at + 1;
  }

  /**
   * Sends the reads of {@code keys} (with their PTTL when {@code withTtl}) on {@code connection} as
   * one batch with one deadline, {@code timeout} on {@code timer}, its GETs as one MGET while
   * {@code grouping} is on; the connection's channel must have {@link #CHANNEL_SETUP} and its
   * client {@link #timeoutsOutsideBatches}. Completes with one read per key, in key order.
   */
  public static CompletionStage<List<KeyRead>> send(StatefulRedisConnection<ByteString, ByteString> connection,
      List<RedisFetcher.Wanted> keys, boolean withTtl, GetGrouping grouping, Duration timeout, Timer timer) {
    long sentAt = System.nanoTime();
    MissBatch batch = new MissBatch(keys, withTtl, grouping.on());
    if (batch.ended()) return batch.answers();
    connection.dispatch(batch.envelope());
    if (!batch.ended()) {
      Timeout deadline = timer.newTimeout(expired -> batch.expire(timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
      batch.answers().whenComplete((reads, never) -> deadline.cancel());
    }
    return batch.answers().thenCompose(reads -> {
      if (batch.mgetRefusal != null) grouping.refused(batch.mgetRefusal);
      List<Integer> again = batch.rereads();
      if (again.isEmpty()) return CompletableFuture.completedStage(reads);
      List<RedisFetcher.Wanted> wanted = new ArrayList<>(again.size());
      for (int i : again) wanted.add(keys.get(i));
      // Within the batch's own deadline: the fetch timeout bounds a key's read, however it went.
      Duration left = Duration.ofNanos(Math.max(timeout.toNanos() - (System.nanoTime() - sentAt), 1_000_000));
      return send(connection, wanted, withTtl, GetGrouping.OFF, left, timer).thenApply(reread -> {
        for (int j = 0; j < again.size(); j++) reads.set(again.get(j), reread.get(j));
        return reads;
      });
    });
  }

  /** The keys to read again by GET, once answered: MGET answered them null where PTTL found them, or was refused. */
  List<Integer> rereads() {
    return rereads;
  }

  /** For a client's resources: reads the batches' replies on every channel (see {@link BatchReplies}). */
  public static final NettyCustomizer CHANNEL_SETUP = BatchReplies.ON_EVERY_CHANNEL;

  /** For a client's timeout options: {@code timeout} for every command but a batch's, which has its own deadline. */
  public static TimeoutOptions.TimeoutSource timeoutsOutsideBatches(Duration timeout) {
    return new TimeoutsOutsideBatches(timeout);
  }

  /** True for a batch's command: its deadline is the batch's. */
  static boolean sharesBatchDeadline(RedisCommand<?, ?, ?> command) {
    return command instanceof Batched;
  }

  /** The batch as Lettuce's command: written as every read of the batch, completed once all are answered. */
  Envelope envelope() {
    return envelope;
  }

  /**
   * Completes with one read per key, in key order, or, should {@link #expire} come first, a timeout
   * for every key. A key to read again ({@link #rereads}) has null: {@link #send} puts that read's in.
   */
  CompletionStage<List<KeyRead>> answers() {
    return done;
  }

  boolean ended() {
    return ended.get();
  }

  /** Ends the batch with a timeout for every key, unless all replies came first. */
  void expire(Duration after) {
    if (!ended.compareAndSet(false, true)) return;
    RedisCommandTimeoutException timeout =
        new RedisCommandTimeoutException("Command timed out after " + after.toMillis() + " millisecond(s)");
    KeyRead[] reads = new KeyRead[keys.size()];
    Arrays.fill(reads, KeyRead.failed(timeout));
    done.complete(Arrays.asList(reads));
  }

  // ---- the wire, in the order the reads are sent and answered ----

  /** Every read of the batch, each followed by its key's PTTL when read, as Redis's protocol (see {@link #planReplies}). */
  void encode(ByteBuf out) {
    if (grouped.length > 0) {
      writeArrayHeader(out, grouped.length + 1);
      out.writeBytes(MGET);
      for (int i : grouped) writeBulk(out, keys.get(i).key());
      for (int i : grouped) {
        out.writeBytes(PTTL);
        writeBulk(out, keys.get(i).key());
      }
    }
    for (RedisFetcher.Wanted read : keys) {
      if (grouped.length > 0 && read.isGet()) continue;
      if (read.isGet()) {
        out.writeBytes(GET);
        writeBulk(out, read.key());
      } else {
        writeArrayHeader(out, read.command().size());
        for (ByteString arg : read.command()) writeBulk(out, arg);
      }
      if (hasTtl(read)) {
        out.writeBytes(PTTL);
        writeBulk(out, read.key());
      }
    }
  }

  /** What the next reply answers; only while {@link #allAnswered} is false. */
  Expected expected() {
    return KINDS[replyKind[reply]];
  }

  boolean allAnswered() {
    return reply == replyKey.length;
  }

  /** MGET's array header; any other length than the batch's GETs means the replies are not this batch's. */
  void group(long elements) {
    if (elements != grouped.length) {
      throw new IllegalStateException("MGET of " + grouped.length + " keys answered with " + elements + " elements");
    }
    next();
  }

  /** GET's value (null: no such key), or a command's whole reply. */
  void value(ByteString value) {
    values[replyKey[reply]] = value;
    next();
  }

  /** GET's value, a view into {@code bulk}, the reply as Redis framed it. */
  void value(ByteString value, ByteString bulk) {
    bulks[replyKey[reply]] = bulk;
    value(value);
  }

  void ttl(long millis) {
    ttls[replyKey[reply]] = millis;
    next();
  }

  /**
   * An error reply ({@code text} without its '-'), as Lettuce's own commands fail with it, so that
   * FetchError reads it alike. For MGET, its keys are read again by GET, whose own reply they get.
   */
  void error(String text) {
    if (expected() == Expected.GROUP) {
      mgetRefusal = text;
      for (int i : grouped) reread[i] = true;
      reply += grouped.length; // no elements come; each key's PTTL still does
    } else {
      failed(replyKey[reply], new RedisCommandExecutionException(text));
    }
    next();
  }

  private void next() {
    if (++reply == replyKey.length) end();
  }

  private boolean hasTtl(RedisFetcher.Wanted read) {
    return withTtl || !read.isGet();
  }

  // Every key not yet answered in full fails with the connection's failure; the others keep their
  // replies. Replies still on their way are read on all the same (BatchReplies counts them) and ignored.
  private void failRemaining(Throwable failure) {
    lost = failure;
    for (int unanswered = reply; unanswered < replyKey.length; unanswered++) {
      if (replyKey[unanswered] >= 0) failed(replyKey[unanswered], failure);
    }
    end();
  }

  private void failed(int failedKey, Throwable failure) {
    if (failures[failedKey] == null) failures[failedKey] = failure;
  }

  private void end() {
    if (!ended.compareAndSet(false, true)) return;
    try {
      done.complete(reads());
    } catch (RuntimeException unexpected) {
      done.completeExceptionally(unexpected); // RedisFetcher fails every key with it: none is left waiting
    }
  }

  private List<KeyRead> reads() {
    List<KeyRead> reads = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      RedisFetcher.Wanted read = keys.get(i);
      if (failures[i] != null) {
        reads.add(KeyRead.failed(failures[i]));
      } else if (reread[i] || grouped.length > 0 && read.isGet() && values[i] == null && ttls[i] != -2) {
        if (lost != null) { // nothing more is sent on a connection lost
          reads.add(KeyRead.failed(lost));
          continue;
        }
        if (rereads.isEmpty()) rereads = new ArrayList<>();
        rereads.add(i);
        reads.add(null); // its GET's reply replaces it
      } else if (!read.isGet()) {
        ByteString reply = read.resp3() ? values[i] : Resp2Form.of(read.command(), values[i]);
        long ttl = ttls[i] == -2 ? RedisValue.KEY_ABSENT : ttls[i] < 0 || !withTtl ? RedisValue.NO_EXPIRY : ttls[i];
        reads.add(KeyRead.of(new RedisValue(reply, ttl)));
      } else if (!withTtl) {
        reads.add(KeyRead.of(new RedisValue(values[i], RedisValue.NO_EXPIRY, true, bulks[i])));
      } else {
        long ttl = ttls[i];
        // PTTL is -1 for no expiry and -2 when the key is gone (deleted between the two commands).
        reads.add(KeyRead.of(ttl == -2 ? new RedisValue(null, RedisValue.NO_EXPIRY)
            : new RedisValue(values[i], ttl < 0 ? RedisValue.NO_EXPIRY : ttl, true, bulks[i])));
      }
    }
    return reads;
  }

  private static void writeArrayHeader(ByteBuf out, int size) {
    out.writeByte('*');
    writeDecimal(out, size);
    out.writeBytes(CRLF);
  }

  private static void writeBulk(ByteBuf out, ByteString bytes) {
    out.writeByte('$');
    writeDecimal(out, bytes.size());
    out.writeBytes(CRLF);
    out.writeBytes(bytes.toArrayUnsafe()); // no copy for a compact ByteString, as keys are
    out.writeBytes(CRLF);
  }

  private static void writeDecimal(ByteBuf out, int value) {
    int digits = 1;
    for (int rest = value / 10; rest > 0; rest /= 10) digits++;
    int at = out.writerIndex();
    out.ensureWritable(digits);
    for (int i = digits - 1, rest = value; i >= 0; i--, rest /= 10) out.setByte(at + i, '0' + rest % 10);
    out.writerIndex(at + digits);
  }

  /**
   * The batch on Lettuce's command stack. Lettuce encodes it as every read of the batch and
   * completes it when {@link BatchReplies} hands it the batch's one reply; should it fail first
   * (refused before the channel, connection lost), every key not answered in full fails with it.
   */
  final class Envelope extends Command<ByteString, ByteString, Void> implements Batched {
    private Envelope() {
      super(CommandType.GET, new BatchDone());
    }

    MissBatch batch() {
      return MissBatch.this;
    }

    @Override
    public void encode(ByteBuf buffer) {
      MissBatch.this.encode(buffer);
    }

    @Override
    public boolean completeExceptionally(Throwable failure) {
      if (isDone()) return false;
      super.completeExceptionally(failure);
      failRemaining(failure);
      return true;
    }

    // Lettuce cancels with its reason ("Connection closed", "Reset") in the output.
    @Override
    public void cancel() {
      String reason = getOutput().getError();
      completeExceptionally(new CancellationException(reason == null ? "cancelled" : reason));
    }
  }

  /** The envelope's output: the batch's one short reply carries nothing, its reads are in the batch. */
  private static final class BatchDone extends CommandOutput<ByteString, ByteString, Void> {
    BatchDone() {
      super(ByteStringCodec.INSTANCE, null);
    }

    @Override
    public void set(ByteBuffer bytes) {}
  }
}
