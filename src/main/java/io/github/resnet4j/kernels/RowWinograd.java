package io.github.resnet4j.kernels;

/**
 * 3x3 stride-1 convolutions with Winograd's minimal filtering F(4, 3) down the columns: each tile of four output
 * rows takes 6 x 3 multiplies per input channel and output column instead of 4 x 9, half as many.
 *
 * <p>Along a column, the four output rows of kernel taps {@code g0, g1, g2} over six padded rows {@code d} are
 * {@code A^T [(G g) . (B^T d)]} (Lavin and Gray, 2015, with the points 0, 1, -1, 2, -2): the six products
 * {@code m_k = (G g)_k (B^T d)_k} are each summed over input channel and kernel column by the register tile, so
 * they are six GEMMs of depth {@code 3 Cin} over the input transformed once ({@link
 * KernelProvider#rowWinogradIn}), and the output transform is a few adds per element ({@link
 * KernelProvider#rowWinogradOut}). Only down the columns: the transformed rows stay contiguous (output columns are
 * the tile's lanes), so neither transform shuffles lanes. F(2, 3) (four products per two rows, a third fewer
 * multiplies, exact coefficients) was this route first: F(4, 3) was 1.1-1.3x faster again on every shape taken.
 *
 * <p>Results differ from the direct sum by rounding (the transforms add before multiplying; {@code G g} has sixths
 * and twenty-fourths, computed in double and rounded once) but are the same on every provider, thread count and
 * batch size: each product is the tile's fma chain over (ci, kw) in order, the transforms the same operations in
 * the same order. The route is chosen from the per-image shape alone.
 */
final class RowWinograd {
  /** Output rows per tile. */
  private static final int R = 4;
  /** Products per tile: the transformed rows, {@code R + 2} (a 3-tap filter). */
  private static final int M = R + 2;
  private static final double SIXTH = 1.0 / 6;
  private static final double TWENTY_FOURTH = 1.0 / 24;
  /** Multiply-adds per task below which handing panels to another thread costs more than it saves. */
  private static final long TASK_MACS = 1L << 20;
  /**
   * Smallest {@code outH * outW * Cin * Cout} (a ninth of an image's direct multiply-adds) for which the route is
   * taken. One JVM, alternating with the direct convolution, two threads: 64 channels 32x32 at batch 32 1.50-1.83x,
   * 32 channels 28x28 and 64 channels 14x14 at batch 128 1.13-1.38x, ResNet-18's 64 channels 56x56 and 128 channels
   * 28x28 at batch 1 1.14-1.36x; ResNet-20's 16 channels 32x32 and 32 channels 16x16 (this bound) at batch 128
   * 1.14-1.28x. Whole ResNet-20 with them: inference 1.10x at batch 1 (with the transformed weights kept, {@link
   * TransformedWeights}; 0.96x without), 1.11x at batch 128, training step 1.07-1.12x.
   */
  static final long MIN_PRODUCT = 1L << 18;
  /** Fewest input and output channels: ResNet-20's first stage, the fewest measured. */
  static final int MIN_CHANNELS = 16;
  /**
   * At most this many input times output channels: ResNet-18's 256 channels 14x14 ran 1.37x at batch 16 but 0.68x
   * at batch 1, where its 4.7 MB of transformed weights meet four panels. Chosen on the shape alone, so that an
   * image's result does not depend on the batch it comes in.
   */
  static final long MAX_CHANNEL_PRODUCT = 128 * 128;

  /** Largest transformed image, in floats (64 MiB); larger ones take the direct convolution. */
  private static final long MAX_IMAGE_FLOATS = 1L << 24;

  private RowWinograd() {}

  /**
   * Whether this route computes g: 3x3, stride 1, no dilation, one group, at least {@link #MIN_CHANNELS} in and
   * out, rows at least 14 wide, and the sizes of {@link #MIN_PRODUCT} and {@link #MAX_CHANNEL_PRODUCT}.
   */
  static boolean applies(ConvGeometry g) {
    long channels = (long) g.inChannels * g.outChannels;
    return g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1
        && g.dilationW == 1 && g.groups == 1 && g.inChannels >= MIN_CHANNELS && g.outChannels >= MIN_CHANNELS
        && g.outW >= 14
        && g.outH >= 2 && channels <= MAX_CHANNEL_PRODUCT && channels * g.outH * g.outW >= MIN_PRODUCT
        && (long) M * g.inChannels * tileRows(g) * PaddedCopies.pitch(g) <= MAX_IMAGE_FLOATS;
  }

