package com.redisproxy.auth.acl;

import java.util.Arrays;
import java.util.Optional;

/**
 * The proxy's own Redis user, and the rules of Redis's users as the proxy follows them: what a
 * front end needs to serve a client as one of Redis's users.
 *
 * @param followed false in front of a Redis Cluster: every client acts as the proxy's own user
 * @param password the proxy's own password; empty when it logs in without one
 */
public record ProxyIdentity(boolean followed, String user, Optional<byte[]> password, ReadPermission permission) {

  /** Every client acts as the proxy's own user, as before Redis's users were followed. */
  public static ProxyIdentity notFollowed() {
    return new ProxyIdentity(false, "default", Optional.empty(), ReadPermission.unknown());
  }

  public boolean isProxys(String otherUser, byte[] otherPassword) {
    return user.equals(otherUser) && password.filter(mine -> Arrays.equals(mine, otherPassword)).isPresent();
  }

  @Override
  public String toString() {
    return "ProxyIdentity[" + user + (followed ? ", users followed" : "") + "]";
  }
}
