package com.redisproxy.resp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.util.ByteString;

/**
 * The one table that decides what becomes of a RESP command: answered from the cache, answered
 * by the proxy, forwarded on a shared connection, pinned to a connection of its own, or refused.
 * Arity, flags and key positions come from the backing Redis's own {@code COMMAND} reply; the
 * proxy adds only what it answers itself (each name with its handler) and which commands carry
 * connection state.
 */
final class CommandTable {

  /** What becomes of one request; NOT_IN_CLUSTER: it would pin, and in front of a cluster nothing does. */
  enum Route { CACHED, LOCAL, INFO, FORWARDED, PINNED, REFUSED, NOT_IN_CLUSTER }

  /** One command as Redis describes it. */
  record Command(String name, int arity, Set<String> flags, int firstKey, int lastKey, int keyStep) {
    boolean writes() {
      return flags.contains("write");
    }

    /** Redis's arity: exactly {@code arity} arguments (name included), or at least {@code -arity}. */
    boolean takes(int size) {
      return arity >= 0 ? size == arity : size >= -arity;
    }

    boolean movableKeys() {
      return flags.contains("movablekeys");
    }
  }

  /** The cache entries a forwarded command may change: none, these keys, or everything. */
  record Invalidation(boolean everything, List<ByteString> keys) {
    static final Invalidation NONE = new Invalidation(false, List.of());
    static final Invalidation EVERYTHING = new Invalidation(true, List.of());

    boolean isNone() {
      return !everything && keys.isEmpty();
    }
  }

  /** How the proxy answers one of its own commands. */
  interface Handler {
    void answer(RespSession session, RespRequest request, RespAuth auth, RespWriter out);
  }

  // GET and MGET are here for a malformed request: a well-formed one is read from the cache.
  // QUIT's reply closes the connection, which the connection itself sees to.
  private static final Map<String, Handler> LOCAL = Map.of(
      "ping", LocalCommands::ping,
      "echo", LocalCommands::echo,
      "quit", LocalCommands::quit,
      "auth", LocalCommands::auth,
      "hello", LocalCommands::hello,
      "select", LocalCommands::select,
      "client", LocalCommands::client,
      "get", LocalCommands::wrongArity,
      "mget", LocalCommands::wrongArity);
  private static final Set<String> LOCAL_CLIENT = Set.of("setname", "getname", "id", "setinfo");
  // Their state lives in the connection they run on, so they need one of their own.
  private static final Set<String> PINNING = Set.of("multi", "watch", "subscribe", "psubscribe", "ssubscribe",
      "monitor", "reset", "blpop", "brpop", "brpoplpush", "blmove", "blmpop", "bzpopmin", "bzpopmax", "bzmpop",
      "wait", "waitaof");
  private static final Set<String> PINNING_CLIENT = Set.of("reply", "tracking", "no-evict", "no-touch", "caching");
  // Keys Redis's table cannot name (scripts, functions) or every key of the database.
  private static final Set<String> CHANGES_ANY_KEY =
      Set.of("flushdb", "flushall", "swapdb", "eval", "evalsha", "fcall", "migrate");

  private final Set<String> refused;
  private final boolean cluster;
  private volatile Map<String, Command> commands = Map.of();

  CommandTable(Set<String> refused) {
    this(refused, false);
  }

  /** @param cluster in front of a Redis Cluster: what would pin is refused, and HELLO 3 gets -NOPROTO */
  CommandTable(Set<String> refused, boolean cluster) {
    this.refused = Set.copyOf(refused.stream().map(name -> name.toLowerCase(Locale.ROOT)).toList());
    this.cluster = cluster;
  }

  boolean loaded() {
    return !commands.isEmpty();
  }

