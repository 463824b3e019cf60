package io.github.resnet4j.data;

import io.github.resnet4j.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * An in-memory data set: images {@code [N, C, H, W]} in one float array and one label per image.
 *
 * <pre>{@code
 * TensorDataset ds = new TensorDataset(pixels, new int[] {100, 3, 32, 32}, labels);
 * TensorDataset[] parts = {ds.subset(0, 90), ds.subset(90, 100)};   // views, no copy
 * }</pre>
 */
public final class TensorDataset implements Dataset {
  private final float[] images;
  private final int[] labels;
  private final int first;
  private final int size;
  private final int[] imageShape;
  private final int imageSize;

  /**
   * A data set over {@code images}, which is used as it is, not copied (so that a 188 MB training set
   * is not held twice): do not modify it afterwards.
   *
   * @param images the pixels of all images, row-major {@code [N, C, H, W]}
   * @param shape {@code {N, C, H, W}}, each size positive except {@code N}, which may be 0
   * @param labels {@code N} non-negative class indices (copied)
   * @throws IllegalArgumentException if the sizes disagree or a label is negative
   */
  public TensorDataset(float[] images, int[] shape, int[] labels) {
    this(images, checkShape(shape, images.length, labels), labels.clone(), 0, shape[0]);
  }

  /**
   * A data set holding a copy of {@code images}.
   *
   * @param images a tensor of shape {@code [N, C, H, W]}
   * @param labels {@code N} non-negative class indices (copied)
   * @throws IllegalArgumentException if the sizes disagree or a label is negative
   */
  public TensorDataset(Tensor images, int[] labels) {
    this(images.toFloatArray(), images.shape(), labels);
  }

  /** A view of {@code count} images from {@code first}; no checks, no copies. */
  TensorDataset(float[] images, int[] imageShape, int[] labels, int first, int count) {
    this.images = images;
    this.labels = labels;
    this.first = first;
    this.size = count;
    this.imageShape = imageShape;
    this.imageSize = imageShape[0] * imageShape[1] * imageShape[2];
  }

  private static int[] checkShape(int[] shape, int length, int[] labels) {
    if (shape.length != 4 || shape[0] < 0 || shape[1] <= 0 || shape[2] <= 0 || shape[3] <= 0) {
      throw new IllegalArgumentException("TensorDataset: shape must be [N, C, H, W] with positive C, H, W,"
          + " got " + Arrays.toString(shape));
    }
    long n = (long) shape[0] * shape[1] * shape[2] * shape[3];
    if (n != length) {
      throw new IllegalArgumentException("TensorDataset: " + length + " values do not fill shape "
          + Arrays.toString(shape) + " (" + n + " elements)");
    }
    if (labels.length != shape[0]) {
      throw new IllegalArgumentException("TensorDataset: " + labels.length + " labels for " + shape[0]
          + " images");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException("TensorDataset: label " + labels[i] + " at index " + i
            + " is negative");
      }
    }
    return new int[] {shape[1], shape[2], shape[3]};
  }

  @Override
  public int size() {
    return size;
  }

  /**
   * One example; its image is a fresh copy.
   *
   * @param i the index, in {@code [0, size())}
   * @return the example
   */
  @Override
  public Example get(int i) {
    Objects.checkIndex(i, size);
    int at = (first + i) * imageSize;
    return new Example(Arrays.copyOfRange(images, at, at + imageSize), imageShape.clone(), labels[first + i]);
  }

  /**
   * The label of one example, without copying its image.
   *
   * @param i the index, in {@code [0, size())}
   * @return its class index
   */
  public int label(int i) {
    Objects.checkIndex(i, size);
    return labels[first + i];
  }

  /**
   * All labels.
   *
   * @return a new array of {@link #size()} class indices
   */
  public int[] labels() {
    return Arrays.copyOfRange(labels, first, first + size);
  }

  /**
   * The shape of every image.
   *
   * @return {@code {C, H, W}}
   */
  public int[] imageShape() {
    return imageShape.clone();
  }

  /**
   * All images as one tensor (a copy).
   *
   * @return a tensor of shape {@code [N, C, H, W]}
   */
  public Tensor images() {
    float[] d = Arrays.copyOfRange(images, first * imageSize, (first + size) * imageSize);
    return Tensor.of(d, size, imageShape[0], imageShape[1], imageShape[2]);
  }

  /**
   * The examples {@code from} (inclusive) to {@code to} (exclusive), sharing this data set's storage.
   *
   * @param from the first index
   * @param to the end index, exclusive
   * @return a view of size {@code to - from}
   * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= size()}
   */
  @Override
  public TensorDataset subset(int from, int to) {
    Objects.checkFromToIndex(from, to, size);
    return new TensorDataset(images, imageShape, labels, first + from, to - from);
  }
}
