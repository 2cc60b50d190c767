package com.redisproxy;

import com.redisproxy.tls.FrontEndTls;
import com.redisproxy.tls.PemFiles;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Reads redis-proxy.tls: both files or neither, each problem blamed on the setting that caused it. */
final class FrontEndTlsSetting {
  private static final String CERT = "redis-proxy.tls.cert-file";
  private static final String KEY = "redis-proxy.tls.key-file";

  private FrontEndTlsSetting() {}

  static Optional<FrontEndTls> read(SettingsReader read) {
    String certFile = read.string(CERT).trim();
    String keyFile = read.string(KEY).trim();
    if (certFile.isEmpty() && keyFile.isEmpty()) return Optional.empty();
    if (keyFile.isEmpty()) throw read.invalid(KEY, "is empty, but the certificate file is set: give both or neither");
    if (certFile.isEmpty()) throw read.invalid(CERT, "is empty, but the key file is set: give both or neither");
    List<X509Certificate> chain = blaming(read, CERT, () -> PemFiles.certificateChain(Path.of(certFile)));
    PrivateKey key = blaming(read, KEY, () -> PemFiles.privateKey(Path.of(keyFile)));
    return Optional.of(blaming(read, KEY, () -> FrontEndTls.of(chain, key)));
  }

  private static <T> T blaming(SettingsReader read, String path, Supplier<T> step) {
    try {
      return step.get();
    } catch (IllegalArgumentException e) {
      throw read.invalid(path, e.getMessage());
    }
  }
}