  /**
   * The geometry whose padded copy this route reads: g with as many more zero rows at the bottom as the output's
   * rows fall short of a multiple of four, so that the last tile reads six padded rows like the others.
   */
  private static ConvGeometry padded(ConvGeometry g) {
    int extra = tileRows(g) * R - g.outH;
    if (extra == 0) {
      return g;
    }
    return new ConvGeometry(g.n, g.inChannels, g.inH, g.inW, g.outChannels, 3, 3, 1, 1, g.padTop,
        g.padBottom + extra, g.padLeft, g.padRight, 1, 1, 1);
  }

  /**
   * {@code y = epilogue(conv(x, weight))}, as {@link PanelConv#forward(KernelProvider, ConvGeometry, float[],
   * float[], ConvEpilogue, float[])} computes it but with F(4, 3) down the columns: the input transformed once into
   * six planes per channel ({@link #transformPlanes}), read by the tile in place as the direct convolution reads its
   * padded copy ({@link KernelProvider#tileOffsetB}), or, for the plain tile, packed panel by panel from them.
   *
   * @param kp the kernels
   * @param g the geometry; {@link #applies} must hold
   * @param x input {@code [N, Cin, H, W]}
   * @param weight {@code [Cout, Cin, 3, 3]}
   * @param keep whether these weights may come again unchanged (a layer's, not a scratch copy): their transform is
   *     then kept across calls ({@link TransformedWeights})
   * @param epilogue bias, residual and ReLU, applied to each image's output
   * @param y output {@code [N, Cout, outH, outW]}, overwritten
   */
  static void forward(KernelProvider kp, ConvGeometry g, float[] x, float[] weight, boolean keep,
      ConvEpilogue epilogue, float[] y) {
    int mr = kp.mr();
    int nr = kp.nr();
    int depth = 3 * g.inChannels;
    int mPanels = (g.outChannels + mr - 1) / mr;
    int transformA = mPanels * mr * depth;
    int packGrain = Math.max(1, (1 << 14) / (M * mr * depth));
    TransformedWeights.Transform transform = out -> {
      if (Parallel.splits(mPanels, packGrain)) {
        Parallel.forRange(mPanels, packGrain, (from, to) -> transformWeights(g, weight, mr, mPanels, out, from, to));
      } else {
        transformWeights(g, weight, mr, mPanels, out, 0, mPanels);
      }
    };
    float[] ap;
    if (keep) {
      long layout = (long) g.inChannels << 36 | (long) g.outChannels << 8 | mr;
      ap = TransformedWeights.of(weight, g.weightSize(), layout, M * transformA, transform,
          Scratch.get(Scratch.GEMM_A, M * transformA));
    } else {
      ap = Scratch.get(Scratch.GEMM_A, M * transformA);
      transform.into(ap);
    }
    ConvGeometry gp = padded(g);
    Lanes lanes = new Lanes(g, nr);
    int pt = lanes.planeFloats;
    int[] offs = Scratch.ints(Scratch.B_ROWS, depth);
    for (int ci = 0; ci < g.inChannels; ci++) {
      for (int kw = 0; kw < 3; kw++) {
        offs[ci * 3 + kw] = ci * pt + kw;
      }
    }
    // Junk lanes read up to a panel and two columns past a plane's end.
    int gap = nr + 2;
    if (PanelConv.byImage(gp) || (long) M * (g.n * g.inChannels * pt + gap) > Integer.MAX_VALUE - 16) {
      int tStride = g.inChannels * pt + gap;
      PanelConv.eachImage(g, epilogue, y, img -> {
        float[] xp = PaddedCopies.paddedImage(gp, x, img, 0);
        float[] t = Scratch.get(Scratch.CONV_COLS, M * tStride);
        transformPlanes(kp, g, gp, xp, t, tStride, gap, 0, g.inChannels);
        panels(kp, g, lanes, t, tStride, false, offs, ap, y, img * lanes.perImage, (img + 1) * lanes.perImage, 0,
            mPanels);
      });
      return;
    }
    int planes = g.n * g.inChannels;
    int tStride = planes * pt + gap;
    int panels = g.n * lanes.perImage;
    PanelConv.PanelBody body;
    if (Parallel.threads() > 1 && (long) M * tStride <= 2 * PaddedCopies.THREAD_COPY_FLOATS) {
      // Up to 2 MiB: each thread pads and transforms the batch for itself (read across cores, a shared copy cost
      // more than making it twice: ResNet-18's 64 channels 56x56 at batch 1, 1.2 MiB, 0.87-0.97x of the direct
      // convolution shared, 1.14-1.27x per thread).
      PaddedCopies.PaddedInput input = new PaddedCopies.PaddedInput(gp, x, 0);
      long call = PaddedCopies.CALLS.incrementAndGet();
      body = (q0, q1, qa0, qa1) -> panels(kp, g, lanes, threadTransformed(kp, g, gp, input, tStride, gap, call),
          tStride, true, offs, ap, y, q0, q1, qa0, qa1);
    } else {
      float[] xp = PaddedCopies.padded(gp, x, 0);
      float[] t = Scratch.get(Scratch.CONV_COLS, M * tStride);
      int planeGrain = Math.max(1, (1 << 15) / pt);
      if (Parallel.splits(planes, planeGrain)) {
        Parallel.forRange(planes, planeGrain, (from, to) -> transformPlanes(kp, g, gp, xp, t, tStride, gap, from, to));
      } else {
        transformPlanes(kp, g, gp, xp, t, tStride, gap, 0, planes);
      }
      body = (q0, q1, qa0, qa1) -> panels(kp, g, lanes, t, tStride, true, offs, ap, y, q0, q1, qa0, qa1);
    }
    long panelMacs = (long) g.outChannels * M * depth * nr;
    int grain = (int) Math.max(1, TASK_MACS / panelMacs);
    if (panels <= PanelConv.IN_PLACE_PANELS && !packs(kp)) {
      // Few panels (a batch of one): tasks take row panels of the weights over every panel, so that each reads
      // its share of the transformed weights once (ResNet-18's 128 channels: 1.2 MB of them).
      Parallel.forRange(mPanels, 1, (qa0, qa1) -> body.run(0, panels, qa0, qa1));
    } else {
      PanelConv.splitRows(panels, mPanels, grain, body);
    }
    epilogue.applyAll(y, g.n, g.outChannels, g.outH * g.outW);
  }

