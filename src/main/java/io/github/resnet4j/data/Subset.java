package io.github.resnet4j.data;

import java.util.Objects;

/** A contiguous range of another data set (see {@link Dataset#subset(int, int)}). */
final class Subset implements Dataset {
  private final Dataset base;
  private final int from;
  private final int size;

  Subset(Dataset base, int from, int to) {
    Objects.checkFromToIndex(from, to, base.size());
    this.base = base;
    this.from = from;
    this.size = to - from;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Example get(int i) {
    Objects.checkIndex(i, size);
    return base.get(from + i);
  }

  @Override
  public Dataset subset(int start, int end) {
    Objects.checkFromToIndex(start, end, size);
    return new Subset(base, from + start, from + end);
  }
}
