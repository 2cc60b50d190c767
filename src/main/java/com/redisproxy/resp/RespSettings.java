package com.redisproxy.resp;

import com.redisproxy.resp.codec.RespLimits;
import java.time.Duration;
import java.util.Set;

/**
 * The RESP front end's settings: port 0 means off, an idle timeout of zero means never;
 * {@code maxPinnedConnections} bounds the dedicated Redis connections of clients holding connection
 * state, {@code refusedCommands} (lower case) are answered with an error, never forwarded, and a
 * forwarded command Redis has not answered within {@code forwardTimeout} (zero: no limit) fails.
 * {@code connectTimeout} (redis.connect-timeout) bounds the opening of the port's own connections
 * to Redis, shared and pinned. {@code trackedKeysPerClient} bounds the keys the proxy follows for
 * one client's own CLIENT TRACKING.
 */
public record RespSettings(
    int port, RespLimits limits, Duration idleTimeout, int maxPinnedConnections, Set<String> refusedCommands,
    Duration forwardTimeout, Duration connectTimeout, int eventLoops, int trackedKeysPerClient) {}
