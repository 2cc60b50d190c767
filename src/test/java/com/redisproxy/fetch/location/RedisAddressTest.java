package com.redisproxy.fetch.location;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisAddressTest {

  @Test
  void hostPortAndRedisUrisAreOneRedis() {
    assertTrue(RedisAddress.parseTarget("db:6390") instanceof RedisTarget.Standalone);
    assertTrue(RedisAddress.parseTarget("rediss://db:6390/1") instanceof RedisTarget.Standalone);
  }

  @Test
  void aSentinelUriNamesItsSentinelsAndMaster() {
    RedisTarget.Sentinel target = (RedisTarget.Sentinel)
        RedisAddress.parseTarget("redis-sentinel://secret@s1:26379,s2:26380/2#mymaster");
    RedisURI uri = target.uri();
    assertEquals(List.of("s1:26379", "s2:26380"),
        uri.getSentinels().stream().map(s -> s.getHost() + ":" + s.getPort()).toList());
    assertEquals("mymaster", uri.getSentinelMasterId());
    assertEquals(2, uri.getDatabase());
    assertEquals("redis-sentinel://s1:26379,s2:26380/2#mymaster", target.redacted());
  }

  @Test
  void aSentinelUriWithoutMasterIsRefused() {
    IllegalArgumentException problem = assertThrows(IllegalArgumentException.class,
        () -> RedisAddress.parseTarget("redis-sentinel://s1:26379"));
    assertTrue(problem.getMessage().contains("#<master name>"), problem.getMessage());
  }

  @Test
  void aClusterUriGivesEverySeedTheCredentialsAndTls() {
    RedisTarget.Cluster target = (RedisTarget.Cluster)
        RedisAddress.parseTarget("rediss-cluster://app:s%40cret@n1:7000,[::1]:7001");
    assertEquals(2, target.seeds().size());
    RedisURI second = target.seeds().get(1);
    assertEquals("::1", second.getHost());
    assertEquals(7001, second.getPort());
    assertTrue(second.isSsl());
    RedisCredentials credentials = second.getCredentialsProvider().resolveCredentials().block();
    assertEquals("app", credentials.getUsername());
    assertEquals("s@cret", new String(credentials.getPassword()));
    assertEquals("rediss-cluster://n1:7000,::1:7001", target.redacted());
    assertFalse(target.redacted().contains("cret"));
  }

  @Test
  void aClusterUriWithAPasswordOnlyHasNoUser() {
    RedisTarget.Cluster target = (RedisTarget.Cluster) RedisAddress.parseTarget("redis-cluster://pw@n1:7000/0");
    RedisCredentials credentials = target.seeds().get(0).getCredentialsProvider().resolveCredentials().block();
    assertFalse(credentials.hasUsername());
    assertEquals("pw", new String(credentials.getPassword()));
    assertFalse(target.seeds().get(0).isSsl());
  }

  @Test
  void clusterProblemsSayWhatIsWrong() {
    assertTrue(message("redis-cluster://n1:7000/3").contains("database 0 only"));
    assertTrue(message("redis-cluster://").contains("no cluster node"));
    assertTrue(message("redis-cluster://n1:7000,n2").contains("'n2' is not host:port"));
    assertTrue(message("redis-cluster://n1:99999").contains("expected 1-65535"));
    assertTrue(message("memcached://n1:1").contains("redis-cluster://"));
  }

  @Test
  void readFromTakesTheFourNames() {
    assertEquals(io.lettuce.core.ReadFrom.UPSTREAM, ReadFromSetting.parse("master"));
    assertEquals(io.lettuce.core.ReadFrom.REPLICA, ReadFromSetting.parse("Replica"));
    assertEquals(io.lettuce.core.ReadFrom.REPLICA_PREFERRED, ReadFromSetting.parse("replica-preferred"));
    assertEquals(io.lettuce.core.ReadFrom.NEAREST, ReadFromSetting.parse("nearest"));
    assertThrows(IllegalArgumentException.class, () -> ReadFromSetting.parse("any"));
  }

  private static String message(String address) {
    return assertThrows(IllegalArgumentException.class, () -> RedisAddress.parseTarget(address)).getMessage();
  }
}