  /** Fills the table from Redis's COMMAND reply, as Lettuce decodes it (nested lists). */
  void load(List<Object> reply) {
    Map<String, Command> table = new HashMap<>();
    for (Object entry : reply) {
      List<?> fields = (List<?>) entry;
      Set<String> flags = new HashSet<>();
      for (Object flag : (List<?>) fields.get(2)) flags.add(text(flag).toLowerCase(Locale.ROOT));
      String name = text(fields.get(0)).toLowerCase(Locale.ROOT);
      table.put(name, new Command(name, number(fields.get(1)), Set.copyOf(flags),
          number(fields.get(3)), number(fields.get(4)), number(fields.get(5))));
    }
    commands = Map.copyOf(table);
  }

  int size() {
    return commands.size();
  }

  /** Redis's description of the command {@code name} (lower case), once the table is read. */
  Optional<Command> command(String name) {
    return Optional.ofNullable(commands.get(name));
  }

  /** The handler of a command the proxy answers itself. */
  static Optional<Handler> local(String name) {
    return Optional.ofNullable(LOCAL.get(name));
  }

  Route route(RespRequest request) {
    Route route = standaloneRoute(request);
    if (!cluster) return route;
    // HELLO 3 is answered -NOPROTO by the proxy itself: clients then speak RESP2, which needs no pinning.
    if (route == Route.PINNED) return request.is("hello") ? Route.LOCAL : Route.NOT_IN_CLUSTER;
    return route;
  }

  private Route standaloneRoute(RespRequest request) {
    String name = request.name();
    if (refused.contains(name)) return Route.REFUSED;
    if ((name.equals("get") && request.size() == 2) || (name.equals("mget") && request.size() >= 2)) return Route.CACHED;
    if (name.equals("info")) return Route.INFO;
    if (name.equals("hello")) return request.size() >= 2 && request.arg(1).utf8String().equals("3") ? Route.PINNED : Route.LOCAL;
    if (name.equals("select")) return request.size() == 2 && !request.arg(1).utf8String().equals("0") ? Route.PINNED : Route.LOCAL;
    if (LOCAL.containsKey(name) && !name.equals("client")) return Route.LOCAL;
    if (PINNING.contains(name) || isBlockingRead(name, request)) return Route.PINNED;
    if (name.equals("client") && request.size() >= 2) {
      String sub = request.arg(1).utf8String().toLowerCase(Locale.ROOT);
      if (LOCAL_CLIENT.contains(sub)) return Route.LOCAL;
      if (PINNING_CLIENT.contains(sub)) return Route.PINNED;
    }
    return Route.FORWARDED;
  }

  /** What forwarding {@code request} may change in the cache. */
  Invalidation invalidation(RespRequest request) {
    String name = request.name();
    if (CHANGES_ANY_KEY.contains(name)) return Invalidation.EVERYTHING;
    Map<String, Command> table = commands;
    if (table.isEmpty()) return Invalidation.EVERYTHING; // Redis has not told us yet what writes
    Command command = table.get(name);
    if (command == null || !command.writes()) return Invalidation.NONE;
    if (command.firstKey() <= 0 || command.flags().contains("movablekeys")) return Invalidation.EVERYTHING;
    return new Invalidation(false, keys(command, request));
  }

  private static List<ByteString> keys(Command command, RespRequest request) {
    int last = command.lastKey() < 0 ? request.size() + command.lastKey() : command.lastKey();
    int step = Math.max(command.keyStep(), 1);
    java.util.ArrayList<ByteString> keys = new java.util.ArrayList<>();
    for (int i = command.firstKey(); i <= last && i < request.size(); i += step) keys.add(request.arg(i));
    return keys;
  }

  private static boolean isBlockingRead(String name, RespRequest request) {
    if (!name.equals("xread") && !name.equals("xreadgroup")) return false;
    for (ByteString arg : request.args()) if (arg.utf8String().equalsIgnoreCase("block")) return true;
    return false;
  }

  private static String text(Object value) {
    if (value instanceof ByteString bytes) return bytes.utf8String();
    if (value instanceof ByteBuffer buffer) return StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
    if (value instanceof byte[] bytes) return new String(bytes, StandardCharsets.UTF_8);
    return String.valueOf(value);
  }

  private static int number(Object value) {
    return value instanceof Number n ? n.intValue() : Integer.parseInt(text(value));
  }
}
