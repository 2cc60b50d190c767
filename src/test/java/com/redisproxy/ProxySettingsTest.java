package com.redisproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.redisproxy.auth.AuthSettings;
import com.redisproxy.cache.settings.CacheSettings;
import com.redisproxy.cache.settings.KeyRules;
import com.redisproxy.fetch.location.RedisTarget;
import com.redisproxy.resp.codec.RespLimits;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProxySettingsTest {

  private static ProxySettings settings(String overrides) {
    Config config = ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseResources("reference.conf"))
        .resolve();
    return ProxySettings.fromConfig(config);
  }

  private static String problemWith(String overrides) {
    return assertThrows(InvalidSettingException.class, () -> settings(overrides)).getMessage();
  }

  @Test
  void defaultsMatchTheSpecification() {
    ProxySettings settings = settings("");
    assertEquals(10_000, settings.cache().capacity());
    assertEquals(Duration.ofSeconds(60), settings.cache().expiry());
    assertEquals("127.0.0.1", settings.host());
    assertEquals(8080, settings.http().port());
    assertEquals("localhost", uri(settings).getHost());
    assertEquals(6379, uri(settings).getPort());
    assertEquals(1024, settings.backlog());
    assertEquals(Duration.ZERO, settings.resp().idleTimeout());
  }

  @Test
  void theDefaultsOfTheRoomsSettingsAreReferenceConfs() {
    assertEquals(CacheSettings.defaults(), settings("").cache());
    assertEquals(RespLimits.defaults(), settings("").resp().limits());
    assertEquals(AuthSettings.defaults(), settings("").auth());
  }

  @Test
  void cacheRulesAreAHoconListOrOneStringFromTheEnvironment() {
    List<KeyRules.Rule> expected = List.of(KeyRules.Rule.notCached("session:*"), KeyRules.Rule.cachedFor("config:*", Duration.ofHours(1)));
    assertEquals(expected, settings("redis-proxy.cache.rules = [ { keys = \"session:*\", cache = off }, "
        + "{ keys = \"config:*\", expiry = 1h } ]").cache().rules().rules());
    assertEquals(expected, settings("redis-proxy.cache.rules = \"session:*=off; config:*=3600\"").cache().rules().rules());
    assertEquals(List.of(), settings("").cache().rules().rules());
  }

  @Test
  void aCacheRuleThatSaysNothingOrNonsenseIsRefusedByName() {
    assertTrue(problemWith("redis-proxy.cache.rules = [ { keys = \"a*\" } ]").contains("CACHE_RULES"));
    assertTrue(problemWith("redis-proxy.cache.rules = \"a*=soon\"").contains("'soon' for 'a*' is neither off nor an expiry"));
    assertTrue(problemWith("redis-proxy.cache.rules = \"a*=0\"").contains("must be greater than zero"));
    assertTrue(problemWith("redis-proxy.cache.rules = [ { keys = \"a*\", cache = on } ]").contains("cache = off is the only"));
  }

  @Test
  void theRespPortsOwnConnectionsToRedisConnectWithinRedisConnectTimeout() {
    assertEquals(Duration.ofSeconds(1), settings("").resp().connectTimeout());
    assertEquals(Duration.ofMillis(1500), settings("redis-proxy.redis.connect-timeout = 1500ms").resp().connectTimeout());
  }

  @Test
  void theThreadLayoutIsOneRespLoopSharedWithTheCacheAndHttp2IsOnOverTlsOnly() {
    ProxySettings settings = settings("");
    assertEquals(1, settings.resp().eventLoops());
    assertTrue(settings.http().onCacheThread());
    assertFalse(settings.http().http2(false), "no h2c on the plain port unless asked for");
    assertTrue(settings.http().http2(true), "h2 by ALPN on a TLS port");
    assertEquals(4, settings("redis-proxy.resp.event-loops = 4").resp().eventLoops());
    assertEquals(10_000, settings("").resp().trackedKeysPerClient());
    assertEquals(50, settings("redis-proxy.resp.tracked-keys-per-client = 50").resp().trackedKeysPerClient());
    assertTrue(problemWith("redis-proxy.resp.tracked-keys-per-client = 0").startsWith("PROXY_RESP_TRACKED_KEYS_PER_CLIENT"));
    assertTrue(problemWith("redis-proxy.resp.event-loops = 0").startsWith("PROXY_RESP_EVENT_LOOPS"));
    assertTrue(settings("redis-proxy.http.h2c = on").http().http2(false));
    assertFalse(settings("redis-proxy.http.h2 = off").http().http2(true));
    assertFalse(settings("redis-proxy.http.h2 = off").http().http2(false), "h2 says nothing of the plain port");
  }

  @Test
  void sentinelAndClusterAddressesAreAccepted() {
    var sentinel = settings("redis-proxy.redis.address = \"redis-sentinel://s1:26379,s2:26379#mymaster\"").fetch().target();
    assertEquals("redis-sentinel://s1:26379,s2:26379/0#mymaster", sentinel.redacted());
    var cluster = settings("redis-proxy.redis.address = \"redis-cluster://n1:7000,n2:7001\"").fetch().target();
    assertEquals("redis-cluster://n1:7000,n2:7001", cluster.redacted());
  }

  @Test
  void respIdleTimeoutIsSecondsWhenANumberZeroForNever() {
    assertEquals(Duration.ofSeconds(300), settings("redis-proxy.resp.idle-timeout = 300").resp().idleTimeout());
    assertEquals(Duration.ofMillis(1500), settings("redis-proxy.resp.idle-timeout = 1500ms").resp().idleTimeout());
    assertEquals(Duration.ZERO, settings("redis-proxy.resp.idle-timeout = 0").resp().idleTimeout());
  }

  @Test
  void refusedCommandsAreAListOrNamesSeparatedByCommasAndPinnedConnectionsAreBounded() {
    assertEquals(java.util.Set.of(), settings("").resp().refusedCommands());
    assertEquals(1000, settings("").resp().maxPinnedConnections());
    assertEquals(java.util.Set.of("shutdown", "debug"),
        settings("redis-proxy.resp.refused-commands = [SHUTDOWN, debug]").resp().refusedCommands());
    assertEquals(java.util.Set.of("shutdown", "debug"),
        settings("redis-proxy.resp.refused-commands = \"SHUTDOWN, DEBUG\"").resp().refusedCommands());
    assertTrue(problemWith("redis-proxy.resp.max-pinned-connections = -1").startsWith("PROXY_RESP_MAX_PINNED_CONNECTIONS"));
    assertEquals(Duration.ofSeconds(10), settings("").resp().forwardTimeout());
    assertEquals(Duration.ZERO, settings("redis-proxy.resp.forward-timeout = 0").resp().forwardTimeout());
  }

  @Test
  void backlogAndIdleTimeoutOutOfRangeAreRefused() {
    assertTrue(problemWith("redis-proxy.backlog = 0").startsWith("PROXY_BACKLOG (redis-proxy.backlog)"));
    assertTrue(problemWith("redis-proxy.backlog = 65536").startsWith("PROXY_BACKLOG"));
    assertTrue(problemWith("redis-proxy.resp.idle-timeout = -1").startsWith("PROXY_RESP_IDLE_TIMEOUT"));
    assertTrue(problemWith("redis-proxy.resp.idle-timeout = soon").startsWith("PROXY_RESP_IDLE_TIMEOUT"));
  }

  @Test
  void expiryIsSecondsWhenANumberAndAHoconDurationOtherwise() {
    assertEquals(Duration.ofSeconds(5), settings("redis-proxy.cache.expiry = 5").cache().expiry());
    assertEquals(Duration.ofSeconds(5), settings("redis-proxy.cache.expiry = \"5\"").cache().expiry());
    assertEquals(Duration.ofMillis(1500), settings("redis-proxy.cache.expiry = 1500ms").cache().expiry());
    assertEquals(Duration.ofMillis(2500), settings("redis-proxy.cache.expiry = 2.5").cache().expiry());
  }

  @Test
  void theInvalidationLeaseGuardsHitsOnlyWithTrackingAndWithoutTheOptIn() {
    assertEquals(Duration.ZERO, settings("").cache().invalidationLease());
    String tracking = "redis-proxy.cache.invalidation = tracking\n";
    assertEquals(Duration.ofSeconds(1), settings(tracking).cache().invalidationLease());
    assertEquals(Duration.ofSeconds(2), settings(tracking).fetch().silenceLimit(), "the fetch timeout, being longer");
    assertEquals(Duration.ofSeconds(3), settings(tracking + "redis-proxy.cache.invalidation-lease = 3s").fetch().silenceLimit());
    assertEquals(Duration.ofMillis(300), settings(tracking + "redis-proxy.cache.invalidation-lease = 300ms").cache().invalidationLease());
    assertEquals(Duration.ZERO,
        settings(tracking + "redis-proxy.cache.serve-stale-without-lease = on").cache().invalidationLease());
    assertEquals(Duration.ofSeconds(2), settings("").fetch().silenceLimit(), "without tracking: the fetch timeout");
    assertTrue(problemWith("redis-proxy.cache.invalidation-lease = 10ms").startsWith("CACHE_INVALIDATION_LEASE"));
  }

  @Test
  void redisAddressTakesHostPortAndUris() {
    var plain = uri(settings("redis-proxy.redis.address = \"redis.internal:6390\""));
    assertEquals("redis.internal", plain.getHost());
    assertEquals(6390, plain.getPort());
    var uri = uri(settings("redis-proxy.redis.address = \"redis://user:secret@db:6391/2\""));
    assertEquals("db", uri.getHost());
    assertEquals(6391, uri.getPort());
    assertEquals(2, uri.getDatabase());
    assertTrue(uri(settings("redis-proxy.redis.address = \"rediss://db:6392\"")).isSsl());
  }

  @Test
  void problemsNameTheEnvironmentVariableAndTheKey() {
    assertTrue(problemWith("redis-proxy.cache.capacity = -1").startsWith("CACHE_CAPACITY (redis-proxy.cache.capacity)"));
    assertTrue(problemWith("redis-proxy.cache.expiry = 0").startsWith("GLOBAL_CACHE_EXPIRY"));
    assertTrue(problemWith("redis-proxy.cache.expiry = never").startsWith("GLOBAL_CACHE_EXPIRY"));
    assertTrue(problemWith("redis-proxy.http.port = 0").startsWith("PROXY_PORT"));
    assertTrue(problemWith("redis-proxy.redis.address = \"localhost\"").startsWith("REDIS_ADDRESS"));
    assertTrue(problemWith("redis-proxy.redis.address = \"localhost:abc\"").startsWith("REDIS_ADDRESS"));
    assertTrue(problemWith("redis-proxy.ask-timeout = 1s").startsWith("redis-proxy.ask-timeout"));
  }

  @Test
  void tlsIsOffUnlessBothFilesAreGivenAndOneAloneNamesTheOther() {
    assertTrue(settings("").tls().isEmpty());
    assertTrue(problemWith("redis-proxy.tls.cert-file = \"cert.pem\"")
        .startsWith("PROXY_TLS_KEY_FILE (redis-proxy.tls.key-file): is empty"));
    assertTrue(problemWith("redis-proxy.tls.key-file = \"key.pem\"")
        .startsWith("PROXY_TLS_CERT_FILE (redis-proxy.tls.cert-file): is empty"));
    assertEquals("PROXY_TLS_CERT_FILE (redis-proxy.tls.cert-file): cannot read '/nonexistent/cert.pem': no such file",
        problemWith("redis-proxy.tls { cert-file = \"/nonexistent/cert.pem\", key-file = \"/nonexistent/key.pem\" }"));
  }

  @Test
  void thePasswordNeverAppearsInTheRedactedAddress() {
    String shown = settings("redis-proxy.redis.address = \"redis://user:secret@db:6391/2\"").fetch().target().redacted();
    assertEquals("redis://db:6391/2", shown);
  }

  @Test
  void noPasswordByDefaultAndThePasswordAsWritten() {
    assertFalse(settings("").auth().required());
    assertFalse(settings("").auth().metricsNeedPassword());
    assertTrue(settings("").auth().protectedMode());
    ProxySettings withPassword = settings("redis-proxy.auth.password = \" top secret \"");
    assertTrue(withPassword.auth().password().orElseThrow().matches(" top secret ".getBytes(StandardCharsets.UTF_8)));
    assertFalse(withPassword.toString().contains("top secret"), withPassword.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.3.2.1", "localhost", "::1"})
  void protectedModeLetsLoopbackServeWithoutPassword(String host) {
    assertEquals(host, settings("redis-proxy.host = \"" + host + "\"").host());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "10.1.2.3", "::", "proxy.internal"})
  void protectedModeRefusesOtherHostsWithoutPasswordInFrontOfACluster(String host) {
    String cluster = "\nredis-proxy.redis.address = \"redis-cluster://127.0.0.1:7000\"";
    String problem = problemWith("redis-proxy.host = \"" + host + "\"" + cluster);
    assertTrue(problem.startsWith("PROXY_HOST (redis-proxy.host): '" + host + "' is not a loopback address"), problem);
    assertTrue(problem.contains("set PROXY_PASSWORD, or PROXY_PROTECTED_MODE=off"), problem);
    assertEquals(host, settings("redis-proxy.host = \"" + host + "\"\nredis-proxy.auth.password = pw" + cluster).host());
    assertEquals(host, settings("redis-proxy.host = \"" + host + "\"\nredis-proxy.auth.protected-mode = off" + cluster).host());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "10.1.2.3"})
  void protectedModeLeavesOtherHostsWithoutPasswordToRedissOwnAuthenticationInFrontOfOneRedis(String host) {
    // Main then asks Redis (RedisAuthProbe): SecurityIT covers both answers.
    assertTrue(settings("redis-proxy.host = \"" + host + "\"").auth().anonymousRefused());
    assertFalse(settings("redis-proxy.host = \"" + host + "\"\nredis-proxy.auth.password = pw").auth().anonymousRefused());
    assertFalse(settings("redis-proxy.host = \"127.0.0.1\"").auth().anonymousRefused());
  }

  @Test
  void authProblemsNameTheirEnvironmentVariables() {
    assertTrue(problemWith("redis-proxy.auth.metrics = maybe").startsWith("PROXY_METRICS_AUTH (redis-proxy.auth.metrics)"));
    assertTrue(problemWith("redis-proxy.auth.protected-mode = maybe").startsWith("PROXY_PROTECTED_MODE"));
    assertTrue(problemWith("redis-proxy.auth.metrics = on").startsWith("PROXY_METRICS_AUTH"),
        "metrics behind a password that is not set");
    assertTrue(settings("redis-proxy.auth { metrics = on, password = pw }").auth().metricsNeedPassword());
  }

  private static io.lettuce.core.RedisURI uri(ProxySettings settings) {
    return ((com.redisproxy.fetch.location.RedisTarget.Standalone) settings.fetch().target()).uri();
  }
}
