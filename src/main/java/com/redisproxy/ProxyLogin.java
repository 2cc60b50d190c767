package com.redisproxy;

import com.redisproxy.auth.acl.AclRules;
import com.redisproxy.auth.acl.AclWatch;
import com.redisproxy.auth.acl.ProxyIdentity;
import com.redisproxy.auth.acl.ReadPermission;
import com.redisproxy.fetch.BackingStore;
import com.redisproxy.fetch.location.RedisAddress;
import com.redisproxy.fetch.location.RedisTarget;
import com.redisproxy.metrics.ProxyMetrics;
import com.redisproxy.resp.command.RedisLogin;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's own Redis login (REDIS_ADDRESS's user and password): who its connections are, and
 * whether Redis would still let them in. A client can change Redis's users through the proxy
 * (CONFIG SET requirepass, ACL SETUSER); connections already open stay logged in, but a new one
 * would be refused, so that is said at once: a log line, the metric proxy_redis_login_refused, and
 * /ready answers 503.
 */
final class ProxyLogin {
  private static final Logger log = LoggerFactory.getLogger(ProxyLogin.class);

  private ProxyLogin() {}

  static RedisLogin of(RedisTarget target) {
    RedisURI uri;
    if (target instanceof RedisTarget.Standalone standalone) uri = standalone.uri();
    else if (target instanceof RedisTarget.Sentinel sentinel) uri = sentinel.uri();
    else uri = ((RedisTarget.Cluster) target).seeds().get(0);
    Optional<RedisCredentials> credentials = RedisAddress.credentials(uri);
    if (credentials.isEmpty() || !credentials.get().hasPassword()) return RedisLogin.DEFAULT_WITHOUT_PASSWORD;
    ByteString password = ByteString.fromString(new String(credentials.get().getPassword()));
    Optional<ByteString> user = credentials.filter(RedisCredentials::hasUsername).map(c -> ByteString.fromString(c.getUsername()));
    return RedisLogin.of(user, password);
  }

  static ProxyIdentity identity(RedisLogin login, boolean followed, ReadPermission permission) {
    return new ProxyIdentity(followed, login.userName(), login.password().map(ByteString::toArray), permission);
  }

  static AclWatch.Source aclSource(BackingStore redis) {
    return new AclWatch.Source() {
      @Override
      public CompletionStage<List<String>> aclList() {
        return redis.stringList(List.of("ACL", "LIST")).thenApply(ProxyLogin::latin1);
      }

      @Override
      public CompletionStage<List<String>> category(String name) {
        return redis.stringList(List.of("ACL", "CAT", name)).thenApply(ProxyLogin::latin1);
      }
    };
  }

  /** @return whether the proxy's login is refused now, as the watch last read Redis's users */
  static AtomicBoolean watchLockout(AclWatch watch, RedisLogin login, ProxyMetrics metrics) {
    AtomicBoolean refused = new AtomicBoolean();
    metrics.redisLoginRefused(refused::get);
    watch.onChange(rules -> {
      boolean now = refuses(rules, login);
      if (now == refused.getAndSet(now)) return;
      if (now) {
        log.error("Redis would now refuse the proxy's own login (user '{}'): its connections open now keep working, "
            + "but none can be opened again until REDIS_ADDRESS's credentials are valid in Redis again (CONFIG SET "
            + "requirepass or ACL SETUSER changed them?). Give the proxy an ACL user of its own that clients cannot change.",
            login.userName());
      } else {
        log.info("Redis accepts the proxy's own login (user '{}') again", login.userName());
      }
    });
    return refused;
  }

  // Only when the rules are known and say so: an unknown user list proves nothing.
  private static boolean refuses(AclRules rules, RedisLogin login) {
    if (!rules.known()) return false;
    return rules.user(login.userName())
        .map(user -> !user.accepts(login.password().map(ByteString::toArray).orElse(new byte[0]))
            || login.password().isEmpty() && !user.nopass())
        .orElse(true);
  }

  private static List<String> latin1(List<ByteString> lines) {
    return lines.stream().map(line -> line.decodeString(StandardCharsets.ISO_8859_1)).toList();
  }
}
