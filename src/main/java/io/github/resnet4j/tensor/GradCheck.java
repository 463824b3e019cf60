package io.github.resnet4j.tensor;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Checks autograd gradients against central finite differences.
 *
 * <p>The function's inputs are float32, so the perturbed values are rounded to float32 too; the
 * difference quotient and the comparison are computed in double precision, with the function's output
 * reduced as {@code sum(f(x) * w)} for a fixed random weight {@code w}, so every output element counts.
 *
 * <pre>{@code
 * GradCheck.Result r = GradCheck.check(xs -> xs.get(0).tanh(), List.of(x), 1e-2, 1e-3, 1e-2);
 * assert r.passed() : r.message();
 * }</pre>
 */
public final class GradCheck {
  private GradCheck() {}

  /**
   * The outcome of a check.
   *
   * @param passed whether every entry was within tolerance
   * @param maxError the largest {@code |analytic - numeric| / (atol + rtol * |numeric|)} seen (pass: &lt;= 1)
   * @param message where the worst entry was, with both values
   */
  public record Result(boolean passed, double maxError, String message) {}

  /**
   * Compares the analytic gradient of {@code f} at {@code inputs} with central differences.
   *
   * @param f the function; it must be deterministic
   * @param inputs the points; those with {@link Tensor#requiresGrad()} are checked
   * @param eps the step
   * @param atol absolute tolerance
   * @param rtol relative tolerance
   * @return the result
   */
  public static Result check(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, double eps, double atol,
      double rtol) {
    Tensor out = f.apply(inputs);
    Generator gen = new Generator(12345);
    Tensor weight = Tensor.uniform(gen, 0.5f, 1.5f, out.shape);
    for (Tensor in : inputs) {
      in.zeroGrad();
    }
    out.mul(weight).sum().backward();
    double worst = 0;
    String where = "all entries within tolerance";
    for (int k = 0; k < inputs.size(); k++) {
      Tensor in = inputs.get(k);
      if (!in.requiresGrad()) {
        continue;
      }
      if (!in.isContiguous() || in.offset != 0) {
        throw new IllegalArgumentException("GradCheck: input " + k + " must be a dense tensor");
      }
      float[] analytic = in.grad() == null ? new float[in.numel()] : in.grad().toFloatArray();
      for (int i = 0; i < in.numel(); i++) {
        float orig = in.data()[i];
        in.data()[i] = (float) (orig + eps);
        double hi = weightedSum(f, inputs, weight);
        double up = in.data()[i] - (double) orig;
        in.data()[i] = (float) (orig - eps);
        double lo = weightedSum(f, inputs, weight);
        double down = orig - (double) in.data()[i];
        in.data()[i] = orig;
        double numeric = (hi - lo) / (up + down);
        double err = Math.abs(analytic[i] - numeric) / (atol + rtol * Math.abs(numeric));
        if (err > worst || Double.isNaN(err)) {
          worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
          where = "input " + k + " " + Shapes.str(in.shape) + " element " + i + ": analytic " + analytic[i]
              + ", numeric " + numeric;
        }
      }
    }
    return new Result(worst <= 1.0, worst, where);
  }

  private static double weightedSum(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, Tensor weight) {
    try (NoGrad ignored = NoGrad.enter()) {
      float[] y = f.apply(inputs).toFloatArray();
      float[] w = weight.toFloatArray();
      if (y.length != w.length) {
        throw new IllegalStateException("GradCheck: the function's output size changed: " + y.length
            + " vs " + w.length + " (" + Arrays.toString(weight.shape) + ")");
      }
      double s = 0;
      for (int i = 0; i < y.length; i++) {
        s += (double) y[i] * w[i];
      }
      return s;
    }
  }
}
