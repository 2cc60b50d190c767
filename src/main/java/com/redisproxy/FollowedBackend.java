package com.redisproxy;

import com.redisproxy.fetch.location.RedisAddress;
import com.redisproxy.fetch.location.RedisLocation;
import com.redisproxy.resp.forward.BackendAddress;
import com.redisproxy.resp.forward.BackendLocator;
import io.lettuce.core.RedisURI;
import java.util.Optional;

/**
 * The RESP forwarding's view of where Redis is: the fetchers' {@link RedisLocation}, turned into a
 * {@link BackendAddress} once per address rather than at every forwarded command.
 */
final class FollowedBackend implements BackendLocator {
  private record Translated(RedisURI from, Optional<BackendAddress> to) {}

  private final RedisLocation location;
  private volatile Translated last = new Translated(null, Optional.empty());

  FollowedBackend(RedisLocation location) {
    this.location = location;
  }

  @Override
  public Optional<BackendAddress> current() {
    Optional<RedisURI> uri = location.current();
    if (uri.isEmpty()) return Optional.empty();
    Translated seen = last;
    if (seen.from() == uri.get()) return seen.to(); // the location hands out one instance per address
    Translated now = new Translated(uri.get(), Optional.of(backendAddress(uri.get())));
    last = now;
    return now.to();
  }

  @Override
  public String unknownReason() {
    return location.unknownReason();
  }

  static BackendAddress backendAddress(RedisURI uri) {
    var credentials = RedisAddress.credentials(uri);
    return new BackendAddress(uri.getHost(), uri.getPort(),
        credentials.filter(c -> c.hasUsername()).map(c -> c.getUsername()),
        credentials.filter(c -> c.hasPassword()).map(c -> new String(c.getPassword())), uri.getDatabase(), uri.isSsl());
  }
}
