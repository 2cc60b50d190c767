package com.redisproxy.resp.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.pekko.util.ByteString;

/**
 * RESP2 request parser for one connection, written as a state machine over a byte buffer: feed it
 * reads as they come (split anywhere, or many frames in one) and it returns every request that is
 * complete. Accepts arrays of bulk strings and inline commands, as Redis does, with Redis's limits
 * by default, its tighter ones for a client that has not authenticated included. Memory is bounded
 * by {@link RespLimits} and the {@link ReadingBudget} all connections share: declared lengths are
 * checked before any byte is buffered for them, and the buffer only grows with bytes actually
 * received.
 */
public final class RespParser {
  private static final int INITIAL_BUFFER = 4096;
  private static final int MAX_LENGTH_LINE = 32; // "*" or "$", up to 20 digits, sign, CRLF
  // Redis's limits for a client that has not authenticated (networking.c), which keep a stranger
  // from making the server hold much before it knows who he is.
  static final int UNAUTHENTICATED_MAX_ARRAY_LENGTH = 10;
  static final int UNAUTHENTICATED_MAX_BULK_BYTES = 16384;
  // What an argument costs beyond its bytes (its ByteString, its array, its list slot), counted
  // in a request's size, so that many tiny arguments are bounded as their bytes are.
  static final int ARGUMENT_OVERHEAD_BYTES = 48;

  private final RespLimits limits;
  private final ReadingBudget budget;
  private final BooleanSupplier mustAuthenticate;
  // An AUTH or HELLO was read in this feed: the requests after it run after it, so they are read
  // with the limits it will leave, as Redis reads them (it runs each request before reading the next).
  private boolean authenticationRead;
  private byte[] buffer = new byte[INITIAL_BUFFER];
  private int start; // first unconsumed byte
  private int end; // one past the last received byte

  // State of the array being read: argsRemaining > 0 while inside one.
  private int argsRemaining;
  private List<ByteString> args;
  private int bulkLength = -1; // >= 0 once a bulk header is read and its body is awaited
  private long requestBytes;
  private String failure;
  // The bytes of the feed being read (an array no one writes to), and where they start in buffer:
  // a request read whole from them keeps them as it was sent (see RespRequest#sent). requestStart
  // is where the array being read began, in this feed (-1: in an earlier one); canonical while its
  // headers are as Redis reads them (no sign, no leading zero), the form the proxy would encode.
  private byte[] fed;
  private int fedFrom;
  private int requestStart = -1;
  private boolean canonical;

  /** A parser for a client that need not authenticate, alone with its budget (tests). */
  public RespParser(RespLimits limits) {
    this(limits, ReadingBudget.unbounded(), () -> false);
  }

  /**
   * @param budget the bytes all connections' parsers may hold together
   * @param mustAuthenticate whether the client has yet to authenticate, asked at each request header
   */
  public RespParser(RespLimits limits, ReadingBudget budget, BooleanSupplier mustAuthenticate) {
    this.limits = limits;
    this.budget = budget;
    this.mustAuthenticate = mustAuthenticate;
  }

  /** Adds {@code bytes} and returns the requests now complete; after a protocol error, nothing more. */
  public RespBatch feed(ByteString bytes) {
    if (failure != null) return RespBatch.EMPTY;
    authenticationRead = false;
    append(bytes);
    fed = bytes.isCompact() ? bytes.toArrayUnsafe() : null; // the ByteString's own array: no copy
    fedFrom = end - bytes.size();
    requestStart = -1; // buffer indices of an earlier feed may have moved
    List<RespRequest> requests = new ArrayList<>(4);
    try {
      RespRequest request;
      while ((request = next()) != null) requests.add(request);
    } catch (ProtocolError e) {
      failure = e.getMessage();
      release();
      return new RespBatch(requests, failure);
    } finally {
      fed = null;
    }
    releaseBufferIfLargeAndEmpty();
    return requests.isEmpty() ? RespBatch.EMPTY : new RespBatch(requests, null);
  }

  /** The next complete request, or null when more bytes are needed. */
  private RespRequest next() {
    while (true) {
      if (argsRemaining == 0) {
        if (start == end) return null;
        if (buffer[start] != '*') {
          int before = start;
          RespRequest inline = nextInline();
          if (inline != null) return inline;
          if (start == before) return null; // incomplete line
          continue; // an empty line, skipped as Redis does
        }
        if (!readArrayHeader()) return null;
        continue;
      }
      if (bulkLength < 0 && !readBulkHeader()) return null;
      if (end - start < bulkLength + 2) return null;
      if (buffer[start + bulkLength] != '\r' || buffer[start + bulkLength + 1] != '\n') {
        throw new ProtocolError("expected CRLF after a bulk string of " + bulkLength + " bytes");
      }
      args.add(ByteString.fromArray(buffer, start, bulkLength));
      start += bulkLength + 2;
      bulkLength = -1;
      if (--argsRemaining == 0) {
        RespRequest request = canonical && requestStart >= fedFrom && fed != null
            ? new RespRequest(args, fed, requestStart - fedFrom, start - requestStart)
            : new RespRequest(args);
        args = null;
        budget.give(requestBytes);
        requestBytes = 0;
        if (request.is("auth") || (request.is("hello") && request.size() >= 3 && request.arg(2).utf8String().equalsIgnoreCase("auth"))) {
          authenticationRead = true;
        }
        return request;
      }
    }
  }

