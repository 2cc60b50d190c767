package com.redisproxy.resp.command;

import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.tracking.TrackingRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.util.ByteString;

/**
 * The one table that decides what becomes of a RESP command: answered from the cache, answered
 * by the proxy, forwarded on a shared connection, pinned to a connection of its own, or refused.
 * Arity, flags and key positions come from the backing Redis's own {@code COMMAND} reply; the
 * proxy adds what it knows itself, each command once: where it goes (by its arguments), the
 * handler of what the proxy answers, whether it is answered before AUTH or closes the connection,
 * what a pinned session still answers here, and what state the command leaves in its connection.
 * A CLIENT subcommand is its own entry, named as Redis 7 names them ({@code client|setname}).
 */
public final class CommandTable {

  /**
   * What becomes of one request; NOT_IN_CLUSTER: it would pin, and in front of a cluster only
   * transactions, blocking commands and subscriptions do (see {@link InCluster#PINNED}).
   */
  public enum Route { CACHED, LOCAL, INFO, FORWARDED, PINNED, REFUSED, NOT_IN_CLUSTER }

  /** What becomes of one request in a pinned session, where all but these go to its connection. */
  public enum InPinnedSession {
    REDIS,
    /** Answered by its handler, as outside. */
    PROXY,
    /** The proxy authenticates (HELLO's AUTH); the rest goes to Redis, which switches the protocol. */
    AUTHENTICATE_THEN_REDIS
  }

  /** What a command leaves in the connection it runs on, as a pinned session keeps track of it. */
  public enum Effect {
    NONE,
    BEGINS_TRANSACTION,
    RUNS_TRANSACTION,
    DISCARDS_TRANSACTION,
    WATCHES,
    UNWATCHES,
    /** Replies no longer match requests one to one (pub/sub, MONITOR, CLIENT REPLY) until the connection ends. */
    UNMATCHES_REPLIES,
    /** State that lasts as long as the connection (another database, a CLIENT mode). */
    LASTS,
    /** As LASTS, and the connection speaks RESP2 again (RESET). */
    RESETS
  }

  /**
   * Where a forwarded command goes in front of a Redis Cluster (resp/cluster/ClusterRouting): by
   * default to the master of its keys' slot, as Redis's COMMAND table names them.
   */
  public enum InCluster {
    BY_KEYS,
    /** Every argument is a key: split by slot, the integer replies summed (DEL, UNLINK, EXISTS, TOUCH). */
    SUMMED_BY_SLOT,
    /** Answered for the cluster as a whole. */
    WHOLE_DBSIZE,
    WHOLE_FLUSH,
    WHOLE_INFO,
    /**
     * Any node answers as the others would (PUBLISH too: the cluster bus carries it to every node;
     * EXEC, DISCARD and UNWATCH outside a pinned session: Redis's "without MULTI", or OK).
     */
    ANY_NODE,
    /** KEYS: every master's keys, in one array. */
    EVERY_MASTER_KEYS,
    /** SCAN: the masters one after another, the cursor naming the master (see resp/cluster/ScanCursor). */
    EVERY_MASTER_SCAN,
    /** RANDOMKEY: a key of a master that has one. */
    RANDOM_MASTER,
    /** Scripts and functions (SCRIPT LOAD/FLUSH, FUNCTION LOAD...): run on every master, as Lettuce and redis-cli do. */
    EVERY_MASTER_ALIKE,
    /** SCRIPT EXISTS: a script exists where every master has it. */
    EVERY_MASTER_ALL_OF,
    /** It would need RESP3, which the cluster client does not relay: refused as Redis refuses an unknown version. */
    REFUSED_AS_NOPROTO,
    /**
     * Pinned as in front of one Redis, to a connection of its own to the master of its keys' slot
     * (any master when it names none; MULTI waits for the transaction's first key): see
     * resp/cluster/ClusterSession. What else pins is refused in front of a cluster.
     */
    PINNED
  }

  /** One command as Redis describes it. */
  public record Command(String name, int arity, Set<String> flags, int firstKey, int lastKey, int keyStep) {
    boolean writes() {
      return flags.contains("write");
    }

    /** Redis's arity: exactly {@code arity} arguments (name included), or at least {@code -arity}. */
    public boolean takes(int size) {
      return arity >= 0 ? size == arity : size >= -arity;
    }

    public boolean movableKeys() {
      return flags.contains("movablekeys");
    }
  }

