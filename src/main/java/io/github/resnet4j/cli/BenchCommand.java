package io.github.resnet4j.cli;

import io.github.resnet4j.kernels.Gemm;
import io.github.resnet4j.kernels.Parallel;
import io.github.resnet4j.nn.Init;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.optim.SGD;
import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.NoGrad;
import io.github.resnet4j.tensor.StepScope;
import io.github.resnet4j.tensor.Tensor;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * {@code bench --model NAME --mode infer|train --batch N [--iters K] [--warmup W] [--warmup-seconds S]
 * [--input-size H W]} and {@code bench gemm --size N}: timed runs on random data after at least W steps
 * and S seconds of warm-up (5, or 12 in training), then the median as the last line.
 */
final class BenchCommand {
  private BenchCommand() {}

  static int run(String[] argv, PrintStream out) throws UsageException {
    if (argv.length > 0 && argv[0].equals("gemm")) {
      return gemm(Arrays.copyOfRange(argv, 1, argv.length), out);
    }
    Args a = new Args("bench", argv, Map.ofEntries(Map.entry("model", 1), Map.entry("mode", 1),
        Map.entry("batch", 1), Map.entry("iters", 1), Map.entry("warmup", 1), Map.entry("warmup-seconds", 1),
        Map.entry("input-size", 2), Map.entry("in-channels", 1), Map.entry("classes", 1), Map.entry("threads", 1)));
    String name = a.required("model");
    String mode = a.choice("mode", "infer", "infer", "train");
    int batch = a.integer("batch", 32, 1);
    int iters = a.integer("iters", 7, 1);
    int warmup = a.integer("warmup", 3, 0);
    long warmupNanos = warmupNanos(a, mode.equals("train") ? 12.0 : 5.0);
    int c = a.integer("in-channels", ModelArgs.defaultChannels(name), 1);
    int h = a.integerAt("input-size", 0, ModelArgs.defaultSize(name), 1);
    int w = a.integerAt("input-size", 1, ModelArgs.defaultSize(name), 1);
    Init.manualSeed(0);
    Module model = ModelArgs.create(name, a);
    int classes = a.integer("classes", ModelArgs.defaultClasses(name), 1);
    Generator gen = new Generator(1);
    Tensor x = Tensor.randn(gen, batch, c, h, w);
    long[] labels = new long[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = gen.nextInt(classes);
    }
    Tensor y = Tensor.ofLongs(labels, batch);
    SGD opt = new SGD(model.parameters(), 0.01, 0.9, 1e-4);
    out.printf(Locale.ROOT, "bench %s %s, batch %d, input %dx%dx%d, %d threads, kernels: %s%n", name, mode, batch,
        c, h, w, Parallel.threads(), KernelInfo.describe());
    double[] ms = new double[iters];
    double[] kib = new double[iters];
    model.train(mode.equals("train")); // once, as a training loop does per epoch, not per step
    time(() -> step(mode, model, opt, x, y), warmup, warmupNanos, ms, kib,
        i -> out.printf(Locale.ROOT, "run %d: %.2f ms, %.1f images/s, %s%n", i + 1, ms[i], batch * 1000 / ms[i],
            kib[i] < 0 ? "allocation not counted by this JVM" : String.format(Locale.ROOT, "%.0f KiB allocated",
                kib[i])));
    double median = median(ms);
    out.printf(Locale.ROOT, "median: %.2f ms per batch of %d%n", median, batch);
    if (median(kib) >= 0) {
      out.printf(Locale.ROOT, "allocated per run: %.0f KiB (median, all threads)%n", median(kib));
    }
    out.printf(Locale.ROOT, "images/sec: %.1f%n", batch * 1000 / median);
    return 0;
  }

  /**
   * The Vector API runs its slow Java fallbacks until C2 has compiled the kernels, which takes well over
   * the few warm-up steps of a batch-1 benchmark (2 s was not enough on 2 busy cores): warm up for a
   * minimum time too. A training step has more kernels to compile: on 2 cores C2 was still compiling the
   * weight gradient's loops 6-7 s in, so training warms up for 12 s, the rest for 5.
   */
  private static long warmupNanos(Args a, double defaultSeconds) throws UsageException {
    // Args.number rejects negative and non-numeric values with a usage error.
    return (long) (a.number("warmup-seconds", defaultSeconds) * 1e9);
  }

  /** One benchmarked operation. */
  @FunctionalInterface
  interface Step {
    void run() throws UsageException;
  }

  /**
   * Runs {@code step} at least {@code minWarmup} times and for at least {@code warmupNanos}, then once per
   * element of {@code ms}, storing each run's milliseconds there and reporting its index as it finishes.
   */
  private static void time(Step step, int minWarmup, long warmupNanos, double[] ms, double[] kibOrNull,
      IntConsumer afterRun) throws UsageException {
    long warmStart = System.nanoTime();
    for (int i = 0; i < minWarmup || System.nanoTime() - warmStart < warmupNanos; i++) {
      step.run();
    }
    AllocationMeter meter = kibOrNull == null ? null : new AllocationMeter();
    for (int i = 0; i < ms.length; i++) {
      long t0 = System.nanoTime();
      if (meter == null) {
        step.run();
      } else {
        long bytes = meter.bytesAllocatedBy(step);
        kibOrNull[i] = bytes < 0 ? -1 : bytes / 1024.0;
      }
      ms[i] = (System.nanoTime() - t0) / 1e6;
      afterRun.accept(i);
    }
  }

  private static void step(String mode, Module model, SGD opt, Tensor x, Tensor y) throws UsageException {
    try {
      if (mode.equals("train")) {
        opt.zeroGrad();
        try (StepScope step = StepScope.open()) {
          Functional.crossEntropy(model.forward(x), y).backward();
        }
        opt.step();
      } else {
        // As Trainer.evaluate runs batches: each one's activations go back to the pool for the next.
        try (NoGrad ignored = NoGrad.enter(); StepScope step = StepScope.open()) {
          model.forward(x);
        }
      }
    } catch (IllegalArgumentException e) {
      throw new UsageException("bench: " + e.getMessage(), e);
    }
  }

  private static int gemm(String[] argv, PrintStream out) throws UsageException {
    Args a = new Args("bench gemm", argv, Map.of("size", 1, "iters", 1, "threads", 1, "warmup-seconds", 1));
    int n = a.integer("size", 1024, 1);
    int iters = a.integer("iters", 7, 1);
    long warmupNanos = warmupNanos(a, 5.0);
    Generator gen = new Generator(2);
    float[] x = Tensor.randn(gen, n, n).toFloatArray();
    float[] y = Tensor.randn(gen, n, n).toFloatArray();
    float[] z = new float[n * n];
    out.printf(Locale.ROOT, "bench gemm %d^3, %d threads, kernels: %s%n", n, Parallel.threads(), KernelInfo.describe());
    double[] ms = new double[iters];
    double[] gflops = new double[iters];
    time(() -> Gemm.sgemm(false, false, n, n, n, x, 0, n, y, 0, n, 0f, z, 0, n), 3, warmupNanos, ms, null, i -> {
      gflops[i] = 2.0 * n * n * n / ms[i] / 1e6;
      out.printf(Locale.ROOT, "run %d: %.2f ms, %.1f GFLOP/s%n", i + 1, ms[i], gflops[i]);
    });
    out.printf(Locale.ROOT, "GFLOP/s: %.1f%n", median(gflops));
    return 0;
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
