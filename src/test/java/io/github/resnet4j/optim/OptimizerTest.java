package io.github.resnet4j.optim;

import static io.github.resnet4j.testing.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.io.SafeTensorsFile;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.Tensor;
import io.github.resnet4j.testing.Fixtures;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import io.github.resnet4j.testing.Allocations;

class OptimizerTest {
  /** Replays an optim_* fixture: set the stored gradient, step, compare, three times. */
  private static void replay(String file, Function<List<Tensor>, Optimizer> make) throws IOException {
    SafeTensorsFile f = Fixtures.load(file);
    Tensor w = f.tensor("w.step0").requiresGrad(true);
    Tensor b = f.tensor("b.step0").requiresGrad(true);
    Optimizer opt = make.apply(List.of(w, b));
    for (int t = 1; t <= 3; t++) {
      w.setGrad(f.tensor("w.grad.step" + t));
      b.setGrad(f.tensor("b.grad.step" + t));
      opt.step();
      assertClose(file + " w.step" + t, f.tensor("w.step" + t), w, 1e-5, 1e-6);
      assertClose(file + " b.step" + t, f.tensor("b.step" + t), b, 1e-5, 1e-6);
    }
  }

  @Test
  void sgdMomentumMatchesPyTorch() throws IOException {
    replay("optim_sgd_momentum", p -> new SGD(p, 0.1, 0.9, 1e-4));
  }

  @Test
  void adamMatchesPyTorch() throws IOException {
    replay("optim_adam", p -> new Adam(p, 1e-3));
  }

  @Test
  void adamWMatchesPyTorch() throws IOException {
    replay("optim_adamw", p -> new AdamW(p, 1e-3, 0.01));
  }