  /**
   * Whether the tile takes B packed, each panel copied once from the transformed planes for all row panels: the
   * plain tile, which reads B through offsets only by copying each row first (on the seed at batch 32 that was
   * 0.71x of the direct convolution).
   */
  private static boolean packs(KernelProvider kp) {
    return !kp.vectorized();
  }

  /** The batch's transformed planes made by the calling thread for call, in its scratch, unless it holds them. */
  private static float[] threadTransformed(KernelProvider kp, ConvGeometry g, ConvGeometry gp,
      PaddedCopies.PaddedInput input, int tStride, int gap, long call) {
    float[] t = Scratch.get(Scratch.CONV_COLS, M * tStride);
    PaddedCopies.ThreadCopies copies = PaddedCopies.THREAD_COPIES.get();
    if (!copies.holds(PaddedCopies.ThreadCopies.TRANSFORMED, t, call)) {
      transformPlanes(kp, g, gp, input.get(), t, tStride, gap, 0, g.n * g.inChannels);
      copies.hold(PaddedCopies.ThreadCopies.TRANSFORMED, t, call);
    }
    return t;
  }

  /**
   * How the lanes lie on the output. Where output rows are a multiple of half a panel wide, lane
   * {@code tile * outW + ow} is output column ow of rows {@code 4 tile .. 4 tile + 3}, and each half panel a run of a
   * transformed row; otherwise lanes run over the transformed rows' full width ({@code pitch}, as on
   * {@link PanelConv}'s wide grid) and the columns past the output's are computed and dropped.
   */
  private static final class Lanes {
    final boolean halves;
    /** Lanes per tile of four output rows. */
    final int width;
    final int perImage;
    final int count;
    /** Floats in a transformed row (the padded row's width) and plane (a row per tile). */
    final int pitch;
    final int planeFloats;
    /** Floats in an image's transformed planes. */
    private final int imageFloats;

    Lanes(ConvGeometry g, int nr) {
      pitch = PaddedCopies.pitch(g);
      planeFloats = tileRows(g) * pitch;
      imageFloats = g.inChannels * planeFloats;
      halves = nr % 2 == 0 && g.outW % (nr / 2) == 0;
      width = halves ? g.outW : pitch;
      count = tileRows(g) * width;
      perImage = (count + nr - 1) / nr;
    }

