package com.redisproxy.resp.tracking;

import com.redisproxy.resp.codec.RespRequest;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongPredicate;
import org.apache.pekko.util.ByteString;

/**
 * {@code CLIENT TRACKING ON|OFF [REDIRECT id] [NOLOOP]} read as Redis reads it (6.2 and 7.0:
 * options in any order, checked before ON or OFF, each refusal in Redis's words). The modes the
 * proxy leaves to Redis (BCAST, PREFIX, OPTIN, OPTOUT) never reach here: {@link #proxyAnswers}
 * sends them to a connection of the client's own.
 */
public record TrackingRequest(boolean on, boolean noLoop, long redirect) {
  public static final TrackingRequest OFF = new TrackingRequest(false, false, 0);

  /** A request read, or the error Redis would answer. */
  public record Parsed(Optional<TrackingRequest> request, Optional<String> error) {
    static Parsed of(TrackingRequest request) {
      return new Parsed(Optional.of(request), Optional.empty());
    }

    static Parsed refused(String error) {
      return new Parsed(Optional.empty(), Optional.of(error));
    }
  }

  /**
   * True when the proxy answers {@code request} (CLIENT TRACKING ...) itself: OFF, or ON in
   * Redis's default mode, with or without REDIRECT and NOLOOP. A request with too few arguments
   * goes to Redis too, whose arity error differs between versions.
   */
  public static boolean proxyAnswers(RespRequest request) {
    if (request.size() < 3) return false;
    if (word(request.arg(2)).equals("off")) return true;
    for (int i = 3; i < request.size(); i++) {
      String option = word(request.arg(i));
      if (option.equals("bcast") || option.equals("prefix") || option.equals("optin") || option.equals("optout")) return false;
      if (option.equals("redirect")) i++; // its value is an id, never an option
    }
    return true;
  }

  /** @param clientExists whether a client of that id is connected (REDIRECT must name one) */
  public static Parsed parse(RespRequest request, LongPredicate clientExists) {
    long redirect = 0;
    boolean noLoop = false;
    for (int i = 3; i < request.size(); i++) {
      boolean more = i < request.size() - 1;
      String option = word(request.arg(i));
      if (option.equals("redirect") && more) {
        i++;
        if (redirect != 0) return Parsed.refused("ERR A client can only redirect to a single other client");
        Optional<Long> id = integer(request.arg(i));
        if (id.isEmpty()) return Parsed.refused("ERR value is not an integer or out of range");
        if (!clientExists.test(id.get())) return Parsed.refused("ERR The client ID you want redirect to does not exist");
        redirect = id.get();
      } else if (option.equals("noloop")) {
        noLoop = true;
      } else if (!option.equals("bcast") && !option.equals("optin") && !option.equals("optout")
          && !(option.equals("prefix") && more)) {
        return Parsed.refused("ERR syntax error");
      }
    }
    String onOrOff = word(request.arg(2));
    if (onOrOff.equals("on")) return Parsed.of(new TrackingRequest(true, noLoop, redirect));
    if (onOrOff.equals("off")) return Parsed.of(OFF);
    return Parsed.refused("ERR syntax error");
  }

  private static String word(ByteString arg) {
    return arg.utf8String().toLowerCase(Locale.ROOT);
  }

  // As Redis's getLongLongFromObject: a plain decimal, no spaces or plus sign.
  private static Optional<Long> integer(ByteString arg) {
    String text = arg.utf8String();
    if (text.isEmpty() || text.startsWith("+") || text.length() > 20) return Optional.empty();
    try {
      return Optional.of(Long.parseLong(text));
    } catch (NumberFormatException notANumber) {
      return Optional.empty();
    }
  }
}
