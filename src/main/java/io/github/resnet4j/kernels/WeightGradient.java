package io.github.resnet4j.kernels;

/**
 * A convolution's weight gradient for few output channels: {@code dW [Cout, kg] (+)= dY [Cout, ld] *
 * cols^T}, computed as its transpose {@code cols [kg, ld] * dY^T} with the tile reading cols' rows in place
 * ({@link KernelProvider#tileRowsA}) and only the small dY packed.
 *
 * <p>Why: with 16 output channels the GEMM's three row panels share each packed panel of cols^T, so
 * transposing the megabyte-sized column matrix cost more than the multiply (the whole product ran at 10-17
 * GFLOP/s on one core; this way 28). The products and their order per element are the GEMM's (the same
 * depth blocks, each element's chain continued from its previous value), so the bits are the same.
 */
final class WeightGradient {
  private WeightGradient() {}

  /**
   * Whether a convolution's weight gradient goes through this class: few enough output channels, a kernel
   * larger than 1x1, the Vector API (the plain tile's 512-column panels would make its packed dY mostly
   * padding), and a product that {@link Gemm#sgemm} would give the blocked GEMM, whose bits it reproduces
   * (small products keep its small-product path). A 1x1 kernel's column matrix is a few rows that the GEMM
   * packs cheaply: this way ran at 0.56-0.75x there, with AVX2-sized and AVX-512 vectors alike.
   *
   * @param kp the kernels
   * @param g the geometry
   * @param ld the depth: pixels summed over in one product
   * @param paddedCopy whether {@link #fromPaddedCopy} (stride 1) would compute it, not {@link #run}
   * @return whether this class should compute it
   */
  static boolean applies(KernelProvider kp, ConvGeometry g, long ld, boolean paddedCopy) {
    int cout = g.outChannels / g.groups;
    int kg = g.inChannels / g.groups * g.kernelH * g.kernelW;
    return kp.vectorized() && cout > 1 && cout <= maxChannels(kp, paddedCopy) && g.kernelH * g.kernelW > 1
        && (long) cout * kg * ld > Gemm.SMALL_MACS;
  }

  /**
   * The most output channels per group for which this class beats the GEMM, measured on ResNet-20 and
   * ResNet-18 shapes (3x3, against im2col + GEMM, one JVM). AVX2 ({@code nr} 16): 16 and 32 channels win, 64
   * does not (0.77-1.21x). AVX-512 ({@code nr} 32): from the column matrix 1.18x at 64-128 channels but 0.67x
   * at 512; from the padded copy 1.7-3.4x at 64 channels, 1.8x at 128, 1.2x at 256, 0.58x at 512.
   *
   * @param kp the kernels
   * @param paddedCopy whether for {@link #fromPaddedCopy}
   * @return the channel limit
   */
  static int maxChannels(KernelProvider kp, boolean paddedCopy) {
    if (kp.nr() < 32) {
      return 32;
    }
    return paddedCopy ? 256 : 128;
  }