  /** The cache entries a forwarded command may change: none, these keys, or everything. */
  public record Invalidation(boolean everything, List<ByteString> keys) {
    public static final Invalidation NONE = new Invalidation(false, List.of());
    public static final Invalidation EVERYTHING = new Invalidation(true, List.of());

    public boolean isNone() {
      return !everything && keys.isEmpty();
    }
  }

  /** How the proxy answers one of its own commands (see {@link LocalCommands}). */
  interface Handler {
    void answer(LocalCall call);
  }

  /** What the proxy knows of one command. {@code handler} is empty for those it never answers itself. */
  private record Known(Function<RespRequest, Route> route, Optional<Handler> handler, boolean beforeAuth,
      InPinnedSession inPinnedSession, boolean closes, Effect effect, InCluster inCluster) {
    static Known local(Handler handler) {
      return routed(request -> Route.LOCAL, handler);
    }

    static Known routed(Function<RespRequest, Route> route, Handler handler) {
      return new Known(route, Optional.of(handler), false, InPinnedSession.REDIS, false, Effect.NONE, InCluster.BY_KEYS);
    }

    static Known routed(Function<RespRequest, Route> route) {
      return new Known(route, Optional.empty(), false, InPinnedSession.REDIS, false, Effect.NONE, InCluster.BY_KEYS);
    }

    static Known forwarded(Effect effect) {
      return routed(request -> Route.FORWARDED).leaving(effect);
    }

    static Known pinning(Effect effect) {
      return routed(request -> Route.PINNED).leaving(effect);
    }

    Known beforeAuth(InPinnedSession inPinned) {
      return new Known(route, handler, true, inPinned, closes, effect, inCluster);
    }

    Known closing() {
      return new Known(route, handler, beforeAuth, inPinnedSession, true, effect, inCluster);
    }

    Known leaving(Effect left) {
      return new Known(route, handler, beforeAuth, inPinnedSession, closes, left, inCluster);
    }

    Known inCluster(InCluster where) {
      return new Known(route, handler, beforeAuth, inPinnedSession, closes, effect, where);
    }
  }

  private static final Known GET = Known.routed(request -> request.size() == 2 ? Route.CACHED : Route.LOCAL,
      LocalCommands::get);
  private static final Known MGET = Known.routed(request -> request.size() >= 2 ? Route.CACHED : Route.LOCAL,
      LocalCommands::mget);
  private static final Known UNKNOWN = Known.routed(request -> Route.FORWARDED);
  // With the proxy's own tracking of Redis, it answers a client's CLIENT TRACKING in Redis's
  // default mode itself (resp/tracking); the other modes, and every mode without it, pin as before.
  // Too few or too many arguments go to Redis, whose arity errors differ between versions.
  private static final Known CLIENT_TRACKING = Known.routed(
      request -> TrackingRequest.proxyAnswers(request) ? Route.LOCAL : request.size() < 3 ? Route.FORWARDED : Route.PINNED,
      LocalCommands::clientTracking).leaving(Effect.LASTS);
  private static final Known CLIENT_CACHING = Known.routed(
      request -> request.size() == 3 ? Route.LOCAL : Route.FORWARDED, LocalCommands::clientCaching).leaving(Effect.LASTS);
  private static final Known CLIENT_GETREDIR = Known.routed(
      request -> request.size() == 2 ? Route.LOCAL : Route.FORWARDED, LocalCommands::clientGetredir);
  private static final Known CLIENT_TRACKINGINFO = Known.routed(
      request -> request.size() == 2 ? Route.LOCAL : Route.FORWARDED, LocalCommands::clientTrackinginfo);

