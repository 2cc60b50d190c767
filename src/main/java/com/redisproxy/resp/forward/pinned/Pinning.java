package com.redisproxy.resp.forward.pinned;

import com.redisproxy.resp.forward.Forwarding;
import com.redisproxy.resp.forward.BackendLocator;
import com.redisproxy.resp.forward.BackendAddress;
import com.redisproxy.resp.codec.RespRequest;
import com.redisproxy.resp.command.Refusals;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/** Opens the session of a client whose request needs a connection of its own; one per server. */
public interface Pinning {

  /** The session, from {@code first} on; or the error {@code first} is answered with. */
  Result open(RespRequest first, PinnedSession.Connection connection);

  sealed interface Result {}

  record Opened(Pinned session) implements Result {}

  record Refused(ByteString reply) implements Result {}

  /** In front of one Redis (or a Sentinel's master): to where Redis is now. */
  static Pinning toOneRedis(Forwarding forwarding) {
    return (first, connection) -> {
      Optional<BackendAddress> backend = forwarding.backend().current();
      if (backend.isEmpty()) return new Refused(BackendLocator.unavailable(forwarding.backend()));
      if (!forwarding.takePinned()) return new Refused(Refusals.tooManyPinned(first, forwarding.maxPinned()));
      return new Opened(new PinnedSession(forwarding, backend.get(), connection));
    };
  }
}
