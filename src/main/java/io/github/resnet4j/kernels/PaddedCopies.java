package io.github.resnet4j.kernels;

/**
 * The convolution input with its zero padding written out, which the tile reads in place ({@link PanelConv},
 * {@link WeightGradient}, {@link RowWinograd}): the whole batch's copy, an image's copy whose borders stay from one
 * image to the next ({@link Borders}), or each thread's own copy of a small input, made once per call
 * ({@link PaddedInput}). At strides above 1, each channel is held in its stride phases ({@link #planeSize}).
 */
final class PaddedCopies {
  private PaddedCopies() {}

  /**
   * Floats per channel in a padded copy: {@code (H + padTop + padBottom) * (W + padLeft + padRight)} at stride 1;
   * at strides sH x sW, its {@code sH * sW} phases of {@link #phaseRows} rows of {@link #pitch} floats.
   */
  static int planeSize(ConvGeometry g) {
    return g.strideH * g.strideW * phaseRows(g) * pitch(g);
  }

  /** Rows of one phase of a padded plane: {@code ceil((H + padTop + padBottom) / strideH)}. */
  static int phaseRows(ConvGeometry g) {
    return (g.inH + g.padTop + g.padBottom + g.strideH - 1) / g.strideH;
  }

  /**
   * Floats from one row of a padded copy to the next, and the wide grid's width: {@code W + padLeft + padRight}
   * at stride 1, {@code ceil((W + padLeft + padRight) / strideW)}, a phase's row, otherwise.
   */
  static int pitch(ConvGeometry g) {
    return (g.inW + g.padLeft + g.padRight + g.strideW - 1) / g.strideW;
  }

  /**
   * x with its zero padding written out, {@code [N, Cin, H + padTop + padBottom, W + padLeft + padRight]} (in
   * phases at other strides than 1, {@link #planeSize}), then {@code tail} zeros: the wide grid reads past the
   * last plane, for columns that are dropped, and those must not be NaN or denormal (slow) either.
   */
  static float[] padded(ConvGeometry g, float[] x, int tail) {
    int planes = g.n * g.inChannels;
    int plane = planeSize(g);
    float[] xp = Scratch.get(Scratch.PADDED, planes * plane + tail);
    BORDERS.get().forget(); // this copy's planes lie elsewhere than an image's
    int grain = Math.max(1, (1 << 15) / plane);
    if (Parallel.splits(planes, grain)) {
      Parallel.forRange(planes, grain, (from, to) -> padPlanes(g, x, xp, 0, from, to));
    } else {
      padPlanes(g, x, xp, 0, 0, planes);
    }
    java.util.Arrays.fill(xp, planes * plane, planes * plane + tail, 0f);
    return xp;
  }

  /**
   * The whole batch's padded input as the tasks of one call read it. Where it is small enough, every thread pads
   * its own copy, once per call, on its first task: every task reads all of it, or much of it, and a copy padded
   * half by each core was read across cores (ResNet-18's 3x3 convolutions at batch 1, 2 threads, in one JVM:
   * 1.05-1.16x at 64 channels 56x56, 1.17-1.19x at 128 and 256 channels, 1.03x at 512, where the weights'
   * memory traffic bounds it; the whole network, alternating step by step, 1.03-1.06x, since there each input
   * was written by both cores anyway). Larger inputs are padded once, in parallel, and shared.
   */
  static final class PaddedInput {
    private final ConvGeometry g;
    private final float[] x;
    private final int tail;
    private final float[] shared;
    private final long call;

    PaddedInput(ConvGeometry g, float[] x, int tail) {
      this.g = g;
      this.x = x;
      this.tail = tail;
      boolean perThread = Parallel.threads() > 1
          && (long) g.n * g.inChannels * planeSize(g) + tail <= THREAD_COPY_FLOATS;
      this.shared = perThread ? null : padded(g, x, tail);
      this.call = perThread ? CALLS.incrementAndGet() : 0;
    }

    /** The padded input as {@link #padded} lays it out, then tail zeros. */
    float[] get() {
      return shared != null ? shared : threadPadded(g, x, tail, call);
    }
  }

  /** Largest padded input that each thread copies for itself (1 MiB, about an L2). */
  static final int THREAD_COPY_FLOATS = 1 << 18;

  /** Numbers the calls that pad per thread, so that a thread can tell whether its copy is this call's. */
  static final java.util.concurrent.atomic.AtomicLong CALLS = new java.util.concurrent.atomic.AtomicLong();

  /** Which call's copies a thread's scratch arrays hold: its padded input, its unfolded or transformed panels. */
  static final class ThreadCopies {
    static final int PADDED = 0;
    static final int UNFOLDED = 1;
    /** {@link RowWinograd}'s transformed planes. */
    static final int TRANSFORMED = 2;
    private final float[][] arrays = new float[3][];
    private final long[] calls = new long[3];

    boolean holds(int kind, float[] a, long call) {
      return arrays[kind] == a && calls[kind] == call;
    }

    void hold(int kind, float[] a, long call) {
      arrays[kind] = a;
      calls[kind] = call;
    }
  }

  static final ThreadLocal<ThreadCopies> THREAD_COPIES = ThreadLocal.withInitial(ThreadCopies::new);

  /** x padded as by {@link #padded}, into the calling thread's scratch, unless it already holds call's. */
  private static float[] threadPadded(ConvGeometry g, float[] x, int tail, long call) {
    int planes = g.n * g.inChannels;
    int plane = planeSize(g);
    float[] xp = Scratch.get(Scratch.PADDED, planes * plane + tail);
    ThreadCopies copies = THREAD_COPIES.get();
    if (copies.holds(ThreadCopies.PADDED, xp, call)) {
      return xp;
    }
    BORDERS.get().forget();
    padPlanes(g, x, xp, 0, 0, planes);
    java.util.Arrays.fill(xp, planes * plane, planes * plane + tail, 0f);
    copies.hold(ThreadCopies.PADDED, xp, call);
    return xp;
  }

