package io.github.resnet4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.io.SafeTensors;
import io.github.resnet4j.nn.Init;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.NoGrad;
import io.github.resnet4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Architectures pinned by their published parameter counts, keys and output shapes. */
class ModelsTest {
  @ParameterizedTest
  @CsvSource({
      "resnet18, 3, 1000, 11689512",
      "resnet34, 3, 1000, 21797672",
      "resnet50, 3, 1000, 25557032",
      "resnet101, 3, 1000, 44549160",
      "resnet152, 3, 1000, 60192808",
      "resnet20, 3, 10, 272474",
      // Each further block per stage adds 97,216 (see cifarDepthsGrowBySixN): 20 + 2k*6 layers.
      "resnet32, 3, 10, 466906",
      "resnet44, 3, 10, 661338",
      "resnet56, 3, 10, 855770",
      "resnet110, 3, 10, 1730714",
      // the paper's option A has no projection convs: 2,752 parameters fewer (reference models.py)
      "resnet20-a, 3, 10, 269722",
      "seed, 3, 10, 127626",
      // Pre-activation nets, derived from the published counts above: a pre-activation block has a
      // BatchNorm on its input (2*in) instead of one on its output (2*out) and no BatchNorm in the
      // projection; the stem loses its BatchNorm and a final BatchNorm is added. ResNet-18: stage
      // transitions 64->128, 128->256, 256->512 change by -384, -768, -1536; stem -128; final +1024.
      "preact-resnet18, 3, 1000, 11687720",
      "preact-resnet34, 3, 1000, 21795880",
      // ResNet-20: transitions 16->32, 32->64 change by -96, -192; stem -32; final BatchNorm(64) +128.
      "preact-resnet20, 3, 10, 272282",
      "preact-resnet110, 3, 10, 1730522",
      "seed-small, 1, 10, 115658"})
  void parameterCountsMatchTheReferences(String name, int in, int classes, long expected) {
    assertEquals(expected, Models.create(name, in, classes).parameterCount(), name);
  }

