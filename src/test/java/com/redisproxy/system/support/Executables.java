package com.redisproxy.system.support;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Whether a tool a test drives (prometheus, promtool) is installed. */
public final class Executables {
  private Executables() {}

  public static boolean onPath(String name) {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(directory -> !directory.isEmpty())
        .anyMatch(directory -> Files.isExecutable(Path.of(directory, name)));
  }
}
