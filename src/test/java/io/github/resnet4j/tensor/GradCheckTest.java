package io.github.resnet4j.tensor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Every differentiable op against central finite differences. */
class GradCheckTest {
  private final Generator gen = new Generator(7);

  /** Values in +-[0.3, 1.3]: away from the kinks of relu, abs and clamp, and from 0 for division. */
  private Tensor input(int... shape) {
    Tensor t = Tensor.uniform(gen, 0.3f, 1.3f, shape);
    Tensor sign = Tensor.uniform(gen, -1, 1, shape);
    float[] v = t.toFloatArray();
    float[] s = sign.toFloatArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = s[i] < 0 ? -v[i] : v[i];
    }
    return Tensor.of(v, shape).requiresGrad(true);
  }

  private Tensor positive(int... shape) {
    return Tensor.uniform(gen, 0.5f, 2f, shape).requiresGrad(true);
  }

  static void check(Function<List<Tensor>, Tensor> f, Tensor... inputs) {
    GradCheck.Result r = GradCheck.check(f, Arrays.asList(inputs), 1e-2, 2e-3, 2e-2);
    assertTrue(r.passed(), r.message());
  }

  @Test
  void arithmeticWithBroadcasting() {
    check(x -> x.get(0).add(x.get(1)), input(2, 3), input(3));
    check(x -> x.get(0).sub(x.get(1)), input(2, 1, 3), input(4, 1));
    check(x -> x.get(0).mul(x.get(1)), input(2, 3), input(2, 1));
    check(x -> x.get(0).div(x.get(1)), input(2, 3), positive(3));
    check(x -> x.get(0).add(2f).mul(3f).sub(1f).div(2f), input(4));
    check(x -> x.get(0).neg(), input(3));
  }

  @Test
  void unaryFunctions() {
    check(x -> x.get(0).pow(3f), input(5));
    check(x -> x.get(0).pow(Tensor.of(new float[] {2, 3}, 2)), positive(3, 2));
    check(x -> x.get(0).exp(), input(5));
    check(x -> x.get(0).log(), positive(5));
    check(x -> x.get(0).sqrt(), positive(5));
    check(x -> x.get(0).abs(), input(5));
    check(x -> x.get(0).relu(), input(5));
    check(x -> x.get(0).sigmoid(), input(5));
    check(x -> x.get(0).tanh(), input(5));
    check(x -> x.get(0).clamp(-0.8f, 0.8f), input(6));
    check(x -> x.get(0).maximum(x.get(1)), input(2, 3), input(3));
    check(x -> x.get(0).minimum(x.get(1)), input(2, 3), input(2, 3));
  }

  @Test
  void reductions() {
    check(x -> x.get(0).sum(), input(2, 3));
    check(x -> x.get(0).sum(new int[] {0, 2}, true), input(2, 3, 2));
    check(x -> x.get(0).mean(1), input(2, 3));
    check(x -> x.get(0).var(new int[] {1}, true, false), input(3, 4));
    check(x -> x.get(0).var(new int[] {0, 1}, false, true), input(3, 4));
    check(x -> x.get(0).max(1, false), input(3, 4));
    check(x -> x.get(0).max(), input(3, 4));
    check(x -> x.get(0).logSumExp(1, true), input(3, 4));
    check(x -> x.get(0).softmax(0), input(3, 4));
    check(x -> x.get(0).logSoftmax(1), input(3, 4));
  }

  @Test
  void viewsAndJoins() {
    check(x -> x.get(0).reshape(3, 2).permute(1, 0).mul(x.get(0).transpose(0, 1).transpose(1, 0)), input(2, 3));
    check(x -> x.get(0).narrow(1, 1, 2), input(2, 4));
    check(x -> x.get(0).expand(3, 2, 4), input(2, 1));
    check(x -> x.get(0).unsqueeze(0).squeeze(), input(2, 3));
    check(x -> x.get(0).t().contiguous(), input(2, 3));
    check(x -> x.get(0).flatten(0), input(2, 3));
    check(x -> Tensor.cat(List.of(x.get(0), x.get(1)), 1), input(2, 3), input(2, 2));
    check(x -> Tensor.stack(List.of(x.get(0), x.get(1)), 0), input(2, 3), input(2, 3));
    check(x -> x.get(0).split(new int[] {1, 2}, 1)[1], input(2, 3));
    check(x -> x.get(0).indexSelect(0, Tensor.of(new float[] {2, 0, 2}, 3)), input(3, 2));
    check(x -> x.get(0).gather(1, Tensor.of(new float[] {0, 2, 1, 1}, 2, 2)), input(2, 3));
  }

  @Test
  void matmulPlainBatchedAndVector() {
    check(x -> x.get(0).matmul(x.get(1)), input(3, 4), input(4, 2));
    check(x -> x.get(0).matmul(x.get(1)), input(2, 3, 4), input(4, 2));
    check(x -> x.get(0).matmul(x.get(1)), input(3, 4), input(4));
    check(x -> x.get(0).t().matmul(x.get(1).t()), input(4, 3), input(2, 4));
  }

  @Test
  void functionalForms() {
    check(x -> Functional.linear(x.get(0), x.get(1), x.get(2)), input(3, 4), input(2, 4), input(2));
    check(x -> Functional.globalAvgPool2d(x.get(0)), input(2, 3, 2, 2));
    Tensor labels = Tensor.ofLongs(new long[] {1, 0, 2}, 3);
    check(x -> Functional.crossEntropy(x.get(0), labels), input(3, 4));
    check(x -> Functional.crossEntropy(x.get(0), labels, 0.1f, false), input(3, 4));
    check(x -> Functional.mse(x.get(0), x.get(1)), input(2, 3), input(2, 3));
    check(x -> Functional.bceWithLogits(x.get(0), x.get(1)), input(2, 3), positive(2, 3).mul(0.4f).detach());
  }

  @Test
  void theCheckerCatchesAWrongGradient() {
    // d/dx of x*stop(x) is stop(x), not 2x: the numeric derivative sees 2x, so this must fail.
    Tensor x = input(4);
    GradCheck.Result r = GradCheck.check(in -> in.get(0).mul(in.get(0).detach()), List.of(x), 1e-2, 2e-3, 2e-2);
    assertFalse(r.passed(), r.message());
  }
}
