package com.redisproxy.http;


/** @param onCacheThread the HTTP connections' streams run on the thread the CacheActor runs on */
public record HttpSettings(int port, boolean accessLog, boolean onCacheThread) {}
