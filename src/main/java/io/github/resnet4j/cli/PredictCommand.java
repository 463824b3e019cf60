package io.github.resnet4j.cli;

import io.github.resnet4j.io.Npy;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.tensor.NoGrad;
import io.github.resnet4j.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** {@code predict --model NAME --weights W.safetensors --input X.npy --output Y.npy}: eval-mode logits. */
final class PredictCommand {
  private PredictCommand() {}

  static int run(String[] argv, PrintStream out) throws UsageException {
    Args a = new Args("predict", argv, Map.of("model", 1, "weights", 1, "input", 1, "output", 1, "classes", 1,
        "in-channels", 1));
    Module model = ModelArgs.create(a.required("model"), a);
    Path weights = Path.of(a.required("weights"));
    Path input = Path.of(a.required("input"));
    Path output = Path.of(a.required("output"));
    Weights.load(model, weights);
    Tensor x;
    try {
      x = Npy.read(input);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UsageException("predict: input file not found: " + input);
    } catch (IOException e) {
      throw new UsageException("predict: cannot read input: " + e.getMessage(), e);
    }
    Tensor y;
    model.eval();
    try (NoGrad ignored = NoGrad.enter()) {
      y = model.forward(x);
    } catch (IllegalArgumentException e) {
      throw new UsageException("predict: input " + input + " of shape " + Arrays.toString(x.shape())
          + " does not fit the model: " + e.getMessage(), e);
    }
    try {
      Npy.write(output, y);
    } catch (IOException e) {
      throw new UsageException("predict: cannot write " + output + ": " + e.getMessage(), e);
    }
    out.println("wrote logits " + Arrays.toString(y.shape()) + " to " + output);
    return 0;
  }
}
