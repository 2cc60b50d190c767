package com.redisproxy.resp.forward;

import java.util.Optional;

/** Where the proxy's own connections to the backing Redis go, and the credentials they use. */
public record BackendAddress(
    String host, int port, Optional<String> user, Optional<String> password, int database, boolean tls) {}
