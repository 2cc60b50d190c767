package com.redisproxy.resp;

import org.apache.pekko.util.ByteString;

/** The encoded replies to one batch; {@code close} when the connection ends after writing them. */
record RespReply(ByteString bytes, boolean close) {}
