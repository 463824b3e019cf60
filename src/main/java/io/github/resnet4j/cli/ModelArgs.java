package io.github.resnet4j.cli;

import io.github.resnet4j.models.Models;
import io.github.resnet4j.nn.Module;

/** The model options every command shares, with defaults that fit each model's usual data. */
final class ModelArgs {
  private ModelArgs() {}

  static boolean imagenet(String name) {
    return name.matches("(preact-)?resnet(18|34|50|101|152)");
  }

  static int defaultChannels(String name) {
    return name.equals("seed-small") ? 1 : 3;
  }

  static int defaultClasses(String name) {
    return imagenet(name) ? 1000 : 10;
  }

  static int defaultSize(String name) {
    return imagenet(name) ? 224 : name.equals("seed-small") ? 28 : 32;
  }

  static Module create(String name, Args a) throws UsageException {
    int c = a.integer("in-channels", defaultChannels(name), 1);
    int k = a.integer("classes", defaultClasses(name), 1);
    try {
      return Models.create(name, c, k);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }
}
