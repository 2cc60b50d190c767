package com.redisproxy.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.redisproxy.system.support.Executables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** deploy/prometheus passes promtool: the rules parse, and each alert fires on the series its test feeds it. */
class AlertRulesTest {
  private static final Path DIRECTORY = Path.of("deploy", "prometheus");

  private static String promtool(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).directory(DIRECTORY.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly();
    assertEquals(0, process.exitValue(), "promtool " + String.join(" ", arguments) + ":\n" + output);
    return output;
  }

  private static void assumePromtool() {
    assumeTrue(Executables.onPath("promtool"),
        "promtool is not installed (Debian: apt-get install prometheus); skipping the rule checks");
  }

  @Test
  void theRulesAndTheScrapeConfigAreValid() throws Exception {
    assumePromtool();
    promtool("check", "rules", "alerts.yml");
    promtool("check", "config", "prometheus.yml");
  }

  @Test
  void eachAlertFiresOnTheSeriesThatShouldRaiseIt() throws Exception {
    assumePromtool();
    promtool("test", "rules", "alerts-test.yml");
  }
}
