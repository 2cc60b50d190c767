package com.redisproxy.fetch.redis;

import com.redisproxy.fetch.ByteStringCodec;
import com.redisproxy.fetch.FetchError;
import com.redisproxy.fetch.KeyRead;
import com.redisproxy.fetch.RedisFetcher;
import com.redisproxy.fetch.RedisValue;
import com.redisproxy.fetch.raw.RawReply;
import com.redisproxy.fetch.raw.Resp2Form;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.NettyCustomizer;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.buffer.ByteBuf;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.apache.pekko.util.ByteString;

/**
 * The reads (GET, or another command of one key, and PTTL) of a batch of misses, answered together
 * in one completion. A command's reply is kept as Redis sent it ({@link RawReply}, which needs
 * {@link com.redisproxy.fetch.raw.WholeReplies} on the channel), in RESP3, the fetch connections'
 * protocol, or turned into RESP2 ({@link Resp2Form}) for a RESP2 client; a command's key always
 * has its PTTL read, if only to tell a reply about a missing key. Each
 * command reports its own reply to the batch: Lettuce's AsyncCommand costs a future per command,
 * a combination of two per key and a timer task per command, most of a miss's cost in the
 * proxy. The batch has one deadline instead of one a command.
 */
public final class MissBatch {
  /** Marks this class's commands, which {@link #sharesBatchDeadline} tells Lettuce's per-command timeouts to skip. */
  private interface Batched {}

  private static final ByteStringCodec CODEC = ByteStringCodec.INSTANCE;
  @SuppressWarnings("rawtypes")
  private static final AtomicIntegerFieldUpdater<Reply> REPORTED = AtomicIntegerFieldUpdater.newUpdater(Reply.class, "reported");

  private final List<RedisFetcher.Wanted> keys;
  private final boolean withTtl;
  private final ByteString[] values;
  private final long[] ttls;
  private final Throwable[] failures;
  // Replies still to come; the one that brings it to 0 ends the batch. Each reply's slot is
  // written before its decrement, so the last sees them all.
  private final AtomicInteger unanswered;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final CompletableFuture<List<KeyRead>> done = new CompletableFuture<>();

  MissBatch(List<RedisFetcher.Wanted> keys, boolean withTtl) {
    this.keys = keys;
    this.withTtl = withTtl;
    this.values = new ByteString[keys.size()];
    this.ttls = new long[keys.size()];
    this.failures = new Throwable[keys.size()];
    int commands = 0;
    for (RedisFetcher.Wanted read : keys) commands += withTtl || !read.isGet() ? 2 : 1;
    this.unanswered = new AtomicInteger(commands);
  }

  /**
   * Sends the GET (and PTTL) of {@code keys} on {@code connection} as one batch with one deadline,
   * {@code timeout} on {@code timer}; the connection's channel must have {@link #CHANNEL_SETUP} and
   * its client {@link #timeoutsOutsideBatches}.
   */
  public static CompletionStage<List<KeyRead>> send(StatefulRedisConnection<ByteString, ByteString> connection,
      List<RedisFetcher.Wanted> keys, boolean withTtl, Duration timeout, Timer timer) {
    MissBatch batch = new MissBatch(keys, withTtl);
    connection.dispatch(batch.envelope());
    if (!batch.ended()) {
      Timeout deadline = timer.newTimeout(expired -> batch.expire(timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
      batch.answers().whenComplete((reads, never) -> deadline.cancel());
    }
    return batch.answers();
  }

  /** For a client's resources: opens the batches on every channel (see {@link BatchWriter}). */
  public static final NettyCustomizer CHANNEL_SETUP = BatchWriter.ON_EVERY_CHANNEL;

  /** For a client's timeout options: {@code timeout} for every command but a batch's, which has its own deadline. */
  public static TimeoutOptions.TimeoutSource timeoutsOutsideBatches(Duration timeout) {
    return new TimeoutsOutsideBatches(timeout);
  }

  /** True for the commands of a batch: their deadline is the batch's. */
  static boolean sharesBatchDeadline(RedisCommand<?, ?, ?> command) {
    return command instanceof Batched;
  }

  /** Each read, followed by its key's PTTL when asked for (always for a command), to be sent in this order. */
  List<RedisCommand<ByteString, ByteString, ?>> commands() {
    List<RedisCommand<ByteString, ByteString, ?>> commands = new ArrayList<>(keys.size() * 2);
    for (int i = 0; i < keys.size(); i++) {
      RedisFetcher.Wanted read = keys.get(i);
      commands.add(read.isGet() ? new ValueReply(i, read.key()) : new CommandReply(i, read.command()));
      if (withTtl || !read.isGet()) commands.add(new TtlReply(i, read.key()));
    }
    return commands;
  }

  /**
   * The batch's commands as one command for Lettuce's connection, opened by {@link BatchWriter}
   * on the channel: Lettuce's command handler then writes them as one message into one buffer,
   * where handed over one by one each crosses the pipeline with its own message, buffer and
   * listener (more than half of the cache's thread under misses at -P 16).
   */
  Envelope envelope() {
    return new Envelope(commands());
  }

  /** The commands of a batch on their way to the channel. */
  final class Envelope extends Command<ByteString, ByteString, Void> implements Batched {
    private final List<RedisCommand<ByteString, ByteString, ?>> commands;

    private Envelope(List<RedisCommand<ByteString, ByteString, ?>> commands) {
      super(CommandType.GET, null);
      this.commands = commands;
    }

    /** The commands to write; the envelope is done once opened, so that Lettuce never sends it twice. */
    List<RedisCommand<ByteString, ByteString, ?>> open() {
      super.complete();
      return commands;
    }

    // Refused before it reached the channel (not connected, request queue full): every key fails.
    @Override
    public boolean completeExceptionally(Throwable failure) {
      if (isDone()) return false;
      super.completeExceptionally(failure);
      for (RedisCommand<ByteString, ByteString, ?> command : commands) command.completeExceptionally(failure);
      return true;
    }

    @Override
    public void cancel() {
      completeExceptionally(new CancellationException("cancelled"));
    }

    @Override
    public void encode(ByteBuf buffer) {
      throw new IllegalStateException("a miss batch reached the encoder unopened: BatchWriter is not in the pipeline");
    }
  }

  /** Completes with one read per key, in key order, or, should {@link #expire} come first, a timeout for every key. */
  CompletionStage<List<KeyRead>> answers() {
    return done;
  }

  /** Ends the batch with a timeout for every key, unless all replies came first. */
  void expire(Duration after) {
    if (!ended.compareAndSet(false, true)) return;
    RedisCommandTimeoutException timeout =
        new RedisCommandTimeoutException("Command timed out after " + after.toMillis() + " millisecond(s)");
    KeyRead failed = KeyRead.failed(timeout);
    done.complete(Arrays.asList(filled(keys.size(), failed)));
  }

  boolean ended() {
    return ended.get();
  }

  private static KeyRead[] filled(int size, KeyRead read) {
    KeyRead[] reads = new KeyRead[size];
    Arrays.fill(reads, read);
    return reads;
  }

  private void answered() {
    if (unanswered.decrementAndGet() != 0 || !ended.compareAndSet(false, true)) return;
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
      } else if (!read.isGet()) {
        ByteString reply = read.resp3() ? values[i] : Resp2Form.of(read.command(), values[i]);
        long ttl = ttls[i] == -2 ? RedisValue.KEY_ABSENT : ttls[i] < 0 || !withTtl ? RedisValue.NO_EXPIRY : ttls[i];
        reads.add(KeyRead.of(new RedisValue(reply, ttl)));
      } else if (!withTtl) {
        reads.add(KeyRead.of(new RedisValue(values[i], RedisValue.NO_EXPIRY)));
      } else {
        long ttl = ttls[i];
        // PTTL is -1 for no expiry and -2 when the key is gone (deleted between the two commands).
        reads.add(KeyRead.of(new RedisValue(ttl == -2 ? null : values[i], ttl < 0 ? RedisValue.NO_EXPIRY : ttl)));
      }
    }
    return reads;
  }