  /**
   * Image {@code img} of x with its zero padding, {@code [Cin, H + padTop + padBottom, W + padLeft + padRight]}
   * (in phases at other strides than 1), then {@code tail} zeros, in the calling thread's scratch.
   */
  static float[] paddedImage(ConvGeometry g, float[] x, int img, int tail) {
    int planes = g.inChannels;
    int plane = planeSize(g);
    float[] xp = Scratch.get(Scratch.PADDED, planes * plane + tail);
    Borders borders = BORDERS.get();
    if (borders.holds(xp, g, tail)) {
      copyInterior(g, x, xp, img * planes, img * planes, (img + 1) * planes);
      return xp;
    }
    padPlanes(g, x, xp, img * planes, img * planes, (img + 1) * planes);
    java.util.Arrays.fill(xp, planes * plane, planes * plane + tail, 0f);
    borders.remember(xp, g, tail);
    return xp;
  }

  static final ThreadLocal<Borders> BORDERS = ThreadLocal.withInitial(Borders::new);

  /**
   * Which image layout a thread's padded copy was last written in. The next image of the same layer (and of
   * the next layer of the same shape) then needs only its interior copied: the zero borders and tail are
   * still there, since nothing but an interior copy of that layout wrote the array since.
   */
  static final class Borders {
    private float[] array;
    private ConvGeometry geometry;
    private int tail;

    boolean holds(float[] xp, ConvGeometry g, int tail) {
      ConvGeometry h = geometry;
      return xp == array && tail == this.tail && (h == g || h.inChannels == g.inChannels && h.inH == g.inH
          && h.inW == g.inW && h.padTop == g.padTop && h.padBottom == g.padBottom && h.padLeft == g.padLeft
          && h.padRight == g.padRight && h.strideH == g.strideH && h.strideW == g.strideW);
    }

    void remember(float[] xp, ConvGeometry g, int tail) {
      array = xp;
      geometry = g;
      this.tail = tail;
    }

    void forget() {
      array = null;
      geometry = null;
    }
  }

  /** Planes {@code [from, to)} of x copied into the interior of a padded copy whose borders are in place. */
  private static void copyInterior(ConvGeometry g, float[] x, float[] xp, int first, int from, int to) {
    if (g.strideH > 1 || g.strideW > 1) {
      for (int u = from; u < to; u++) {
        phasePlanes(g, x, u, xp, (u - first) * planeSize(g), false);
      }
      return;
    }
    int wp = g.inW + g.padLeft + g.padRight;
    for (int u = from; u < to; u++) {
      int d = (u - first) * planeSize(g) + g.padTop * wp + g.padLeft;
      for (int ih = 0; ih < g.inH; ih++) {
        System.arraycopy(x, (u * g.inH + ih) * g.inW, xp, d + ih * wp, g.inW);
      }
    }
  }

  /** Planes {@code [from, to)} of x padded into xp, plane {@code first} at xp's start. */
  private static void padPlanes(ConvGeometry g, float[] x, float[] xp, int first, int from, int to) {
    if (g.strideH > 1 || g.strideW > 1) {
      for (int u = from; u < to; u++) {
        phasePlanes(g, x, u, xp, (u - first) * planeSize(g), true);
      }
      return;
    }
    int hp = g.inH + g.padTop + g.padBottom;
    int wp = g.inW + g.padLeft + g.padRight;
    for (int u = from; u < to; u++) {
      int d = (u - first) * hp * wp;
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

  /**
   * Plane u of x as its strided padded copy at {@code xp[d ..]}: phase (py, px) ({@code py < strideH}, {@code px <
   * strideW}) holds padded pixels {@code (a * strideH + py, b * strideW + px)} as row a, column b of
   * {@link #phaseRows} rows of {@link #pitch} floats. Output pixel (oh, ow)'s tap (kh, kw) is then pixel
   * {@code (oh + kh * dilationH / strideH, ow + kw * dilationW / strideW)} of phase
   * {@code (kh * dilationH % strideH, kw * dilationW % strideW)}, and a run of output columns a run of a phase's
   * row, as at stride 1. With {@code zeros} false only the pixels that come from x are written.
   */
  private static void phasePlanes(ConvGeometry g, float[] x, int u, float[] xp, int d, boolean zeros) {
    int rows = phaseRows(g);
    int pitch = pitch(g);
    for (int py = 0; py < g.strideH; py++) {
      for (int px = 0; px < g.strideW; px++) {
        int phase = d + (py * g.strideW + px) * rows * pitch;
        // Columns b with input column b * strideW + px - padLeft in [0, W).
        int b0 = Math.max(0, (g.padLeft - px + g.strideW - 1) / g.strideW);
        int b1 = Math.min(pitch, (g.inW + g.padLeft - px + g.strideW - 1) / g.strideW);
        for (int a = 0; a < rows; a++) {
          int dst = phase + a * pitch;
          int ih = a * g.strideH + py - g.padTop;
          if (ih < 0 || ih >= g.inH || b0 >= b1) {
            if (zeros) {
              java.util.Arrays.fill(xp, dst, dst + pitch, 0f);
            }
            continue;
          }
          if (zeros) {
            java.util.Arrays.fill(xp, dst, dst + b0, 0f);
            java.util.Arrays.fill(xp, dst + b1, dst + pitch, 0f);
          }
          int src = (u * g.inH + ih) * g.inW + b0 * g.strideW + px - g.padLeft;
          for (int b = b0; b < b1; b++, src += g.strideW) {
            xp[dst + b] = x[src];
          }
        }
      }
    }
  }
}
