package com.redisproxy.system.support;

import java.time.Duration;
import java.util.Map;

/**
 * A real Redis Cluster with the proxy's jar in front of it, every node a seed: what the cluster
 * system tests start before all their tests and stop after. Closing stops the proxy, then the
 * cluster; a start that fails stops what it had started.
 */
public final class ProxiedCluster implements AutoCloseable {
  private final TestCluster cluster;
  private final ProxyProcess proxy;

  private ProxiedCluster(TestCluster cluster, ProxyProcess proxy) {
    this.cluster = cluster;
    this.proxy = proxy;
  }

  /** Starts the proxy with {@code env} in front of {@code cluster}, which it owns from here on. */
  public static ProxiedCluster started(TestCluster cluster, Map<String, String> env) {
    try {
      return new ProxiedCluster(cluster, ProxyProcess.start(cluster.address(), env));
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** As {@link #started}, returning once the proxy's /ready says 200, within {@code wait}. */
  public static ProxiedCluster ready(TestCluster cluster, Map<String, String> env, Duration wait) {
    ProxiedCluster started = started(cluster, env);
    try {
      Eventually.await(wait, "the proxy says it is ready", () -> started.proxy.request("GET", "/ready").statusCode() == 200);
      return started;
    } catch (RuntimeException | Error e) {
      started.close();
      throw e;
    }
  }

  public TestCluster cluster() {
    return cluster;
  }

  public ProxyProcess proxy() {
    return proxy;
  }

  @Override
  public void close() {
    try {
      proxy.close();
    } finally {
      cluster.close();
    }
  }
}
