package io.github.resnet4j.kernels;

/**
 * Per-thread scratch arrays that grow and are then reused, so steady-state kernel calls do not
 * allocate. Each user owns a slot; a slot's contents are only valid until its owner's next call on the
 * same thread.
 *
 * <p>Safe because {@link Parallel#forRange} never runs nested loops in parallel: a pool thread is
 * never interrupted in the middle of a loop body to run another body that could use the same slot.
 */
final class Scratch {
  static final int GEMM_A = 0;
  static final int GEMM_B = 1;
  static final int GEMM_EDGE = 2;
  static final int CONV_COLS = 3;
  static final int CONV_OUT = 4;
  static final int TILE_A = 5;
  static final int GRAD_T = 6;
  static final int TILE_B = 7;
  static final int PADDED = 8;
  static final int FLIPPED = 9;
  static final int DW_BLOCK = 10;
  static final int POOL_ROWS = 11;
  static final int POOL_ROW = 12;
  private static final int SLOTS = 13;

  /** Int slots: a panel's B row offsets ({@link PanelConv}), A row starts ({@link WeightGradient}). */
  static final int B_ROWS = 0;
  static final int A_ROWS = 1;
  private static final int INT_SLOTS = 2;

  private static final ThreadLocal<float[][]> ARRAYS = ThreadLocal.withInitial(() -> new float[SLOTS][]);
  private static final ThreadLocal<int[][]> INTS = ThreadLocal.withInitial(() -> new int[INT_SLOTS][]);

  private Scratch() {}

  /**
   * A scratch array of at least {@code size} floats with unspecified contents.
   *
   * @param slot which of the caller's buffers
   * @param size minimum length
   * @return the buffer
   */
  static float[] get(int slot, int size) {
    float[][] arrays = ARRAYS.get();
    float[] a = arrays[slot];
    if (a == null || a.length < size) {
      a = new float[size];
      arrays[slot] = a;
    }
    return a;
  }

  /**
   * A scratch int array of at least {@code size} elements with unspecified contents, like {@link #get}. Workers
   * may read the calling thread's table while it waits for them.
   *
   * @param slot which of the caller's int buffers
   * @param size minimum length
   * @return the buffer
   */
  static int[] ints(int slot, int size) {
    int[][] arrays = INTS.get();
    int[] a = arrays[slot];
    if (a == null || a.length < size) {
      a = new int[size];
      arrays[slot] = a;
    }
    return a;
  }
}