  // Those marked pinning carry state in the connection they run on, so they need one of their own;
  // an effect NONE there is state that ends with the command's reply (a blocking command).
  private static final Map<String, Known> KNOWN = Map.ofEntries(
      Map.entry("get", GET),
      Map.entry("mget", MGET),
      Map.entry("ping", Known.local(LocalCommands::ping)),
      Map.entry("echo", Known.local(LocalCommands::echo)),
      Map.entry("quit", Known.local(LocalCommands::quit).beforeAuth(InPinnedSession.REDIS).closing()),
      Map.entry("auth", Known.local(LocalCommands::auth).beforeAuth(InPinnedSession.PROXY)),
      Map.entry("hello", Known.local(LocalCommands::hello).beforeAuth(InPinnedSession.AUTHENTICATE_THEN_REDIS)
          .inCluster(InCluster.REFUSED_AS_NOPROTO)),
      Map.entry("select", Known.routed(CommandTable::selectRoute, LocalCommands::select).leaving(Effect.LASTS)),
      Map.entry("info", Known.routed(CommandTable::infoRoute, LocalCommands::proxyInfo).inCluster(InCluster.WHOLE_INFO)),
      Map.entry("dbsize", Known.forwarded(Effect.NONE).inCluster(InCluster.WHOLE_DBSIZE)),
      Map.entry("flushall", Known.forwarded(Effect.NONE).inCluster(InCluster.WHOLE_FLUSH)),
      Map.entry("flushdb", Known.forwarded(Effect.NONE).inCluster(InCluster.WHOLE_FLUSH)),
      Map.entry("command", Known.forwarded(Effect.NONE).inCluster(InCluster.ANY_NODE)),
      Map.entry("del", Known.forwarded(Effect.NONE).inCluster(InCluster.SUMMED_BY_SLOT)),
      Map.entry("unlink", Known.forwarded(Effect.NONE).inCluster(InCluster.SUMMED_BY_SLOT)),
      Map.entry("exists", Known.forwarded(Effect.NONE).inCluster(InCluster.SUMMED_BY_SLOT)),
      Map.entry("touch", Known.forwarded(Effect.NONE).inCluster(InCluster.SUMMED_BY_SLOT)),
      Map.entry("publish", Known.forwarded(Effect.NONE).inCluster(InCluster.ANY_NODE)),
      Map.entry("keys", Known.forwarded(Effect.NONE).inCluster(InCluster.EVERY_MASTER_KEYS)),
      Map.entry("scan", Known.forwarded(Effect.NONE).inCluster(InCluster.EVERY_MASTER_SCAN)),
      Map.entry("randomkey", Known.forwarded(Effect.NONE).inCluster(InCluster.RANDOM_MASTER)),
      Map.entry("script", UNKNOWN),
      Map.entry("script|load", Known.forwarded(Effect.NONE).inCluster(InCluster.EVERY_MASTER_ALIKE)),
      Map.entry("script|flush", Known.forwarded(Effect.NONE).inCluster(InCluster.EVERY_MASTER_ALIKE)),
      Map.entry("script|exists", Known.forwarded(Effect.NONE).inCluster(InCluster.EVERY_MASTER_ALL_OF)),
      Map.entry("function", UNKNOWN),
      Map.entry("function|load", Known.forwarded(Effect.NONE).inCluster(InCluster.EVERY_MASTER_ALIKE)),
      Map.entry("function|delete", Known.forwarded(Effect.NONE).inCluster(InCluster.EVERY_MASTER_ALIKE)),
      Map.entry("function|flush", Known.forwarded(Effect.NONE).inCluster(InCluster.EVERY_MASTER_ALIKE)),
      Map.entry("function|restore", Known.forwarded(Effect.NONE).inCluster(InCluster.EVERY_MASTER_ALIKE)),
      // A subcommand the proxy knows has its own entry; the others, and CLIENT alone, are Redis's.
      Map.entry("client", UNKNOWN),
      Map.entry("client|setname", Known.local(LocalCommands::clientSetname)),
      Map.entry("client|getname", Known.local(LocalCommands::clientGetname)),
      Map.entry("client|id", Known.local(LocalCommands::clientId)),
      Map.entry("client|setinfo", Known.local(LocalCommands::clientSetinfo)),
      Map.entry("client|list", Known.local(LocalCommands::clientList)),
      Map.entry("client|info", Known.local(LocalCommands::clientInfo)),
      Map.entry("client|kill", Known.local(LocalCommands::clientKill)),
      Map.entry("client|reply", Known.pinning(Effect.UNMATCHES_REPLIES)),
      Map.entry("client|tracking", CLIENT_TRACKING),
      Map.entry("client|getredir", CLIENT_GETREDIR),
      Map.entry("client|trackinginfo", CLIENT_TRACKINGINFO),
      Map.entry("client|no-evict", Known.pinning(Effect.LASTS)),
      Map.entry("client|no-touch", Known.pinning(Effect.LASTS)),
      Map.entry("client|caching", CLIENT_CACHING),
      Map.entry("multi", Known.pinning(Effect.BEGINS_TRANSACTION).inCluster(InCluster.PINNED)),
      Map.entry("exec", Known.forwarded(Effect.RUNS_TRANSACTION).inCluster(InCluster.ANY_NODE)),
      Map.entry("discard", Known.forwarded(Effect.DISCARDS_TRANSACTION).inCluster(InCluster.ANY_NODE)),
      Map.entry("watch", Known.pinning(Effect.WATCHES).inCluster(InCluster.PINNED)),
      Map.entry("unwatch", Known.forwarded(Effect.UNWATCHES).inCluster(InCluster.ANY_NODE)),
      Map.entry("subscribe", Known.pinning(Effect.UNMATCHES_REPLIES).inCluster(InCluster.PINNED)),
      Map.entry("psubscribe", Known.pinning(Effect.UNMATCHES_REPLIES).inCluster(InCluster.PINNED)),
      Map.entry("ssubscribe", Known.pinning(Effect.UNMATCHES_REPLIES).inCluster(InCluster.PINNED)),
      Map.entry("monitor", Known.pinning(Effect.UNMATCHES_REPLIES)),
      Map.entry("sync", Known.local(LocalCommands::replicationRefused)),
      Map.entry("psync", Known.local(LocalCommands::replicationRefused)),
      Map.entry("replconf", Known.local(LocalCommands::replicationRefused)),
      Map.entry("reset", Known.pinning(Effect.RESETS)),
      Map.entry("blpop", Known.pinning(Effect.NONE).inCluster(InCluster.PINNED)),
      Map.entry("brpop", Known.pinning(Effect.NONE).inCluster(InCluster.PINNED)),
      Map.entry("brpoplpush", Known.pinning(Effect.NONE).inCluster(InCluster.PINNED)),
      Map.entry("blmove", Known.pinning(Effect.NONE).inCluster(InCluster.PINNED)),
      Map.entry("blmpop", Known.pinning(Effect.NONE).inCluster(InCluster.PINNED)),
      Map.entry("bzpopmin", Known.pinning(Effect.NONE).inCluster(InCluster.PINNED)),
      Map.entry("bzpopmax", Known.pinning(Effect.NONE).inCluster(InCluster.PINNED)),
      Map.entry("bzmpop", Known.pinning(Effect.NONE).inCluster(InCluster.PINNED)),
      Map.entry("wait", Known.pinning(Effect.NONE).inCluster(InCluster.PINNED)),
      Map.entry("waitaof", Known.pinning(Effect.NONE).inCluster(InCluster.PINNED)),
      Map.entry("xread", Known.routed(CommandTable::blockingReadRoute).inCluster(InCluster.PINNED)),
      Map.entry("xreadgroup", Known.routed(CommandTable::blockingReadRoute).inCluster(InCluster.PINNED)));
  private static final Set<String> SHARDED_PUBSUB = Set.of("ssubscribe", "spublish", "sunsubscribe");
  // Commands some of whose subcommands have entries of their own ("client|id").
  private static final Set<String> SUBCOMMANDED = Set.of("client", "script", "function");
  // Answered by the proxy, though Redis would show them in MONITOR and their answer costs Redis nothing.
  private static final Set<String> SHOWN_BY_MONITOR = Set.of("ping", "echo");
  // What may change Redis's users or the default user's password (CONFIG SET requirepass).
  private static final Set<String> CHANGES_USERS = Set.of("acl|setuser", "acl|deluser", "acl|load", "config|set");
  // Keys Redis's table cannot name (scripts, functions) or every key of the database.
  private static final Set<String> CHANGES_ANY_KEY =
      Set.of("flushdb", "flushall", "swapdb", "eval", "evalsha", "fcall", "migrate");

