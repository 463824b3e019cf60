package io.github.resnet4j.kernels;

/**
 * 2-d convolution (cross-correlation, as in PyTorch) over NCHW float32 arrays, forward and backward,
 * as GEMMs.
 *
 * <p>Shapes: x {@code [N, Cin, H, W]}, weight {@code [Cout, Cin / groups, kH, kW]}, bias
 * {@code [Cout]}, y {@code [N, Cout, outH, outW]} (see {@link ConvGeometry}). The forward unfolds
 * patches panel by panel into the GEMM's packed layout ({@link PanelConv}; plain Java: im2col, see
 * {@link #unfolded}); a pointwise convolution multiplies each image directly; a large 3x3 stride-1 convolution
 * takes Winograd's F(4, 3) down the columns ({@link RowWinograd}), half the multiplies. A stride-1 input
 * gradient is a forward convolution ({@link TransposedConv}). The weight gradient (and any other input
 * gradient) unfolds images a few at a time (im2col) so each GEMM has at least ~2048 columns; the GEMM and the
 * unfolding are parallel, the batch loop is not, so the weight gradient is summed over the batch in a fixed order. No
 * result depends on the thread count or on the kernels (Vector API or plain Java).
 */
public final class Conv2dKernel {
  /** Columns per GEMM worth aiming for; fewer make the GEMM's packing overhead dominate. */
  private static final int TARGET_COLUMNS = 2048;
  /** Cap on the unfolded chunk, in floats (32 MiB). */
  private static final int MAX_COLS_FLOATS = 8 << 20;
  /** A pointwise conv skips im2col when each image alone makes a reasonably wide GEMM. */
  private static final int POINTWISE_MIN_PIXELS = 256;

  private Conv2dKernel() {}

  /**
   * {@code y[n, co] = bias[co] + sum over ci, kh, kw of weight[co, ci, kh, kw] * xpad[n, g*Cin/G + ci,
   * oh * strideH + kh * dilationH, ow * strideW + kw * dilationW]}.
   *
   * @param g the geometry
   * @param x input {@code [N, Cin, H, W]}
   * @param weight {@code [Cout, Cin / groups, kH, kW]}
   * @param biasOrNull {@code [Cout]}, or null for none
   * @param y output {@code [N, Cout, outH, outW]}, overwritten
   */
  public static void forward(ConvGeometry g, float[] x, float[] weight, float[] biasOrNull, float[] y) {
    forward(g, x, weight, biasOrNull, null, false, y);
  }

  /**
   * {@code y = act(conv(x, weight) + bias + residual)}: the convolution of
   * {@link #forward(ConvGeometry, float[], float[], float[], float[])}, then the residual added and the ReLU
   * applied image by image while each image's output is in cache. Bit for bit the separate ops, in that order.
   *
   * @param g the geometry
   * @param x input {@code [N, Cin, H, W]}
   * @param weight {@code [Cout, Cin / groups, kH, kW]}
   * @param biasOrNull {@code [Cout]}, or null for none
   * @param residualOrNull {@code [N, Cout, outH, outW]} added after the bias, or null for none; may not be y
   * @param relu whether to apply {@code max(., 0)} last
   * @param y output {@code [N, Cout, outH, outW]}, overwritten
   */
  public static void forward(ConvGeometry g, float[] x, float[] weight, float[] biasOrNull, float[] residualOrNull,
      boolean relu, float[] y) {
    check(g, x, weight, biasOrNull);
    checkLength("y", y, g.outputSize());
    if (residualOrNull != null) {
      checkLength("residual", residualOrNull, g.outputSize());
      if (residualOrNull == y) {
        throw new IllegalArgumentException("conv2d: the residual cannot be the output array");
      }
    }
    ConvEpilogue epilogue = new ConvEpilogue(biasOrNull, residualOrNull, relu);
    int hwo = g.outH * g.outW;
    int cinG = g.inChannels / g.groups;
    int coutG = g.outChannels / g.groups;
    int kg = cinG * g.kernelH * g.kernelW;
    if (RowWinograd.applies(g)) {
      RowWinograd.forward(Kernels.PROVIDER, g, x, weight, true, epilogue, y);
      return;
    }
    // Images are independent: each worker multiplies its own with a serial GEMM (nested parallel loops run
    // serially), which beats one fork-join per small GEMM. Reading x in place beat the panel path here
    // (0.85-1.05x for the panels on ResNet-50's 1x1 shapes).
    if (g.isPointwise() && hwo >= POINTWISE_MIN_PIXELS) {
      Parallel.forRange(g.n, 1, (from, to) -> {
        for (int img = from; img < to; img++) {
          for (int grp = 0; grp < g.groups; grp++) {
            Gemm.sgemm(false, false, coutG, hwo, cinG, weight, grp * coutG * kg, kg,
                x, (img * g.inChannels + grp * cinG) * hwo, hwo,
                0f, y, (img * g.outChannels + grp * coutG) * hwo, hwo);
          }
          epilogue.applyImages(y, g.outChannels, hwo, img, img + 1);
        }
      });
    } else {
      unfolded(Kernels.PROVIDER, g, x, weight, epilogue, y);
    }
  }

