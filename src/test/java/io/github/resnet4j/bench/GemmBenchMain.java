package io.github.resnet4j.bench;

import io.github.resnet4j.kernels.Gemm;
import io.github.resnet4j.kernels.Kernels;
import io.github.resnet4j.kernels.Parallel;
import java.util.Arrays;
import java.util.Random;

/**
 * Quick GEMM throughput probe without JMH: prints the median GFLOP/s of several timed runs.
 *
 * <p>Usage: {@code GemmBenchMain [m n k [threads [runs [transA transB]]]]}, defaults 1024 1024 1024,
 * all processors, 9 runs, no transposes. Add {@code -Dresnet4j.vector=false} for the plain kernels.
 */
public final class GemmBenchMain {
  private GemmBenchMain() {}

  /**
   * Runs the probe.
   *
   * @param args {@code m n k threads runs transA transB}, all optional
   */
  public static void main(String[] args) {
    int m = arg(args, 0, 1024);
    int n = arg(args, 1, m);
    int k = arg(args, 2, m);
    int threads = arg(args, 3, Runtime.getRuntime().availableProcessors());
    int runs = arg(args, 4, 9);
    boolean ta = args.length > 5 && Boolean.parseBoolean(args[5]);
    boolean tb = args.length > 6 && Boolean.parseBoolean(args[6]);
    Parallel.setThreads(threads);
    Random r = new Random(1);
    float[] a = new float[m * k];
    float[] b = new float[k * n];
    float[] c = new float[m * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextFloat() - 0.5f;
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = r.nextFloat() - 0.5f;
    }
    double flops = 2.0 * m * n * k;
    // Enough repetitions per timing that one timing lasts ~50 ms at 200 GFLOP/s.
    int reps = (int) Math.max(1, Math.min(10_000, 1e10 / flops));
    long warmEnd = System.nanoTime() + 2_000_000_000L;
    while (System.nanoTime() < warmEnd) {
      mul(ta, tb, m, n, k, a, b, c);
    }
    double[] g = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      for (int rep = 0; rep < reps; rep++) {
        mul(ta, tb, m, n, k, a, b, c);
      }
      g[i] = flops * reps / (System.nanoTime() - t0);
    }
    Arrays.sort(g);
    System.out.printf("%s, m=%d n=%d k=%d transA=%b transB=%b threads=%d runs=%d%n", Kernels.name(),
        m, n, k, ta, tb, threads, runs);
    System.out.printf("GFLOP/s: %.1f (min %.1f, max %.1f)%n", g[runs / 2], g[0], g[runs - 1]);
  }

  private static void mul(boolean ta, boolean tb, int m, int n, int k, float[] a, float[] b, float[] c) {
    Gemm.sgemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, 0f, c, 0, n);
  }

  private static int arg(String[] args, int i, int dflt) {
    return args.length > i ? Integer.parseInt(args[i]) : dflt;
  }
}
