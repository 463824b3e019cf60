package io.github.resnet4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.tensor.DType;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.NoGrad;
import io.github.resnet4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleTest {
  private static Sequential small() {
    return new Sequential(new Conv2D(3, 4, 3, Conv2D.options().same()), new BatchNorm(4), new ReLU(),
        new GlobalAvgPool2D(), new Dense(4, 2));
  }

  @Test
  void stateDictKeysFollowPyTorch() {
    Sequential m = small();
    assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
        "1.num_batches_tracked", "4.weight", "4.bias"), List.copyOf(m.stateDict().keySet()));
    assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias"),
        List.copyOf(m.namedParameters().keySet()));
    assertEquals(DType.INT64, m.stateDict().get("1.num_batches_tracked").dtype());
    assertEquals(3 * 4 * 9 + 4 + 4 + 4 + 4 * 2 + 2, m.parameterCount());
  }

  @Test
  void loadStateDictCopiesValuesAndReportsEveryProblem() {
    Sequential a = small();
    Sequential b = small();
    b.loadStateDict(a.stateDict(), true);
    Tensor x = Tensor.randn(new Generator(1), 2, 3, 5, 5);
    a.eval();
    b.eval();
    assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
    Map<String, Tensor> bad = new java.util.LinkedHashMap<>(a.stateDict());
    bad.remove("0.bias");
    bad.put("extra.weight", Tensor.zeros(1));
    bad.put("4.weight", Tensor.zeros(3, 4));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(bad, true));
    assertTrue(e.getMessage().contains("missing keys [0.bias]"), e.getMessage());
    assertTrue(e.getMessage().contains("unexpected keys [extra.weight]"), e.getMessage());
    assertTrue(e.getMessage().contains("4.weight: checkpoint [3, 4], model [2, 4]"), e.getMessage());
    bad.put("4.weight", a.stateDict().get("4.weight"));
    b.loadStateDict(bad, false);
  }

  @Test
  void renamingLoadsForeignNames() {
    Dense d = new Dense(2, 1);
    d.loadStateDict(Map.of("fc.w", Tensor.of(new float[] {3, 4}, 1, 2), "fc.b", Tensor.of(new float[] {5}, 1)), true,
        k -> k.equals("fc.w") ? "weight" : "bias");
    assertArrayEquals(new float[] {3, 4}, d.weight().toFloatArray());
    assertArrayEquals(new float[] {5}, d.bias().toFloatArray());
  }

  @Test
  void trainAndEvalPropagate() {
    Sequential m = small();
    m.eval();
    assertFalse(m.get(1).isTraining());
    m.train();
    assertTrue(m.get(1).isTraining());
  }

  @Test
  void batchNormCountsTrainingBatchesOnly() {
    BatchNorm bn = new BatchNorm(2);
    Tensor x = Tensor.randn(new Generator(2), 3, 2, 2, 2);
    bn.forward(x);
    bn.forward(x);
    bn.eval().getClass();
    bn.forward(x);
    assertEquals(2, bn.numBatchesTracked());
  }

  @Test
  void kerasBatchNormUsesKerasMomentum() {
    BatchNorm bn = BatchNorm.keras(1);
    Tensor x = Tensor.of(new float[] {1, 3}, 2, 1);
    bn.forward(x);
    // mean 2 with momentum 0.99 on the old statistic: 0.99*0 + 0.01*2
    assertEquals(0.02f, bn.runningMean().item(), 1e-7);
  }

  @Test
  void summaryListsShapesAndCounts() {
    String s = small().summary(3, 8, 8);
    assertTrue(s.contains("0 (Conv2D)"), s);
    assertTrue(s.contains("[N, 4, 8, 8]"), s);
    assertTrue(s.contains("[N, 2]"), s);
    String[] lines = s.split("\n");
    assertEquals("Total params: " + String.format("%,d", small().parameterCount()), lines[lines.length - 1]);
  }

  @Test
  void shapeErrorsNameTheShapes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Conv2D(3, 4, 3).forward(Tensor.zeros(1, 2, 5, 5)));
    assertTrue(e.getMessage().contains("[N, 3, H, W]") && e.getMessage().contains("[1, 2, 5, 5]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new ResidualBlock(new Conv2D(2, 3, 3), new Identity()).forward(Tensor.zeros(1, 2, 5, 5)));
    assertTrue(e.getMessage().contains("[1, 3, 3, 3]") && e.getMessage().contains("[1, 2, 5, 5]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Conv2D(3, 4, 3, Conv2D.options().groups(2)));
    assertThrows(IllegalArgumentException.class, () -> Conv2D.options().stride(0));
    assertThrows(IllegalArgumentException.class, () -> new Conv2D(1, 1, 5).forward(Tensor.zeros(1, 1, 3, 3)));
  }

  @Test
  void dropoutIsSeededAndOffInEval() {
    Tensor x = Tensor.ones(1000);
    Tensor a = new Dropout(0.3f, 5).forward(x);
    Tensor b = new Dropout(0.3f, 5).forward(x);
    assertArrayEquals(a.toFloatArray(), b.toFloatArray());
    assertEquals(1.0, a.mean().item(), 0.1);
    Dropout d = new Dropout(0.3f, 5);
    d.eval();
    assertArrayEquals(x.toFloatArray(), d.forward(x).toFloatArray());
  }

  @Test
  void dropoutsGeneratorIsNamedAndItsStateReplaysTheMasks() {
    Dropout d = new Dropout(0.5f, 5);
    Sequential net = new Sequential(new Flatten(), d);
    assertEquals(List.of("1.mask"), List.copyOf(net.namedGenerators().keySet()));
    Tensor x = Tensor.ones(1, 64);
    long before = net.namedGenerators().get("1.mask").state();
    float[] first = net.forward(x).toFloatArray();
    assertFalse(Arrays.equals(first, net.forward(x).toFloatArray()), "each call draws a new mask");
    net.namedGenerators().get("1.mask").setState(before);
    assertArrayEquals(first, net.forward(x).toFloatArray());
    assertTrue(net.stateDict().isEmpty(), "generators are not tensors of the state dict");
  }

  @Test
  void customModulesRegisterChildren() {
    Module net = new Module() {
      private final Dense fc1 = registerModule("fc1", new Dense(4, 3));
      private final Dense fc2 = registerModule("fc2", new Dense(3, 2));

      @Override
      protected Tensor compute(Tensor x) {
        return fc2.forward(fc1.forward(x).relu());
      }
    };
    assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(net.stateDict().keySet()));
    try (NoGrad ignored = NoGrad.enter()) {
      assertArrayEquals(new int[] {5, 2}, net.forward(Tensor.zeros(5, 4)).shape());
    }
    assertTrue(net.toString().contains("(fc1): Dense(in=4, out=3)"), net.toString());
  }

  @Test
  void initIsReproducibleFromTheSeed() {
    Init.manualSeed(9);
    Conv2D a = new Conv2D(3, 8, 3);
    Init.manualSeed(9);
    Conv2D b = new Conv2D(3, 8, 3);
    assertArrayEquals(a.weight().toFloatArray(), b.weight().toFloatArray());
    float bound = (float) (1 / Math.sqrt(27));
    assertTrue(a.weight().abs().max().item() <= bound);
  }
}
