package com.redisproxy.resp.codec;

import org.apache.pekko.util.ByteString;

/** The encoded replies to one batch; {@code close} when the connection ends after writing them. */
public record RespReply(ByteString bytes, boolean close) {}
