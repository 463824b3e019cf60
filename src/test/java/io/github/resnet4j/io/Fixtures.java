package io.github.resnet4j.io;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the PyTorch fixture folder: the system property {@code resnet4j.fixtures} (set by the pom to
 * {@code ../shared/fixtures}), else {@code /work/shared/fixtures}. A missing folder fails the test; it
 * never skips it.
 */
final class Fixtures {
  static final String PROPERTY = "resnet4j.fixtures";
  static final Path FALLBACK = Path.of("/work/shared/fixtures");

  private Fixtures() {}

  /** The fixture folder; fails the calling test if neither location exists. */
  static Path dir() {
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
  static Path path(String name) {
    Path p = dir().resolve(name.endsWith(".safetensors") || name.endsWith(".json") ? name
        : name + ".safetensors");
    if (!Files.isRegularFile(p)) {
      fail("fixture " + p + " does not exist");
    }
    return p;
  }

  /** Opens a fixture file by name, with or without the {@code .safetensors} suffix. */
  static SafeTensorsFile load(String name) throws IOException {
    return SafeTensors.read(path(name));
  }
}
