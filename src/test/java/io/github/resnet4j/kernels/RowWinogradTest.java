package io.github.resnet4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * F(4, 3) down the columns ({@link RowWinograd}) against a direct convolution in double, within a bound scaled by
 * the sum of the products' magnitudes; the same bits on every provider and thread count; its epilogue; the
 * geometries it is chosen for; and the layers that reach it ({@link Conv2dKernel#forward}, the input gradient).
 * The geometries reach each of its paths: output rows a multiple of half a panel wide and not, odd output
 * heights, asymmetric and no padding, image by image and the whole batch at once (each thread's own transformed
 * copy, or one shared), few panels and many, and depths beyond one block of {@link BlockedGemm#KC}.
 */
@Tag("kernels")
class RowWinogradTest {
  static List<ConvGeometry> geometries() {
    return List.of(
        // Two images (the whole batch at once on two threads; image by image on one): 7 rows, 9 wide.
        Conv2dKernelTest.geo(2, 5, 7, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // Image by image, rows a multiple of half a panel (16).
        Conv2dKernelTest.geo(8, 8, 16, 16, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // Asymmetric padding: 13 rows of 10.
        Conv2dKernelTest.geo(1, 8, 13, 11, 9, 3, 3, 1, 1, 0, 2, 1, 0, 1, 1),
        // Depth 528: two blocks of KC; 10 output channels, a ragged row panel.
        Conv2dKernelTest.geo(1, 176, 10, 12, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // One image whose transformed planes (3.9 MiB, above 2) are shared, not copied per thread; more than 32
        // panels, so tasks take ranges of panels rather than row panels over every panel.
        Conv2dKernelTest.geo(1, 128, 72, 72, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // A transformed batch copied per thread, at 0.9 MiB, and at most 32 panels.
        Conv2dKernelTest.geo(1, 48, 56, 56, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // Three rows of 8, one tile whose last row is dropped: half a panel where a panel is 16 columns.
        Conv2dKernelTest.geo(3, 4, 3, 8, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // No padding: 2 rows of 16 from 4 of 18.
        Conv2dKernelTest.geo(2, 3, 4, 18, 4, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1));
  }

  @Test
  void everyProviderMatchesTheDirectConvolutionAndEachOther() {
    SplittableRandom r = new SplittableRandom(5);
    for (ConvGeometry g : geometries()) {
      float[] x = Conv2dKernelTest.random(r, g.inputSize());
      float[] w = Conv2dKernelTest.random(r, g.weightSize());
      double[] want = Conv2dKernelTest.refForward(g, x, w, null);
      double[] scale = Conv2dKernelTest.refForward(g, abs(x), abs(w), null);
      float[] first = null;
      for (KernelProvider kp : GemmTest.providers()) {
        float[] y = run(kp, g, x, w);
        for (int i = 0; i < y.length; i++) {
          double err = Math.abs(y[i] - want[i]);
          if (!(err <= 1e-6 * scale[i] + 1e-7)) {
            throw new AssertionError(kp.name() + " " + g + " [" + i + "] = " + y[i] + ", want " + want[i]
                + " (sum of magnitudes " + scale[i] + ")");
          }
        }
        if (first == null) {
          first = y;
        } else {
          assertBits(first, y, kp.name() + " against the first provider, " + g);
        }
      }
    }
  }

  @Test
  void threadCountsGiveTheSameBits() {
    SplittableRandom r = new SplittableRandom(6);
    int before = Parallel.threads();
    try {
      for (ConvGeometry g : geometries()) {
        float[] x = Conv2dKernelTest.random(r, g.inputSize());
        float[] w = Conv2dKernelTest.random(r, g.weightSize());
        for (KernelProvider kp : GemmTest.providers()) {
          Parallel.setThreads(1);
          float[] one = run(kp, g, x, w);
          for (int threads : new int[] {2, 3}) {
            Parallel.setThreads(threads);
            assertBits(one, run(kp, g, x, w), kp.name() + ", " + threads + " threads, " + g);
          }
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  /**
   * Calls one after another on new inputs of the same shape (each thread's transformed copy is made per call) and
   * of another shape give each input's own result.
   */
  @Test
  void eachCallReadsItsOwnInput() {
    SplittableRandom r = new SplittableRandom(7);
    ConvGeometry small = Conv2dKernelTest.geo(1, 8, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
    ConvGeometry other = Conv2dKernelTest.geo(1, 5, 7, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
    int before = Parallel.threads();
    try {
      Parallel.setThreads(2);
      for (KernelProvider kp : GemmTest.providers()) {
        float[] w = Conv2dKernelTest.random(r, small.weightSize());
        float[] wOther = Conv2dKernelTest.random(r, other.weightSize());
        for (int call = 0; call < 3; call++) {
          float[] x = Conv2dKernelTest.random(r, small.inputSize());
          float[] xOther = Conv2dKernelTest.random(r, other.inputSize());
          float[] y = run(kp, small, x, w);
          float[] yOther = run(kp, other, xOther, wOther);
          Parallel.setThreads(1);
          assertBits(run(kp, small, x, w), y, kp.name() + " call " + call);
          assertBits(run(kp, other, xOther, wOther), yOther, kp.name() + " call " + call + ", other shape");
          Parallel.setThreads(2);
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  /** Bias, residual and ReLU after the transform: the separate ops' bits, image by image and for the whole batch. */
  @Test
  void epilogueIsTheSeparateOps() {
    SplittableRandom r = new SplittableRandom(8);
    for (ConvGeometry g : List.of(geometries().get(0), geometries().get(1))) {
      float[] x = Conv2dKernelTest.random(r, g.inputSize());
      float[] w = Conv2dKernelTest.random(r, g.weightSize());
      float[] bias = Conv2dKernelTest.random(r, g.outChannels);
      float[] residual = Conv2dKernelTest.random(r, g.outputSize());
      for (KernelProvider kp : GemmTest.providers()) {
        float[] plain = run(kp, g, x, w);
        float[] want = plain.clone();
        int hw = g.outH * g.outW;
        for (int i = 0; i < want.length; i++) {
          want[i] = Math.max(want[i] + bias[i / hw % g.outChannels] + residual[i], 0f);
        }
        float[] y = new float[g.outputSize()];
        RowWinograd.forward(kp, g, x, w, false, new ConvEpilogue(bias, residual, true), y);
        assertBits(want, y, kp.name() + " " + g);
      }
    }
  }

  @Test
  void takenForLargeStrideOneThreeByThreeConvolutionsOnly() {
    // The seed's 64 and 128 channels at 32x32, ResNet-18's 64 at 56x56 and 128 at 28x28, seed-small's 32 at 28x28.
    assertTrue(RowWinograd.applies(Conv2dKernelTest.geo(1, 64, 32, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1)));
    assertTrue(RowWinograd.applies(Conv2dKernelTest.geo(1, 64, 32, 32, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1)));
    assertTrue(RowWinograd.applies(Conv2dKernelTest.geo(1, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1)));
    assertTrue(RowWinograd.applies(Conv2dKernelTest.geo(1, 128, 28, 28, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1)));
    assertTrue(RowWinograd.applies(Conv2dKernelTest.geo(1, 32, 28, 28, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1)));
    // ResNet-20's first two stages, but not its 8x8 one (rows too short).
    assertTrue(RowWinograd.applies(Conv2dKernelTest.geo(1, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1)));
    assertTrue(RowWinograd.applies(Conv2dKernelTest.geo(1, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1)));
    assertFalse(RowWinograd.applies(Conv2dKernelTest.geo(1, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1)));
    // Too few pixels times channels (2^18 is the least), too few channels; ResNet-18's 256 channels: too many.
    assertFalse(RowWinograd.applies(Conv2dKernelTest.geo(1, 16, 28, 28, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1)));
    assertFalse(RowWinograd.applies(Conv2dKernelTest.geo(1, 8, 64, 64, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1)));
    assertFalse(RowWinograd.applies(Conv2dKernelTest.geo(1, 15, 64, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1)));
    assertFalse(RowWinograd.applies(Conv2dKernelTest.geo(1, 256, 14, 14, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1)));
    // Not 3x3 stride 1 undilated ungrouped.
    assertFalse(RowWinograd.applies(Conv2dKernelTest.geo(1, 64, 32, 32, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1)));
    assertFalse(RowWinograd.applies(Conv2dKernelTest.geo(1, 64, 32, 32, 64, 3, 3, 1, 1, 2, 2, 2, 2, 2, 1)));
    assertFalse(RowWinograd.applies(Conv2dKernelTest.geo(1, 64, 32, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2)));
    assertFalse(RowWinograd.applies(Conv2dKernelTest.geo(1, 64, 32, 32, 64, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1)));
    assertFalse(RowWinograd.applies(Conv2dKernelTest.geo(1, 64, 32, 32, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1)));
  }

  /**
   * The layers reach it: the forward where it applies, and the input gradient of a stride-1 convolution (a forward
   * of dy with the flipped weights), both within the bound of the direct sums.
   */
  @Test
  void forwardAndInputGradientGoThroughIt() {
    SplittableRandom r = new SplittableRandom(9);
    ConvGeometry g = Conv2dKernelTest.geo(2, 32, 20, 20, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
    assertTrue(RowWinograd.applies(g));
    float[] x = Conv2dKernelTest.random(r, g.inputSize());
    float[] w = Conv2dKernelTest.random(r, g.weightSize());
    float[] bias = Conv2dKernelTest.random(r, g.outChannels);
    float[] y = new float[g.outputSize()];
    Conv2dKernel.forward(g, x, w, bias, y);
    float[] direct = run(Kernels.PROVIDER, g, x, w);
    int hw = g.outH * g.outW;
    for (int i = 0; i < direct.length; i++) {
      direct[i] += bias[i / hw % g.outChannels];
    }
    assertBits(direct, y, "Conv2dKernel.forward");

    float[] dy = Conv2dKernelTest.random(r, g.outputSize());
    float[] dx = new float[g.inputSize()];
    TransposedConv.inputGradient(Kernels.PROVIDER, g, w, dy, dx);
    double[] want = Conv2dKernelTest.refBackward(g, x, w, dy)[0];
    double[] scale = Conv2dKernelTest.refBackward(g, x, abs(w), abs(dy))[0];
    for (int i = 0; i < dx.length; i++) {
      assertTrue(Math.abs(dx[i] - want[i]) <= 1e-6 * scale[i] + 1e-7, "dx[" + i + "] = " + dx[i] + ", want " + want[i]);
    }
    ConvGeometry t = Conv2dKernelTest.geo(2, 48, 20, 20, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
    assertTrue(RowWinograd.applies(t), "the transposed geometry");
  }

  /** A batch's outputs are each image's alone, bit for bit: the route does not depend on the batch size. */
  @Test
  void anImagesResultDoesNotDependOnItsBatch() {
    SplittableRandom r = new SplittableRandom(10);
    ConvGeometry batch = Conv2dKernelTest.geo(8, 32, 20, 20, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
    ConvGeometry one = Conv2dKernelTest.geo(1, 32, 20, 20, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
    assertTrue(RowWinograd.applies(one));
    float[] x = Conv2dKernelTest.random(r, batch.inputSize());
    float[] w = Conv2dKernelTest.random(r, batch.weightSize());
    float[] y = new float[batch.outputSize()];
    Conv2dKernel.forward(batch, x, w, null, y);
    for (int img = 0; img < batch.n; img++) {
      float[] xi = java.util.Arrays.copyOfRange(x, img * one.inputSize(), (img + 1) * one.inputSize());
      float[] yi = new float[one.outputSize()];
      Conv2dKernel.forward(one, xi, w, null, yi);
      assertBits(yi, java.util.Arrays.copyOfRange(y, img * one.outputSize(), (img + 1) * one.outputSize()),
          "image " + img);
    }
  }

  /**
   * A layer's weights changed in place after their transform was kept (an optimizer step): the next call uses the
   * new values, bit for bit what a first call with them gives; and a kept transform gives a first call's bits.
   */
  @Test
  void weightsChangedInPlaceAreUsedAtOnce() {
    SplittableRandom r = new SplittableRandom(11);
    ConvGeometry g = Conv2dKernelTest.geo(1, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
    assertTrue(RowWinograd.applies(g));
    float[] x = Conv2dKernelTest.random(r, g.inputSize());
    float[] w = Conv2dKernelTest.random(r, g.weightSize());
    float[] y = new float[g.outputSize()];
    for (int call = 0; call < 3; call++) {
      Conv2dKernel.forward(g, x, w, null, y);
      assertBits(run(Kernels.PROVIDER, g, x, w.clone()), y, "call " + call);
    }
    for (int changed : new int[] {w.length - 1, 0, w.length / 2}) {
      float[] before = y.clone();
      w[changed] += 0.25f;
      Conv2dKernel.forward(g, x, w, null, y);
      assertBits(run(Kernels.PROVIDER, g, x, w.clone()), y, "after weight " + changed + " changed");
      assertFalse(java.util.Arrays.equals(before, y), "weight " + changed + " changes the output");
      Conv2dKernel.forward(g, x, w, null, y);
      Conv2dKernel.forward(g, x, w, null, y);
      assertBits(run(Kernels.PROVIDER, g, x, w.clone()), y, "kept again after weight " + changed + " changed");
    }
  }

  private static float[] run(KernelProvider kp, ConvGeometry g, float[] x, float[] w) {
    float[] y = new float[g.outputSize()];
    RowWinograd.forward(kp, g, x, w, false, ConvEpilogue.NONE, y);
    return y;
  }

  private static float[] abs(float[] a) {
    float[] b = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = Math.abs(a[i]);
    }
    return b;
  }

  private static void assertBits(float[] want, float[] got, String what) {
    assertEquals(want.length, got.length, what);
    for (int i = 0; i < want.length; i++) {
      if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
        assertArrayEquals(want, got, what + ", first difference at " + i);
      }
    }
  }
}
