package io.github.resnet4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.data.DataLoader;
import io.github.resnet4j.data.Example;
import io.github.resnet4j.data.TensorDataset;
import io.github.resnet4j.io.FileFormatException;
import io.github.resnet4j.io.SafeTensors;
import io.github.resnet4j.io.SafeTensorsDType;
import io.github.resnet4j.models.Models;
import io.github.resnet4j.nn.Conv2D;
import io.github.resnet4j.nn.Dense;
import io.github.resnet4j.nn.Flatten;
import io.github.resnet4j.nn.Init;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.nn.Sequential;
import io.github.resnet4j.optim.ParamGroup;
import io.github.resnet4j.optim.SGD;
import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.GradCheck;
import io.github.resnet4j.tensor.StepScope;
import io.github.resnet4j.tensor.Tensor;
import io.github.resnet4j.train.Evaluation;
import io.github.resnet4j.train.History;
import io.github.resnet4j.train.LossFunction;
import io.github.resnet4j.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Public entry points that the README examples and the package tests reach only indirectly, called here
 * the way a user outside the library calls them (this package sees only the exported API). Expected
 * values are worked out by hand in the comments, or are torchvision's published parameter counts.
 */
class PublicApiTest {
  @Test
  void aHandWrittenRmsPropStepInPlace() {
    // p -= lr * g / (sqrt(s) + eps), s = g * g: the in-place ops a user's own optimizer would use
    Tensor p = Tensor.of(new float[] {1, 2}, 2);
    Tensor g = Tensor.of(new float[] {0.5f, -2f}, 2);
    Tensor denom = Tensor.zeros(2).copyFrom(g).mulInPlace(g).sqrtInPlace().addInPlace(Tensor.scalar(1e-8f));
    Tensor step = Tensor.zeros(2).copyFrom(g).divInPlace(denom);
    p.addInPlace(-0.1f, step);
    assertEquals(0.9f, p.toFloatArray()[0], 1e-6f);
    assertEquals(2.1f, p.toFloatArray()[1], 1e-6f);
  }