  private boolean readArrayHeader() {
    int lineEnd = findCrlf(start, "invalid multibulk length");
    if (lineEnd < 0) return false;
    long count = parseLength(start + 1, lineEnd, "invalid multibulk length");
    if (count > Integer.MAX_VALUE) throw new ProtocolError("invalid multibulk length");
    if (count > limits.maxArrayLength()) {
      throw new ProtocolError("invalid multibulk length (" + count + " elements, the limit is " + limits.maxArrayLength() + ")");
    }
    if (count > UNAUTHENTICATED_MAX_ARRAY_LENGTH && unauthenticated()) {
      throw new ProtocolError("unauthenticated multibulk length");
    }
    requestStart = start;
    canonical = canonicalLength(start + 1, lineEnd);
    start = lineEnd + 2;
    if (count > 0) {
      argsRemaining = (int) count;
      args = new ArrayList<>((int) Math.min(count, 16));
      requestBytes = 0;
    }
    return true;
  }

  private boolean readBulkHeader() {
    if (start == end) return false;
    if (buffer[start] != '$') throw new ProtocolError("expected '$', got '" + printable(buffer[start]) + "'");
    int lineEnd = findCrlf(start, "invalid bulk length");
    if (lineEnd < 0) return false;
    long length = parseLength(start + 1, lineEnd, "invalid bulk length");
    if (length < 0) throw new ProtocolError("invalid bulk length");
    if (length > limits.maxBulkBytes()) {
      throw new ProtocolError("invalid bulk length (" + length + " bytes, the limit is " + limits.maxBulkBytes() + ")");
    }
    if (length > UNAUTHENTICATED_MAX_BULK_BYTES && unauthenticated()) {
      throw new ProtocolError("unauthenticated bulk length");
    }
    long cost = length + ARGUMENT_OVERHEAD_BYTES;
    if (requestBytes + cost > limits.maxRequestBytes()) {
      throw new ProtocolError("request larger than " + limits.maxRequestBytes() + " bytes (resp.max-request-bytes,"
          + " counting " + ARGUMENT_OVERHEAD_BYTES + " bytes an argument besides its own)");
    }
    if (!budget.take(cost)) {
      throw new ProtocolError("the proxy is reading " + budget.maxBytes() + " bytes of requests from its clients"
          + " already (resp.max-reading-bytes); retry later");
    }
    requestBytes += cost;
    canonical &= canonicalLength(start + 1, lineEnd);
    bulkLength = (int) length;
    start = lineEnd + 2;
    return true;
  }

  /** An inline command ends at LF (an optional CR before it is dropped); null if incomplete or empty. */
  private RespRequest nextInline() {
    int newline = -1;
    for (int i = start; i < end; i++) {
      if (buffer[i] == '\n') {
        newline = i;
        break;
      }
    }
    if (newline < 0) {
      if (end - start > limits.maxInlineBytes()) throw new ProtocolError("too big inline request");
      return null;
    }
    int lineEnd = newline > start && buffer[newline - 1] == '\r' ? newline - 1 : newline;
    List<ByteString> words = InlineSplitter.split(buffer, start, lineEnd);
    start = newline + 1;
    if (words == null) throw new ProtocolError("unbalanced quotes in request");
    return words.isEmpty() ? null : new RespRequest(words);
  }

  /** Index of the CR of the first CRLF from {@code from}, or -1; a header line may not run on. */
  private int findCrlf(int from, String errorIfTooLong) {
    int limit = Math.min(end - 1, from + MAX_LENGTH_LINE);
    for (int i = from; i < limit; i++) {
      if (buffer[i] == '\r' && buffer[i + 1] == '\n') return i;
    }
    if (end - from > MAX_LENGTH_LINE) throw new ProtocolError(errorIfTooLong);
    return -1;
  }

  private long parseLength(int from, int to, String error) {
    if (from == to) throw new ProtocolError(error);
    boolean negative = buffer[from] == '-';
    int i = negative ? from + 1 : from;
    if (i == to || to - i > 18) throw new ProtocolError(error);
    long value = 0;
    for (; i < to; i++) {
      byte digit = buffer[i];
      if (digit < '0' || digit > '9') throw new ProtocolError(error);
      value = value * 10 + (digit - '0');
    }
    return negative ? -value : value;
  }

  // As Redis writes and reads a length: "0", or digits without a sign or a leading zero.
  private boolean canonicalLength(int from, int to) {
    return buffer[from] >= '1' && buffer[from] <= '9' || (buffer[from] == '0' && to == from + 1);
  }

  private boolean unauthenticated() {
    return !authenticationRead && mustAuthenticate.getAsBoolean();
  }

  /** Gives back to the budget what the request being read holds: the connection has closed. */
  public void release() {
    budget.give(requestBytes);
    requestBytes = 0;
  }

  /** Bytes of buffer held now, for tests of the memory bound. */
  int bufferCapacity() {
    return buffer.length;
  }

  private void append(ByteString bytes) {
    int size = bytes.size();
    if (end + size > buffer.length) {
      int pending = end - start;
      byte[] target = pending + size > buffer.length ? new byte[Math.max(buffer.length * 2, pending + size)] : buffer;
      System.arraycopy(buffer, start, target, 0, pending);
      buffer = target;
      start = 0;
      end = pending;
    }
    bytes.copyToArray(buffer, end, size);
    end += size;
  }

  private void releaseBufferIfLargeAndEmpty() {
    if (start == end) {
      start = 0;
      end = 0;
      if (buffer.length > 16 * INITIAL_BUFFER) buffer = new byte[INITIAL_BUFFER];
    }
  }

  private static String printable(byte b) {
    return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
  }

  private static final class ProtocolError extends RuntimeException {
    ProtocolError(String message) {
      super("Protocol error: " + message, null, false, false);
    }
  }
}
