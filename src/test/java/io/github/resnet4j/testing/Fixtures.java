package io.github.resnet4j.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.resnet4j.io.SafeTensors;
import io.github.resnet4j.io.SafeTensorsFile;
import io.github.resnet4j.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the PyTorch fixture folder: the system property {@code resnet4j.fixtures} (set by the pom to
 * {@code ../shared/fixtures}), else {@code /work/shared/fixtures}. A missing folder fails the test; it
 * never skips it.
 */
public final class Fixtures {
  public static final String PROPERTY = "resnet4j.fixtures";
  public static final Path FALLBACK = Path.of("/work/shared/fixtures");

  private Fixtures() {}

  /** The fixture folder; fails the calling test if neither location exists. */
  public static Path dir() {
    String prop = System.getProperty(PROPERTY);
    if (prop != null && Files.isDirectory(Path.of(prop))) {
      return Path.of(prop);
    }
    if (Files.isDirectory(FALLBACK)) {
      return FALLBACK;
    }
    return fail("fixture folder not found: -D" + PROPERTY + "=" + prop + " is "
        + (prop == null ? "unset" : "not a directory") + " and " + FALLBACK + " does not exist");
  }

  /** A fixture file by name, with or without the {@code .safetensors} suffix. */
  public static Path path(String name) {
    Path p = dir().resolve(name.endsWith(".safetensors") || name.endsWith(".json") ? name
        : name + ".safetensors");
    if (!Files.isRegularFile(p)) {
      fail("fixture " + p + " does not exist");
    }
    return p;
  }

  /** Opens a fixture file by name, with or without the {@code .safetensors} suffix. */
  public static SafeTensorsFile load(String name) throws IOException {
    return SafeTensors.read(path(name));
  }

  /**
   * Element-wise check {@code |a - e| <= atol + rtol*|e|} (the fixtures README's first form), with the
   * worst element in the message.
   */
  public static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    double worst = 0;
    int at = -1;
    for (int i = 0; i < e.length; i++) {
      double excess = Math.abs(a[i] - e[i]) - (atol + rtol * Math.abs(e[i]));
      if (!(excess <= 0) && (at < 0 || !(excess <= worst))) {
        worst = excess;
        at = i;
      }
    }
    if (at >= 0) {
      fail(what + ": element " + at + " is " + a[at] + ", expected " + e[at] + " (rtol " + rtol + ", atol " + atol + ")");
    }
  }

  /** The README's norm-relative form: {@code max|a - e| <= 1e-6 + 1e-3 * max|e|}. */
  public static void assertNormClose(String what, Tensor expected, Tensor actual) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    double maxErr = 0;
    double maxE = 0;
    for (int i = 0; i < e.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(a[i] - e[i]));
      maxE = Math.max(maxE, Math.abs(e[i]));
    }
    assertTrue(maxErr <= 1e-6 + 1e-3 * maxE, what + ": max abs error " + maxErr + " > 1e-6 + 1e-3 * " + maxE);
  }

  /** Every element within an absolute bound (the analytically-zero conv biases in front of BatchNorm). */
  public static void assertAbsBelow(String what, Tensor actual, double bound) {
    for (float v : actual.toFloatArray()) {
      assertTrue(Math.abs(v) <= bound, what + ": |" + v + "| > " + bound);
    }
  }
}