  private final Set<String> refused;
  private final boolean cluster;
  private final boolean tracksClients;
  private volatile Map<String, Command> commands = Map.of();
  // The cached reads other than GET, by name, with where their key is.
  private volatile Map<String, Integer> cachedReads = Map.of();

  public CommandTable(Set<String> refused) {
    this(refused, false);
  }

  /** @param cluster in front of a Redis Cluster: what would pin is refused, and HELLO 3 gets -NOPROTO */
  public CommandTable(Set<String> refused, boolean cluster) {
    this(refused, cluster, false);
  }

  /** @param tracksClients the proxy answers a client's CLIENT TRACKING (default mode) itself: it tracks Redis */
  public CommandTable(Set<String> refused, boolean cluster, boolean tracksClients) {
    this.refused = Set.copyOf(refused.stream().map(name -> name.toLowerCase(Locale.ROOT)).toList());
    this.cluster = cluster;
    this.tracksClients = tracksClients && !cluster;
  }

  /** Fills the table from Redis's COMMAND reply (see {@link CommandReply}). */
  public void load(List<Object> reply) {
    CommandReply read = CommandReply.read(reply, cluster);
    commands = read.commands();
    cachedReads = read.cachedReads();
  }

  /** The names of the reads cached besides GET and MGET, as Redis's table and the deny-list decide. */
  public Set<String> cachedReads() {
    return cachedReads.keySet();
  }

