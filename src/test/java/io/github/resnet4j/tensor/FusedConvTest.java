package io.github.resnet4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code Functional.conv2d(x, w, b, spec, residual, relu)} gives the values and gradients of the separate ops
 * bit for bit; {@link Tensor#version()} counts every in-place write, through any view.
 */
class FusedConvTest {
  @Test
  void fusedConvEqualsConvThenAddThenReluBitForBit() {
    Generator gen = new Generator(31);
    ConvSpec spec = ConvSpec.of(1, 1);
    for (boolean relu : new boolean[] {true, false}) {
      for (boolean withResidual : new boolean[] {true, false}) {
        Tensor x = Tensor.randn(gen, 5, 3, 8, 8);
        Tensor w = Tensor.randn(gen, 6, 3, 3, 3).mul(0.3f);
        Tensor b = Tensor.randn(gen, 6);
        Tensor r = Tensor.randn(gen, 5, 6, 8, 8);
        Tensor upstream = Tensor.randn(gen, 5, 6, 8, 8);
        Tensor[] fusedIn = leaves(x, w, b, r);
        Tensor[] plainIn = leaves(x, w, b, r);

        Tensor fused = Functional.conv2d(fusedIn[0], fusedIn[1], fusedIn[2], spec,
            withResidual ? fusedIn[3] : null, relu);
        Tensor plain = Functional.conv2d(plainIn[0], plainIn[1], plainIn[2], spec);
        if (withResidual) {
          plain = plain.add(plainIn[3]);
        }
        if (relu) {
          plain = plain.relu();
          float[] v = fused.toFloatArray();
          int zeros = 0;
          for (float f : v) {
            zeros += f == 0f ? 1 : 0;
          }
          assertTrue(zeros > 0 && zeros < v.length, "the input must hit both sides of the ReLU");
        }
        String what = "relu " + relu + ", residual " + withResidual;
        assertArrayEquals(plain.toFloatArray(), fused.toFloatArray(), what);
        fused.backward(upstream);
        plain.backward(upstream);
        for (int i = 0; i < (withResidual ? 4 : 3); i++) {
          assertArrayEquals(plainIn[i].grad().toFloatArray(), fusedIn[i].grad().toFloatArray(), what + ", input " + i);
        }
      }
    }
  }

  @Test
  void aResidualOfAnotherShapeIsRefusedNamingTheShapes() {
    Generator gen = new Generator(32);
    Tensor x = Tensor.randn(gen, 2, 3, 8, 8);
    Tensor w = Tensor.randn(gen, 4, 3, 3, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Functional.conv2d(x, w, null, ConvSpec.of(2, 1), Tensor.zeros(2, 4, 8, 8), true));
    assertTrue(e.getMessage().contains("[2, 4, 8, 8]") && e.getMessage().contains("[2, 4, 4, 4]"), e.getMessage());
  }

  @Test
  void versionCountsInPlaceWritesThroughAnyView() {
    Tensor t = Tensor.zeros(3, 4);
    Tensor row = t.narrow(0, 1, 1);
    long v0 = t.version();
    t.add(1f);
    t.relu();
    t.reshape(4, 3);
    assertEquals(v0, t.version(), "out-of-place ops and views leave the version alone");
    row.addInPlace(Tensor.scalar(1f));
    assertEquals(v0 + 1, t.version(), "a write through a view counts for the base");
    t.set(5f, 0, 0);
    t.fill(2f);
    t.mulInPlace(3f);
    t.copyFrom(Tensor.ones(3, 4));
    t.addInPlace(0.5f, Tensor.ones(3, 4));
    t.sqrtInPlace();
    assertEquals(v0 + 7, t.version());
    assertEquals(t.version(), row.version(), "views share the count");
  }

  private static Tensor[] leaves(Tensor... ts) {
    Tensor[] out = new Tensor[ts.length];
    for (int i = 0; i < ts.length; i++) {
      out[i] = ts[i].detach().requiresGrad(true);
    }
    return out;
  }
}
