/**
 * resnet4j: pure-Java residual networks.
 *
 * <p>Packages, each importing only those listed before it: {@code kernels} (hot loops, internal),
 * {@code tensor} (float32 tensors with autograd), {@code nn}, {@code optim}, {@code data}, {@code io},
 * {@code models}, {@code train}, {@code cli}.
 */
module io.github.resnet4j {
  requires org.slf4j;
  requires static jdk.incubator.vector;
  // Only the bench reads the JVM's per-thread allocation counters, and does without them where absent.
  requires static java.management;
  requires static jdk.management;

  exports io.github.resnet4j.tensor;
  exports io.github.resnet4j.nn;
  exports io.github.resnet4j.optim;
  exports io.github.resnet4j.data;
  exports io.github.resnet4j.io;
  exports io.github.resnet4j.models;
  exports io.github.resnet4j.train;
}