  /**
   * Where the key of {@code request} is when it is a cached read other than GET and MGET, with as
   * many arguments as Redis takes; 0 for any other request.
   */
  public int cachedReadKey(RespRequest request) {
    Map<String, Integer> reads = cachedReads;
    if (reads.isEmpty()) return 0;
    String name = request.name();
    Integer key = reads.get(name);
    if (key == null || key >= request.size() || !commands.get(name).takes(request.size())) return 0;
    return key;
  }

  public int size() {
    return commands.size();
  }

  /** Sharded pub/sub, which the table of a Redis before 7 does not have (read, and without it). */
  public boolean isShardedPubSubUnknown(RespRequest request) {
    Map<String, Command> table = commands;
    String name = request.name();
    return SHARDED_PUBSUB.contains(name) && !table.isEmpty() && !table.containsKey(name);
  }

  /** Redis's description of the command {@code name} (lower case), once the table is read. */
  public Optional<Command> command(String name) {
    return Optional.ofNullable(commands.get(name));
  }

  public Route route(RespRequest request) {
    if (!refused.isEmpty() && refused.contains(request.name())) return Route.REFUSED;
    Known known = known(request);
    Route route = known.route().apply(request);
    if (known == UNKNOWN && cachedReadKey(request) > 0) return Route.CACHED;
    if (!tracksClients) route = withoutProxyTracking(known, route);
    if (!cluster) return route;
    // In front of a cluster only what names its node pins; HELLO 3 is refused too (-NOPROTO, see
    // Refusals), so that clients speak RESP2, the protocol the cluster client relays.
    if ((route == Route.PINNED && known.inCluster() != InCluster.PINNED) || isHello3(request)) return Route.NOT_IN_CLUSTER;
    return route;
  }

  // Where each goes when Redis does the tracking: CLIENT TRACKING and CACHING pin, the others are
  // Redis's. Compared by identity: every request passes here, and a record's hash is not cached.
  private static Route withoutProxyTracking(Known known, Route route) {
    if (known == CLIENT_TRACKING || known == CLIENT_CACHING) return Route.PINNED;
    if (known == CLIENT_GETREDIR || known == CLIENT_TRACKINGINFO) return Route.FORWARDED;
    return route;
  }

  private static boolean isHello3(RespRequest request) {
    return request.is("hello") && request.size() >= 2 && request.arg(1).utf8String().equals("3");
  }

  /** The handler of a command the proxy answers itself; empty for one it never answers. */
  static Optional<Handler> handler(RespRequest request) {
    return known(request).handler();
  }

  /** The command as CLIENT LIST's cmd= names it: lower case, a subcommand after a bar ({@code client|list}). */
  static String listedName(RespRequest request) {
    return listedName(request.name(), request.size() >= 2 ? request.arg(1) : null);
  }

  /** As {@link #listedName(RespRequest)}, from the name (lower case) and the first argument, if any. */
  static String listedName(String name, ByteString firstArgument) {
    if (SUBCOMMANDED.contains(name) && firstArgument != null) return name + "|" + firstArgument.utf8String().toLowerCase(Locale.ROOT);
    return name;
  }

  /**
   * PING and ECHO: answered by the proxy, but forwarded while a client is in MONITOR, so that it sees
   * them as it would talking to Redis (clients' test suites wait for a PING there). Cached reads are
   * not: a hit never reaches Redis, with or without MONITOR.
   */
  public static boolean forwardedWhileMonitored(RespRequest request) {
    return SHOWN_BY_MONITOR.contains(request.name());
  }

