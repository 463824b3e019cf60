package io.github.resnet4j.cli;

/** Which kernel implementation is active, for the CLI's reports. */
final class KernelInfo {
  private KernelInfo() {}

  static String describe() {
    boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    return vector ? "Vector API" : "plain Java (add --add-modules jdk.incubator.vector for the Vector API)";
  }
}
