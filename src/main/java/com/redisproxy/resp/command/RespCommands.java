package com.redisproxy.resp.command;

import com.redisproxy.cache.CacheKey;
import com.redisproxy.cache.CacheStats;
import com.redisproxy.cache.GetResult;
import com.redisproxy.cache.KeyCommand;
import com.redisproxy.cache.client.CacheReads;
import com.redisproxy.metrics.ProxyMetrics;
import com.redisproxy.resp.codec.RespBatch;
import com.redisproxy.resp.codec.RespReply;
import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.codec.RespWriter;
import com.redisproxy.resp.tracking.Tracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.pekko.util.ByteString;

/**
 * Answers a batch of the RESP requests the proxy answers itself, each by the handler the
 * {@link CommandTable} names for it. Answers that need no cache are made at once, in order, and
 * their effects on the session happen then (so AUTH lets in the commands after it in the same
 * pipeline, and none before it); every read of the batch (GET, MGET's keys, and the other reads
 * of one key the {@link CommandTable} names cached) goes to the cache in one message, so a
 * pipeline of hits costs one hop through the CacheActor.
 */
public final class RespCommands {
  private static final List<CacheKey> NO_KEYS = List.of();
  private static final ByteString GET = ByteString.fromString("get");

  /** How to answer one request once the cache's answers are in. */
  private sealed interface Part {}

  private record Ready(ByteString bytes) implements Part {}

  // Each answer in the protocol the session spoke when it was asked: a HELLO in the batch changes it.
  private record ReadOne(int keyIndex, boolean resp3) implements Part {}

  private record ReadMany(int firstKeyIndex, int count, boolean resp3) implements Part {}

  // A read other than GET: its reply is already in the session's protocol.
  private record ReadReply(int keyIndex) implements Part {}

  private record ProxyInfo(boolean resp3, Predicate<byte[]> shownKeys) implements Part {}

  /** A batch with the cache's answers in, ready to render. */
  public record AnsweredBatch(List<Part> parts, List<GetResult> results, Optional<CacheStats> stats, boolean close) {}

  private final ServerInfo serverInfo;
  private final Clients clients;
  private final ProxyMetrics.ReadOutcomes outcomes;
  private final RespAuth auth;
  private final CommandTable table;

  /** @param table tells the reads cached besides GET and MGET */
  public RespCommands(ServerInfo serverInfo, ProxyMetrics.ReadOutcomes outcomes, RespAuth auth, CommandTable table) {
    this(serverInfo, outcomes, auth, table, Clients.NONE);
  }

  public RespCommands(ServerInfo serverInfo, ProxyMetrics.ReadOutcomes outcomes, RespAuth auth, CommandTable table,
      Clients clients) {
    this.clients = clients;
    this.serverInfo = serverInfo;
    this.outcomes = outcomes;
    this.auth = auth;
    this.table = table;
  }

  /**
   * Answers what needs no cache now, in order, and asks {@code cache} for the rest, each key read
   * registered with the client's {@code tracker} first. The future completes where {@code cache}
   * answers; the connection renders the answers in its own order.
   */
  public CompletionStage<AnsweredBatch> execute(RespSession session, RespBatch batch, CacheReads cache, Tracker tracker) {
    Answers answers = new Answers(session, batch.requests().size() + 1, tracker);
    for (RespRequest request : batch.requests()) {
      if (!auth.allows(session, request)) answers.ready(RespAuth.NOAUTH); // before the cache: nothing is read for it
      else answers.answerNext(request);
      if (CommandTable.closesConnection(request)) {
        answers.close = true;
        break;
      }
    }
    if (batch.protocolError() != null && !answers.close) {
      answers.ready(new RespWriter().error("ERR " + batch.protocolError()).result());
      answers.close = true;
    }
    List<Part> parts = answers.parts;
    boolean closeAfter = answers.close;
    CompletionStage<List<GetResult>> results =
        answers.keys.isEmpty() ? CompletableFuture.completedFuture(List.of()) : cache.getAll(answers.keys);
    if (!answers.needsStats) return results.thenApply(found -> new AnsweredBatch(parts, found, Optional.empty(), closeAfter));
    return results.thenCombine(cache.stats(), (found, stats) -> new AnsweredBatch(parts, found, stats, closeAfter));
  }

  /** The answer to a request that needs no cache (HELLO once Redis accepted its AUTH), with Redis's version. */
  public ByteString answerAtOnce(RespSession session, RespRequest request) {
    return new Answers(session, 1, Tracker.disabled()).answer(request).orElse(ByteString.emptyByteString());
  }

  // The hot keys INFO names to a client: those its Redis user may GET, as the cache would serve them.
  private Predicate<byte[]> keysShownTo(RespSession session) {
    return key -> auth.mayServeCached(session, new RespRequest(List.of(GET, ByteString.fromArray(key))));
  }

  /**
   * Redis's INFO reply with the proxy's own section after Redis's, in the reply's own type (a bulk
   * string, or RESP3's verbatim {@code txt} string); an error stays as it is.
   */
  public ByteString withProxySection(ByteString redisInfo, Optional<CacheStats> stats, RespSession session) {
    if (redisInfo.isEmpty() || stats.isEmpty()) return redisInfo;
    boolean verbatim = redisInfo.apply(0) == '=';
    if (redisInfo.apply(0) != '$' && !verbatim) return redisInfo;
    int body = redisInfo.indexOf((byte) '\n') + 1 + (verbatim ? 4 : 0); // past "txt:"
    ByteString text = redisInfo.slice(body, redisInfo.size() - 2);
    return new RespWriter().text(text.concat(ByteString.fromString("\r\n" + serverInfo.proxySection(stats.get(), keysShownTo(session)))), verbatim)
        .result();
  }

