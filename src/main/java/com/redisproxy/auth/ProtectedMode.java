package com.redisproxy.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Redis's protected mode: a proxy without a password listens on loopback only, unless protected
 * mode is turned off. Names are not resolved: any host name but localhost counts as reachable
 * from outside, since what it resolves to can change.
 */
public final class ProtectedMode {
  private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private ProtectedMode() {}

  /** True when listening on {@code host} with {@code auth} would open the cache to the network. */
  public static boolean refuses(String host, AuthSettings auth) {
    return auth.protectedMode() && !auth.required() && !isLoopback(host);
  }

  /** 127.0.0.0/8, ::1 or localhost; 0.0.0.0 and :: (every interface) are not. */
  public static boolean isLoopback(String host) {
    String bare = host.trim().toLowerCase(Locale.ROOT);
    if (bare.startsWith("[") && bare.endsWith("]")) bare = bare.substring(1, bare.length() - 1);
    if (bare.equals("localhost")) return true;
    if (DOTTED_QUAD.matcher(bare).matches()) return isLoopbackQuad(bare.split("\\."));
    if (!bare.contains(":") || !bare.matches("[0-9a-f:.]+")) return false;
    try {
      return InetAddress.getByName(bare).isLoopbackAddress(); // an IPv6 literal: parsed, never looked up
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static boolean isLoopbackQuad(String[] octets) {
    for (String octet : octets) {
      if (Integer.parseInt(octet) > 255) return false;
    }
    return octets[0].equals("127");
  }
}