  // The first failure of a key's commands is the key's; Redis's error replies become the exception
  // Lettuce's own commands complete with, so that FetchError reads them alike.
  private void failed(int key, Throwable failure) {
    if (failures[key] == null) failures[key] = failure;
    answered();
  }

  private abstract class Reply<T> extends Command<ByteString, ByteString, T> implements Batched {
    final int key;
    // 0 until the command's outcome is reported to the batch: once only, whichever thread and path
    // (Lettuce completes a command whose reply failed to decode twice, exceptionally then normally).
    private volatile int reported;

    Reply(CommandType type, CommandOutput<ByteString, ByteString, T> output, int key, ByteString keyBytes) {
      this(type, output, key, new CommandArgs<>(CODEC).addKey(keyBytes));
    }

    Reply(ProtocolKeyword type, CommandOutput<ByteString, ByteString, T> output, int key,
        CommandArgs<ByteString, ByteString> args) {
      super(type, output, args);
      this.key = key;
    }

    @Override
    public void complete() {
      if (!REPORTED.compareAndSet(this, 0, 1)) return;
      super.complete();
      CommandOutput<ByteString, ByteString, T> output = getOutput();
      if (output.hasError()) {
        failed(key, new RedisCommandExecutionException(output.getError()));
      } else {
        record(output.get());
        answered();
      }
    }

    @Override
    public boolean completeExceptionally(Throwable failure) {
      if (!REPORTED.compareAndSet(this, 0, 1)) return false;
      super.completeExceptionally(failure);
      failed(key, failure);
      return true;
    }

    // Lettuce cancels with its reason ("Connection closed", "Reset") in the output.
    @Override
    public void cancel() {
      String reason = getOutput().getError();
      completeExceptionally(new CancellationException(reason == null ? "cancelled" : reason));
    }

    abstract void record(T reply);
  }

  private final class ValueReply extends Reply<ByteString> {
    ValueReply(int key, ByteString keyBytes) {
      super(CommandType.GET, new ValueOutput<>(CODEC), key, keyBytes);
    }

    @Override
    void record(ByteString reply) {
      values[key] = reply;
    }
  }

  /** A command other than GET, its reply kept whole, as Redis sent it (an error reply too: it is the answer). */
  private final class CommandReply extends Reply<ByteString> {
    @SuppressWarnings({"unchecked", "rawtypes"})
    CommandReply(int key, List<ByteString> request) {
      super(new Named(request.get(0).toArray()), (CommandOutput) new RawReply(), key, argsOf(request));
    }

    @Override
    void record(ByteString reply) {
      if (reply == null) throw new IllegalStateException("a command's reply did not come through WholeReplies");
      values[key] = reply;
    }
  }

  private static CommandArgs<ByteString, ByteString> argsOf(List<ByteString> request) {
    CommandArgs<ByteString, ByteString> args = new CommandArgs<>(CODEC);
    for (int i = 1; i < request.size(); i++) args.add(request.get(i).toArrayUnsafe());
    return args;
  }

  /** A command's name as the client sent it. */
  private record Named(byte[] getBytes) implements ProtocolKeyword {}

  private final class TtlReply extends Reply<Long> {
    TtlReply(int key, ByteString keyBytes) {
      super(CommandType.PTTL, new IntegerOutput<>(CODEC), key, keyBytes);
    }

    @Override
    void record(Long reply) {
      ttls[key] = reply == null ? -1 : reply;
    }
  }
}
