package io.github.resnet4j.bench;

import io.github.resnet4j.kernels.Gemm;
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
 * SGEMM throughput on the shapes that matter: square 1024, and the GEMM of a 64-channel 3x3 conv
 * (M=64, K=576) for one 32x32 image (N=1024) and a batch of 32 (N=32768). GFLOP/s = 2*M*N*K / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBench {
  /** {@code MxNxK}. */
  @Param({"1024x1024x1024", "64x1024x576", "64x32768x576"})
  public String shape;

  /** Kernel threads. */
  @Param({"1", "2"})
  public int threads;

  private int m;
  private int n;
  private int k;
  private float[] a;
  private float[] b;
  private float[] c;
  private int before;

  /** Allocates random operands and sets the thread count. */
  @Setup(Level.Trial)
  public void setUp() {
    String[] p = shape.split("x");
    m = Integer.parseInt(p[0]);
    n = Integer.parseInt(p[1]);
    k = Integer.parseInt(p[2]);
    Random r = new Random(1);
    a = new float[m * k];
    b = new float[k * n];
    c = new float[m * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextFloat() - 0.5f;
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = r.nextFloat() - 0.5f;
    }
    before = Parallel.threads();
    Parallel.setThreads(threads);
  }

  /** Restores the thread count. */
  @TearDown(Level.Trial)
  public void tearDown() {
    Parallel.setThreads(before);
  }

  /**
   * One product {@code C = A * B}.
   *
   * @return C, so the work is not dead code
   */
  @Benchmark
  public float[] sgemm() {
    Gemm.sgemm(false, false, m, n, k, a, 0, k, b, 0, n, 0f, c, 0, n);
    return c;
  }
}
