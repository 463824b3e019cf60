package io.github.resnet4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The panel convolution forward against im2col plus the blocked GEMM it replaced (bit for bit, per
 * provider) and against a direct convolution in double, on geometries that reach each of its paths: panels
 * inside one image and spanning images, runs of a whole panel and runs shorter than a row, edges where
 * the run's source lies before the array's start or past its end, strides, dilation, groups, and depths
 * beyond one block of {@link BlockedGemm#KC}; stride-1 rows a multiple of half a panel wide (the padded
 * copy) and not (the wide grid: panels over several rows, the last past the grid, spaced planes, few panels).
 */
@Tag("kernels")
class PanelConvTest {
  static List<ConvGeometry> geometries() {
    return List.of(
        // ResNet-20's stage 1 shape: 16-wide panels, left and right padding, first and last planes.
        Conv2dKernelTest.geo(2, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // 8x8: two rows per panel; 7x7 and n = 3: panels spanning images; 10x10, n = 1: a ragged last panel
        // (stride 1 and at most 64 output channels: the padded copy and the wide grid; more channels below).
        Conv2dKernelTest.geo(2, 8, 8, 8, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(3, 5, 7, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(1, 3, 10, 10, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // Downsampling: 3x3 and 1x1 at stride 2.
        Conv2dKernelTest.geo(2, 6, 16, 16, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(2, 6, 16, 16, 12, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1),
        // Dilated 5x5 with wide padding, grouped, asymmetric padding with rows as wide as the input's.
        Conv2dKernelTest.geo(1, 4, 20, 20, 6, 5, 5, 1, 1, 4, 4, 4, 4, 2, 1),
        Conv2dKernelTest.geo(2, 8, 16, 16, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2),
        Conv2dKernelTest.geo(2, 3, 18, 17, 5, 3, 3, 1, 1, 2, 0, 0, 2, 1, 1),
        // Rows a multiple of half a panel wide read a padded copy: dilated, asymmetric padding, 32 channels.
        Conv2dKernelTest.geo(1, 4, 16, 16, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 1),
        Conv2dKernelTest.geo(2, 3, 15, 16, 5, 3, 2, 1, 1, 2, 0, 1, 0, 1, 1),
        Conv2dKernelTest.geo(2, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // Depth 288 and 576: one and two blocks of KC; 8 output channels short of a row panel.
        Conv2dKernelTest.geo(2, 32, 16, 16, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(1, 64, 8, 8, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // Other stride-1 rows go through the wide grid: 14 wide has 1 KiB padded planes, spaced a line apart.
        Conv2dKernelTest.geo(2, 16, 14, 14, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // Rows half a panel wide: panels spanning images, and a last panel with one real half.
        Conv2dKernelTest.geo(3, 4, 3, 8, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // More than 64 output channels, rows not a multiple of half a panel: unfolded, panels spanning images.
        Conv2dKernelTest.geo(3, 4, 7, 7, 72, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // Enough images to pad and multiply image by image (PanelConv.byImage, up to 4 threads): the padded copy
        // (16 wide), 8 wide (the wide grid where a panel is 32 columns, else the padded copy), 7 wide (the wide
        // grid), and 3 rows of 16 (panels spanning images where a panel is 32 columns: the whole batch's copy).
        Conv2dKernelTest.geo(8, 8, 16, 16, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(8, 6, 8, 8, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(8, 5, 7, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(8, 4, 3, 16, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // Where a panel is 32 columns, the wide grid takes up to 256 channels image by image and 512 otherwise:
        // 72 channels image by image; 260 image by image and 520 in one image, both unfolded.
        Conv2dKernelTest.geo(8, 4, 7, 7, 72, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(8, 2, 5, 5, 260, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(1, 2, 5, 5, 520, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // Few output panels and whole row panels: the weights read in place (PanelConv.IN_PLACE_PANELS), on the
        // wide grid (each row panel over all panels) and the padded copy, with a depth of two blocks (576) and
        // two groups.
        Conv2dKernelTest.geo(1, 8, 7, 7, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(2, 64, 7, 7, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(1, 16, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2),
        // "Same" padding, image by image, whole panels per image: the column copies instead of the wide grid
        // (8x8 where a panel is 32 columns, 4x12 where it is 16): dilated, asymmetric, 5x5, grouped, two depth
        // blocks with the weights in place.
        Conv2dKernelTest.geo(8, 4, 8, 8, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 1),
        Conv2dKernelTest.geo(8, 3, 8, 8, 8, 3, 3, 1, 1, 1, 1, 0, 2, 1, 1),
        Conv2dKernelTest.geo(8, 3, 4, 8, 16, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1),
        Conv2dKernelTest.geo(8, 8, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2),
        Conv2dKernelTest.geo(8, 64, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(8, 4, 4, 12, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // The same on the wide grid, two groups of depth 288 (row panels over every panel: rowsFirst).
        Conv2dKernelTest.geo(1, 64, 7, 7, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2),
        // Unfolded (stride 2), fewer columns than output channels: each thread unfolds every panel and reads the
        // weights in place. Two panels, the last ragged; one panel spanning images; two groups; two depth
        // blocks; 1x1.
        Conv2dKernelTest.geo(1, 8, 14, 14, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(2, 8, 8, 8, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(1, 16, 10, 10, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1, 2),
        Conv2dKernelTest.geo(1, 64, 10, 10, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(1, 16, 10, 10, 32, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1),
        // Strides, rows a multiple of half a panel: read as phases of the padded copy where the taps reach every
        // phase (a 7x7 stem, stride 2; 3x3 strides 2x1 and 3; image by image below), else unfolded (1x1 and
        // 3x3 dilated by 2, stride 2). Other rows unfolded: 3x3 stride 2 on odd and even sizes, dilated,
        // asymmetric padding, grouped, two depth blocks, 1x1, stride 1x2.
        Conv2dKernelTest.geo(1, 3, 64, 64, 8, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1),
        Conv2dKernelTest.geo(2, 4, 16, 16, 8, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(1, 4, 48, 48, 8, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(1, 8, 64, 64, 8, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1),
        Conv2dKernelTest.geo(1, 4, 64, 64, 8, 3, 3, 2, 2, 2, 2, 2, 2, 2, 1),
        Conv2dKernelTest.geo(1, 6, 15, 15, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(2, 5, 14, 14, 9, 3, 3, 2, 2, 2, 2, 2, 2, 2, 1),
        Conv2dKernelTest.geo(1, 4, 13, 11, 8, 3, 3, 2, 2, 0, 2, 1, 0, 1, 1),
        Conv2dKernelTest.geo(2, 8, 12, 12, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 2),
        Conv2dKernelTest.geo(1, 64, 12, 12, 24, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(2, 8, 12, 12, 16, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1),
        Conv2dKernelTest.geo(1, 4, 12, 12, 8, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(8, 4, 16, 16, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(8, 4, 32, 32, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1));
  }

  @Test
  void equalsIm2colPlusGemmBitForBitAndTheDirectConvolution() {
    SplittableRandom r = new SplittableRandom(11);
    for (ConvGeometry g : geometries()) {
      float[] x = Conv2dKernelTest.random(r, g.inputSize());
      float[] w = Conv2dKernelTest.random(r, g.weightSize());
      double[] direct = Conv2dKernelTest.refForward(g, x, w, null);
      float[] first = null;
      for (KernelProvider kp : GemmTest.providers()) {
        float[] y = new float[g.outputSize()];
        Arrays.fill(y, Float.NaN);
        PanelConv.forward(kp, g, x, w, y);
        assertArrayEquals(viaIm2col(kp, g, x, w), y, kp.name() + " " + g);
        Conv2dKernelTest.assertClose(direct, y, 1e-5, kp.name() + " " + g);
        if (first == null) {
          first = y;
        } else {
          assertArrayEquals(first, y, "providers differ on " + g);
        }
      }
    }
  }

  /**
   * Image by image, each thread pads its image into a copy whose zero borders later images of the same layout
   * reuse: layers of the same channels and size but other padding or strides, one after another, must each see
   * their own.
   */
  @Test
  void imageCopiesOfLayersThatDifferOnlyInPaddingOrStridesKeepTheirOwnBorders() {
    SplittableRandom r = new SplittableRandom(16);
    List<ConvGeometry> sequence = List.of(
        Conv2dKernelTest.geo(8, 4, 16, 16, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(8, 4, 16, 16, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 1),
        Conv2dKernelTest.geo(8, 4, 16, 16, 8, 3, 3, 1, 1, 2, 0, 0, 2, 1, 1),
        Conv2dKernelTest.geo(8, 4, 16, 16, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // Other strides: the copy is laid out in phases.
        Conv2dKernelTest.geo(8, 4, 16, 16, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(8, 4, 16, 16, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(8, 4, 14, 14, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(8, 4, 14, 14, 8, 3, 3, 1, 1, 0, 2, 2, 0, 1, 1));
    for (KernelProvider kp : GemmTest.providers()) {
      assertEachCallReadsItsInput(kp, sequence, 1, r, "");
    }
  }

  /** Runs the layers one after another, each {@code calls} times on a new input, against im2col plus the GEMM. */
  private static void assertEachCallReadsItsInput(KernelProvider kp, List<ConvGeometry> layers, int calls,
      SplittableRandom r, String label) {
    for (ConvGeometry g : layers) {
      float[] w = Conv2dKernelTest.random(r, g.weightSize());
      for (int call = 0; call < calls; call++) {
        float[] x = Conv2dKernelTest.random(r, g.inputSize());
        float[] y = new float[g.outputSize()];
        PanelConv.forward(kp, g, x, w, y);
        assertArrayEquals(viaIm2col(kp, g, x, w), y, label + kp.name() + " " + g);
      }
    }
  }

  /**
   * At batch 1 each thread pads the input (or unfolds its few panels) into a copy of its own, once per call:
   * calls that alternate layers, and that repeat a layer on a new input, must each read their own input, with any
   * thread count.
   */
  @Test
  void perThreadCopiesBelongToTheirCall() {
    SplittableRandom r = new SplittableRandom(17);
    List<ConvGeometry> layers = List.of(
        // The wide grid with packed weights (53 panels), and with the weights in place (7 panels).
        Conv2dKernelTest.geo(1, 8, 40, 40, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(1, 16, 14, 14, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        // The padded copy, rows 32 wide, and in phases (a 7x7 stride-2 stem); unfolded panels, stride 2.
        Conv2dKernelTest.geo(1, 32, 32, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(1, 8, 128, 128, 16, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1),
        Conv2dKernelTest.geo(1, 8, 14, 14, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
        // Image by image (its own per-image copies in the same scratch), then the first layer again.
        Conv2dKernelTest.geo(8, 8, 16, 16, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(1, 8, 40, 40, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1));
    int before = Parallel.threads();
    try {
      for (int threads : new int[] {1, 2, 3}) {
        Parallel.setThreads(threads);
        for (KernelProvider kp : GemmTest.providers()) {
          assertEachCallReadsItsInput(kp, layers, 2, r, threads + " threads, ");
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  /**
   * The forward each provider takes (panels with the Vector API, im2col and the blocked GEMM plain) and the
   * input gradient built on it give the same bits on both, on every geometry here and in Conv2dKernelTest.
   */
  @Test
  void forwardAndInputGradientAreTheSameOnEveryProvider() {
    SplittableRandom r = new SplittableRandom(14);
    List<ConvGeometry> all = new java.util.ArrayList<>(geometries());
    for (Conv2dKernelTest.Config c : Conv2dKernelTest.configs()) {
      all.add(c.g());
    }
    for (ConvGeometry g : all) {
      float[] x = Conv2dKernelTest.random(r, g.inputSize());
      float[] w = Conv2dKernelTest.random(r, g.weightSize());
      float[] dy = Conv2dKernelTest.random(r, g.outputSize());
      float[] firstY = null;
      float[] firstDx = null;
      for (KernelProvider kp : GemmTest.providers()) {
        float[] y = new float[g.outputSize()];
        Conv2dKernel.unfolded(kp, g, x, w, y);
        float[] dx = null;
        if (TransposedConv.applies(g)) {
          dx = new float[g.inputSize()];
          TransposedConv.inputGradient(kp, g, w, dy, dx);
        }
        if (firstY == null) {
          firstY = y;
          firstDx = dx;
        } else {
          assertArrayEquals(firstY, y, kp.name() + " y " + g);
          if (dx != null) {
            assertArrayEquals(firstDx, dx, kp.name() + " dx " + g);
          }
        }
      }
    }
  }

  /**
   * The epilogue (bias, residual, ReLU: a folded BatchNorm's conv, a block's end) applied image by image, or
   * over y at the end on the routes that finish no image early, gives the bits of the separate ops after the
   * plain convolution, on every provider and route, including the pointwise GEMM of Conv2dKernel.forward.
   */
  @Test
  void theEpilogueEqualsTheSeparateOpsOnEveryRoute() {
    SplittableRandom r = new SplittableRandom(15);
    List<ConvGeometry> all = new java.util.ArrayList<>(geometries());
    for (Conv2dKernelTest.Config c : Conv2dKernelTest.configs()) {
      all.add(c.g());
    }
    // Pointwise with at least 256 pixels: each image's own GEMM.
    all.add(Conv2dKernelTest.geo(3, 8, 16, 16, 12, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1));
    boolean[][] variants = {{true, false, true}, {false, true, true}, {true, true, false}, {true, true, true}};
    for (ConvGeometry g : all) {
      float[] x = Conv2dKernelTest.random(r, g.inputSize());
      float[] w = Conv2dKernelTest.random(r, g.weightSize());
      float[] b = Conv2dKernelTest.random(r, g.outChannels);
      float[] res = Conv2dKernelTest.random(r, g.outputSize());
      for (boolean[] v : variants) {
        float[] bias = v[0] ? b : null;
        float[] residual = v[1] ? res : null;
        for (KernelProvider kp : GemmTest.providers()) {
          float[] plain = new float[g.outputSize()];
          Conv2dKernel.unfolded(kp, g, x, w, plain);
          float[] expected = separateOps(g, plain, bias, residual, v[2]);
          float[] y = new float[g.outputSize()];
          Arrays.fill(y, Float.NaN);
          Conv2dKernel.unfolded(kp, g, x, w, new ConvEpilogue(bias, residual, v[2]), y);
          assertArrayEquals(expected, y, kp.name() + " " + Arrays.toString(v) + " " + g);
        }
        float[] plain = new float[g.outputSize()];
        Conv2dKernel.forward(g, x, w, null, plain);
        float[] y = new float[g.outputSize()];
        Conv2dKernel.forward(g, x, w, bias, residual, v[2], y);
        assertArrayEquals(separateOps(g, plain, bias, residual, v[2]), y, "forward " + Arrays.toString(v) + " " + g);
      }
    }
  }

  /** {@code max((y + bias) + residual, 0)}, each step optional, one at a time over the whole array. */
  private static float[] separateOps(ConvGeometry g, float[] y, float[] bias, float[] residual, boolean relu) {
    float[] out = y.clone();
    int hw = g.outH * g.outW;
    for (int i = 0; bias != null && i < out.length; i++) {
      out[i] += bias[i / hw % g.outChannels];
    }
    for (int i = 0; residual != null && i < out.length; i++) {
      out[i] += residual[i];
    }
    for (int i = 0; relu && i < out.length; i++) {
      out[i] = Math.max(out[i], 0f);
    }
    return out;
  }

  /** The whole batch's column matrix, {@code [Cin * kH * kW, N * outH * outW]}. */
  static float[] columnMatrix(ConvGeometry g, float[] x) {
    float[] cols = new float[g.inChannels * g.kernelH * g.kernelW * g.n * g.outH * g.outW];
    Im2col.im2col(g, x, 0, g.n, cols);
    return cols;
  }

  /** The old forward: the whole batch's column matrix, one blocked GEMM per group, then NCHW. */
  private static float[] viaIm2col(KernelProvider kp, ConvGeometry g, float[] x, float[] w) {
    int hwo = g.outH * g.outW;
    int ld = g.n * hwo;
    int coutG = g.outChannels / g.groups;
    int kg = g.inChannels / g.groups * g.kernelH * g.kernelW;
    float[] cols = columnMatrix(g, x);
    float[] out = new float[g.outChannels * ld];
    for (int grp = 0; grp < g.groups; grp++) {
      BlockedGemm.run(kp, false, false, coutG, ld, kg, w, grp * coutG * kg, kg, cols, grp * kg * ld, ld, false,
          out, grp * coutG * ld, ld);
    }
    float[] y = new float[g.outputSize()];
    Layout.chunkToBatch(out, g.outChannels, hwo, 0, g.n, y);
    return y;
  }

  @Test
  void everyPanelIsTheColumnMatrixCutIntoPanels() {
    SplittableRandom r = new SplittableRandom(12);
    for (ConvGeometry g : geometries()) {
      float[] x = Conv2dKernelTest.random(r, g.inputSize());
      int ld = g.n * g.outH * g.outW;
      int kg = g.inChannels / g.groups * g.kernelH * g.kernelW;
      float[] cols = new float[g.groups * kg * ld];
      Im2col.im2col(g, x, 0, g.n, cols);
      for (KernelProvider kp : GemmTest.providers()) {
        int nr = kp.nr();
        float[] panel = new float[kg * nr];
        for (int grp = 0; grp < g.groups; grp++) {
          for (int q = 0; q * nr < ld; q++) {
            Arrays.fill(panel, Float.NaN);
            Im2colPanels.unfoldPanel(kp, g, x, q, nr, grp, panel, 0);
            for (int p = 0; p < kg; p++) {
              for (int t = 0; t < nr; t++) {
                int j = q * nr + t;
                if (j >= ld && !kp.readsBPadding()) {
                  continue;
                }
                float want = j < ld ? cols[(grp * kg + p) * ld + j] : 0f;
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(panel[p * nr + t]),
                    kp.name() + " " + g + " group " + grp + " panel " + q + " row " + p + " column " + t);
              }
            }
          }
        }
      }
    }
  }

  /**
   * tileOffsetB against gathering the panel and calling the tile, for every row count, with each row one run
   * and with its halves in two places.
   */
  @Test
  void offsetTileEqualsGatherThenTile() {
    SplittableRandom r = new SplittableRandom(13);
    for (KernelProvider kp : GemmTest.providers()) {
      int mr = kp.mr();
      int nr = kp.nr();
      int half = nr / 2;
      int kc = 37;
      float[] a = Conv2dKernelTest.random(r, kc * mr);
      float[] b = Conv2dKernelTest.random(r, 5000 + nr + 300);
      int[] offs = new int[kc + 3];
      for (int p = 0; p < offs.length; p++) {
        offs[p] = r.nextInt(5000 - 7);
      }
      for (int base2 : new int[] {7 + half, 300}) {
        float[] panel = new float[kc * nr];
        for (int p = 0; p < kc; p++) {
          System.arraycopy(b, 7 + offs[3 + p], panel, p * nr, half);
          System.arraycopy(b, base2 + offs[3 + p], panel, p * nr + half, nr - half);
        }
        for (int rows = 1; rows <= mr; rows++) {
          for (boolean load : new boolean[] {false, true}) {
            float[] start = Conv2dKernelTest.random(r, (mr + 1) * (nr + 3));
            float[] want = start.clone();
            kp.tile(kc, a, 0, panel, 0, want, 2, nr + 3, rows, nr, load);
            float[] got = start.clone();
            kp.tileOffsetB(kc, a, 0, b, 7, base2, offs, 3, got, 2, nr + 3, rows, load);
            assertArrayEquals(want, got, kp.name() + " rows " + rows + " load " + load + " base2 " + base2);
          }
        }
      }
    }
  }

  /** copyRun against its definition, for full-width runs and shorter ones, at the array's ends too. */
  @Test
  void copyRunCopiesInsideColumnsAndZeroesTheRest() {
    float[] src = new float[100];
    for (int i = 0; i < src.length; i++) {
      src[i] = i + 1;
    }
    for (KernelProvider kp : GemmTest.providers()) {
      int nr = kp.nr();
      for (int len : new int[] {1, 7, 8, 9, 16, nr}) {
        for (int lo = 0; lo <= Math.min(len, 3); lo++) {
          for (int hi = Math.max(lo, len - 3); hi <= len; hi++) {
            // The run's column 0 before the array, at its start, inside, and ending past its end.
            for (int s : new int[] {-lo, 0, 5, src.length - hi}) {
              if (s + lo < 0 || s + hi > src.length) {
                continue;
              }
              float[] dst = new float[len + 4];
              Arrays.fill(dst, Float.NaN);
              kp.copyRun(src, s, dst, 2, len, lo, hi);
              for (int u = 0; u < len; u++) {
                float want = u >= lo && u < hi ? src[s + u] : 0f;
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(dst[2 + u]),
                    kp.name() + " len " + len + " lo " + lo + " hi " + hi + " s " + s + " at " + u);
              }
              assertEquals(Float.NaN, dst[1]);
              assertEquals(Float.NaN, dst[2 + len]);
            }
          }
        }
      }
    }
  }

  /**
   * tileOffsetBRowsA (weights read in place) against packing the same rows and calling tileOffsetB, for every
   * row count, overwriting and accumulating, on every provider.
   */
  @Test
  void inPlaceWeightsTileEqualsThePackedOne() {
    SplittableRandom r = new SplittableRandom(15);
    for (KernelProvider kp : GemmTest.providers()) {
      int mr = kp.mr();
      int nr = kp.nr();
      int kc = 37;
      int lda = 50;
      float[] a = Conv2dKernelTest.random(r, 5 + mr * lda);
      float[] b = Conv2dKernelTest.random(r, 700);
      int[] offs = new int[kc + 3];
      for (int p = 0; p < offs.length; p++) {
        offs[p] = r.nextInt(600 - nr);
      }
      for (int rows = 1; rows <= mr; rows++) {
        float[] panel = new float[kc * mr];
        for (int i = 0; i < rows; i++) {
          for (int p = 0; p < kc; p++) {
            panel[p * mr + i] = a[5 + i * lda + p];
          }
        }
        for (boolean load : new boolean[] {false, true}) {
          float[] start = Conv2dKernelTest.random(r, (mr + 1) * (nr + 3));
          float[] want = start.clone();
          kp.tileOffsetB(kc, panel, 0, b, 7, 7 + nr / 2 + 3, offs, 3, want, 2, nr + 3, rows, load);
          float[] got = start.clone();
          kp.tileOffsetBRowsA(kc, a, 5, lda, b, 7, 7 + nr / 2 + 3, offs, 3, got, 2, nr + 3, rows, load);
          assertArrayEquals(want, got, kp.name() + " rows " + rows + " load " + load);
        }
      }
    }
  }
}
