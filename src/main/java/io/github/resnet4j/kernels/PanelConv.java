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
 *
 * <p>Most convolutions skip the unfolding: the input is copied once into its zero padding (image by
 * image where there are enough images, {@link #byImage}; else, if small, once by each thread for itself,
 * {@link PaddedCopies.PaddedInput}) and the tile reads B's rows there, through a table of offsets
 * ({@link #readsPaddedCopy}, {@link #readsWideGrid}).
 */
final class PanelConv {
  /** Multiply-adds per task below which handing panels to another thread costs more than it saves. */
  private static final long TASK_MACS = 1L << 20;
  /** Weights packed per task at least, in floats. */
  private static final int PACK_FLOATS = 1 << 14;

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
    forward(kp, g, x, weight, ConvEpilogue.NONE, y);
  }

  /**
   * {@link #forward(KernelProvider, ConvGeometry, float[], float[], float[])}, then the epilogue: on each image
   * as soon as its panels are done where the work is split image by image, else over y at the end.
   */
  static void forward(KernelProvider kp, ConvGeometry g, float[] x, float[] weight, ConvEpilogue epilogue,
      float[] y) {
    int mr = kp.mr();
    int nr = kp.nr();
    int coutG = g.outChannels / g.groups;
    int kg = g.inChannels / g.groups * g.kernelH * g.kernelW;
    int mPanels = (coutG + mr - 1) / mr;
    int groupA = mPanels * mr * kg;
    int panels = (g.n * g.outH * g.outW + nr - 1) / nr;
    boolean paddedCopy = readsPaddedCopy(g, nr);
    boolean wideGrid = !paddedCopy && readsWideGrid(g, nr);
    boolean imageByImage = byImage(g);
    // Few output panels (ResNet-18's later stages at batch 1): each weight is read by so few tiles that packing
    // the weights cost as much as the multiply; the tile reads them where they lie.
    boolean fewPanels = kp.offsetTileReadsARows() && coutG % mr == 0 && panels <= IN_PLACE_PANELS;
    // Otherwise unfolded: where the panels have fewer columns than the weights have rows, every thread unfolds
    // them all for itself and reads the weights in place, rather than all packing the weights together.
    boolean unfoldedInPlace = fewPanels && !paddedCopy && !wideGrid && coutG >= panels * nr
        && (long) g.groups * panels * kg * nr <= PaddedCopies.THREAD_COPY_FLOATS;
    boolean weightsInPlace = fewPanels && (paddedCopy || wideGrid || unfoldedInPlace);
    float[] ap = weightsInPlace ? weight : Scratch.get(Scratch.GEMM_A, g.groups * groupA);
    // In parallel where the weights are large: packing ResNet-18's 512-channel weights on the calling thread
    // alone took a tenth of an inference at batch 1.
    int packGrain = Math.max(1, PACK_FLOATS / (mr * kg));
    for (int grp = 0; grp < g.groups && !weightsInPlace; grp++) {
      int group = grp;
      if (Parallel.splits(mPanels, packGrain)) {
        Parallel.forRange(mPanels, packGrain, (from, to) -> BlockedGemm.packA(false, weight, group * coutG * kg, kg,
            coutG, kg, mr, 0, mPanels, ap, group * groupA, from, to));
      } else {
        BlockedGemm.packA(false, weight, grp * coutG * kg, kg, coutG, kg, mr, 0, mPanels, ap, grp * groupA, 0,
            mPanels);
      }
    }
    long panelMacs = (long) g.outChannels * kg * nr;
    int grain = (int) Math.max(1, TASK_MACS / panelMacs);
    int hwo = g.outH * g.outW;
    int imagePlanes = g.inChannels * PaddedCopies.planeSize(g);
    boolean columnCopies = wideGrid && imageByImage && readsColumnCopies(g, nr);
    int[] offs = columnCopies ? columnOffsets(g) : paddedCopy || wideGrid ? rowOffsets(g)
        : unfoldedInPlace ? panelRowOffsets(kg, nr) : null;
    // The wide grid reads past the last plane, for columns that are dropped.
    int wideTail = nr + (g.kernelW - 1) * g.dilationW;
    // Image by image only where no panel spans two images (ResNet widths at batch 128 and most others).
    if (paddedCopy && imageByImage && hwo % nr == 0) {
      int perImage = hwo / nr;
      eachImage(g, epilogue, y, img -> paddedPanels(kp, g, PaddedCopies.paddedImage(g, x, img, 0), img * imagePlanes,
          offs, ap, weightsInPlace, y, img * perImage, (img + 1) * perImage));
      return;
    }
    if (columnCopies) {
      int perImage = hwo / nr;
      int plane = columnPlane(g);
      eachImage(g, epilogue, y, img -> paddedPanels(kp, g, columnCopies(g, x, img), g.inW, plane, columnLead(g),
          img * g.inChannels * plane, offs, ap, weightsInPlace, y, img * perImage, (img + 1) * perImage));
      return;
    }
    if (wideGrid && imageByImage) {
      int perImage = widePanelsPerImage(g, nr);
      eachImage(g, epilogue, y, img -> {
        float[] xp = PaddedCopies.paddedImage(g, x, img, wideTail);
        widePanels(kp, g, xp, img * imagePlanes, offs, ap, weightsInPlace, y, img * perImage, (img + 1) * perImage, 0,
            mPanels);
      });
      return;
    }
    if (paddedCopy) {
      PaddedCopies.PaddedInput input = new PaddedCopies.PaddedInput(g, x, 0);
      if (Parallel.splits(panels, grain)) {
        Parallel.forRange(panels, grain, (from, to) -> paddedPanels(kp, g, input.get(), 0, offs, ap, weightsInPlace, y,
            from, to));
      } else {
        paddedPanels(kp, g, input.get(), 0, offs, ap, weightsInPlace, y, 0, panels);
      }
    } else if (wideGrid && weightsInPlace) {
      PaddedCopies.PaddedInput input = new PaddedCopies.PaddedInput(g, x, wideTail);
      int wide = g.n * widePanelsPerImage(g, nr);
      Parallel.forRange(mPanels, 1, (from, to) -> rowsFirst(kp, g, input.get(), false, offs, weight, y, wide, from,
          to));
    } else if (wideGrid) {
      PaddedCopies.PaddedInput input = new PaddedCopies.PaddedInput(g, x, wideTail);
      splitRows(g.n * widePanelsPerImage(g, nr), mPanels, grain,
          (q0, q1, qa0, qa1) -> widePanels(kp, g, input.get(), 0, offs, ap, weightsInPlace, y, q0, q1, qa0, qa1));
    } else if (unfoldedInPlace) {
      long call = PaddedCopies.CALLS.incrementAndGet();
      Parallel.forRange(mPanels, 1, (from, to) -> rowsFirst(kp, g, threadUnfolded(kp, g, x, panels, call), true, offs,
          weight, y, panels, from, to));
    } else {
      splitRows(panels, mPanels, grain, (q0, q1, qa0, qa1) -> panels(kp, g, x, ap, y, q0, q1, qa0, qa1));
    }
    epilogue.applyAll(y, g.n, g.outChannels, hwo);
  }

  /** One image's share of a convolution, computed on the calling thread. */
  interface ImageBody {
    void run(int img);
  }

  /**
   * The image-by-image routes: the images in parallel, each task one image at a time, and each image's output
   * given the epilogue as soon as it is done, while it is in cache.
   */
  static void eachImage(ConvGeometry g, ConvEpilogue epilogue, float[] y, ImageBody body) {
    int hwo = g.outH * g.outW;
    Parallel.forRange(g.n, 1, (from, to) -> {
      for (int img = from; img < to; img++) {
        body.run(img);
        epilogue.applyImages(y, g.outChannels, hwo, img, img + 1);
      }
    });
  }

  /** Output panels {@code [q0, q1)}, row panels {@code [qa0, qa1)} of A. */
  interface PanelBody {
    void run(int q0, int q1, int qa0, int qa1);
  }

  /**
   * Runs {@code body} over every panel, in parallel. Few panels (a small image at batch 1: ResNet-18's last
   * stage has 49 pixels, one 512-wide panel of the plain tile) would leave threads idle, so then each panel's
   * rows of A are split over tasks too.
   */
  static void splitRows(int panels, int mPanels, int grain, PanelBody body) {
    int rowBlocks = panels >= MIN_TASKS ? 1 : Math.min(mPanels, (MIN_TASKS + panels - 1) / panels);
    int tasks = panels * rowBlocks;
    int taskGrain = rowBlocks > 1 ? 1 : grain;
    RangeBody range = rowBlocks == 1 ? (from, to) -> body.run(from, to, 0, mPanels) : (from, to) -> {
      for (int t = from; t < to; t++) {
        int rb = t % rowBlocks;
        body.run(t / rowBlocks, t / rowBlocks + 1, mPanels * rb / rowBlocks, mPanels * (rb + 1) / rowBlocks);
      }
    };
    if (Parallel.splits(tasks, taskGrain)) {
      Parallel.forRange(tasks, taskGrain, range);
    } else {
      range.run(0, tasks);
    }
  }

  /** Output panels up to which the weights are read in place rather than packed, where the tile can. */
  static final int IN_PLACE_PANELS = 32;

  /** Tasks worth having at least: enough for two threads with some left for the one that finishes first. */
  private static final int MIN_TASKS = 8;

  /**
   * Output rows a multiple of half a panel wide: then each half of every row of a panel is a contiguous run of
   * the zero-padded input (at other strides than 1, of one of its phases, {@link PaddedCopies#planeSize}), and the
   * tile reads it there ({@link KernelProvider#tileOffsetB}) instead of from an unfolded copy. Copying the input
   * once into its padding costs a tenth of unfolding it nine times. Strided, where every phase is read: ResNet-18's 7x7
   * stem 1.14-1.32x at batch 1 and 1.58-1.62x at batch 16, ResNet-20's 3x3 16 to 32 channels 1.22-1.35x at
   * batch 128 (one JVM, alternating); whole networks 1.025-1.03x (ResNet-18 inference at batch 1 and 16,
   * ResNet-20 training at batch 128).
   */
  static boolean readsPaddedCopy(ConvGeometry g, int nr) {
    long padded = (long) g.n * g.inChannels * PaddedCopies.planeSize(g);
    return readsEveryPhase(g) && nr % 2 == 0 && g.outW % (nr / 2) == 0
        && padded <= Integer.MAX_VALUE - 16;
  }

  /**
   * Whether the taps reach every phase of the strided padded copy ({@link PaddedCopies#planeSize}): always at
   * stride 1; a 3x3 or 7x7 kernel at stride 2, but not a 1x1 (which would copy four phases to read one:
   * 0.33-0.59x of unfolding, ResNet-18's and ResNet-20's). Strided convolutions on the wide grid were slower too
   * (0.74-0.94x; at 8x8 its junk columns are half as many as the output's), so that stays at stride 1.
   */
  private static boolean readsEveryPhase(ConvGeometry g) {
    return reachesEveryPhase(g.kernelH, g.dilationH, g.strideH)
        && reachesEveryPhase(g.kernelW, g.dilationW, g.strideW);
  }

  /**
   * Whether taps {@code k * dilation}, {@code k < kernel}, fall in every residue mod stride: the multiples of
   * the dilation cycle through {@code stride / gcd(dilation, stride)} residues, one per tap, so all of them
   * exactly when that gcd is 1 and there are at least {@code stride} taps.
   */
  private static boolean reachesEveryPhase(int kernel, int dilation, int stride) {
    int a = dilation;
    int b = stride;
    while (b != 0) {
      int r = a % b;
      a = b;
      b = r;
    }
    return kernel >= stride && a == 1;
  }

  /**
   * Any other stride-1 convolution: the output is computed on a grid as wide as the padded input
   * ({@code outH} rows of {@code W + padLeft + padRight} columns per image), on which every row of a panel
   * is again a contiguous run of the padded input. The grid's extra {@code kW - 1} columns per row (a fifth
   * of the work at 7 wide, an eighth at 14) are computed and dropped. That pays where unfolding costs most
   * next to the multiply, with few output channels: one thread, 3x3, against unfolding, 2.5x at 16 channels
   * 7 wide, 1.4-1.5x at 16-32 channels 14-28 wide, 1.2-1.4x at 64 channels 7-14 wide, 1.0x at 64 channels 28-56
   * wide and 128 channels 14 wide; on two threads 0.8-0.96x from 128 channels on (AVX2; for AVX-512 see
   * {@link #wideGridChannels}).
   */
  static boolean readsWideGrid(ConvGeometry g, int nr) {
    long padded = (long) g.n * g.inChannels * PaddedCopies.planeSize(g) + nr + (g.kernelW - 1) * g.dilationW;
    return g.strideH == 1 && g.strideW == 1 && g.outChannels / g.groups <= wideGridChannels(g, nr)
        && padded <= Integer.MAX_VALUE - 16;
  }

  /**
   * The most output channels per group for which the wide grid beats unfolding. With AVX2-sized panels
   * ({@code nr} 16) 64, as above. With AVX-512 ({@code nr} 32), measured on ResNet-18's 3x3 shapes in one
   * JVM: 1.1-1.6x at 128 channels 28 wide and 1.05-1.5x at 256 channels 14 wide at batch 16 (image by
   * image), but 0.93-0.97x at 512 channels 7 wide; at batch 1 (panels split over threads) 1.1-1.4x up to 512.
   */
  private static int wideGridChannels(ConvGeometry g, int nr) {
    if (nr < 32) {
      return 64;
    }
    return byImage(g) ? 256 : 512;
  }

  /**
   * Whether to pad and multiply image by image, each task one image at a time into a padded copy of its own:
   * that copy (74 KiB for 16 channels of 32x32) is then read from L2 while still there, where the whole
   * batch's (9.5 MiB at batch 128) came back from L3 or memory. Needs a few images per thread.
   */
  static boolean byImage(ConvGeometry g) {
    return g.n >= 2 * Parallel.threads()
        && (long) g.inChannels * PaddedCopies.planeSize(g) <= Integer.MAX_VALUE - 1024;
  }

  /** Panels of the wide grid per image. The last may run past the grid; its extra columns are dropped too. */
  private static int widePanelsPerImage(ConvGeometry g, int nr) {
    return (g.outH * PaddedCopies.pitch(g) + nr - 1) / nr;
  }

  /**
   * Every panel of every group unfolded ({@link Im2colPanels#unfoldPanel}), panel q of group grp at
   * {@code (grp * panels + q) * kg * nr}, into the calling thread's scratch, unless it already holds call's.
   */
  private static float[] threadUnfolded(KernelProvider kp, ConvGeometry g, float[] x, int panels, long call) {
    int nr = kp.nr();
    int kg = g.inChannels / g.groups * g.kernelH * g.kernelW;
    float[] bp = Scratch.get(Scratch.CONV_COLS, g.groups * panels * kg * nr);
    PaddedCopies.ThreadCopies copies = PaddedCopies.THREAD_COPIES.get();
    if (copies.holds(PaddedCopies.ThreadCopies.UNFOLDED, bp, call)) {
      return bp;
    }
    for (int grp = 0; grp < g.groups; grp++) {
      for (int q = 0; q < panels; q++) {
        Im2colPanels.unfoldPanel(kp, g, x, q, nr, grp, bp, (grp * panels + q) * kg * nr);
      }
    }
    copies.hold(PaddedCopies.ThreadCopies.UNFOLDED, bp, call);
    return bp;
  }

  /** Where row p of an unfolded panel ({@code [kg, nr]}) starts: {@code p * nr}. */
  private static int[] panelRowOffsets(int kg, int nr) {
    int[] offs = Scratch.ints(Scratch.B_ROWS, kg);
    for (int p = 0; p < kg; p++) {
      offs[p] = p * nr;
    }
    return offs;
  }

  /** Where row p = (ci, kh, kw) of a panel starts in the padded copy, relative to its top-left pixel's. */
  static int[] rowOffsets(ConvGeometry g) {
    int rows = PaddedCopies.phaseRows(g);
    int pitch = PaddedCopies.pitch(g);
    int cinG = g.inChannels / g.groups;
    int kk = g.kernelH * g.kernelW;
    int[] offs = Scratch.ints(Scratch.B_ROWS, cinG * kk);
    for (int ci = 0; ci < cinG; ci++) {
      for (int kh = 0; kh < g.kernelH; kh++) {
        int th = kh * g.dilationH;
        for (int kw = 0; kw < g.kernelW; kw++) {
          int tw = kw * g.dilationW;
          int phase = ci * g.strideH * g.strideW + th % g.strideH * g.strideW + tw % g.strideW;
          offs[(ci * g.kernelH + kh) * g.kernelW + kw] = (phase * rows + th / g.strideH) * pitch + tw / g.strideW;
        }
      }
    }
    return offs;
  }

  /**
   * Where the wide grid would run image by image on rows as wide as the input ("same" padding, stride 1) and
   * whole panels per image: read instead from {@code kW} copies of the image, one per column of taps, each
   * with rows {@code W} apart (no horizontal padding) and, in place of the padding, zeros over the columns that
   * tap would otherwise reach across a row's end. Every half panel is then a run of each copy, as on the
   * padded copy, so no grid columns are computed only to be dropped: 80 grid columns for 64 pixels at 8x8.
   */
  static boolean readsColumnCopies(ConvGeometry g, int nr) {
    return fitsColumnCopies(g) && (g.outH * g.outW) % nr == 0;
  }

  /**
   * Whether an image of x can be read as {@link #columnCopies}: stride 1, rows as wide as the input's, and
   * copies within {@link #COLUMN_COPIES_FLOATS}.
   */
  static boolean fitsColumnCopies(ConvGeometry g) {
    return g.strideH == 1 && g.strideW == 1 && g.outW == g.inW && columnCopiesSize(g) <= COLUMN_COPIES_FLOATS;
  }

  /** Floats in one plane of a column copy: {@code (H + padTop + padBottom) * W}. */
  static int columnPlane(ConvGeometry g) {
    return (g.inH + g.padTop + g.padBottom) * g.inW;
  }

  /** Floats from one column copy's start to the next's: its leading zeros and its planes. */
  private static long columnCopyStride(ConvGeometry g) {
    return columnLead(g) + (long) g.inChannels * columnPlane(g);
  }

  /** Floats in all of an image's column copies, with the zeros after the last. */
  private static long columnCopiesSize(ConvGeometry g) {
    return g.kernelW * columnCopyStride(g) + columnLead(g);
  }

  /**
   * The column copies' size limit (256 KiB): they are read from L2 like an image's padded copy, but are kW
   * times its size. ResNet-18's 64 channels of 56x56 (2.5 MB) ran at 0.92-0.96x of the wide grid.
   */
  private static final int COLUMN_COPIES_FLOATS = 64 * 1024;

  /** Zeros before each column copy: as far as a tap reaches across a row's end. */
  static int columnLead(ConvGeometry g) {
    return Math.max(g.padLeft, g.padRight);
  }

  /**
   * Image {@code img} of x as the column copies of {@link #readsColumnCopies}, in the calling thread's
   * scratch: copy t (taps of kernel column t, reaching {@code s = t * dilationW - padLeft} columns right)
   * holds, after {@link #columnLead} zeros, {@code [Cin, H + padTop + padBottom, W]} with the zero rows of the
   * padding and zeros over the columns outside {@code [max(0, s), W + min(0, s))}; then {@code lead} zeros,
   * which the last copy's taps reaching right read past its last plane. No panel reads further: panels lie
   * whole in an image. The zeros stay from one image to the next.
   */
  static float[] columnCopies(ConvGeometry g, float[] x, int img) {
    int w = g.inW;
    int plane = columnPlane(g);
    int lead = columnLead(g);
    int copy = (int) columnCopyStride(g);
    int size = (int) columnCopiesSize(g);
    float[] xc = Scratch.get(Scratch.PADDED, size);
    PaddedCopies.Borders borders = PaddedCopies.BORDERS.get();
    boolean zeroed = borders.holds(xc, g, COLUMN_LAYOUT);
    if (!zeroed) {
      java.util.Arrays.fill(xc, 0, size, 0f);
    }
    for (int t = 0; t < g.kernelW; t++) {
      int shift = t * g.dilationW - g.padLeft;
      int lo = Math.max(0, shift);
      int hi = w + Math.min(0, shift);
      for (int ci = 0; ci < g.inChannels; ci++) {
        int src = (img * g.inChannels + ci) * g.inH * w;
        int dst = t * copy + lead + ci * plane + g.padTop * w;
        for (int ih = 0; ih < g.inH; ih++) {
          System.arraycopy(x, src + ih * w + lo, xc, dst + ih * w + lo, hi - lo);
        }
      }
    }
    if (!zeroed) {
      borders.remember(xc, g, COLUMN_LAYOUT);
    }
    return xc;
  }

  /**
   * The {@link PaddedCopies.Borders} tail that marks a thread's scratch as holding column copies: padded copies'
   * tails are >= 0.
   */
  private static final int COLUMN_LAYOUT = -1;

  /** {@link #rowOffsets} for the column copies: row p = (ci, kh, kw) in copy kw, shifted by its reach. */
  static int[] columnOffsets(ConvGeometry g) {
    int w = g.inW;
    int plane = columnPlane(g);
    int copy = (int) columnCopyStride(g);
    int cinG = g.inChannels / g.groups;
    int[] offs = Scratch.ints(Scratch.B_ROWS, cinG * g.kernelH * g.kernelW);
    for (int ci = 0; ci < cinG; ci++) {
      for (int kh = 0; kh < g.kernelH; kh++) {
        for (int kw = 0; kw < g.kernelW; kw++) {
          offs[(ci * g.kernelH + kh) * g.kernelW + kw] = kw * copy + ci * plane + kh * g.dilationH * w
              + kw * g.dilationW - g.padLeft;
        }
      }
    }
    return offs;
  }

  /**
   * {@link #panels} reading the padded input in place: each half of a panel lies in one output row (of one
   * image), so each half of every row of B is a run of the padded input. xp holds the whole batch's padded
   * copy from float {@code shift} on (0 for the whole batch; an image's first float for one image's copy).
   */
  private static void paddedPanels(KernelProvider kp, ConvGeometry g, float[] xp, int shift, int[] offs,
      float[] ap, boolean weightsInPlace, float[] y, int from, int to) {
    paddedPanels(kp, g, xp, PaddedCopies.pitch(g), PaddedCopies.planeSize(g), 0, shift, offs, ap, weightsInPlace, y,
        from, to);
  }

  /**
   * {@link #paddedPanels} on a copy whose rows are {@code pitch} floats apart and planes {@code plane}, with the
   * top-left tap of batch column j at {@code lead + image * Cin * plane + oh * pitch + ow - shift}: the padded
   * copy, or the column copies of {@link #columnCopies}.
   */
  private static void paddedPanels(KernelProvider kp, ConvGeometry g, float[] xp, int pitch, int plane, int lead,
      int shift, int[] offs, float[] ap, boolean weightsInPlace, float[] y, int from, int to) {
    int mr = kp.mr();
    int nr = kp.nr();
    int half = nr / 2;
    int hwo = g.outH * g.outW;
    int columns = g.n * hwo;
    int cinG = g.inChannels / g.groups;
    int coutG = g.outChannels / g.groups;
    int kg = cinG * g.kernelH * g.kernelW;
    int mPanels = (coutG + mr - 1) / mr;
    for (int q = from; q < to; q++) {
      int j0 = q * nr;
      int cols = Math.min(nr, columns - j0);
      int img = j0 / hwo;
      int pix = j0 - img * hwo;
      int base0 = copyStart(g, j0, pitch, plane) + lead - shift;
      // A last panel with one real half reads its first half again: columns that are never stored.
      int base1 = cols > half ? copyStart(g, j0 + half, pitch, plane) + lead - shift : base0;
      boolean inside = pix + cols <= hwo && cols == nr;
      for (int grp = 0; grp < g.groups; grp++) {
        int groupOff = grp * cinG * plane;
        int aGroup = grp * mPanels * mr * kg;
        for (int qa = 0; qa < mPanels; qa++) {
          int r = qa * mr;
          int rows = Math.min(mr, coutG - r);
          // Not GEMM_EDGE: the vector tile itself uses that slot for ragged tiles.
          float[] c = inside ? y : Scratch.get(Scratch.CONV_OUT, mr * nr);
          int cOff = inside ? ((img * g.outChannels + grp * coutG + r) * hwo) + pix : 0;
          int ldc = inside ? hwo : nr;
          for (int pc = 0; pc < kg; pc += BlockedGemm.KC) {
            int kc = Math.min(BlockedGemm.KC, kg - pc);
            if (weightsInPlace) {
              kp.tileOffsetBRowsA(kc, ap, (grp * coutG + r) * kg + pc, kg, xp, base0 + groupOff, base1 + groupOff,
                  offs, pc, c, cOff, ldc, rows, pc > 0);
            } else {
              kp.tileOffsetB(kc, ap, aGroup + pc * mPanels * mr + qa * mr * kc, xp, base0 + groupOff,
                  base1 + groupOff, offs, pc, c, cOff, ldc, rows, pc > 0);
            }
          }
          if (!inside) {
            scatter(c, 0, nr, rows, cols, j0, hwo, g.outChannels, grp * coutG + r, y);
          }
        }
      }
    }
  }

  /** Where batch column j's patch starts in a copy of rows {@code pitch} apart: its top-left tap. */
  private static int copyStart(ConvGeometry g, int j, int pitch, int plane) {
    int hwo = g.outH * g.outW;
    int img = j / hwo;
    int pix = j - img * hwo;
    int oh = pix / g.outW;
    int ow = pix - oh * g.outW;
    return img * g.inChannels * plane + oh * pitch + ow;
  }

  /**
   * Panels {@code [q0, q1)} of the wide grid (panel q in image {@code q / panelsPerImage}), row panels
   * {@code [qa0, qa1)} of each group's A: the tile reads the padded input in place into a scratch tile, whose
   * columns that lie on the output are then copied to y. xp holds the padded copy from float {@code shift} on,
   * as in {@link #paddedPanels}.
   */
  private static void widePanels(KernelProvider kp, ConvGeometry g, float[] xp, int shift, int[] offs,
      float[] ap, boolean weightsInPlace, float[] y, int q0, int q1, int qa0, int qa1) {
    int mr = kp.mr();
    int nr = kp.nr();
    int wp = PaddedCopies.pitch(g);
    int cinG = g.inChannels / g.groups;
    int coutG = g.outChannels / g.groups;
    int kg = cinG * g.kernelH * g.kernelW;
    int mPanels = (coutG + mr - 1) / mr;
    int perImage = widePanelsPerImage(g, nr);
    // Not GEMM_EDGE: the vector tile itself uses that slot for ragged tiles.
    float[] tile = Scratch.get(Scratch.CONV_OUT, mr * nr);
    for (int q = q0; q < q1; q++) {
      int img = q / perImage;
      int w0 = (q - img * perImage) * nr;
      for (int grp = 0; grp < g.groups; grp++) {
        int base = (img * g.inChannels + grp * cinG) * PaddedCopies.planeSize(g) + w0 - shift;
        int aGroup = grp * mPanels * mr * kg;
        for (int qa = qa0; qa < qa1; qa++) {
          int r = qa * mr;
          int rows = Math.min(mr, coutG - r);
          for (int pc = 0; pc < kg; pc += BlockedGemm.KC) {
            int kc = Math.min(BlockedGemm.KC, kg - pc);
            if (weightsInPlace) {
              kp.tileOffsetBRowsA(kc, ap, (grp * coutG + r) * kg + pc, kg, xp, base, base + nr / 2, offs, pc, tile,
                  0, nr, rows, pc > 0);
            } else {
              kp.tileOffsetB(kc, ap, aGroup + pc * mPanels * mr + qa * mr * kc, xp, base, base + nr / 2, offs, pc,
                  tile, 0, nr, rows, pc > 0);
            }
          }
          dropJunk(g, tile, 0, 0, nr, rows, w0, nr, wp, 1, (img * g.outChannels + grp * coutG + r) * g.outH * g.outW,
              y);
        }
      }
    }
  }

  /**
   * Row panels {@code [qa0, qa1)} of the weights, read in place, over all {@code panels} panels: each depth block
   * of a row panel passes over every panel while it is in L1, so the weights come from memory once, not once per
   * panel. The panels are those of the wide grid on the padded copy b, or ({@code unfolded}) the unfolded panels
   * of {@link #threadUnfolded}.
   *
   * <p>The wide grid, ResNet-18's shapes at batch 1, one JVM: 128 channels 1.05-1.08 -> 0.91-0.92 ms, 256 channels
   * 1.14-1.29 -> 0.99-1.04 ms, 512 channels unchanged (0.97-1.38 against 0.96-1.25). Unfolded, where packing the
   * weights cost about as much as multiplying them (ResNet-18's downsampling convolutions at batch 1, 2 threads):
   * 3x3 256 to 512 channels 1.16-1.49 -> 0.60 ms, 128 to 256 0.76-0.80 -> 0.62 ms, each called over and over
   * on the same weights; in the whole network, whose weights come from memory, 1.04x of ResNet-18's inference.
   */
  private static void rowsFirst(KernelProvider kp, ConvGeometry g, float[] b, boolean unfolded, int[] offs,
      float[] weight, float[] y, int panels, int qa0, int qa1) {
    int mr = kp.mr();
    int nr = kp.nr();
    int wp = PaddedCopies.pitch(g);
    int hwo = g.outH * g.outW;
    int cinG = g.inChannels / g.groups;
    int coutG = g.outChannels / g.groups;
    int kg = cinG * g.kernelH * g.kernelW;
    int perImage = unfolded ? 0 : widePanelsPerImage(g, nr);
    int tileSize = mr * nr;
    float[] tiles = Scratch.get(Scratch.CONV_OUT, panels * tileSize);
    for (int grp = 0; grp < g.groups; grp++) {
      for (int qa = qa0; qa < qa1; qa++) {
        int r = qa * mr;
        for (int pc = 0; pc < kg; pc += BlockedGemm.KC) {
          int kc = Math.min(BlockedGemm.KC, kg - pc);
          for (int q = 0; q < panels; q++) {
            int base = unfolded ? (grp * panels + q) * kg * nr
                : (q / perImage * g.inChannels + grp * cinG) * PaddedCopies.planeSize(g) + q % perImage * nr;
            kp.tileOffsetBRowsA(kc, weight, (grp * coutG + r) * kg + pc, kg, b, base, base + nr / 2, offs, pc,
                tiles, q * tileSize, nr, mr, pc > 0);
          }
        }
        for (int q = 0; q < panels; q++) {
          if (unfolded) {
            scatter(tiles, q * tileSize, nr, mr, Math.min(nr, g.n * hwo - q * nr), q * nr, hwo, g.outChannels,
                grp * coutG + r, y);
          } else {
            int img = q / perImage;
            dropJunk(g, tiles, q * tileSize, 0, nr, mr, (q - img * perImage) * nr, nr, wp, 1,
                (img * g.outChannels + grp * coutG + r) * hwo, y);
          }
        }
      }
    }
  }

  /**
   * Copies the lanes of a tile on a grid {@code width} lanes wide that lie on the output into y's channels from the
   * one at {@code yOff}. Grid lane {@code w0 + t} ({@code t < cols}) is column {@code (w0 + t) % width} of grid row
   * {@code (w0 + t) / width}, which holds {@code rowsPerLane} output rows from {@code rowsPerLane} times that row
   * on, the r-th of them for channel i at {@code tile[tileOff + r * second + i * nr + t]}. Columns at or past outW
   * (the wide grid's extra ones) and rows at or past outH are dropped.
   */
  static void dropJunk(ConvGeometry g, float[] tile, int tileOff, int second, int nr, int rows, int w0, int cols,
      int width, int rowsPerLane, int yOff, float[] y) {
    int hwo = g.outH * g.outW;
    for (int t = 0, l = w0; t < cols; ) {
      int gridRow = l / width;
      int col = l - gridRow * width;
      int len = Math.min(cols - t, width - col);
      int valid = Math.min(len, g.outW - col);
      int outRows = Math.min(rowsPerLane, g.outH - gridRow * rowsPerLane);
      if (valid > 0) {
        int d = yOff + gridRow * rowsPerLane * g.outW + col;
        for (int i = 0; i < rows; i++) {
          for (int r = 0; r < outRows; r++) {
            System.arraycopy(tile, tileOff + r * second + i * nr + t, y, d + i * hwo + r * g.outW, valid);
          }
        }
      }
      t += len;
      l += len;
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
    // Not GEMM_EDGE: the vector tile itself uses that slot for ragged tiles.
    float[] edge = Scratch.get(Scratch.CONV_OUT, mr * nr);
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
            multiply(kp, kg, mPanels, ap, aGroup, qa, bp, edge, 0, nr, rows, nr);
            scatter(edge, 0, nr, rows, cols, j0, hwo, g.outChannels, grp * coutG + r, y);
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

  /**
   * Copies a {@code [rows, cols]} tile (at {@code tileOff}, rows {@code ldt} apart) whose columns start at batch
   * column {@code j0} to y's channels.
   */
  private static void scatter(float[] tile, int tileOff, int ldt, int rows, int cols, int j0, int hwo,
      int outChannels, int channel0, float[] y) {
    int img0 = j0 / hwo;
    int pix0 = j0 - img0 * hwo;
    if (pix0 + cols <= hwo) {
      // In one image: each row of the tile is a run of its channel's plane.
      for (int i = 0; i < rows; i++) {
        System.arraycopy(tile, tileOff + i * ldt, y, (img0 * outChannels + channel0 + i) * hwo + pix0, cols);
      }
      return;
    }
    for (int t = 0; t < cols; t++) {
      int j = j0 + t;
      int img = j / hwo;
      int pix = j - img * hwo;
      int base = (img * outChannels + channel0) * hwo + pix;
      for (int i = 0; i < rows; i++) {
        y[base + i * hwo] = tile[tileOff + i * ldt + t];
      }
    }
  }
}