  /** ACL SETUSER, DELUSER, LOAD and CONFIG SET: the proxy reads Redis's users again before it relays Redis's answer. */
  public static boolean changesUsers(RespRequest request) {
    if (request.size() < 2 || !(request.is("acl") || request.is("config"))) return false;
    return CHANGES_USERS.contains(request.name() + "|" + request.arg(1).utf8String().toLowerCase(Locale.ROOT));
  }

  /** AUTH, HELLO and QUIT are answered before the client has authenticated; nothing else is. */
  static boolean answeredBeforeAuth(RespRequest request) {
    return known(request).beforeAuth();
  }

  /** QUIT: nothing after it runs, and the connection closes once its answer is written. */
  public static boolean closesConnection(RespRequest request) {
    return known(request).closes();
  }

  public static Effect effect(RespRequest request) {
    return known(request).effect();
  }

  public static InPinnedSession inPinnedSession(RespRequest request) {
    return known(request).inPinnedSession();
  }

  public static InCluster inCluster(RespRequest request) {
    return known(request).inCluster();
  }

  // GET and MGET are nearly every request: found without building the name.
  private static Known known(RespRequest request) {
    if (request.is("get")) return GET;
    if (request.is("mget")) return MGET;
    String name = request.name();
    Known known = KNOWN.get(name);
    if (known == null) return UNKNOWN;
    if (SUBCOMMANDED.contains(name) && request.size() >= 2) return KNOWN.getOrDefault(listedName(request), known);
    return known;
  }

  // SELECT 0 is the proxy's own database; any other pins the connection.
  private static Route selectRoute(RespRequest request) {
    return request.size() == 2 && !request.arg(1).utf8String().equals("0") ? Route.PINNED : Route.LOCAL;
  }

  // INFO proxy is the proxy's alone; any other section is Redis's, with the proxy's added.
  private static Route infoRoute(RespRequest request) {
    return request.size() == 2 && request.arg(1).utf8String().equalsIgnoreCase("proxy") ? Route.LOCAL : Route.INFO;
  }

  private static Route blockingReadRoute(RespRequest request) {
    for (ByteString arg : request.args()) if (arg.utf8String().equalsIgnoreCase("block")) return Route.PINNED;
    return Route.FORWARDED;
  }

  /**
   * The keys of {@code request} as Redis's table places them (none for a keyless command); empty
   * when only Redis can name them: the table is not read yet, the command is unknown, or its keys
   * move with its arguments (EVAL, XREAD ... STREAMS, BLMPOP).
   */
  public Optional<List<ByteString>> keys(RespRequest request) {
    Command command = commands.get(request.name());
    if (command == null || command.movableKeys()) return Optional.empty();
    if (command.firstKey() <= 0) return Optional.of(List.of());
    return Optional.of(keys(command, request));
  }

  /** What forwarding {@code request} may change in the cache. */
  public Invalidation invalidation(RespRequest request) {
    String name = request.name();
    if (CHANGES_ANY_KEY.contains(name)) return Invalidation.EVERYTHING;
    Map<String, Command> table = commands;
    if (table.isEmpty()) return Invalidation.EVERYTHING; // Redis has not told us yet what writes
    Command command = table.get(name);
    if (command == null || !command.writes()) return Invalidation.NONE;
    if (command.firstKey() <= 0 || command.flags().contains("movablekeys")) return Invalidation.EVERYTHING;
    return new Invalidation(false, keys(command, request));
  }

  /**
   * The keys {@code request} reads, as Redis's tracking would remember them: none for a command
   * that is not read-only or names no key, everything for one whose keys Redis's table cannot name
   * (movablekeys: EVAL_RO, SORT_RO, ZUNION ...) or before the table is read.
   */
  public Invalidation reads(RespRequest request) {
    Map<String, Command> table = commands;
    if (table.isEmpty()) return Invalidation.EVERYTHING;
    Command command = table.get(request.name());
    if (command == null || !command.flags().contains("readonly")) return Invalidation.NONE;
    if (command.movableKeys()) return Invalidation.EVERYTHING;
    if (command.firstKey() <= 0) return Invalidation.NONE;
    return new Invalidation(false, keys(command, request));
  }

  private static List<ByteString> keys(Command command, RespRequest request) {
    int last = command.lastKey() < 0 ? request.size() + command.lastKey() : command.lastKey();
    int step = Math.max(command.keyStep(), 1);
    List<ByteString> keys = new ArrayList<>();
    for (int i = command.firstKey(); i <= last && i < request.size(); i += step) keys.add(request.arg(i));
    return keys;
  }
}
