package io.github.resnet4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options and {@code --flag} switches, each checked against what a command accepts. */
final class Args {
  private final String command;
  private final Map<String, List<String>> values = new HashMap<>();
  private final Set<String> used = new HashSet<>();

  /**
   * Parses options after the command word.
   *
   * @param command the command, for messages
   * @param argv the arguments after it
   * @param arity how many values each option takes (0 for a flag)
   */
  Args(String command, String[] argv, Map<String, Integer> arity) throws UsageException {
    this.command = command;
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--")) {
        throw new UsageException(command + ": unexpected argument '" + a + "'");
      }
      String name = a.substring(2);
      Integer n = arity.get(name);
      if (n == null) {
        throw new UsageException(command + ": unknown option --" + name + " (options: --"
            + String.join(", --", new java.util.TreeSet<>(arity.keySet())) + ")");
      }
      List<String> v = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        if (i + 1 >= argv.length || argv[i + 1].startsWith("--")) {
          throw new UsageException(command + ": --" + name + " needs " + n + " value" + (n > 1 ? "s" : ""));
        }
        v.add(argv[++i]);
      }
      values.put(name, v);
    }
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  String string(String name, String fallback) {
    List<String> v = values.get(name);
    return v == null ? fallback : v.get(0);
  }

  String required(String name) throws UsageException {
    String v = string(name, null);
    if (v == null) {
      throw new UsageException(command + ": --" + name + " is required");
    }
    return v;
  }

  Path path(String name) {
    String v = string(name, null);
    return v == null ? null : Path.of(v);
  }

  int integer(String name, int fallback, int min) throws UsageException {
    return integerAt(name, 0, fallback, min);
  }

  int integerAt(String name, int index, int fallback, int min) throws UsageException {
    List<String> v = values.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      int x = Integer.parseInt(v.get(index));
      if (x < min) {
        throw new UsageException(command + ": --" + name + " must be at least " + min + ", got " + x);
      }
      return x;
    } catch (NumberFormatException e) {
      throw new UsageException(command + ": --" + name + " takes a whole number, got '" + v.get(index) + "'");
    }
  }

  double number(String name, double fallback) throws UsageException {
    List<String> v = values.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      double x = Double.parseDouble(v.get(0));
      if (!Double.isFinite(x) || x < 0) {
        throw new UsageException(command + ": --" + name + " must be a non-negative number, got " + v.get(0));
      }
      return x;
    } catch (NumberFormatException e) {
      throw new UsageException(command + ": --" + name + " takes a number, got '" + v.get(0) + "'");
    }
  }

  String choice(String name, String fallback, String... allowed) throws UsageException {
    String v = string(name, fallback);
    for (String a : allowed) {
      if (a.equals(v)) {
        return v;
      }
    }
    throw new UsageException(command + ": --" + name + " must be one of " + String.join(", ", allowed) + ", got '"
        + v + "'");
  }
}