  /**
   * The forward without bias through unfolded patches. With the Vector API, panel by panel
   * ({@link PanelConv}); the plain tile, whose panels are 512 columns wide, keeps im2col's whole-plane
   * copies and the blocked GEMM (ResNet-18 at batch 1: 4.8 img/s this way, 3.2-4.0 on panels). Both give the
   * same bits: each output element's multiply-adds in the same order.
   */
  static void unfolded(KernelProvider kp, ConvGeometry g, float[] x, float[] weight, float[] y) {
    unfolded(kp, g, x, weight, ConvEpilogue.NONE, y);
  }

  /** {@link #unfolded}, then the epilogue, applied to each chunk of images as it is done. */
  static void unfolded(KernelProvider kp, ConvGeometry g, float[] x, float[] weight, ConvEpilogue epilogue,
      float[] y) {
    if (kp.vectorized()) {
      PanelConv.forward(kp, g, x, weight, epilogue, y);
      return;
    }
    int nb = chunk(g);
    int chunks = (g.n + nb - 1) / nb;
    Parallel.forRange(chunks, 1, (from, to) -> {
      for (int chunk = from; chunk < to; chunk++) {
        int n0 = chunk * nb;
        int nbc = Math.min(nb, g.n - n0);
        forwardChunk(kp, g, x, weight, y, n0, nbc);
        epilogue.applyImages(y, g.outChannels, g.outH * g.outW, n0, n0 + nbc);
      }
    });
  }

  private static void forwardChunk(KernelProvider kp, ConvGeometry g, float[] x, float[] weight, float[] y,
      int n0, int nbc) {
    int hwo = g.outH * g.outW;
    int coutG = g.outChannels / g.groups;
    int kg = g.inChannels / g.groups * g.kernelH * g.kernelW;
    int ld = nbc * hwo;
    float[] cols = Scratch.get(Scratch.CONV_COLS, g.inChannels * g.kernelH * g.kernelW * ld);
    float[] out = nbc > 1 ? Scratch.get(Scratch.CONV_OUT, g.outChannels * ld) : null;
    Im2col.im2col(g, x, n0, nbc, cols);
    // One image's GEMM output already is y's [Cout, outH * outW] layout; several need a reshuffle.
    float[] c = nbc == 1 ? y : out;
    int cBase = nbc == 1 ? n0 * g.outChannels * hwo : 0;
    for (int grp = 0; grp < g.groups; grp++) {
      // The blocked GEMM at every size (not Gemm.sgemm's small-product path): PanelConv's order.
      BlockedGemm.run(kp, false, false, coutG, ld, kg, weight, grp * coutG * kg, kg,
          cols, grp * kg * ld, ld, false, c, cBase + grp * coutG * ld, ld);
    }
    if (nbc > 1) {
      Layout.chunkToBatch(out, g.outChannels, hwo, n0, nbc, y);
    }
  }