    /**
     * Where image img's lane l starts in the transformed planes: in the whole batch's planes where {@code batch},
     * else in that image's own.
     */
    int start(boolean batch, int img, int l) {
      int tile = l / width;
      return (batch ? img * imageFloats : 0) + tile * pitch + l - tile * width;
    }
  }

  /**
   * Planes {@code [from, to)} (image * Cin + channel) of the padded copy xp transformed:
   * {@code t[k * tStride + u * pt + tile * pitch + col]} for the six products k, a row of {@code pitch} columns per
   * tile of four output rows; then {@code gap} zeros after each product's planes, which junk lanes read.
   */
  private static void transformPlanes(KernelProvider kp, ConvGeometry g, ConvGeometry gp, float[] xp, float[] t,
      int tStride, int gap, int from, int to) {
    int pitch = PaddedCopies.pitch(gp);
    int plane = PaddedCopies.planeSize(gp);
    int tiles = tileRows(g);
    int pt = tiles * pitch;
    for (int u = from; u < to; u++) {
      kp.rowWinogradIn(xp, u * plane, pitch, t, u * pt, tStride, tiles, pitch);
    }
    if ((long) to * pt == tStride - gap) {
      for (int m = 0; m < M; m++) {
        java.util.Arrays.fill(t, m * tStride + to * pt, (m + 1) * tStride, 0f);
      }
    }
  }

  /**
   * Panels {@code [q0, q1)} (panel q: lanes {@code [(q % perImage) * nr, +nr)} of image {@code q / perImage}), row
   * panels {@code [qa0, qa1)} of the weights, on the transformed planes t (the whole batch's where {@code batch},
   * else one image's).
   */
  private static void panels(KernelProvider kp, ConvGeometry g, Lanes lanes, float[] t, int tStride,
      boolean batch, int[] offs, float[] ap, float[] y, int q0, int q1, int qa0, int qa1) {
    int mr = kp.mr();
    int nr = kp.nr();
    int half = nr / 2;
    int depth = 3 * g.inChannels;
    int mPanels = (g.outChannels + mr - 1) / mr;
    int transformA = mPanels * mr * depth;
    float[] m = Scratch.get(Scratch.CONV_OUT, (M + R) * mr * nr);
    if (packs(kp)) {
      float[] bt = Scratch.get(Scratch.GEMM_B, M * depth * nr);
      for (int q = q0; q < q1; q++) {
        int img = q / lanes.perImage;
        int l0 = (q - img * lanes.perImage) * nr;
        int cols = Math.min(nr, lanes.count - l0);
        int base0 = lanes.start(batch, img, l0);
        int base1 = cols > half ? lanes.start(batch, img, l0 + half) : base0;
        for (int row = 0; row < M * depth; row++) {
          int k = row / depth;
          int off = k * tStride + offs[row - k * depth];
          System.arraycopy(t, base0 + off, bt, row * nr, half);
          System.arraycopy(t, base1 + off, bt, row * nr + half, nr - half);
        }
        for (int qa = qa0; qa < qa1; qa++) {
          for (int k = 0; k < M; k++) {
            for (int pc = 0; pc < depth; pc += BlockedGemm.KC) {
              int kc = Math.min(BlockedGemm.KC, depth - pc);
              kp.tile(kc, ap, k * transformA + pc * mPanels * mr + qa * mr * kc, bt, (k * depth + pc) * nr, m,
                  k * mr * nr, nr, Math.min(mr, g.outChannels - qa * mr), cols, pc > 0);
            }
          }
          store(kp, g, lanes, m, qa, img, l0, cols, y);
        }
      }
      return;
    }
    // Row panels outer: with many panels of few images, each row panel's weights stay in cache.
    for (int qa = qa0; qa < qa1; qa++) {
      for (int q = q0; q < q1; q++) {
        int img = q / lanes.perImage;
        int l0 = (q - img * lanes.perImage) * nr;
        int cols = Math.min(nr, lanes.count - l0);
        int base0 = lanes.start(batch, img, l0);
        // A last panel with one real half reads its first half again: lanes that are never stored.
        int base1 = cols > half ? lanes.start(batch, img, l0 + half) : base0;
        for (int k = 0; k < M; k++) {
          for (int pc = 0; pc < depth; pc += BlockedGemm.KC) {
            int kc = Math.min(BlockedGemm.KC, depth - pc);
            kp.tileOffsetB(kc, ap, k * transformA + pc * mPanels * mr + qa * mr * kc, t, k * tStride + base0,
                k * tStride + base1, offs, pc, m, k * mr * nr, nr, Math.min(mr, g.outChannels - qa * mr), pc > 0);
          }
        }
        store(kp, g, lanes, m, qa, img, l0, cols, y);
      }
    }
  }

