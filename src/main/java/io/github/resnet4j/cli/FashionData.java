package io.github.resnet4j.cli;

import io.github.resnet4j.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Path;

/** The data of train and eval: Fashion-MNIST from a folder, or the sample bundled in the jar. */
final class FashionData {
  private FashionData() {}

  static FashionMnist load(Path dir, PrintSink log) throws UsageException {
    if (dir == null) {
      log.line("data: the bundled Fashion-MNIST sample (2,000 train / 500 test images)");
      return FashionMnist.sample();
    }
    try {
      FashionMnist d = FashionMnist.load(dir);
      log.line("data: Fashion-MNIST from " + dir + " (" + d.train().size() + " train / " + d.test().size()
          + " test images)");
      return d;
    } catch (IOException e) {
      throw new UsageException("cannot load Fashion-MNIST from " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Where status lines go. */
  @FunctionalInterface
  interface PrintSink {
    void line(String s);
  }
}