  /**
   * Gradients of {@link #forward} given {@code dy = dLoss/dy}; each requested gradient is overwritten.
   *
   * @param g the geometry
   * @param x the forward input {@code [N, Cin, H, W]}
   * @param weight {@code [Cout, Cin / groups, kH, kW]}
   * @param dy {@code [N, Cout, outH, outW]}
   * @param dxOrNull receives dLoss/dx {@code [N, Cin, H, W]}, or null to skip
   * @param dWeightOrNull receives dLoss/dweight {@code [Cout, Cin / groups, kH, kW]}, or null to skip
   * @param dBiasOrNull receives dLoss/dbias {@code [Cout]}, or null to skip
   */
  public static void backward(ConvGeometry g, float[] x, float[] weight, float[] dy, float[] dxOrNull,
      float[] dWeightOrNull, float[] dBiasOrNull) {
    check(g, x, weight, null);
    checkLength("dy", dy, g.outputSize());
    if (dxOrNull != null) {
      checkLength("dx", dxOrNull, g.inputSize());
    }
    if (dWeightOrNull != null) {
      checkLength("dWeight", dWeightOrNull, g.weightSize());
    }
    if (dBiasOrNull != null) {
      checkLength("dBias", dBiasOrNull, g.outChannels);
      Layout.sumPerChannel(dy, g.n, g.outChannels, g.outH * g.outW, dBiasOrNull);
    }
    if (dxOrNull == null && dWeightOrNull == null) {
      return;
    }
    if (g.isPointwise() && g.outH * g.outW >= POINTWISE_MIN_PIXELS) {
      pointwiseBackward(g, x, weight, dy, dxOrNull, dWeightOrNull);
    } else if (dxOrNull != null && TransposedConv.applies(g)) {
      TransposedConv.inputGradient(Kernels.PROVIDER, g, weight, dy, dxOrNull);
      if (dWeightOrNull != null) {
        unfoldedBackward(g, x, weight, dy, null, dWeightOrNull);
      }
    } else {
      unfoldedBackward(g, x, weight, dy, dxOrNull, dWeightOrNull);
    }
  }

  private static void unfoldedBackward(ConvGeometry g, float[] x, float[] weight, float[] dy,
      float[] dx, float[] dWeight) {
    int hwo = g.outH * g.outW;
    int cinG = g.inChannels / g.groups;
    int coutG = g.outChannels / g.groups;
    int kg = cinG * g.kernelH * g.kernelW;
    int nb = chunk(g);
    int chunks = (g.n + nb - 1) / nb;
    if (dWeight != null && WeightGradient.readsPaddedCopy(Kernels.PROVIDER, g)) {
      WeightGradient.fromPaddedCopy(Kernels.PROVIDER, g, x, dy, dWeight);
    } else if (dWeight != null) {
      // dW_g = sum over chunks, in chunk order, of dY_g [coutG, ld] * cols_g^T, one chain per block of images
      // (WeightGradient.imageBlocks), the blocks' sums added in block order, as WeightGradient.fromPaddedCopy
      // sums: the order is fixed by the batch alone, so the sum depends neither on threads nor on the route
      // (nor so on the kernels); each GEMM is parallel inside.
      float[] cols = Scratch.get(Scratch.CONV_COLS, g.inChannels * g.kernelH * g.kernelW * nb * hwo);
      float[] dyChunk = nb > 1 ? Scratch.get(Scratch.CONV_OUT, g.outChannels * nb * hwo) : null;
      int blocks = Math.max(1, WeightGradient.imageBlocks(g.n));
      float[] partial = blocks > 1 ? Scratch.get(Scratch.DW_BLOCK, g.weightSize()) : null;
      for (int b = 0; b < blocks; b++) {
        int first = WeightGradient.blockStart(b, blocks, g.n);
        int end = WeightGradient.blockStart(b + 1, blocks, g.n);
        float[] target = b == 0 ? dWeight : partial;
        for (int n0 = first; n0 < end; n0 += nb) {
          int nbc = Math.min(nb, end - n0);
          int ld = nbc * hwo;
          float[] d = nbc == 1 ? dy : dyChunk;
          int dBase = nbc == 1 ? n0 * g.outChannels * hwo : 0;
          if (nbc > 1) {
            Layout.batchToChunk(dy, g.outChannels, hwo, n0, nbc, dyChunk);
          }
          Im2col.im2col(g, x, n0, nbc, cols);
          for (int grp = 0; grp < g.groups; grp++) {
            if (WeightGradient.applies(Kernels.PROVIDER, g, ld, false)) {
              WeightGradient.run(Kernels.PROVIDER, coutG, kg, ld, d, dBase + grp * coutG * ld, cols,
                  grp * kg * ld, n0 != first, target, grp * coutG * kg);
            } else {
              Gemm.sgemm(false, true, coutG, kg, ld, d, dBase + grp * coutG * ld, ld,
                  cols, grp * kg * ld, ld, n0 == first ? 0f : 1f, target, grp * coutG * kg, kg);
            }
          }
        }
        if (b > 0) {
          Elementwise.binary(BinaryOp.ADD, dWeight, 0, partial, 0, dWeight, 0, g.weightSize());
        }
      }
    }
    if (dx != null) {
      // dcols_g = W_g^T [kg, coutG] * dY_g, folded back onto the input: chunks are independent.
      Parallel.forRange(chunks, 1, (from, to) -> {
        for (int chunk = from; chunk < to; chunk++) {
          int n0 = chunk * nb;
          int nbc = Math.min(nb, g.n - n0);
          int ld = nbc * hwo;
          float[] cols = Scratch.get(Scratch.CONV_COLS, g.inChannels * g.kernelH * g.kernelW * ld);
          float[] d = dy;
          int dBase = n0 * g.outChannels * hwo;
          if (nbc > 1) {
            d = Scratch.get(Scratch.CONV_OUT, g.outChannels * ld);
            dBase = 0;
            Layout.batchToChunk(dy, g.outChannels, hwo, n0, nbc, d);
          }
          for (int grp = 0; grp < g.groups; grp++) {
            Gemm.sgemm(true, false, kg, ld, coutG, weight, grp * coutG * kg, kg,
                d, dBase + grp * coutG * ld, ld, 0f, cols, grp * kg * ld, ld);
          }
          Im2col.col2im(g, cols, n0, nbc, dx);
        }
      });
    }
  }

