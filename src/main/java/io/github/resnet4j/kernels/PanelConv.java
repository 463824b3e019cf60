package io.github.resnet4j.kernels;

/**
 * The convolution forward as a GEMM whose B operand is never stored whole: for each panel of {@code nr}
 * output pixels, the patches are unfolded ({@link Im2colPanels}) into a per-thread buffer that stays in
 * L1, every row panel of the packed weights passes over it, and the tile writes straight into
 * {@code y [N, Cout, outH, outW]}.
 *
 * <p>Why not im2col then GEMM: the column matrix of a chunk of images is megabytes, written once and read
 * back from L3 with a stride of kilobytes per step, which the prefetcher cannot follow; and a chunk's
 * output needs reshuffling into NCHW. Each C element still sees the same operations in the same order
 * (depth blocks of {@link BlockedGemm#KC}, in order), so results equal the GEMM's and do not depend on the
 * thread count.
 */
final class PanelConv {
  /** Multiply-adds per task below which handing panels to another thread costs more than it saves. */
  private static final long TASK_MACS = 1L << 20;

  private PanelConv() {}

  /**
   * {@code y = conv(x, weight)} without bias; see {@link Conv2dKernel#forward}.
   *
   * @param kp the kernels
   * @param g the geometry
   * @param x input {@code [N, Cin, H, W]}
   * @param weight {@code [Cout, Cin / groups, kH, kW]}
   * @param y output {@code [N, Cout, outH, outW]}, overwritten
   */
  static void forward(KernelProvider kp, ConvGeometry g, float[] x, float[] weight, float[] y) {
    int mr = kp.mr();
    int nr = kp.nr();
    int coutG = g.outChannels / g.groups;
    int kg = g.inChannels / g.groups * g.kernelH * g.kernelW;
    int mPanels = (coutG + mr - 1) / mr;
    int groupA = mPanels * mr * kg;
    float[] ap = Scratch.get(Scratch.GEMM_A, g.groups * groupA);
    for (int grp = 0; grp < g.groups; grp++) {
      BlockedGemm.packA(false, weight, grp * coutG * kg, kg, coutG, kg, mr, 0, mPanels, ap, grp * groupA, 0,
          mPanels);
    }
    int panels = (g.n * g.outH * g.outW + nr - 1) / nr;
    long panelMacs = (long) g.outChannels * kg * nr;
    int grain = (int) Math.max(1, TASK_MACS / panelMacs);
    if (readsPaddedCopy(g, nr)) {
      float[] xp = padded(g, x);
      int[] offs = rowOffsets(g);
      if (Parallel.splits(panels, grain)) {
        Parallel.forRange(panels, grain, (from, to) -> paddedPanels(kp, g, xp, offs, ap, y, from, to));
      } else {
        paddedPanels(kp, g, xp, offs, ap, y, 0, panels);
      }
    } else {
      // Few panels (a small image at batch 1: ResNet-18's last stage has 49 pixels, one 512-wide panel of the
      // plain tile) would leave threads idle: split each panel's rows of A too; each part unfolds its panel.
      int rowBlocks = panels >= MIN_TASKS ? 1 : Math.min(mPanels, (MIN_TASKS + panels - 1) / panels);
      int tasks = panels * rowBlocks;
      if (Parallel.splits(tasks, rowBlocks > 1 ? 1 : grain)) {
        Parallel.forRange(tasks, rowBlocks > 1 ? 1 : grain, (from, to) -> {
          for (int t = from; t < to; t++) {
            int rb = t % rowBlocks;
            panels(kp, g, x, ap, y, t / rowBlocks, t / rowBlocks + 1, mPanels * rb / rowBlocks,
                mPanels * (rb + 1) / rowBlocks);
          }
        });
      } else {
        panels(kp, g, x, ap, y, 0, panels, 0, mPanels);
      }
    }
  }

  /** Tasks worth having at least: enough for two threads with some left for the one that finishes first. */
  private static final int MIN_TASKS = 8;

