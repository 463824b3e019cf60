package io.github.resnet4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The transposed weight-gradient product against the GEMM it stands in for, bit for bit: overwriting and
 * accumulating, row counts that leave a ragged last row panel, depths of one, several and a partial block
 * of {@link BlockedGemm#KC}, channel counts below, at and between panel widths, on every provider and
 * thread count.
 */
@Tag("kernels")
class WeightGradientTest {
  @Test
  void equalsTheGemmBitForBit() {
    SplittableRandom r = new SplittableRandom(21);
    int before = Parallel.threads();
    try {
      for (int threads = 1; threads <= 2; threads++) {
        Parallel.setThreads(threads);
        for (int[] shape : new int[][] {{16, 144, 2048}, {32, 288, 700}, {3, 27, 300}, {17, 20, 256},
            {8, 9, 513}, {24, 150, 1}, {64, 576, 300}}) {
          int cout = shape[0];
          int kg = shape[1];
          int ld = shape[2];
          float[] dy = GemmTest.random(r, cout * ld + 5);
          float[] cols = GemmTest.random(r, kg * ld + 3);
          float[] start = GemmTest.random(r, cout * kg + 7);
          for (boolean accumulate : new boolean[] {false, true}) {
            float[] want = start.clone();
            Gemm.sgemm(Kernels.plain(), false, true, cout, kg, ld, dy, 5, ld, cols, 3, ld, accumulate ? 1f : 0f,
                want, 7, kg);
            for (KernelProvider kp : GemmTest.providers()) {
              float[] got = start.clone();
              WeightGradient.run(kp, cout, kg, ld, dy, 5, cols, 3, accumulate, got, 7);
              assertArrayEquals(want, got, kp.name() + " " + Arrays.toString(shape) + " accumulate "
                  + accumulate + " threads " + threads);
            }
          }
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  /**
   * The stride-1 weight gradient read from the padded input equals the column matrix times dY^T through the
   * blocked GEMM bit for bit, and the direct backward in double, on PanelConvTest's stride-1 geometries with
   * up to 32 output channels per group (groups, dilation, asymmetric padding, spans of several depth blocks,
   * a stem-like 3-channel input), on every provider and thread count.
   */
  @Test
  void fromThePaddedCopyEqualsTheColumnMatrixGemm() {
    SplittableRandom r = new SplittableRandom(22);
    java.util.List<ConvGeometry> geometries = new java.util.ArrayList<>(PanelConvTest.geometries());
    geometries.add(Conv2dKernelTest.geo(2, 3, 12, 12, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1));
    // Two panels of B with AVX-512: 64 channels, and 48 (a ragged second panel).
    geometries.add(Conv2dKernelTest.geo(2, 16, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1));
    geometries.add(Conv2dKernelTest.geo(2, 8, 10, 10, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1));
    int before = Parallel.threads();
    try {
      for (ConvGeometry g : geometries) {
        int coutG = g.outChannels / g.groups;
        if (g.strideH != 1 || g.strideW != 1 || coutG < 2
            || coutG > WeightGradient.maxChannels(Kernels.PROVIDER, true)) {
          continue;
        }
        float[] x = Conv2dKernelTest.random(r, g.inputSize());
        float[] dy = Conv2dKernelTest.random(r, g.outputSize());
        double[] direct = Conv2dKernelTest.refBackward(g, x, new float[g.weightSize()], dy)[1];
        for (KernelProvider kp : GemmTest.providers()) {
          float[] want = viaColumnMatrix(kp, g, x, dy);
          for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            float[] got = new float[g.weightSize()];
            Arrays.fill(got, Float.NaN);
            WeightGradient.fromPaddedCopy(kp, g, x, dy, got);
            assertArrayEquals(want, got, kp.name() + " " + g + " threads " + threads);
            // Float sums of N * outH * outW terms of size <= 1, as in Conv2dKernelTest.
            Conv2dKernelTest.assertClose(direct, got, 1e-7 * g.n * g.outH * g.outW + 1e-5, kp.name() + " " + g);
          }
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  /**
   * Conv2dKernel.backward takes the padded-copy weight gradient where it applies (with the Vector API) and
   * gives the column-matrix GEMM's bits and the direct backward's values, with and without dx.
   */
  @Test
  void convolutionBackwardUsesItWithTheVectorApi() {
    SplittableRandom r = new SplittableRandom(24);
    ConvGeometry g = Conv2dKernelTest.geo(2, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
    org.junit.jupiter.api.Assertions.assertEquals(Kernels.PROVIDER.vectorized(),
        WeightGradient.readsPaddedCopy(Kernels.PROVIDER, g));
    float[] x = Conv2dKernelTest.random(r, g.inputSize());
    float[] w = Conv2dKernelTest.random(r, g.weightSize());
    float[] dy = Conv2dKernelTest.random(r, g.outputSize());
    double[][] direct = Conv2dKernelTest.refBackward(g, x, w, dy);
    float[] dx = new float[g.inputSize()];
    float[] dW = new float[g.weightSize()];
    Conv2dKernel.backward(g, x, w, dy, dx, dW, null);
    assertArrayEquals(viaColumnMatrix(Kernels.PROVIDER, g, x, dy), dW);
    Conv2dKernelTest.assertClose(direct[1], dW, 1e-7 * g.n * g.outH * g.outW + 1e-5, "dW");
    Conv2dKernelTest.assertClose(direct[0], dx, 1e-5, "dx");
    float[] dwOnly = new float[g.weightSize()];
    Conv2dKernel.backward(g, x, w, dy, null, dwOnly, null);
    assertArrayEquals(dW, dwOnly);
  }

  /** dW per group as the blocked GEMM of dY [coutG, N * outH * outW] and the whole batch's column matrix. */
  private static float[] viaColumnMatrix(KernelProvider kp, ConvGeometry g, float[] x, float[] dy) {
    int hwo = g.outH * g.outW;
    int ld = g.n * hwo;
    int coutG = g.outChannels / g.groups;
    int kg = g.inChannels / g.groups * g.kernelH * g.kernelW;
    float[] cols = PanelConvTest.columnMatrix(g, x);
    float[] d = new float[g.outChannels * ld];
    Layout.batchToChunk(dy, g.outChannels, hwo, 0, g.n, d);
    float[] dW = new float[g.weightSize()];
    for (int grp = 0; grp < g.groups; grp++) {
      BlockedGemm.run(kp, false, true, coutG, kg, ld, d, grp * coutG * ld, ld, cols, grp * kg * ld, ld, false, dW,
          grp * coutG * kg, kg);
    }
    return dW;
  }

  /** tileRowsA against packing the rows and calling the tile, for every row count, full and ragged widths. */
  @Test
  void rowTableTileEqualsPackThenTile() {
    SplittableRandom r = new SplittableRandom(23);
    for (KernelProvider kp : GemmTest.providers()) {
      int mr = kp.mr();
      int nr = kp.nr();
      int kc = 41;
      float[] a = GemmTest.random(r, 3000);
      float[] b = GemmTest.random(r, kc * nr);
      int[] starts = new int[mr + 2];
      for (int i = 0; i < starts.length; i++) {
        starts[i] = r.nextInt(3000 - kc - 9);
      }
      for (int rows = 1; rows <= mr; rows++) {
        for (int cols : new int[] {nr, nr - 3}) {
          float[] panel = new float[kc * mr];
          for (int i = 0; i < rows; i++) {
            for (int p = 0; p < kc; p++) {
              panel[p * mr + i] = a[9 + starts[2 + i] + p];
            }
          }
          for (boolean load : new boolean[] {false, true}) {
            float[] start = GemmTest.random(r, (mr + 1) * (nr + 3));
            float[] want = start.clone();
            kp.tile(kc, panel, 0, b, 0, want, 2, nr + 3, rows, cols, load);
            float[] got = start.clone();
            kp.tileRowsA(kc, a, 9, starts, 2, b, 0, got, 2, nr + 3, rows, cols, load);
            assertArrayEquals(want, got, kp.name() + " rows " + rows + " cols " + cols + " load " + load);
          }
        }
      }
    }
  }

  /**
   * tileRowsAHalf against tileRowsA on the same B panel widened with zeros, for every row count and every
   * width up to half a panel, on every provider (the plain loop of the default and the register tile).
   */
  @Test
  void halfWidthTileEqualsTheFullTileOnAZeroWidenedPanel() {
    SplittableRandom r = new SplittableRandom(24);
    for (KernelProvider kp : GemmTest.providers()) {
      int mr = kp.mr();
      int nr = kp.nr();
      int half = nr / 2;
      int kc = 37;
      float[] a = GemmTest.random(r, 3000);
      int[] starts = new int[mr + 2];
      for (int i = 0; i < starts.length; i++) {
        starts[i] = r.nextInt(3000 - kc - 9);
      }
      for (int cols = 1; cols <= half; cols++) {
        float[] narrow = new float[3 + kc * half];
        float[] wide = new float[kc * nr];
        for (int p = 0; p < kc; p++) {
          for (int j = 0; j < cols; j++) {
            float v = (float) r.nextGaussian();
            narrow[3 + p * half + j] = v;
            wide[p * nr + j] = v;
          }
        }
        for (int rows = 1; rows <= mr; rows++) {
          for (boolean load : new boolean[] {false, true}) {
            float[] start = GemmTest.random(r, (mr + 1) * (nr + 3));
            float[] want = start.clone();
            kp.tileRowsA(kc, a, 9, starts, 2, wide, 0, want, 2, nr + 3, rows, cols, load);
            float[] got = start.clone();
            kp.tileRowsAHalf(kc, a, 9, starts, 2, narrow, 3, got, 2, nr + 3, rows, cols, load);
            assertArrayEquals(want, got, kp.name() + " rows " + rows + " cols " + cols + " load " + load);
          }
        }
      }
    }
  }

  /**
   * A stride-2 convolution's weight gradient through Conv2dKernel.backward (the column matrix, then this
   * class's product where it applies: 48 channels is one and a half B panels with AVX-512) equals the
   * whole-batch GEMM bit for bit; a 1x1 kernel never comes here.
   */
  @Test
  void strideTwoBackwardEqualsTheGemmAndPointwiseKernelsStayWithIt() {
    SplittableRandom r = new SplittableRandom(25);
    ConvGeometry g = Conv2dKernelTest.geo(3, 8, 12, 12, 48, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1);
    long ld = (long) g.n * g.outH * g.outW;
    org.junit.jupiter.api.Assertions.assertEquals(Kernels.PROVIDER.vectorized()
        && 48 <= WeightGradient.maxChannels(Kernels.PROVIDER, false), WeightGradient.applies(Kernels.PROVIDER, g, ld,
        false));
    float[] x = Conv2dKernelTest.random(r, g.inputSize());
    float[] w = Conv2dKernelTest.random(r, g.weightSize());
    float[] dy = Conv2dKernelTest.random(r, g.outputSize());
    float[] dW = new float[g.weightSize()];
    Conv2dKernel.backward(g, x, w, dy, null, dW, null);
    assertArrayEquals(viaColumnMatrix(Kernels.PROVIDER, g, x, dy), dW);
    ConvGeometry pointwise = Conv2dKernelTest.geo(4, 16, 32, 32, 32, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1);
    org.junit.jupiter.api.Assertions.assertFalse(WeightGradient.applies(Kernels.PROVIDER, pointwise,
        (long) pointwise.n * pointwise.outH * pointwise.outW, false));
  }

  /**
   * From two blocks of images on, the weight gradient from the padded copy (or from each image's column copies,
   * where they fit) sums each block as the GEMM would (its own chain, bit for bit the column-matrix GEMM of that
   * block's images) and adds the blocks' sums in block order: checked against exactly that, computed block by
   * block through the blocked GEMM, and against the direct backward in double; the same bits on every provider
   * and thread count.
   */
  @Test
  void blocksOfImagesAreSummedInBlockOrder() {
    SplittableRandom r = new SplittableRandom(26);
    int before = Parallel.threads();
    try {
      int n = 2 * WeightGradient.IMAGE_BLOCK + 3;
      // Column copies ("same" padding, symmetric, asymmetric, grouped), then the wide grid (valid padding).
      for (ConvGeometry g : new ConvGeometry[] {
          Conv2dKernelTest.geo(n, 3, 6, 6, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
          Conv2dKernelTest.geo(n, 4, 5, 7, 16, 3, 3, 1, 1, 1, 1, 2, 0, 1, 1),
          Conv2dKernelTest.geo(3 * WeightGradient.IMAGE_BLOCK, 4, 5, 7, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2),
          Conv2dKernelTest.geo(n, 3, 6, 6, 40, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1)}) {
        org.junit.jupiter.api.Assertions.assertTrue(WeightGradient.imageBlocks(g.n) >= 2, g.toString());
        org.junit.jupiter.api.Assertions.assertEquals(g.padLeft > 0, PanelConv.fitsColumnCopies(g), g.toString());
        float[] x = Conv2dKernelTest.random(r, g.inputSize());
        float[] dy = Conv2dKernelTest.random(r, g.outputSize());
        float[] want = blockwise(g, x, dy);
        double[] direct = Conv2dKernelTest.refBackward(g, x, new float[g.weightSize()], dy)[1];
        Conv2dKernelTest.assertClose(direct, want, 1e-7 * g.n * g.outH * g.outW + 1e-5, "dW " + g);
        for (KernelProvider kp : GemmTest.providers()) {
          for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            float[] got = new float[g.weightSize()];
            Arrays.fill(got, Float.NaN);
            WeightGradient.fromPaddedCopy(kp, g, x, dy, got);
            assertArrayEquals(want, got, kp.name() + " " + g + " threads " + threads);
          }
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  /**
   * The weight gradient as every route sums it from two blocks of images on: each block's images as one chain
   * (the column-matrix GEMM of that block alone), the blocks' sums added in block order.
   */
  private static float[] blockwise(ConvGeometry g, float[] x, float[] dy) {
    int blocks = Math.max(1, WeightGradient.imageBlocks(g.n));
    int imageIn = g.inChannels * g.inH * g.inW;
    int imageOut = g.outChannels * g.outH * g.outW;
    float[] sum = null;
    for (int b = 0; b < blocks; b++) {
      int i0 = b * g.n / blocks;
      int i1 = (b + 1) * g.n / blocks;
      ConvGeometry gb = new ConvGeometry(i1 - i0, g.inChannels, g.inH, g.inW, g.outChannels, g.kernelH, g.kernelW,
          g.strideH, g.strideW, g.padTop, g.padBottom, g.padLeft, g.padRight, g.dilationH, g.dilationW, g.groups);
      float[] part = viaColumnMatrix(Kernels.plain(), gb, Arrays.copyOfRange(x, i0 * imageIn, i1 * imageIn),
          Arrays.copyOfRange(dy, i0 * imageOut, i1 * imageOut));
      if (sum == null) {
        sum = part;
      } else {
        for (int e = 0; e < sum.length; e++) {
          sum[e] += part[e];
        }
      }
    }
    return sum;
  }

  /**
   * Conv2dKernel.backward's weight gradient at a batch of several image blocks equals the blockwise sum bit for
   * bit on every route it takes in this JVM: the padded copy, the transposed product from the column matrix or
   * the GEMM, depending on the kernels and the channel limits of the vector width. The plain and both vector
   * test runs all compare against the same sum, so every provider gives the same bits.
   */
  @Test
  void everyRouteSumsBlocksOfImagesTheSameWay() {
    SplittableRandom r = new SplittableRandom(27);
    int n = 2 * WeightGradient.IMAGE_BLOCK + 3;
    for (ConvGeometry g : new ConvGeometry[] {
        Conv2dKernelTest.geo(n, 4, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(n, 3, 6, 6, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
        Conv2dKernelTest.geo(n, 4, 8, 8, 48, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1)}) {
      float[] x = Conv2dKernelTest.random(r, g.inputSize());
      float[] w = Conv2dKernelTest.random(r, g.weightSize());
      float[] dy = Conv2dKernelTest.random(r, g.outputSize());
      float[] dW = new float[g.weightSize()];
      Conv2dKernel.backward(g, x, w, dy, null, dW, null);
      assertArrayEquals(blockwise(g, x, dy), dW, g.toString());
    }
  }
}
