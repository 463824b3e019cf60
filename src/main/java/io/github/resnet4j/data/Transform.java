package io.github.resnet4j.data;

import io.github.resnet4j.tensor.Generator;

/**
 * A per-example image transformation, such as augmentation or normalisation, on {@code [C, H, W]} arrays.
 *
 * <p>Randomness comes only from the generator passed in: {@link DataLoader} seeds one per example from
 * (seed, epoch, index), so results do not depend on threads or prefetching. A transform must not modify
 * its input; it returns a new example (or the input itself when nothing changes). Transforms compose in
 * order, sharing the example's generator:
 *
 * <pre>{@code
 * Transform train = new RandomCrop(32, 4).andThen(new RandomHorizontalFlip(0.5))
 *     .andThen(new Normalize(mean, std));
 * }</pre>
 */
@FunctionalInterface
public interface Transform {
  /**
   * Transforms one example.
   *
   * @param x the example, not to be modified
   * @param gen the example's generator, the only source of randomness
   * @return the transformed example
   */
  Example apply(Example x, Generator gen);

  /**
   * This transform followed by another.
   *
   * @param next the transform applied to this one's result
   * @return the composition
   */
  default Transform andThen(Transform next) {
    return (x, gen) -> next.apply(apply(x, gen), gen);
  }

  /**
   * Transforms applied in order.
   *
   * @param transforms the transforms, first applied first; none gives the identity
   * @return the composition
   */
  static Transform compose(Transform... transforms) {
    Transform[] ts = transforms.clone();
    return (x, gen) -> {
      Example y = x;
      for (Transform t : ts) {
        y = t.apply(y, gen);
      }
      return y;
    };
  }
}