  private static void pointwiseBackward(ConvGeometry g, float[] x, float[] weight, float[] dy,
      float[] dx, float[] dWeight) {
    int hw = g.outH * g.outW;
    int cinG = g.inChannels / g.groups;
    int coutG = g.outChannels / g.groups;
    if (dWeight != null) {
      for (int img = 0; img < g.n; img++) {
        for (int grp = 0; grp < g.groups; grp++) {
          Gemm.sgemm(false, true, coutG, cinG, hw, dy, (img * g.outChannels + grp * coutG) * hw, hw,
              x, (img * g.inChannels + grp * cinG) * hw, hw, img == 0 ? 0f : 1f, dWeight, grp * coutG * cinG, cinG);
        }
      }
    }
    if (dx != null) {
      Parallel.forRange(g.n, 1, (from, to) -> {
        for (int img = from; img < to; img++) {
          for (int grp = 0; grp < g.groups; grp++) {
            Gemm.sgemm(true, false, cinG, hw, coutG, weight, grp * coutG * cinG, cinG,
                dy, (img * g.outChannels + grp * coutG) * hw, hw, 0f, dx, (img * g.inChannels + grp * cinG) * hw, hw);
          }
        }
      });
    }
  }

  static int chunk(ConvGeometry g) {
    int hwo = g.outH * g.outW;
    long rows = (long) g.inChannels * g.kernelH * g.kernelW;
    int nb = Math.max(1, (TARGET_COLUMNS + hwo - 1) / hwo);
    long byMemory = Math.max(1, MAX_COLS_FLOATS / Math.max(1, rows * hwo));
    return (int) Math.min(g.n, Math.min(nb, byMemory));
  }

  private static void check(ConvGeometry g, float[] x, float[] weight, float[] bias) {
    checkLength("x", x, g.inputSize());
    checkLength("weight", weight, g.weightSize());
    if (bias != null) {
      checkLength("bias", bias, g.outChannels);
    }
  }

  private static void checkLength(String name, float[] a, int needed) {
    if (a.length < needed) {
      throw new IllegalArgumentException(name + " has " + a.length + " elements, needs " + needed);
    }
  }
}