  @Test
  void broadcastToIsAViewWithZeroStrides() {
    Tensor row = Tensor.of(new float[] {1, 2, 3}, 1, 3);
    Tensor b = row.broadcastTo(2, 3);
    assertArrayEquals(new int[] {2, 3}, b.shape());
    assertArrayEquals(new int[] {0, 1}, b.strides(), "the repeated dimension reads the same row");
    assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, b.toFloatArray());
    assertArrayEquals(new int[] {3, 1}, Tensor.zeros(2, 3).strides());
    assertThrows(IllegalArgumentException.class, () -> row.broadcastTo(2, 4));
  }

  @Test
  void functionalPooling() {
    // [[1, 2], [3, 4]] pooled by one 2x2 window: max 4, mean 2.5
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
    assertArrayEquals(new float[] {4}, Functional.maxPool2d(x, 2, 2, 0).toFloatArray());
    assertArrayEquals(new float[] {2.5f}, Functional.avgPool2d(x, 2, 2, 0, true).toFloatArray());
    // padding 1, kernel 2, stride 2 on 2x2: each window holds one real value and three padded ones
    assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f, 1f},
        Functional.avgPool2d(x, 2, 2, 1, true).toFloatArray(), "zero padding counted in the divisor");
    assertArrayEquals(new float[] {1, 2, 3, 4},
        Functional.avgPool2d(x, 2, 2, 1, false).toFloatArray(), "divided by the in-bounds count");
  }

  @Test
  void functionalDropoutIsSeededAndScales() {
    Tensor x = Tensor.ones(1000);
    float[] a = Functional.dropout(x, 0.5f, new Generator(9)).toFloatArray();
    float[] b = Functional.dropout(x, 0.5f, new Generator(9)).toFloatArray();
    assertArrayEquals(a, b);
    int kept = 0;
    for (float v : a) {
      assertTrue(v == 0f || v == 2f, "kept values are scaled by 1/(1-p): " + v);
      kept += v == 2f ? 1 : 0;
    }
    assertTrue(kept > 400 && kept < 600, kept + " of 1000 kept at p = 0.5");
  }

  @Test
  void generatorSequencesFollowTheSeed() {
    Generator g1 = new Generator(5);
    Generator g2 = new Generator(5);
    long first = g1.nextLong();
    assertEquals(first, g2.nextLong());
    assertNotEquals(first, new Generator(6).nextLong());
    assertNotEquals(first, g1.nextLong());
  }

  @Test
  void gradCheckReportsPassAndFailure() {
    Tensor x = Tensor.of(new float[] {0.5f, -1.5f, 2f}, 3).requiresGrad(true);
    GradCheck.Result ok = GradCheck.check(in -> in.get(0).mul(in.get(0)), List.of(x), 1e-3, 1e-3, 1e-2);
    assertTrue(ok.passed(), ok.message());
    assertTrue(ok.maxError() < 1e-2, "max error " + ok.maxError());
    // exp(10 x) with a step of 0.1: the central difference is off by about 17 % (sinh(1) / 1 - 1)
    GradCheck.Result bad = GradCheck.check(in -> in.get(0).mul(10f).exp(), List.of(x), 0.1, 1e-6, 1e-6);
    assertFalse(bad.passed());
    assertFalse(bad.message().isEmpty());
  }

  @Test
  void initialisers() {
    Init.manualSeed(11);
    long a = Init.defaultGenerator().nextLong();
    Init.manualSeed(11);
    assertEquals(a, Init.defaultGenerator().nextLong(), "manualSeed resets the default generator");

    Tensor w = Tensor.zeros(64, 16, 3, 3); // fan-in 144, fan-out 576
    Init.kaimingUniformDefault(w, new Generator(1));
    float bound = (float) (1 / Math.sqrt(144));
    for (float v : w.toFloatArray()) {
      assertTrue(Math.abs(v) <= bound, v + " outside +-" + bound);
    }
    Init.kaimingNormalFanOut(w, new Generator(2));
    double sumSq = 0;
    for (float v : w.toFloatArray()) {
      sumSq += v * v;
    }
    double std = Math.sqrt(sumSq / w.numel());
    assertEquals(Math.sqrt(2.0 / 576), std, 0.05 * Math.sqrt(2.0 / 576), "N(0, 2 / fan-out)");
  }

  @Test
  void moduleTreeQueries() {
    Sequential net = new Sequential(new Conv2D(1, 2, 3), new Flatten(), new Dense(2 * 26 * 26, 3));
    assertEquals(List.of("0", "1", "2"), List.copyOf(net.children().keySet()));
    assertTrue(net.children().get("2") instanceof Dense);
    assertEquals(List.of("", "0.", "1.", "2."), List.copyOf(net.namedModules().keySet()));
  }

  @Test
  void paramGroupLearningRates() {
    Tensor p = Tensor.zeros(3).requiresGrad(true);
    ParamGroup group = new ParamGroup(List.of(p), 0.1, 0.0);
    group.setLr(0.02);
    assertEquals(0.02, group.lr());
    assertEquals(0.1, group.initialLr(), "schedules scale the initial rate, which setLr leaves alone");
    assertThrows(IllegalArgumentException.class, () -> group.setLr(-1));
  }

  @Test
  void exampleDimensions() {
    Example e = new Example(new float[2 * 3 * 4], new int[] {2, 3, 4}, 1);
    assertEquals(2, e.channels());
    assertEquals(3, e.height());
    assertEquals(4, e.width());
  }

  @Test
  void safeTensorsElementTypes() {
    assertEquals(4, SafeTensorsDType.F32.byteSize());
    assertEquals(2, SafeTensorsDType.BF16.byteSize());
    assertEquals(8, SafeTensorsDType.I64.byteSize());
    assertTrue(SafeTensorsDType.F16.isFloatingPoint());
    assertFalse(SafeTensorsDType.I32.isFloatingPoint());
  }

  @Test
  void formatErrorsNameTheFileAndTheProblem(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad.safetensors");
    Files.write(bad, new byte[] {1, 2, 3});
    FileFormatException e = assertThrows(FileFormatException.class, () -> SafeTensors.read(bad));
    assertEquals(bad, e.file());
    assertFalse(e.problem().isEmpty());
    assertTrue(e.getMessage().contains(e.problem()), e.getMessage());
  }

  @Test
  void modelsByDirectCall() {
    // torchvision's published parameter counts (1000 classes)
    assertEquals(21_797_672L, Models.resnet34(1000).parameterCount());
    assertEquals(44_549_160L, Models.resnet101(1000).parameterCount());
    assertEquals(60_192_808L, Models.resnet152(1000).parameterCount());
    // the figure for the small Fashion-MNIST net, and the pre-activation ResNet-20 of the
    // "Identity Mappings" paper (0.27 M), as created by name
    assertEquals(115_658L, Models.seedSmall(1, 10).parameterCount());
    assertEquals(Models.create("preact-resnet20", 3, 10).parameterCount(),
        Models.preactCifarResNet(20, 3, 10).parameterCount());
  }

  @Test
  void trainerHistoryEvaluationAndJson() throws IOException {
    Generator g = new Generator(4);
    float[] images = new float[32 * 4];
    int[] labels = new int[32];
    for (int i = 0; i < 32; i++) {
      labels[i] = i % 2;
      for (int p = 0; p < 4; p++) {
        images[i * 4 + p] = (float) (g.nextGaussian() * 0.1 + labels[i]);
      }
    }
    TensorDataset data = new TensorDataset(images, new int[] {32, 1, 2, 2}, labels);
    Module net = new Sequential(new Flatten(), new Dense(4, 2));
    Trainer trainer = new Trainer(net, LossFunction.crossEntropy(), new SGD(net.parameters(), 0.5, 0.9, 0))
        .progress(null);
    trainer.fit(new DataLoader(data, 8), null, 2);
    History h = trainer.history();
    assertEquals(2, h.epochs().size());
    assertTrue(h.toJson().startsWith("[\n  {\"epoch\": 1, "), h.toJson());
    Evaluation ev = trainer.evaluate(new DataLoader(data, 8));
    String table = ev.confusionTable();
    assertTrue(table.startsWith("true\\pred"), table);
    // header plus one row per class, each row ending in its counts
    assertEquals(3, table.strip().split("\n").length, table);
    long onDiagonal = ev.confusion()[0][0] + ev.confusion()[1][1];
    assertEquals(ev.accuracy(), onDiagonal / 32.0, 1e-12);
  }

  /** A user who wants an activation of the step after it: keep() it, or lose it with a clear error. */
  @Test
  void stepScopeKeepsWhatItIsAskedToKeep() {
    Tensor x = Tensor.randn(new Generator(3), 2, 8, 64, 64); // 65,536 elements: large enough to be recycled
    Tensor w = Tensor.randn(new Generator(4), 8, 8, 3, 3).requiresGrad(true);
    Tensor kept;
    Tensor dropped;
    float[] expected;
    try (StepScope step = StepScope.open()) {
      Tensor y = Functional.conv2d(x, w, null, io.github.resnet4j.tensor.ConvSpec.of(1, 1)).relu();
      expected = y.toFloatArray();
      kept = step.keep(y);
      dropped = y.mul(2f);
      dropped.sum().backward();
    }
    assertArrayEquals(expected, kept.toFloatArray());
    IllegalStateException e = assertThrows(IllegalStateException.class, dropped::toFloatArray);
    assertTrue(e.getMessage().contains("[2, 8, 64, 64]"), e.getMessage());
    assertArrayEquals(new int[] {8, 8, 3, 3}, w.grad().shape());
    assertTrue(Float.isFinite(w.grad().sum().item()));
  }

  /**
   * A user logging gradients in a scoped loop: a gradient kept across zeroGrad throws when read (its memory
   * went to the next step), a copy taken before zeroGrad keeps the values.
   */
  @Test
  void aScopedGradientIsReadBeforeZeroGradOrCopied() {
    Tensor x = Tensor.randn(new Generator(3), 2, 4, 8, 8);
    Tensor w = Tensor.randn(new Generator(4), 8, 4, 3, 3).requiresGrad(true); // 288 floats: recycled
    try (StepScope step = StepScope.open()) {
      Functional.conv2d(x, w, null, io.github.resnet4j.tensor.ConvSpec.of(1, 1)).sum().backward();
    }
    Tensor logged = w.grad();
    float[] copy = w.grad().toFloatArray();
    w.zeroGrad();
    IllegalStateException e = assertThrows(IllegalStateException.class, logged::toFloatArray);
    assertTrue(e.getMessage().contains("[8, 4, 3, 3]") && e.getMessage().contains("zeroGrad"), e.getMessage());
    try (StepScope step = StepScope.open()) {
      Functional.conv2d(x, w, null, io.github.resnet4j.tensor.ConvSpec.of(1, 1)).sum().backward();
    }
    assertArrayEquals(copy, w.grad().toFloatArray()); // same input and weights: the same gradient again
  }

  /** A user writing their own residual block ends it with the fused op, module or functional form. */
  @Test
  void aHandWrittenBlockEndsInTheFusedBatchNormAddRelu() {
    Generator gen = new Generator(8);
    Tensor h = Tensor.randn(gen, 2, 3, 4, 4);
    Tensor shortcut = Tensor.randn(gen, 2, 3, 4, 4);
    io.github.resnet4j.nn.BatchNorm bn = new io.github.resnet4j.nn.BatchNorm(3);
    bn.eval();
    Tensor viaModule = bn.forwardAddRelu(h, shortcut);
    Tensor viaFunctional = Functional.batchNormAddRelu(h, shortcut, bn.weight(), bn.bias(), bn.runningMean(),
        bn.runningVar(), false, 0.1f, 1e-5f);
    Tensor expected = Functional.addRelu(bn.forward(h), shortcut);
    assertArrayEquals(expected.toFloatArray(), viaModule.toFloatArray());
    assertArrayEquals(expected.toFloatArray(), viaFunctional.toFloatArray());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Functional.batchNormAddRelu(h, Tensor.zeros(2, 3, 4), null, null, null, null, true, 0.1f, 1e-5f));
    assertTrue(e.getMessage().contains("[2, 3, 4]") && e.getMessage().contains("[2, 3, 4, 4]"), e.getMessage());
  }

  /** A spec's output size, as a user sizing a layer would ask it, equals what the convolution produces. */
  @Test
  void convSpecGivesTheConvolutionsOutputSize() {
    Generator g = new Generator(3);
    io.github.resnet4j.tensor.ConvSpec[] specs = {
        io.github.resnet4j.tensor.ConvSpec.of(1, 1), io.github.resnet4j.tensor.ConvSpec.of(2, 0),
        new io.github.resnet4j.tensor.ConvSpec(2, 3, 0, 1, 2, 0, 2, 1, 1),
        new io.github.resnet4j.tensor.ConvSpec(3, 1, 1, 1, 0, 0, 1, 3, 1)};
    for (io.github.resnet4j.tensor.ConvSpec spec : specs) {
      for (int size : new int[] {7, 8, 11}) {
        Tensor x = Tensor.randn(g, 1, 2, size, size + 1);
        Tensor w = Tensor.randn(g, 4, 2, 3, 3);
        int[] shape = Functional.conv2d(x, w, null, spec).shape();
        assertEquals(shape[2], spec.outputHeight(size, 3), spec + " " + size);
        assertEquals(shape[3], spec.outputWidth(size + 1, 3), spec + " " + size);
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> io.github.resnet4j.tensor.ConvSpec.of(1, 0).outputHeight(2, 3));
    assertTrue(e.getMessage().contains("height 2") && e.getMessage().contains("kernel's 3"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> io.github.resnet4j.tensor.ConvSpec.of(1, 0).outputWidth(5, 0));
  }
}
