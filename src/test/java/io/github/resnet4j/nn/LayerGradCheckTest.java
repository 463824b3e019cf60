package io.github.resnet4j.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.GradCheck;
import io.github.resnet4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Layers' gradients (input and every parameter) against central finite differences. */
class LayerGradCheckTest {
  private final Generator gen = new Generator(11);

  /** Checks d(layer(x))/dx and d/d(params) by perturbing each of them. */
  private void check(Module layer, int... inputShape) {
    check(layer, Tensor.uniform(gen, -1, 1, inputShape).requiresGrad(true));
  }

  /** Distinct values 0.1 apart in random order, so a 1e-2 step never changes which one is the maximum. */
  private Tensor spaced(int... shape) {
    int n = Tensor.zeros(shape).numel();
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = 0.1f * i - 0.05f * n;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = gen.nextInt(i + 1);
      float t = v[i];
      v[i] = v[j];
      v[j] = t;
    }
    return Tensor.of(v, shape).requiresGrad(true);
  }

  private void check(Module layer, Tensor x) {
    List<Tensor> inputs = new ArrayList<>();
    inputs.add(x);
    inputs.addAll(layer.parameters());
    GradCheck.Result r = GradCheck.check(in -> layer.forward(in.get(0)), inputs, 1e-2, 2e-3, 2e-2);
    assertTrue(r.passed(), layer + ": " + r.message());
  }

  @Test
  void conv2dSameStride2() {
    check(new Conv2D(2, 3, 3, Conv2D.options().stride(2).same().generator(gen)), 2, 2, 6, 6);
  }

  @Test
  void conv2dSameStride2OddInput() {
    check(new Conv2D(2, 3, 3, Conv2D.options().stride(2).same().generator(gen)), 1, 2, 7, 5);
  }

  @Test
  void conv2dDilation() {
    check(new Conv2D(2, 2, 3, Conv2D.options().dilation(2).same().generator(gen)), 1, 2, 7, 7);
  }

  @Test
  void conv2dGroups() {
    check(new Conv2D(4, 6, 3, Conv2D.options().groups(2).padding(Padding.of(1)).generator(gen)), 2, 4, 5, 5);
  }

  @Test
  void conv2dAsymmetricExplicitPaddingNoBias() {
    check(new Conv2D(2, 3, 2, Conv2D.options().padding(Padding.of(0, 1, 1, 0)).bias(false).generator(gen)),
        1, 2, 4, 5);
  }

  @Test
  void batchNormTrainAndEval() {
    BatchNorm bn = new BatchNorm(3);
    check(bn, 4, 3, 2, 2);
    bn.runningVar().copyFrom(Tensor.uniform(gen, 0.5f, 2f, 3));
    bn.eval();
    check(bn, 4, 3, 2, 2);
    check(new BatchNorm(3), 5, 3);
  }

  @Test
  void pooling() {
    check(new MaxPool2D(2), spaced(2, 2, 4, 5));
    check(new MaxPool2D(3, 2, 1), spaced(1, 2, 5, 5));
    check(new AvgPool2D(2), 2, 2, 4, 4);
    check(new AvgPool2D(3, 2, 1), 1, 2, 5, 5);
    check(new GlobalAvgPool2D(), 2, 3, 2, 3);
  }

  @Test
  void denseAndResidualBlock() {
    check(new Dense(4, 3, true, gen), 2, 4);
    check(new ResidualBlock(new Sequential(new Conv2D(2, 2, 3, Conv2D.options().same().generator(gen))),
        new Identity()), 1, 2, 4, 4);
  }
}