  @Test
  void nesterovAndDampeningFollowTheFormulas() {
    Tensor p = Tensor.of(new float[] {1f}, 1).requiresGrad(true);
    SGD opt = new SGD(List.of(new ParamGroup(List.of(p), 0.5, 0)), 0.9, 0, true);
    p.setGrad(Tensor.of(new float[] {2f}, 1));
    opt.step(); // buf = 2; d = 2 + 0.9*2 = 3.8; p = 1 - 1.9
    assertEquals(1 - 0.5f * 3.8f, p.item(), 1e-6);
    Tensor q = Tensor.of(new float[] {0f}, 1).requiresGrad(true);
    SGD damp = new SGD(List.of(new ParamGroup(List.of(q), 1, 0)), 0.5, 0.5, false);
    q.setGrad(Tensor.of(new float[] {1f}, 1));
    damp.step(); // buf = 1
    damp.step(); // buf = 0.5*1 + 0.5*1 = 1
    assertEquals(-2f, q.item(), 1e-6);
    assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(new ParamGroup(List.of(q), 1, 0)), 0, 0, true));
  }

  @Test
  void parametersWithoutGradientsAreSkipped() {
    Tensor p = Tensor.ones(2).requiresGrad(true);
    new SGD(List.of(p), 0.1, 0.9, 0.1).step();
    assertArrayEquals(new float[] {1, 1}, p.toFloatArray());
  }

  @Test
  void groupsSplitDecayFromBiasesAndNorms() {
    Map<String, Tensor> named = new java.util.LinkedHashMap<>();
    named.put("conv.weight", Tensor.ones(2, 2).requiresGrad(true));
    named.put("conv.bias", Tensor.ones(2).requiresGrad(true));
    List<ParamGroup> groups = ParamGroup.decayWeightsOnly(named, 0.1, 0.5);
    assertEquals(1, groups.get(0).params().size());
    assertEquals(0.0, groups.get(1).weightDecay());
    SGD opt = new SGD(groups, 0, 0, false);
    for (Tensor t : named.values()) {
      t.setGrad(Tensor.zeros(t.shape()));
    }
    opt.step();
    assertEquals(1 - 0.1f * 0.5f, named.get("conv.weight").get(0, 0), 1e-6);
    assertEquals(1f, named.get("conv.bias").get(0));
  }

  @Test
  void stateDictResumesExactly() {
    Generator gen = new Generator(3);
    Tensor a = Tensor.randn(gen, 3, 2).requiresGrad(true);
    Tensor b = Tensor.of(a.toFloatArray(), 3, 2).requiresGrad(true);
    List<Tensor> grads = List.of(Tensor.randn(gen, 3, 2), Tensor.randn(gen, 3, 2), Tensor.randn(gen, 3, 2));
    Adam straight = new Adam(List.of(a), 0.01);
    for (Tensor g : grads) {
      a.setGrad(g);
      straight.step();
    }
    Adam first = new Adam(List.of(b), 0.01);
    b.setGrad(grads.get(0));
    first.step();
    Map<String, Tensor> saved = first.stateDict();
    Adam resumed = new Adam(List.of(b), 0.01);
    resumed.loadStateDict(saved);
    assertEquals(1, resumed.steps());
    for (int i = 1; i < 3; i++) {
      b.setGrad(grads.get(i));
      resumed.step();
    }
    assertArrayEquals(a.toFloatArray(), b.toFloatArray());
    assertThrows(IllegalArgumentException.class,
        () -> new Adam(List.of(Tensor.ones(4).requiresGrad(true)), 0.1).loadStateDict(saved));
  }

  @Test
  void clipGradNormScalesToTheBound() {
    Tensor p = Tensor.zeros(2).requiresGrad(true);
    p.setGrad(Tensor.of(new float[] {3, 4}, 2));
    assertEquals(5.0, GradClip.clipGradNorm(List.of(p), 1.0), 1e-9);
    assertEquals(1.0, Math.hypot(p.grad().get(0), p.grad().get(1)), 1e-5);
    assertEquals(1.0, GradClip.clipGradNorm(List.of(p), 10.0), 1e-5);
  }

  @Test
  void schedulesHaveTheirShapes() {
    assertEquals(1.0, Schedule.constant().factor(1000));
    Schedule st = Schedule.step(10, 0.1);
    assertEquals(1.0, st.factor(9), 1e-12);
    assertEquals(0.1, st.factor(10), 1e-12);
    assertEquals(0.01, st.factor(25), 1e-12);
    Schedule ms = Schedule.multiStep(new long[] {5, 8}, 0.5);
    assertEquals(1.0, ms.factor(4));
    assertEquals(0.5, ms.factor(5));
    assertEquals(0.25, ms.factor(100));
    Schedule cos = Schedule.cosine(100, 0.0);
    assertEquals(1.0, cos.factor(0), 1e-12);
    assertEquals(0.5, cos.factor(50), 1e-12);
    assertEquals(0.0, cos.factor(100), 1e-12);
    assertEquals(0.0, cos.factor(150), 1e-12);
    Schedule oc = Schedule.oneCycle(1000);
    assertEquals(1 / 25.0, oc.factor(0), 1e-12);
    assertEquals(1.0, oc.factor(299), 1e-12);
    assertEquals(1 / 25.0 / 1e4, oc.factor(999), 1e-12);
    assertTrue(oc.factor(150) > oc.factor(100) && oc.factor(600) < oc.factor(400));
    Schedule warm = Schedule.constant().withWarmup(4);
    assertEquals(0.25, warm.factor(0), 1e-12);
    assertEquals(1.0, warm.factor(3), 1e-12);
    assertEquals(1.0, warm.factor(10), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Schedule.multiStep(new long[] {5, 5}, 0.1));
  }

  @Test
  void scaleLrSetsEveryGroupFromItsInitialRate() {
    Tensor p = Tensor.ones(1).requiresGrad(true);
    SGD opt = new SGD(List.of(new ParamGroup(List.of(p), 0.2, 0), new ParamGroup(List.of(), 0.4, 0)), 0, 0, false);
    opt.scaleLr(0.5);
    assertEquals(0.1, opt.groups().get(0).lr(), 1e-12);
    assertEquals(0.2, opt.groups().get(1).lr(), 1e-12);
  }

  /**
   * SGD's fused, allocation-free update rounds exactly as the textbook sequence of tensor ops: d = g + wd * p,
   * buf = momentum * buf + d, d = d + momentum * buf (Nesterov), p = p - lr * d, each op rounded on its own.
   * Bit-for-bit, including the sign of zero (the zeros in p and g).
   */
  @Test
  void sgdMatchesTheOpByOpUpdateBitForBit() {
    for (boolean nesterov : new boolean[] {false, true}) {
      for (double wd : new double[] {0, 5e-4}) {
        Generator gen = new Generator(7);
        Tensor p = parameterWithSignedZeros(gen);
        Tensor ref = Tensor.of(p.toFloatArray(), p.shape());
        Tensor refBuf = null;
        p.requiresGrad(true);
        SGD sgd = new SGD(List.of(new ParamGroup(List.of(p), 0.05, wd)), 0.9, 0, nesterov);
        for (int step = 0; step < 3; step++) {
          Tensor g = gradientWithSignedZeros(gen);
          p.setGrad(g);
          sgd.step();
          Tensor d = wd != 0 ? g.add(ref.mul((float) wd)) : g;
          refBuf = refBuf == null ? Tensor.of(d.toFloatArray(), d.shape()) : refBuf.mul(0.9f).add(d.mul(1f));
          d = nesterov ? d.add(refBuf.mul(0.9f)) : refBuf;
          ref = ref.add(d.mul(-0.05f));
        }
        assertArrayEquals(ref.toFloatArray(), p.detach().toFloatArray(), "nesterov " + nesterov + ", wd " + wd);
      }
    }
  }

  /** A [3, 70000] parameter (large enough to be split across threads) with -0 at [0, 0] and +0 at [0, 1]. */
  private static Tensor parameterWithSignedZeros(Generator gen) {
    Tensor p = Tensor.randn(gen, 3, 70_000).mul(0.1f);
    p.set(-0f, 0, 0);
    p.set(0f, 0, 1);
    return p;
  }

  /**
   * A gradient for {@link #parameterWithSignedZeros}: +0 where the parameter is -0 (p - lr * (+0) is +0 only
   * if lr * g is rounded as the ops do), and -0 at [0, 2].
   */
  private static Tensor gradientWithSignedZeros(Generator gen) {
    Tensor g = Tensor.randn(gen, 3, 70_000);
    g.set(0f, 0, 0);
    g.set(-0f, 0, 2);
    return g;
  }

  /**
   * Adam and AdamW update in scratch tensors, rounding exactly as the textbook sequence of tensor ops:
   * g = g + wd * p (Adam) or p = p * (1 - lr * wd) (AdamW), m = b1 * m + (1 - b1) * g,
   * v = b2 * v + (1 - b2) * g * g, p = p - lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps). Bit for bit.
   */
  @Test
  void adamMatchesTheOpByOpUpdateBitForBit() {
    for (boolean decoupled : new boolean[] {false, true}) {
      for (double wd : new double[] {0, 1e-2}) {
        Generator gen = new Generator(11);
        Tensor p = parameterWithSignedZeros(gen);
        Tensor ref = Tensor.of(p.toFloatArray(), p.shape());
        Tensor m = Tensor.zeros(p.shape());
        Tensor v = Tensor.zeros(p.shape());
        p.requiresGrad(true);
        List<ParamGroup> groups = List.of(new ParamGroup(List.of(p), 0.01, wd));
        Optimizer adam = decoupled ? new AdamW(groups, 0.9, 0.999, 1e-8) : new Adam(groups, 0.9, 0.999, 1e-8);
        for (int step = 1; step <= 3; step++) {
          Tensor g = gradientWithSignedZeros(gen);
          p.setGrad(g);
          adam.step();
          if (wd != 0 && decoupled) {
            ref = ref.mul(Tensor.scalar((float) (1 - 0.01 * wd)));
          } else if (wd != 0) {
            g = g.add(ref.mul((float) wd));
          }
          m = m.mul(Tensor.scalar(0.9f)).add(g.mul((float) (1 - 0.9)));
          v = v.mul(Tensor.scalar(0.999f)).add(g.mul(g).mul((float) (1 - 0.999)));
          double bc1 = 1 - Math.pow(0.9, step);
          double bc2 = 1 - Math.pow(0.999, step);
          Tensor denom = v.sqrt().div((float) Math.sqrt(bc2)).add(1e-8f);
          ref = ref.add(m.div(denom).mul((float) (-0.01 / bc1)));
        }
        assertArrayEquals(ref.toFloatArray(), p.detach().toFloatArray(), "decoupled " + decoupled + ", wd " + wd);
      }
    }
  }

  /** Once its state exists, an Adam step allocates no parameter-sized arrays (it used to allocate five). */
  @Test
  void adamStepsDoNotAllocateParameterSizedTemporaries() {
    Generator gen = new Generator(3);
    Tensor p = Tensor.randn(gen, 3, 70_000).requiresGrad(true);
    Tensor g = Tensor.randn(gen, 3, 70_000);
    long paramBytes = 4L * p.numel();
    for (boolean decoupled : new boolean[] {false, true}) {
      List<ParamGroup> groups = List.of(new ParamGroup(List.of(p), 0.01, 1e-2));
      Optimizer adam = decoupled ? new AdamW(groups, 0.9, 0.999, 1e-8) : new Adam(groups, 0.9, 0.999, 1e-8);
      long last = 0;
      for (int step = 0; step < 4; step++) {
        p.setGrad(g);
        last = Allocations.bytesAllocatedBy(adam::step);
      }
      assertTrue(last < paramBytes / 4, "an Adam step allocated " + last + " bytes; one parameter is " + paramBytes);
    }
  }
}
