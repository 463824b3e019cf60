package io.github.resnet4j.models;

import io.github.resnet4j.nn.Init;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.tensor.Generator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Factories for the ready networks. Parameter counts equal the references: ResNet-18 11,689,512,
 * ResNet-34 21,797,672, ResNet-50 25,557,032, ResNet-101 44,549,160, ResNet-152 60,192,808 (torchvision,
 * 1000 classes); CIFAR ResNet-20 with projection shortcuts 272,474 (10 classes).
 *
 * <pre>{@code
 * Module net = Models.resnet18(1000);
 * Module cifar = Models.cifarResNet(56, 10);
 * Module seed = Models.seed(3, 10);
 * Module any = Models.create("resnet50", 3, 1000);
 * }</pre>
 *
 * <p>Weights are drawn from {@link Init#defaultGenerator()}; call {@link Init#manualSeed(long)} first for
 * reproducible weights.
 */
public final class Models {
  private Models() {}

  /** A factory taking (input channels, classes). */
  @FunctionalInterface
  private interface Factory {
    Module create(int inChannels, int classes);
  }

  private static final Map<String, Factory> REGISTRY = new LinkedHashMap<>();

  static {
    REGISTRY.put("seed", Models::seed);
    REGISTRY.put("seed-small", Models::seedSmall);
    for (int depth : new int[] {20, 32, 44, 56, 110}) {
      REGISTRY.put("resnet" + depth, (c, k) -> cifarResNet(depth, c, k, Shortcut.PROJECTION));
    }
    REGISTRY.put("resnet20-a", (c, k) -> cifarResNet(20, c, k, Shortcut.ZERO_PAD));
    REGISTRY.put("preact-resnet20", (c, k) -> preactCifarResNet(20, c, k));
    REGISTRY.put("preact-resnet110", (c, k) -> preactCifarResNet(110, c, k));
    REGISTRY.put("resnet18", (c, k) -> imagenet(ResNet.Block.BASIC, new int[] {2, 2, 2, 2}, c, k));
    REGISTRY.put("resnet34", (c, k) -> imagenet(ResNet.Block.BASIC, new int[] {3, 4, 6, 3}, c, k));
    REGISTRY.put("resnet50", (c, k) -> imagenet(ResNet.Block.BOTTLENECK, new int[] {3, 4, 6, 3}, c, k));
    REGISTRY.put("resnet101", (c, k) -> imagenet(ResNet.Block.BOTTLENECK, new int[] {3, 4, 23, 3}, c, k));
    REGISTRY.put("resnet152", (c, k) -> imagenet(ResNet.Block.BOTTLENECK, new int[] {3, 8, 36, 3}, c, k));
    REGISTRY.put("preact-resnet18", (c, k) -> imagenet(ResNet.Block.PRE_ACTIVATION, new int[] {2, 2, 2, 2}, c, k));
    REGISTRY.put("preact-resnet34", (c, k) -> imagenet(ResNet.Block.PRE_ACTIVATION, new int[] {3, 4, 6, 3}, c, k));
  }

  /**
   * The names {@link #create(String, int, int)} accepts.
   *
   * @return model names in a stable order
   */
  public static List<String> names() {
    return List.copyOf(REGISTRY.keySet());
  }

  /**
   * A model by name: seed, seed-small, resnet20/32/44/56/110, resnet20-a (option A shortcuts),
   * preact-resnet20/110, resnet18/34/50/101/152, preact-resnet18/34.
   *
   * @param name the model name
   * @param inChannels input channels
   * @param classes output classes
   * @return the model in training mode
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public static Module create(String name, int inChannels, int classes) {
    Factory f = REGISTRY.get(name);
    if (f == null) {
      throw new IllegalArgumentException("unknown model '" + name + "'; known models: " + String.join(", ", names()));
    }
    if (inChannels < 1 || classes < 1) {
      throw new IllegalArgumentException("model " + name + ": in-channels " + inChannels + " and classes " + classes
          + " must be positive");
    }
    return f.create(inChannels, classes);
  }

  /**
   * The seed network: seed block(64) - seed block(64) - seed block(128), all stride 1, global average
   * pool, dense. 127,626 parameters for 3 channels and 10 classes.
   *
   * @param inChannels input channels
   * @param classes output classes
   * @return the model
   */
  public static Module seed(int inChannels, int classes) {
    return new SeedNet(inChannels, 0, new int[] {64, 64, 128}, new int[] {1, 1, 1}, classes, Init.defaultGenerator());
  }

  /**
   * A small seed-style ResNet that trains fast on 28x28 images: stem conv 32 (3x3 same + BN + ReLU),
   * seed blocks 32, 64 (stride 2), 128 (stride 2), global average pool, dense. 115,658 parameters for
   * 1 channel and 10 classes.
   *
   * @param inChannels input channels
   * @param classes output classes
   * @return the model
   */
  public static Module seedSmall(int inChannels, int classes) {
    return new SeedNet(inChannels, 32, new int[] {32, 64, 128}, new int[] {1, 2, 2}, classes,
        Init.defaultGenerator());
  }

  /**
   * CIFAR ResNet of He et al. 2015 section 4.2: depth 6n+2, three stages of n basic blocks with 16, 32
   * and 64 channels, projection shortcuts.
   *
   * @param depth 20, 32, 44, 56, 110, ... (6n + 2)
   * @param classes output classes
   * @return the model, for 3-channel input
   */
  public static Module cifarResNet(int depth, int classes) {
    return cifarResNet(depth, 3, classes, Shortcut.PROJECTION);
  }

  /**
   * CIFAR ResNet with a choice of input channels and shortcut.
   *
   * @param depth 6n + 2
   * @param inChannels input channels
   * @param classes output classes
   * @param shortcut projection (option B) or zero padding (option A, the paper's)
   * @return the model
   */
  public static Module cifarResNet(int depth, int inChannels, int classes, Shortcut shortcut) {
    int n = blocksPerStage(depth);
    return new ResNet(ResNet.Block.BASIC, new int[] {n, n, n}, new int[] {16, 32, 64}, false, inChannels, classes,
        shortcut, Init.defaultGenerator());
  }

  /**
   * Pre-activation CIFAR ResNet (He et al. 2016): depth 6n + 2, basic pre-activation blocks.
   *
   * @param depth 6n + 2
   * @param inChannels input channels
   * @param classes output classes
   * @return the model
   */
  public static Module preactCifarResNet(int depth, int inChannels, int classes) {
    int n = blocksPerStage(depth);
    return new ResNet(ResNet.Block.PRE_ACTIVATION, new int[] {n, n, n}, new int[] {16, 32, 64}, false, inChannels,
        classes, Shortcut.PROJECTION, Init.defaultGenerator());
  }

  private static int blocksPerStage(int depth) {
    if (depth < 8 || (depth - 2) % 6 != 0) {
      throw new IllegalArgumentException("CIFAR ResNet depth must be 6n+2 (20, 32, 44, 56, 110, ...), got " + depth);
    }
    return (depth - 2) / 6;
  }

  /**
   * ResNet-18 (torchvision), 3-channel input.
   *
   * @param classes output classes (1000 for ImageNet)
   * @return the model
   */
  public static Module resnet18(int classes) {
    return create("resnet18", 3, classes);
  }

  /**
   * ResNet-34 (torchvision), 3-channel input.
   *
   * @param classes output classes
   * @return the model
   */
  public static Module resnet34(int classes) {
    return create("resnet34", 3, classes);
  }

  /**
   * ResNet-50 (torchvision, v1.5 bottlenecks), 3-channel input.
   *
   * @param classes output classes
   * @return the model
   */
  public static Module resnet50(int classes) {
    return create("resnet50", 3, classes);
  }

  /**
   * ResNet-101 (torchvision), 3-channel input.
   *
   * @param classes output classes
   * @return the model
   */
  public static Module resnet101(int classes) {
    return create("resnet101", 3, classes);
  }

  /**
   * ResNet-152 (torchvision), 3-channel input.
   *
   * @param classes output classes
   * @return the model
   */
  public static Module resnet152(int classes) {
    return create("resnet152", 3, classes);
  }

  private static Module imagenet(ResNet.Block block, int[] layers, int inChannels, int classes) {
    Generator gen = Init.defaultGenerator();
    return new ResNet(block, layers, new int[] {64, 128, 256, 512}, true, inChannels, classes, Shortcut.PROJECTION,
        gen);
  }
}
