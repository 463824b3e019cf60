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
            {8, 9, 513}, {24, 150, 1}}) {
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
}
