package com.redisproxy.resp;

import java.time.Duration;
import java.util.Set;

/**
 * The RESP front end's settings: port 0 means off, an idle timeout of zero means never;
 * {@code maxPinnedConnections} bounds the dedicated Redis connections of clients holding connection
 * state, and {@code refusedCommands} (lower case) are answered with an error, never forwarded.
 */
public record RespSettings(
    int port, RespLimits limits, Duration idleTimeout, int maxPinnedConnections, Set<String> refusedCommands) {}