  @Test
  void cifarDepthsGrowBySixN() {
    // each extra block per stage adds two 3x3 convs + two BNs in each of three stages
    long r20 = Models.cifarResNet(20, 10).parameterCount();
    long r32 = Models.cifarResNet(32, 10).parameterCount();
    long perN = 2 * (16 * 16 * 9 + 32) + 2 * (32 * 32 * 9 + 64) + 2 * (64 * 64 * 9 + 128);
    assertEquals(r20 + 2 * perN, r32);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.cifarResNet(21, 10));
    assertTrue(e.getMessage().contains("6n+2"), e.getMessage());
  }

  @Test
  void resnet18HasTorchvisionKeys() {
    Map<String, Tensor> sd = Models.resnet18(1000).stateDict();
    for (String k : List.of("conv1.weight", "bn1.running_mean", "bn1.num_batches_tracked", "layer1.0.conv1.weight",
        "layer1.1.bn2.bias", "layer2.0.downsample.0.weight", "layer2.0.downsample.1.num_batches_tracked",
        "layer4.1.conv2.weight", "fc.weight", "fc.bias")) {
      assertTrue(sd.containsKey(k), k);
    }
    assertEquals(122, sd.size()); // torchvision resnet18().state_dict() has 122 entries
    assertArrayEquals(new int[] {64, 3, 7, 7}, sd.get("conv1.weight").shape());
    assertTrue(!sd.containsKey("layer1.0.downsample.0.weight"));
  }

  @Test
  void resnet50UsesBottlenecksWithStrideOnTheThreeByThree() {
    Map<String, Tensor> sd = Models.resnet50(1000).stateDict();
    assertArrayEquals(new int[] {128, 128, 3, 3}, sd.get("layer2.0.conv2.weight").shape());
    assertArrayEquals(new int[] {128, 256, 1, 1}, sd.get("layer2.0.conv1.weight").shape());
    assertArrayEquals(new int[] {256, 64, 1, 1}, sd.get("layer1.0.downsample.0.weight").shape());
    assertEquals(320, sd.size()); // torchvision resnet50().state_dict() has 320 entries
  }

  @Test
  void seedKeysAreMainAndShortcut() {
    Set<String> keys = Models.seed(3, 10).stateDict().keySet();
    assertTrue(keys.containsAll(List.of("block1.main.0.weight", "block1.main.0.bias", "block1.main.1.running_var",
        "block3.shortcut.0.weight", "block3.shortcut.1.num_batches_tracked", "fc.weight", "fc.bias")), keys.toString());
  }

  @ParameterizedTest
  @CsvSource({
      "seed, 3, 16",
      "seed-small, 1, 28",
      "resnet20, 3, 32",
      "resnet20-a, 3, 32",
      "preact-resnet20, 3, 32",
      "resnet18, 3, 64",
      "preact-resnet18, 3, 64",
      "resnet50, 3, 64"})
  void forwardGivesLogits(String name, int in, int size) {
    Module m = Models.create(name, in, 7);
    m.eval();
    try (NoGrad ignored = NoGrad.enter()) {
      Tensor y = m.forward(Tensor.randn(new Generator(3), 2, in, size, size));
      assertArrayEquals(new int[] {2, 7}, y.shape(), name);
    }
  }

  /**
   * Evaluation under NoGrad folds every BatchNorm that follows a convolution (stems, blocks, projection
   * shortcuts, bottlenecks); with gradients on, the same model runs layer by layer. The logits agree within
   * float32 rounding, with running statistics and affine parameters far from their initial values.
   */
  @ParameterizedTest
  @CsvSource({
      "seed, 3, 16",
      "resnet20, 3, 32",
      "resnet20-a, 3, 32",
      "preact-resnet20, 3, 32",
      "resnet18, 3, 64",
      "resnet50, 3, 64"})
  void foldedInferenceEqualsTheLayersWithinRounding(String name, int in, int size) {
    Generator gen = new Generator(9);
    Module m = Models.create(name, in, 7);
    try (NoGrad ignored = NoGrad.enter()) {
      for (Module layer : m.namedModules().values()) {
        if (layer instanceof io.github.resnet4j.nn.BatchNorm) {
          io.github.resnet4j.nn.BatchNorm bn = (io.github.resnet4j.nn.BatchNorm) layer;
          int c = bn.runningMean().size(0);
          bn.weight().copyFrom(Tensor.uniform(gen, 0.5f, 1.5f, c));
          bn.bias().copyFrom(Tensor.uniform(gen, -0.5f, 0.5f, c));
          bn.runningMean().copyFrom(Tensor.uniform(gen, -0.3f, 0.3f, c));
          bn.runningVar().copyFrom(Tensor.uniform(gen, 0.5f, 2f, c));
        }
      }
    }
    m.eval();
    Tensor x = Tensor.randn(gen, 2, in, size, size);
    Tensor layers = m.forward(x).detach();
    Tensor folded;
    try (NoGrad ignored = NoGrad.enter()) {
      folded = m.forward(x);
    }
    assertTrue(folded.allClose(layers, 1e-4, 1e-4), name + ": folded " + folded + " vs layers " + layers);
  }

  @Test
  void unknownModelNamesTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.create("vgg16", 3, 10));
    assertTrue(e.getMessage().contains("resnet18") && e.getMessage().contains("vgg16"), e.getMessage());
  }

  @Test
  void stateDictRoundTripThroughSafetensorsGivesIdenticalOutputs(@TempDir Path dir) throws Exception {
    Init.manualSeed(4);
    Module a = Models.cifarResNet(20, 10);
    Tensor x = Tensor.randn(new Generator(5), 2, 3, 16, 16);
    a.forward(x); // one training step's worth of running statistics, so buffers are not at their defaults
    a.eval();
    Path file = dir.resolve("r20.safetensors");
    SafeTensors.write(file, a.stateDict(), Map.of("model", "resnet20"));
    Init.manualSeed(99);
    Module b = Models.cifarResNet(20, 10);
    b.loadStateDict(SafeTensors.readAll(file), true);
    b.eval();
    try (NoGrad ignored = NoGrad.enter()) {
      assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
    }
    assertEquals(SafeTensors.read(file).dtype("bn1.num_batches_tracked").name(), "I64");
  }

  @Test
  void summaryEndsWithTheTorchvisionCount() {
    String s = Models.resnet18(1000).summary(3, 64, 64);
    assertTrue(s.endsWith("Total params: 11,689,512"), s.substring(s.length() - 200));
    assertTrue(s.contains("layer4.1 (BasicBlock)"), s);
  }
}