  /**
   * The output transform of row panel qa's six products {@code m[k][i][lane]} for panel lanes {@code [l0, l0 +
   * cols)} of image img, into y.
   */
  private static void store(KernelProvider kp, ConvGeometry g, Lanes lanes, float[] m, int qa, int img, int l0,
      int cols, float[] y) {
    int mr = kp.mr();
    int nr = kp.nr();
    int half = nr / 2;
    int r = qa * mr;
    int rows = Math.min(mr, g.outChannels - r);
    int hwo = g.outH * g.outW;
    int yOff = (img * g.outChannels + r) * hwo;
    if (lanes.halves && g.outH % R == 0) {
      // Each half panel is a run of one tile's output rows: transformed straight into y.
      for (int h = 0; h < cols; h += half) {
        int tile = (l0 + h) / g.outW;
        int d = yOff + tile * R * g.outW + (l0 + h - tile * g.outW);
        for (int i = 0; i < rows; i++) {
          kp.rowWinogradOut(m, i * nr + h, mr * nr, y, d + i * hwo, g.outW, half);
        }
      }
      return;
    }
    int staged = M * mr * nr;
    // Whole panels where the tile computed them (its extra lanes are finite), else only the real lanes.
    int len = packs(kp) ? cols : nr;
    for (int i = 0; i < rows; i++) {
      kp.rowWinogradOut(m, i * nr, mr * nr, m, staged + i * nr, mr * nr, len);
    }
    PanelConv.dropJunk(g, m, staged, mr * nr, nr, rows, l0, cols, lanes.width, R, yOff, y);
  }

  /** Tiles of R output rows down a column: {@code ceil(outH / R)}; rows past the output's are computed and dropped. */
  private static int tileRows(ConvGeometry g) {
    return (g.outH + R - 1) / R;
  }

  /**
   * Row panels {@code [from, to)} of the six transformed weights ({@code G g}), packed for the tile: product k's
   * panel q at {@code k * transformA}, depth blocks of {@link BlockedGemm#KC} as {@link BlockedGemm#packA} lays them
   * out,
   * depth p = {@code ci * 3 + kw}, zeros in rows past the last output channel.
   */
  private static void transformWeights(ConvGeometry g, float[] weight, int mr, int mPanels, float[] ap, int from,
      int to) {
    int cin = g.inChannels;
    int depth = 3 * cin;
    int transformA = mPanels * mr * depth;
    for (int q = from; q < to; q++) {
      for (int p = 0; p < depth; p++) {
        int pc = p / BlockedGemm.KC * BlockedGemm.KC;
        int kc = Math.min(BlockedGemm.KC, depth - pc);
        int idx = pc * mPanels * mr + q * mr * kc + (p - pc) * mr;
        int ci = p / 3;
        int kw = p - 3 * ci;
        // The panel's rows innermost: its writes are contiguous.
        for (int i = 0; i < mr; i++, idx++) {
          int co = q * mr + i;
          if (co >= g.outChannels) {
            for (int k = 0; k < M; k++) {
              ap[k * transformA + idx] = 0f;
            }
            continue;
          }
          int w = (co * cin + ci) * 9 + kw;
          // G g in double, each rounded to float once (1/6 and 1/24 are not floats), by the reciprocals: divisions
          // made this a third of a small convolution's time.
          double g0 = weight[w];
          double g1 = weight[w + 3];
          double g2 = weight[w + 6];
          ap[idx] = (float) (g0 * 0.25);
          ap[transformA + idx] = (float) ((g0 + g1 + g2) * -SIXTH);
          ap[2 * transformA + idx] = (float) ((g0 - g1 + g2) * -SIXTH);
          ap[3 * transformA + idx] = (float) ((g0 + 2 * g1 + 4 * g2) * TWENTY_FOURTH);
          ap[4 * transformA + idx] = (float) ((g0 - 2 * g1 + 4 * g2) * TWENTY_FOURTH);
          ap[5 * transformA + idx] = (float) g2;
        }
      }
    }
  }
}