  /**
   * {@code dW[co][p] = (accumulate ? dW[co][p] : 0) + sum over j of dY[co][j] * cols[p][j]}, j in depth
   * blocks of {@link BlockedGemm#KC} as {@link Gemm#sgemm} orders them.
   *
   * @param kp the kernels
   * @param cout output channels (rows of dY and dW), at most {@link #maxChannels} of the column matrix
   * @param kg rows of cols (columns of dW)
   * @param ld the depth: columns of dY and cols
   * @param dy dY's array, {@code [cout, ld]} with row stride ld
   * @param dyOff its first element
   * @param cols the column matrix, {@code [kg, ld]} with row stride ld
   * @param colsOff its first element
   * @param accumulate whether to add to dW
   * @param dW dW's array, {@code [cout, kg]} with row stride kg
   * @param dwOff its first element
   */
  static void run(KernelProvider kp, int cout, int kg, int ld, float[] dy, int dyOff, float[] cols, int colsOff,
      boolean accumulate, float[] dW, int dwOff) {
    int mr = kp.mr();
    int nr = kp.nr();
    int bPanels = (cout + nr - 1) / nr;
    int ldt = bPanels * nr;
    // dY^T packed depth block by depth block: block pc, panel q at pc * ldt + q * nr * kc.
    float[] bp = Scratch.get(Scratch.GEMM_B, ld * ldt);
    for (int pc = 0; pc < ld; pc += BlockedGemm.KC) {
      int kc = Math.min(BlockedGemm.KC, ld - pc);
      for (int q = 0; q < bPanels; q++) {
        Packing.packB(true, dy, dyOff, ld, q * nr, Math.min(nr, cout - q * nr), pc, kc, nr, true, bp,
            pc * ldt + q * nr * kc);
      }
    }
    // dW^T [kg, ldt], holding dW's current values where the sum continues from them.
    float[] t = Scratch.get(Scratch.GRAD_T, kg * ldt);
    if (accumulate) {
      transpose(dW, dwOff, kg, cout, kg, t, 0, ldt);
    }
    int[] starts = Scratch.ints(Scratch.A_ROWS, kg);
    for (int p = 0; p < kg; p++) {
      starts[p] = colsOff + p * ld;
    }
    int aPanels = (kg + mr - 1) / mr;
    if (Parallel.splits(aPanels, 1)) {
      Parallel.forRange(aPanels, 1, (from, to) -> rows(kp, from, to, cout, kg, ld, bp, cols, starts, accumulate, t,
          ldt));
    } else {
      rows(kp, 0, aPanels, cout, kg, ld, bp, cols, starts, accumulate, t, ldt);
    }
    transpose(t, 0, ldt, kg, cout, dW, dwOff, kg);
  }

  /**
   * Whether {@link #fromPaddedCopy} handles this geometry: stride 1, a product that {@link #applies} to, and
   * the padded input and packed dY within an array.
   */
  static boolean readsPaddedCopy(KernelProvider kp, ConvGeometry g) {
    int coutG = g.outChannels / g.groups;
    long wide = (long) g.n * g.outH * PaddedCopies.pitch(g);
    long padded = (long) g.n * g.inChannels * PaddedCopies.planeSize(g) + g.kernelW * g.dilationW;
    return g.strideH == 1 && g.strideW == 1 && applies(kp, g, (long) g.n * g.outH * g.outW, true)
        && wide * ((coutG + kp.nr() - 1) / kp.nr() * kp.nr()) <= Integer.MAX_VALUE - 16
        && padded <= Integer.MAX_VALUE - 16;
  }

