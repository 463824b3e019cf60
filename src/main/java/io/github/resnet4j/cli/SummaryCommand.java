package io.github.resnet4j.cli;

import io.github.resnet4j.nn.Module;
import java.io.PrintStream;
import java.util.Map;

/** {@code summary --model NAME [--in-channels C] [--input-size H W] [--classes K]}. */
final class SummaryCommand {
  private SummaryCommand() {}

  static int run(String[] argv, PrintStream out) throws UsageException {
    Args a = new Args("summary", argv, Map.of("model", 1, "in-channels", 1, "input-size", 2, "classes", 1));
    String name = a.required("model");
    Module model = ModelArgs.create(name, a);
    int h = a.integerAt("input-size", 0, ModelArgs.defaultSize(name), 1);
    int w = a.integerAt("input-size", 1, ModelArgs.defaultSize(name), 1);
    int c = a.integer("in-channels", ModelArgs.defaultChannels(name), 1);
    try {
      out.println(model.summary(c, h, w));
    } catch (IllegalArgumentException e) {
      throw new UsageException("summary: " + e.getMessage(), e);
    }
    return 0;
  }
}
