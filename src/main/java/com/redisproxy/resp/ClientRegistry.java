package com.redisproxy.resp;

import com.redisproxy.resp.command.Clients;
import com.redisproxy.resp.command.RespSession;
import com.redisproxy.resp.tracking.Redirects;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.pekko.util.ByteString;

/**
 * Every open RESP client connection by its id, for CLIENT LIST, INFO and KILL: the proxy's own
 * view of its clients, agreeing with CLIENT ID and SETNAME (the Redis connections behind them are
 * the proxy's, shared, and say nothing of who the client is).
 */
final class ClientRegistry implements Clients, Redirects {
  // loop: the connection's own, once it is initialised there; what is sent to it waits till then.
  private record Entry(RespSession session, Channel channel, long connectedAtMillis, CompletableFuture<EventLoop> loop) {
    void onItsLoop(Runnable task) {
      loop.thenAccept(its -> its.execute(task));
    }
  }

  private final Map<Long, Entry> open = new ConcurrentHashMap<>();

  /** As the connection is accepted, on the accepting loop: listed from here on. */
  void opened(RespSession session, Channel channel) {
    open.put(session.id(), new Entry(session, channel, System.currentTimeMillis(), new CompletableFuture<>()));
    channel.closeFuture().addListener(closed -> open.remove(session.id()));
  }

  /** Once the connection is initialised on its own loop: a KILL or invalidation sent before runs now. */
  void running(RespSession session, EventLoop loop) {
    Entry entry = open.get(session.id());
    if (entry != null) entry.loop().complete(loop);
  }

  @Override
  public String list(Predicate<Client> shown) {
    StringBuilder lines = new StringBuilder();
    long now = System.currentTimeMillis();
    open.values().stream().sorted((a, b) -> Long.compare(a.session().id(), b.session().id()))
        .filter(entry -> shown.test(client(entry)))
        .forEach(entry -> lines.append(line(entry, now)).append('\n'));
    return lines.toString();
  }

  @Override
  public Optional<String> info(long id) {
    return Optional.ofNullable(open.get(id)).map(entry -> line(entry, System.currentTimeMillis()) + "\n");
  }

  @Override
  public boolean exists(long id) {
    return open.containsKey(id);
  }

  // On the target's own loop, after what is queued there.
  @Override
  public boolean deliver(long id, Optional<List<ByteString>> keys, boolean trackerResp3) {
    Entry entry = open.get(id);
    if (entry == null) return false;
    Channel channel = entry.channel();
    entry.onItsLoop(() -> {
      RespConnection connection = channel.pipeline().get(RespConnection.class);
      if (connection != null) connection.redirectedInvalidations(keys, trackerResp3);
    });
    return true;
  }

  @Override
  public int kill(Predicate<Client> matching, long asking) {
    int killed = 0;
    for (Entry entry : open.values()) {
      if (!matching.test(client(entry))) continue;
      killed++;
      Channel channel = entry.channel();
      // On the client's own loop, after what is queued there: the asker gets its reply first.
      entry.onItsLoop(() -> {
        RespConnection connection = channel.pipeline().get(RespConnection.class);
        if (connection != null) connection.closeAfterWrites();
        else channel.close();
      });
    }
    return killed;
  }

  private static Client client(Entry entry) {
    return new Client(entry.session().id(), address(entry.channel().remoteAddress()),
        address(entry.channel().localAddress()), entry.session().userName());
  }

  // Redis's own fields, in its order (7.0, without its memory figures, which say nothing here).
  private static String line(Entry entry, long now) {
    RespSession session = entry.session();
    long ageSeconds = (now - entry.connectedAtMillis()) / 1000;
    long idleSeconds = (now - session.lastActiveMillis()) / 1000;
    return "id=" + session.id()
        + " addr=" + address(entry.channel().remoteAddress())
        + " laddr=" + address(entry.channel().localAddress())
        + " fd=-1 name=" + session.name().map(name -> name.utf8String()).orElse("")
        + " age=" + ageSeconds + " idle=" + Math.max(0, idleSeconds)
        + " flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0"
        + " obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=" + session.lastCommand()
        + " user=" + session.userName() + " redir=-1 resp=" + (session.resp3() ? 3 : 2);
  }

  private static String address(SocketAddress address) {
    return address instanceof InetSocketAddress inet
        ? inet.getAddress().getHostAddress() + ":" + inet.getPort() : String.valueOf(address);
  }
}