  public RespReply render(AnsweredBatch batch) {
    return new RespReply(encode(batch.parts(), batch.results(), batch.stats()), batch.close());
  }

  private ByteString encode(List<Part> parts, List<GetResult> results, Optional<CacheStats> stats) {
    for (GetResult result : results) outcomes.record(result);
    if (parts.size() == 1 && parts.get(0) instanceof Ready ready) return ready.bytes();
    // One GET answered with its value as Redis framed it: those bytes are the whole reply.
    if (parts.size() == 1 && parts.get(0) instanceof ReadOne && results.get(0) instanceof GetResult.Found found
        && found.bulk() != null) return found.bulk();
    RespWriter out = new RespWriter();
    for (Part part : parts) {
      if (part instanceof ReadOne one) {
        writeGet(out, results.get(one.keyIndex()), one.resp3());
      } else if (part instanceof ReadReply reply) {
        writeReply(out, results.get(reply.keyIndex()));
      } else if (part instanceof ReadMany many) {
        writeMget(out, results.subList(many.firstKeyIndex(), many.firstKeyIndex() + many.count()), many.resp3());
      } else if (part instanceof ProxyInfo info) {
        if (stats.isEmpty()) out.error("ERR the cache did not answer in time");
        else out.text(ByteString.fromString(serverInfo.proxySection(stats.get(), info.shownKeys())), info.resp3());
      } else {
        out.raw(((Ready) part).bytes());
      }
    }
    return out.result();
  }

  private static void writeGet(RespWriter out, GetResult result, boolean resp3) {
    if (result instanceof GetResult.Found found) writeFound(out, found);
    else if (result instanceof GetResult.Failed failed) writeFailure(out, failed);
    else out.nil(resp3);
  }

  private static void writeReply(RespWriter out, GetResult result) {
    if (result instanceof GetResult.Found found) out.raw(found.value());
    else if (result instanceof GetResult.Failed failed) writeFailure(out, failed);
    else throw new IllegalStateException("a command's read answered as GET's: " + result);
  }

  /** As Redis does, a key that holds another type reads as nil; any other failure fails the MGET. */
  private static void writeMget(RespWriter out, List<GetResult> results, boolean resp3) {
    for (GetResult result : results) {
      if (result instanceof GetResult.Failed failed && !isWrongType(failed)) {
        writeFailure(out, failed);
        return;
      }
    }
    out.arrayHeader(results.size());
    for (GetResult result : results) {
      if (result instanceof GetResult.Found found) writeFound(out, found);
      else out.nil(resp3);
    }
  }

  // A bulk string in RESP2 and RESP3 alike: GET's reply as Redis framed it, where the cache kept that.
  private static void writeFound(RespWriter out, GetResult.Found found) {
    if (found.bulk() != null) out.raw(found.bulk());
    else out.bulk(found.value());
  }

  private static boolean isWrongType(GetResult.Failed failed) {
    return failed.reason() == GetResult.Reason.WRONG_TYPE;
  }

  private static void writeFailure(RespWriter out, GetResult.Failed failed) {
    switch (failed.reason()) {
      case REDIS_ERROR, WRONG_TYPE -> out.error(failed.message());
      case OVERLOADED -> out.error("ERR busy: " + failed.message());
      default -> out.error("ERR " + failed.message());
    }
  }

  /** One batch's answers as its handlers give them, in request order. */
  private final class Answers extends LocalCall {
    private final List<Part> parts;
    private List<CacheKey> keys = NO_KEYS;
    private boolean needsStats;
    private boolean close;
    private final Tracker tracker;

    Answers(RespSession session, int expected, Tracker tracker) {
      super(session, auth);
      this.parts = new ArrayList<>(expected);
      this.tracker = tracker;
    }

    @Override
    public Tracker tracker() {
      return tracker;
    }

    void answerNext(RespRequest next) {
      int key = CommandTable.handler(next).isPresent() ? 0 : table.cachedReadKey(next);
      if (key > 0) readCommand(KeyCommand.of(next.args(), key, session().resp3()));
      else answer(next).ifPresent(this::ready);
    }

    void ready(ByteString bytes) {
      parts.add(new Ready(bytes));
    }

    @Override
    public String redisVersion() {
      return serverInfo.redisVersion();
    }

    @Override
    public Clients clients() {
      return clients;
    }

    @Override
    public void readCached(ByteString key) {
      parts.add(new ReadOne(keys.size(), session().resp3()));
      read(CacheKey.of(key));
    }

    @Override
    public void readCached(List<ByteString> many) {
      parts.add(new ReadMany(keys.size(), many.size(), session().resp3()));
      for (ByteString key : many) read(CacheKey.of(key));
    }

    private void readCommand(KeyCommand command) {
      parts.add(new ReadReply(keys.size()));
      read(command);
    }

    // Every read the batch asks of the cache (GET, each key of MGET, any other cached read) passes here.
    // Registered for the client's tracking now, before the cache is asked (see resp/tracking/LoopTracking).
    private void read(CacheKey read) {
      if (keys == NO_KEYS) keys = new ArrayList<>();
      keys.add(read);
      tracker.read(read.key());
    }

    @Override
    public void proxyInfo() {
      needsStats = true;
      parts.add(new ProxyInfo(session().resp3(), keysShownTo(session())));
    }
  }
}
