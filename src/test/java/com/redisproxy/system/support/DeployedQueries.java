package com.redisproxy.system.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL that deploy/ ships (the Grafana dashboard's panels and variables, the alert rules),
 * and the metric names it reads, so tests can hold them against what the proxy really exposes.
 */
public final class DeployedQueries {
  public static final Path DASHBOARD = Path.of("deploy", "grafana", "redis-proxy.json");
  public static final Path ALERT_RULES = Path.of("deploy", "prometheus", "alerts.yml");

  /** Series Prometheus makes itself for each target: never in /metrics. */
  private static final Set<String> MADE_BY_PROMETHEUS = Set.of("up");
  private static final Set<String> KEYWORDS = Set.of(
      "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "inf", "nan");

  private static final Pattern JSON_EXPR = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern LABEL_VALUES = Pattern.compile("\"definition\"\\s*:\\s*\"label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*\\}");
  private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
  private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");

  private DeployedQueries() {}

  /** Every expression in the dashboard's panels, with Grafana's JSON escapes undone. */
  public static List<String> dashboardExpressions() {
    List<String> expressions = new ArrayList<>();
    Matcher expr = JSON_EXPR.matcher(read(DASHBOARD));
    while (expr.find()) expressions.add(expr.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
    return expressions;
  }

  /** Every alert rule's expression; folded ({@code >-}) ones joined into one line. */
  public static List<String> alertExpressions() {
    List<String> expressions = new ArrayList<>();
    List<String> lines = read(ALERT_RULES).lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (!line.startsWith("expr:")) continue;
      String value = line.substring("expr:".length()).strip();
      if (value.equals(">-") || value.equals(">") || value.equals("|")) {
        int indent = indentOf(lines.get(i + 1));
        StringBuilder folded = new StringBuilder();
        while (i + 1 < lines.size() && indentOf(lines.get(i + 1)) >= indent && !lines.get(i + 1).isBlank()) {
          folded.append(lines.get(++i).strip()).append(' ');
        }
        value = folded.toString().strip();
      }
      expressions.add(value);
    }
    return expressions;
  }

  /** Metric names the dashboard and the alert rules read, including the dashboard's variable queries. */
  public static Set<String> metricNames() {
    Set<String> names = new TreeSet<>();
    dashboardExpressions().forEach(expression -> names.addAll(metricNames(expression)));
    alertExpressions().forEach(expression -> names.addAll(metricNames(expression)));
    Matcher variable = LABEL_VALUES.matcher(read(DASHBOARD));
    while (variable.find()) names.add(variable.group(1));
    return names;
  }

  /** The metric names one PromQL expression reads: not its functions, keywords, labels, strings or Grafana variables. */
  public static Set<String> metricNames(String expression) {
    String bare = STRING.matcher(expression).replaceAll(" ");
    bare = MATCHERS.matcher(bare).replaceAll(" ");
    bare = RANGE.matcher(bare).replaceAll(" ");
    bare = GROUPING.matcher(bare).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher identifier = IDENTIFIER.matcher(bare);
    while (identifier.find()) {
      if (!KEYWORDS.contains(identifier.group(1).toLowerCase())) names.add(identifier.group(1));
    }
    return names;
  }

  /** Of {@code names}, those no sample in {@code metricsText} (a /metrics answer) carries. */
  public static Set<String> missingFrom(Set<String> names, String metricsText) {
    Set<String> exposed = new TreeSet<>(MADE_BY_PROMETHEUS);
    metricsText.lines().filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .forEach(line -> exposed.add(line.split("[{ ]", 2)[0]));
    Set<String> missing = new TreeSet<>(names);
    missing.removeAll(exposed);
    return missing;
  }

  private static int indentOf(String line) {
    return line.length() - line.stripLeading().length();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
