package io.github.resnet4j.models;

import static io.github.resnet4j.testing.Fixtures.assertAbsBelow;
import static io.github.resnet4j.testing.Fixtures.assertClose;
import static io.github.resnet4j.testing.Fixtures.assertNormClose;

import io.github.resnet4j.io.SafeTensorsFile;
import io.github.resnet4j.nn.Init;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.Tensor;
import io.github.resnet4j.testing.Fixtures;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seed block (stride 1 and 2) and the whole seed model against PyTorch, loading the fixtures'
 * weights through the renaming variant of loadStateDict, as a user with foreign weights would.
 */
class SeedFixturesTest {
  /** The fixtures' names (conv, bn, shortcut_conv, shortcut_bn) to ours (main.0, main.1, shortcut.0/1). */
  static String rename(String key) {
    return key.replace("shortcut_conv.", "shortcut.0.").replace("shortcut_bn.", "shortcut.1.")
        .replaceFirst("(^|\\.)conv\\.", "$1main.0.").replaceFirst("(^|\\.)bn\\.", "$1main.1.");
  }

  private static Map<String, Tensor> weights(SafeTensorsFile f) throws IOException {
    Map<String, Tensor> state = new LinkedHashMap<>();
    for (String key : (f.metadata().get("parameters") + "," + f.metadata().get("buffers")).split(",")) {
      state.put(key, f.tensor(key));
    }
    return state;
  }

  private static void checkGradsAndBuffers(SafeTensorsFile f, Module model) throws IOException {
    Map<String, Tensor> params = model.namedParameters();
    for (String key : f.metadata().get("parameters").split(",")) {
      Tensor grad = params.get(rename(key)).grad();
      String name = f.path().getFileName() + " grad." + key;
      if (key.endsWith("conv.bias")) {
        assertAbsBelow(name, grad, 1e-4);
      } else {
        assertNormClose(name, f.tensor("grad." + key), grad);
      }
    }
    Map<String, Tensor> buffers = model.namedBuffers();
    for (String key : f.metadata().get("buffers").split(",")) {
      assertClose(f.path().getFileName() + " " + key + ".after", f.tensor(key + ".after"),
          buffers.get(rename(key)), 1e-4, 1e-5);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"seed_block_s1", "seed_block_s2"})
  void seedBlock(String file) throws IOException {
    SafeTensorsFile f = Fixtures.load(file);
    Map<String, String> md = f.metadata();
    Module block = SeedNet.seedBlock(Integer.parseInt(md.get("in_channels")), Integer.parseInt(md.get("out_channels")),
        Integer.parseInt(md.get("stride")), new Generator(0));
    block.loadStateDict(weights(f), true, SeedFixturesTest::rename);
    Tensor x = f.tensor("input").requiresGrad(true);
    Tensor out = block.forward(x);
    out.backward(f.tensor("upstream"));
    assertNormClose(file + " output", f.tensor("output"), out);
    assertNormClose(file + " grad.input", f.tensor("grad.input"), x.grad());
    checkGradsAndBuffers(f, block);
  }

  @ParameterizedTest
  @ValueSource(strings = {"seed_model_b2"})
  void seedModel(String file) throws IOException {
    SafeTensorsFile f = Fixtures.load(file);
    Init.manualSeed(1);
    Module model = Models.seed(3, 10);
    model.loadStateDict(weights(f), true, SeedFixturesTest::rename);
    Tensor x = f.tensor("input").requiresGrad(true);
    Tensor logits = model.forward(x);
    Tensor loss = Functional.crossEntropy(logits, f.tensor("labels"));
    loss.backward();
    assertNormClose(file + " logits", f.tensor("logits"), logits);
    assertClose(file + " loss", f.tensor("loss"), loss, 1e-4, 1e-5);
    assertNormClose(file + " grad.input", f.tensor("grad.input"), x.grad());
    checkGradsAndBuffers(f, model);
  }
}