  /**
   * Stride 1 with output rows a whole number of panels wide: then every row of a panel is a contiguous run
   * of the zero-padded input, and the tile reads it there ({@link KernelProvider#tileOffsetB}) instead of from
   * an unfolded copy. Copying the input once into its padding costs a tenth of unfolding it nine times.
   */
  static boolean readsPaddedCopy(ConvGeometry g, int nr) {
    long padded = (long) g.n * g.inChannels * (g.inH + g.padTop + g.padBottom) * (g.inW + g.padLeft + g.padRight);
    return g.strideH == 1 && g.strideW == 1 && g.outW % nr == 0 && padded <= Integer.MAX_VALUE - 16;
  }

  /** x with its zero padding written out: {@code [N, Cin, H + padTop + padBottom, W + padLeft + padRight]}. */
  private static float[] padded(ConvGeometry g, float[] x) {
    int hp = g.inH + g.padTop + g.padBottom;
    int wp = g.inW + g.padLeft + g.padRight;
    int planes = g.n * g.inChannels;
    float[] xp = Scratch.get(Scratch.PADDED, planes * hp * wp);
    int grain = Math.max(1, (1 << 15) / (hp * wp));
    if (Parallel.splits(planes, grain)) {
      Parallel.forRange(planes, grain, (from, to) -> padPlanes(g, x, xp, from, to));
    } else {
      padPlanes(g, x, xp, 0, planes);
    }
    return xp;
  }

  private static void padPlanes(ConvGeometry g, float[] x, float[] xp, int from, int to) {
    int hp = g.inH + g.padTop + g.padBottom;
    int wp = g.inW + g.padLeft + g.padRight;
    for (int u = from; u < to; u++) {
      int d = u * hp * wp;
      java.util.Arrays.fill(xp, d, d + g.padTop * wp + g.padLeft, 0f);
      for (int ih = 0; ih < g.inH; ih++) {
        int row = d + (g.padTop + ih) * wp + g.padLeft;
        System.arraycopy(x, (u * g.inH + ih) * g.inW, xp, row, g.inW);
        // The right padding of this row and the left padding of the next are adjacent.
        int next = ih + 1 < g.inH ? row + wp : d + (g.padTop + g.inH) * wp;
        java.util.Arrays.fill(xp, row + g.inW, next, 0f);
      }
      java.util.Arrays.fill(xp, d + (g.padTop + g.inH) * wp, d + hp * wp, 0f);
    }
  }

  /** Where row p = (ci, kh, kw) of a panel starts in the padded input, relative to its top-left pixel's. */
  private static int[] rowOffsets(ConvGeometry g) {
    int hp = g.inH + g.padTop + g.padBottom;
    int wp = g.inW + g.padLeft + g.padRight;
    int cinG = g.inChannels / g.groups;
    int kk = g.kernelH * g.kernelW;
    int[] offs = OFFSETS.get();
    if (offs.length < cinG * kk) {
      offs = new int[cinG * kk];
      OFFSETS.set(offs);
    }
    for (int ci = 0; ci < cinG; ci++) {
      for (int kh = 0; kh < g.kernelH; kh++) {
        for (int kw = 0; kw < g.kernelW; kw++) {
          offs[(ci * g.kernelH + kh) * g.kernelW + kw] = (ci * hp + kh * g.dilationH) * wp + kw * g.dilationW;
        }
      }
    }
    return offs;
  }

  /** Per calling thread, reused: the workers only read the caller's table while it waits for them. */
  private static final ThreadLocal<int[]> OFFSETS = ThreadLocal.withInitial(() -> new int[0]);

  /** {@link #panels} reading the padded input in place. Every panel lies in one output row. */
  private static void paddedPanels(KernelProvider kp, ConvGeometry g, float[] xp, int[] offs, float[] ap,
      float[] y, int from, int to) {
    int mr = kp.mr();
    int nr = kp.nr();
    int hwo = g.outH * g.outW;
    int hp = g.inH + g.padTop + g.padBottom;
    int wp = g.inW + g.padLeft + g.padRight;
    int cinG = g.inChannels / g.groups;
    int coutG = g.outChannels / g.groups;
    int kg = cinG * g.kernelH * g.kernelW;
    int mPanels = (coutG + mr - 1) / mr;
    for (int q = from; q < to; q++) {
      int j0 = q * nr;
      int img = j0 / hwo;
      int pix = j0 - img * hwo;
      int oh = pix / g.outW;
      int ow = pix - oh * g.outW;
      for (int grp = 0; grp < g.groups; grp++) {
        int base = ((img * g.inChannels + grp * cinG) * hp + oh) * wp + ow;
        int aGroup = grp * mPanels * mr * kg;
        for (int qa = 0; qa < mPanels; qa++) {
          int r = qa * mr;
          int cOff = ((img * g.outChannels + grp * coutG + r) * hwo) + pix;
          for (int pc = 0; pc < kg; pc += BlockedGemm.KC) {
            int kc = Math.min(BlockedGemm.KC, kg - pc);
            kp.tileOffsetB(kc, ap, aGroup + pc * mPanels * mr + qa * mr * kc, xp, base, offs, pc, y, cOff, hwo,
                Math.min(mr, coutG - r), pc > 0);
          }
        }
      }
    }
  }

