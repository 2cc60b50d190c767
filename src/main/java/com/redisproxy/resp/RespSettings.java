package com.redisproxy.resp;

import java.time.Duration;

/** The RESP front end's settings: port 0 means off, an idle timeout of zero means never. */
public record RespSettings(int port, RespLimits limits, Duration idleTimeout) {}