  /**
   * The weight gradient of a stride-1 convolution with no column matrix: {@code dW} overwritten with
   * {@code sum over images and pixels of dY * patch}. The sum runs over the "wide grid" of
   * {@link PanelConv#readsWideGrid} (rows as wide as the padded input): on it, row (ci, kh, kw) of an image's
   * patches is one run of the zero-padded input, which the tile reads in place ({@link
   * KernelProvider#tileRowsA}). dY is packed with zeros in the grid's extra columns, whose terms
   * then add nothing: {@code fma(x, 0, s) == s}. So below {@code 2 *} {@link #IMAGE_BLOCK} images each element
   * is the column-matrix GEMM's chain of products in the same order, the same bits, without writing and
   * reading back nine copies of the input (ResNet-20's first stage at batch 128: 3 x 32 MiB per convolution).
   * From there each block of images ({@link #imageBlocks}) is such a chain of its own, and the blocks' sums
   * are added in block order: other bits than the GEMM's, the same for every thread count and provider.
   * There, where an image's {@link PanelConv#fitsColumnCopies column copies} fit, the rows are read from those
   * instead (rows of W pixels, no extra columns), with the same chains: the extra columns only ever added
   * {@code fma(x, 0, s) == s}, and a running sum that starts at +0 is never -0.
   * One difference on the wide grid: an infinite or NaN
   * input value in the last {@code kW - 1} columns leaks into more of dW than it would there; the rest of
   * dW and dx are not finite then anyway.
   *
   * @param kp the kernels
   * @param g a geometry that {@link #readsPaddedCopy}
   * @param x the forward input {@code [N, Cin, H, W]}
   * @param dy {@code [N, Cout, outH, outW]}
   * @param dW {@code [Cout, Cin / groups, kH, kW]}, overwritten
   */
  static void fromPaddedCopy(KernelProvider kp, ConvGeometry g, float[] x, float[] dy, float[] dW) {
    int mr = kp.mr();
    int cinG = g.inChannels / g.groups;
    int coutG = g.outChannels / g.groups;
    // 16 channels where the tile is 32 columns wide: panels half as wide, not half zeros.
    boolean half = coutG <= kp.nr() / 2 && kp.halfWidthRowsA();
    int nr = half ? kp.nr() / 2 : kp.nr();
    int plane = PaddedCopies.planeSize(g);
    int kg = cinG * g.kernelH * g.kernelW;
    int wide = g.outH * PaddedCopies.pitch(g);
    int bPanels = (coutG + nr - 1) / nr;
    int ldt = bPanels * nr;
    int aPanels = (kg + mr - 1) / mr;
    int blocks = imageBlocks(g.n);
    // Where each block's images go to one thread in order, each image can be copied there into its column
    // copies, on which the depth is the output's pixels alone: the wide grid's extra columns were an eighth of
    // the work at 16x16 and a quarter at 8x8.
    boolean copies = blocks >= 2 && PanelConv.fitsColumnCopies(g);
    float[] xp = copies ? null : PaddedCopies.padded(g, x, (g.kernelW - 1) * g.dilationW);
    float[] t = Scratch.get(Scratch.GRAD_T, Math.max(1, blocks) * kg * ldt);
    int[] starts = Scratch.ints(Scratch.A_ROWS, kg);
    int depth = copies ? g.outH * g.outW : wide;
    Product product = new Product(kp, g, half, nr, ldt, kg, depth, copies ? 0 : g.inChannels * plane, x, xp, dy,
        starts, t);
    // Row p = (ci, kh, kw) of dW^T reads plane ci of the image's padded copy, or of column copy kw, shifted by the
    // kernel offset: where the forward's tile reads row p of its B.
    int[] offs = copies ? PanelConv.columnOffsets(g) : PanelConv.rowOffsets(g);
    for (int grp = 0; grp < g.groups; grp++) {
      product.group = grp;
      int first = copies ? PanelConv.columnLead(g) + grp * cinG * PanelConv.columnPlane(g) : grp * cinG * plane;
      for (int p = 0; p < kg; p++) {
        starts[p] = first + offs[p];
      }
      if (!copies) {
        product.bp = packWideDy(g, dy, grp, nr, ldt);
      }
      if (blocks >= 2) {
        // Blocks of images, each summed over all row panels into a partial dW^T of its own, the partials then
        // added in block order. Row-panel chunks each walked the whole batch instead, reading every image's
        // packed dY and padded planes from L3 once per chunk: on ResNet-20's shapes at batch 128 two threads
        // were no faster than one. The blocks depend on the batch size alone, not on the threads.
        Parallel.forRange(blocks, 1, (from, to) -> {
          for (int b = from; b < to; b++) {
            product.run(blockStart(b, blocks, g.n), blockStart(b + 1, blocks, g.n), 0, aPanels, b * kg * ldt);
          }
        });
        for (int b = 1; b < blocks; b++) {
          Elementwise.binary(BinaryOp.ADD, t, 0, t, b * kg * ldt, t, 0, kg * ldt);
        }
      } else {
        // Few chunks of row panels, each walking the images in order with all its panels per image, so that an
        // image's packed dY and padded planes are read from L3 once per chunk, not once per row panel (which
        // ran at 0.7-0.8x of im2col + run). Each element is then the column-matrix GEMM's chain, bit for bit.
        Parallel.forRange(aPanels, Math.max(1, aPanels / (2 * Parallel.threads())),
            (from, to) -> product.run(0, g.n, from, to, 0));
      }
      transpose(t, 0, ldt, kg, coutG, dW, grp * coutG * kg, kg);
    }
  }

  /** Images per block of a weight gradient's partial sums, where the batch has at least two blocks. */
  static final int IMAGE_BLOCK = 16;