  /** Output pixel panels {@code [from, to)}, every group, row panels {@code [qa0, qa1)} of each group's A. */
  private static void panels(KernelProvider kp, ConvGeometry g, float[] x, float[] ap, float[] y, int from,
      int to, int qa0, int qa1) {
    int mr = kp.mr();
    int nr = kp.nr();
    int hwo = g.outH * g.outW;
    int coutG = g.outChannels / g.groups;
    int kg = g.inChannels / g.groups * g.kernelH * g.kernelW;
    int mPanels = (coutG + mr - 1) / mr;
    // Every column index fits an int: y holds N * outH * outW columns per channel.
    int columns = g.n * hwo;
    float[] bp = Scratch.get(Scratch.GEMM_B, kg * nr);
    for (int q = from; q < to; q++) {
      int j0 = q * nr;
      int cols = Math.min(nr, columns - j0);
      int img = j0 / hwo;
      int pix = j0 - img * hwo;
      // A panel inside one image is a block of y's [Cout, outH * outW] plane; one that spans images goes
      // through a small tile of its own.
      boolean inside = pix + cols <= hwo;
      for (int grp = 0; grp < g.groups; grp++) {
        Im2colPanels.unfoldPanel(kp, g, x, q, nr, grp, bp, 0);
        int aGroup = grp * mPanels * mr * kg;
        for (int qa = qa0; qa < qa1; qa++) {
          int r = qa * mr;
          int rows = Math.min(mr, coutG - r);
          if (inside) {
            int cOff = ((img * g.outChannels + grp * coutG + r) * hwo) + pix;
            multiply(kp, kg, mPanels, ap, aGroup, qa, bp, y, cOff, hwo, rows, cols);
          } else {
            // Not GEMM_EDGE: the vector tile itself uses that slot for ragged tiles.
            float[] edge = Scratch.get(Scratch.CONV_OUT, mr * nr);
            multiply(kp, kg, mPanels, ap, aGroup, qa, bp, edge, 0, nr, rows, nr);
            scatter(edge, nr, rows, cols, j0, hwo, g.outChannels, grp * coutG + r, y);
          }
        }
      }
    }
  }

  /** One row panel of A times the B panel, depth block by depth block, into C at {@code cOff}. */
  private static void multiply(KernelProvider kp, int kg, int mPanels, float[] ap, int aGroup, int qa,
      float[] bp, float[] c, int cOff, int ldc, int rows, int cols) {
    int mr = kp.mr();
    int nr = kp.nr();
    for (int pc = 0; pc < kg; pc += BlockedGemm.KC) {
      int kc = Math.min(BlockedGemm.KC, kg - pc);
      kp.tile(kc, ap, aGroup + pc * mPanels * mr + qa * mr * kc, bp, pc * nr, c, cOff, ldc, rows, cols, pc > 0);
    }
  }

  /** Copies a {@code [rows, cols]} tile whose columns start at batch column {@code j0} to y's channels. */
  private static void scatter(float[] tile, int ldt, int rows, int cols, int j0, int hwo, int outChannels,
      int channel0, float[] y) {
    for (int t = 0; t < cols; t++) {
      int j = j0 + t;
      int img = j / hwo;
      int pix = j - img * hwo;
      int base = (img * outChannels + channel0) * hwo + pix;
      for (int i = 0; i < rows; i++) {
        y[base + i * hwo] = tile[i * ldt + t];
      }
    }
  }
}
