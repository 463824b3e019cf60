package io.github.resnet4j.bench;

import io.github.resnet4j.kernels.Conv2dKernel;
import io.github.resnet4j.kernels.ConvGeometry;
import io.github.resnet4j.kernels.Parallel;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * 3x3 stride-1 pad-1 convolutions (C in = C out) at the shapes of CIFAR ResNet-20 (batch 128) and
 * ResNet-18 (batch 16). Forward GFLOP = 2 * N * C * C * 9 * H * W / 1e9; backward (dx and dW) is twice
 * that.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBench {
  /** {@code batch x channels x size}. */
  @Param({"128x16x32", "128x32x16", "128x64x8", "16x64x56", "16x128x28", "16x256x14", "16x512x7"})
  public String shape;

  /** Kernel threads. */
  @Param({"2"})
  public int threads;

  private ConvGeometry g;
  private float[] x;
  private float[] w;
  private float[] bias;
  private float[] y;
  private float[] dy;
  private float[] dx;
  private float[] dw;
  private float[] db;
  private int before;

  /** Allocates random tensors and sets the thread count. */
  @Setup(Level.Trial)
  public void setUp() {
    String[] p = shape.split("x");
    int n = Integer.parseInt(p[0]);
    int c = Integer.parseInt(p[1]);
    int s = Integer.parseInt(p[2]);
    g = new ConvGeometry(n, c, s, s, c, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    Random r = new Random(1);
    x = fill(r, g.inputSize());
    w = fill(r, g.weightSize());
    bias = fill(r, c);
    dy = fill(r, g.outputSize());
    y = new float[g.outputSize()];
    dx = new float[g.inputSize()];
    dw = new float[g.weightSize()];
    db = new float[c];
    before = Parallel.threads();
    Parallel.setThreads(threads);
  }

  private static float[] fill(Random r, int size) {
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = r.nextFloat() - 0.5f;
    }
    return a;
  }

  /** Restores the thread count. */
  @TearDown(Level.Trial)
  public void tearDown() {
    Parallel.setThreads(before);
  }

  /**
   * The forward pass with bias.
   *
   * @return y
   */
  @Benchmark
  public float[] forward() {
    Conv2dKernel.forward(g, x, w, bias, y);
    return y;
  }

  /**
   * The backward pass computing dx, dW and dBias.
   *
   * @return dx
   */
  @Benchmark
  public float[] backward() {
    Conv2dKernel.backward(g, x, w, dy, dx, dw, db);
    return dx;
  }
}