  /**
   * The blocks of images whose partial weight gradients every route sums separately ({@link #fromPaddedCopy},
   * and the column-matrix and GEMM route of {@link Conv2dKernel#backward}), then adds in block order: {@code n /}
   * {@link #IMAGE_BLOCK} (images {@code [blockStart(b), blockStart(b + 1))}), or fewer than 2 for one
   * chain over the whole batch.
   *
   * @param n the batch size
   * @return the block count
   */
  static int imageBlocks(int n) {
    return n / IMAGE_BLOCK;
  }

  /**
   * The first image of block b of {@link #imageBlocks}: every route must cut the batch at the same images.
   *
   * @param b the block, {@code 0 <= b <= blocks} ({@code blocks} gives the batch's end)
   * @param blocks the block count
   * @param n the batch size
   * @return {@code b * n / blocks}
   */
  static int blockStart(int b, int blocks, int n) {
    return b * n / blocks;
  }

  /**
   * One group's product dW^T (+)= rows of the input's copies times packed dY, over ranges of images and rows:
   * the whole batch's padded copy on the wide grid, or each image's column copies, made by the thread that
   * multiplies it.
   */
  private static final class Product {
    final KernelProvider kp;
    final ConvGeometry g;
    final boolean half;
    final int nr;
    final int ldt;
    final int kg;
    /** Columns of the sum per image: the wide grid's, or the output's pixels on column copies. */
    final int depth;
    /** Floats from one image's padded planes to the next's; 0 on column copies (one image at a time). */
    final int imageStride;
    final float[] x;
    /** The batch's padded copy, or null for column copies. */
    final float[] xp;
    final float[] dy;
    final int[] starts;
    final float[] t;
    /** The batch's packed dY on the wide grid; on column copies each image's is packed where it is used. */
    float[] bp;
    int group;

    Product(KernelProvider kp, ConvGeometry g, boolean half, int nr, int ldt, int kg, int depth, int imageStride,
        float[] x, float[] xp, float[] dy, int[] starts, float[] t) {
      this.kp = kp;
      this.g = g;
      this.half = half;
      this.nr = nr;
      this.ldt = ldt;
      this.kg = kg;
      this.depth = depth;
      this.imageStride = imageStride;
      this.x = x;
      this.xp = xp;
      this.dy = dy;
      this.starts = starts;
      this.t = t;
    }

    /**
     * Images {@code [img0, img1)} in order, row panels {@code [qa0, qa1)}, into dW^T at {@code tOff}
     * (overwritten by the first image, accumulated by the rest).
     */
    void run(int img0, int img1, int qa0, int qa1, int tOff) {
      int mr = kp.mr();
      int coutG = g.outChannels / g.groups;
      int bPanels = ldt / nr;
      for (int img = img0; img < img1; img++) {
        float[] a = xp;
        float[] b = bp;
        int bImage = img * depth * ldt;
        if (xp == null) {
          // Column copies: this image's copies and packed dY, made here, read from L2 while still there.
          a = PanelConv.columnCopies(g, x, img);
          b = Scratch.get(Scratch.GEMM_B, depth * ldt);
          packImageDy(g, dy, group, img, nr, ldt, g.outW, b, 0);
          bImage = 0;
        }
        int image = img * imageStride;
        for (int qa = qa0; qa < qa1; qa++) {
          int r = qa * mr;
          int rows = Math.min(mr, kg - r);
          for (int pc = 0; pc < depth; pc += BlockedGemm.KC) {
            int kc = Math.min(BlockedGemm.KC, depth - pc);
            boolean load = img > img0 || pc > 0;
            for (int q = 0; q < bPanels; q++) {
              int bOff = bImage + pc * ldt + q * nr * kc;
              int cols = Math.min(nr, coutG - q * nr);
              int cOff = tOff + r * ldt + q * nr;
              if (half) {
                kp.tileRowsAHalf(kc, a, image + pc, starts, r, b, bOff, t, cOff, ldt, rows, cols, load);
              } else {
                kp.tileRowsA(kc, a, image + pc, starts, r, b, bOff, t, cOff, ldt, rows, cols, load);
              }
            }
          }
        }
      }
    }
  }

  /**
   * Group {@code grp}'s dY transposed and packed over the wide grid ({@code pitch = W + padLeft + padRight}
   * columns per row, zeros in the extra ones) for the whole batch: image img at {@code img * outH * pitch * ldt}
   * as {@link #packImageDy} lays it out.
   */
  private static float[] packWideDy(ConvGeometry g, float[] dy, int grp, int nr, int ldt) {
    int pitch = PaddedCopies.pitch(g);
    int wide = g.outH * pitch;
    float[] bp = Scratch.get(Scratch.GEMM_B, g.n * wide * ldt);
    Parallel.forRange(g.n, 1, (from, to) -> {
      for (int img = from; img < to; img++) {
        packImageDy(g, dy, grp, img, nr, ldt, pitch, bp, img * wide * ldt);
      }
    });
    return bp;
  }

  /**
   * Image img's dY of group {@code grp} transposed and packed on a grid of rows {@code pitch} wide (the wide
   * grid, or the output's own {@code outW}), into {@code dst} from {@code dOff}: depth block by depth block
   * ({@link BlockedGemm#KC} grid columns), panel q of {@code nr} channels at {@code pc * ldt + q * nr * kc}.
   * The image is first copied into a buffer of the calling thread's (row by row on the wide grid, with zeros in
   * its extra columns), which the transpose then reads: packing the whole batch straight from dY took 6.4 % of a
   * ResNet-20 training step, from such copies 5.5 %, and per image on the multiplying thread 4.0 % (JFR, one
   * launch each).
   */
  private static void packImageDy(ConvGeometry g, float[] dy, int grp, int img, int nr, int ldt, int pitch,
      float[] dst, int dOff) {
    int wide = g.outH * pitch;
    int hwo = g.outH * g.outW;
    int coutG = g.outChannels / g.groups;
    float[] row = Scratch.get(Scratch.CONV_OUT, coutG * wide);
    int src = (img * g.outChannels + grp * coutG) * hwo;
    if (pitch == g.outW) {
      System.arraycopy(dy, src, row, 0, coutG * hwo);
    } else {
      for (int co = 0; co < coutG; co++) {
        for (int oh = 0; oh < g.outH; oh++) {
          int d = co * wide + oh * pitch;
          System.arraycopy(dy, src + co * hwo + oh * g.outW, row, d, g.outW);
          java.util.Arrays.fill(row, d + g.outW, d + pitch, 0f);
        }
      }
    }
    for (int pc = 0; pc < wide; pc += BlockedGemm.KC) {
      int kc = Math.min(BlockedGemm.KC, wide - pc);
      for (int q = 0; q * nr < coutG; q++) {
        Packing.packB(true, row, 0, wide, q * nr, Math.min(nr, coutG - q * nr), pc, kc, nr, true, dst,
            dOff + pc * ldt + q * nr * kc);
      }
    }
  }

  /** {@code dst[j * ldDst + i] = src[i * ldSrc + j]} for a {@code [rows, cols]} block of src. */
  private static void transpose(float[] src, int srcOff, int ldSrc, int rows, int cols, float[] dst, int dstOff,
      int ldDst) {
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        dst[dstOff + j * ldDst + i] = src[srcOff + i * ldSrc + j];
      }
    }
  }

  /** Row panels {@code [from, to)} of dW^T. */
  private static void rows(KernelProvider kp, int from, int to, int cout, int kg, int ld, float[] bp, float[] cols,
      int[] starts, boolean accumulate, float[] t, int ldt) {
    int mr = kp.mr();
    int nr = kp.nr();
    int bPanels = ldt / nr;
    for (int qa = from; qa < to; qa++) {
      int r = qa * mr;
      int rows = Math.min(mr, kg - r);
      for (int pc = 0; pc < ld; pc += BlockedGemm.KC) {
        int kc = Math.min(BlockedGemm.KC, ld - pc);
        for (int q = 0; q < bPanels; q++) {
          kp.tileRowsA(kc, cols, pc, starts, r, bp, pc * ldt + q * nr * kc, t, r * ldt + q * nr,
              ldt, rows, Math.min(nr, cout - q * nr), accumulate || pc > 0);
        }
      }
    }
  }
}
