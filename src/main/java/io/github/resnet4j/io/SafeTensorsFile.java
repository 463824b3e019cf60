package io.github.resnet4j.io;

import io.github.resnet4j.tensor.Tensor;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An opened, validated safetensors file: its tensor names, shapes, dtypes and metadata, with the tensor
 * data read on demand.
 *
 * <p>{@link SafeTensors#read(Path)} parses and checks the whole header up front; the data buffer is read
 * only when {@link #tensor(String)} or {@link #asMap()} asks for it, in bounded chunks, so a 240 MB
 * ResNet-152 checkpoint costs one float copy per tensor and nothing else. No file handle stays open
 * between calls (nothing to close), so the file must not be replaced in between; a changed file size is
 * detected and reported.
 *
 * <pre>{@code
 * SafeTensorsFile f = SafeTensors.read(Path.of("conv.safetensors"));
 * f.names();            // [bias, grad.bias, ..., weight] in header order
 * f.shape("weight");    // [4, 3, 3, 3], i.e. [Cout, Cin, kH, kW]
 * Tensor w = f.tensor("weight");
 * }</pre>
 */
public final class SafeTensorsFile {
  /** The maximum tensor rank resnet4j tensors support. */
  private static final int MAX_RANK = 8;
  private static final int MAX_NAMES_IN_MESSAGE = 64;

  /** One header entry: {@code begin}/{@code end} are relative to the data buffer. */
  static final class Entry {
    final String name;
    final SafeTensorsDType dtype;
    final int[] shape;
    final long numel;
    final long begin;
    final long end;

    Entry(String name, SafeTensorsDType dtype, int[] shape, long numel, long begin, long end) {
      this.name = name;
      this.dtype = dtype;
      this.shape = shape;
      this.numel = numel;
      this.begin = begin;
      this.end = end;
    }
  }

  private final Path path;
  private final long fileSize;
  private final long dataStart;
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;
  private final List<String> names;

  SafeTensorsFile(Path path, long fileSize, long dataStart, Map<String, Entry> entries,
      Map<String, String> metadata) {
    this.path = path;
    this.fileSize = fileSize;
    this.dataStart = dataStart;
    this.entries = entries;
    this.metadata = Collections.unmodifiableMap(metadata);
    this.names = Collections.unmodifiableList(new ArrayList<>(entries.keySet()));
  }

  /**
   * The file this was read from.
   *
   * @return the path as given to {@link SafeTensors#read(Path)}
   */
  public Path path() {
    return path;
  }

  /**
   * The tensor names in header order (for the fixture files and files written by
   * {@link SafeTensors#write}, that is sorted by name).
   *
   * @return an unmodifiable list
   */
  public List<String> names() {
    return names;
  }

  /**
   * Whether the file holds a tensor of this name.
   *
   * @param name the tensor name, e.g. {@code "fc.weight"}
   * @return true if present
   */
  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  /**
   * The shape of one tensor as stored, e.g. {@code [N, C, H, W]}; {@code []} for a 0-d scalar.
   *
   * @param name the tensor name
   * @return a copy of the shape
   * @throws IllegalArgumentException if there is no such tensor (the message lists the names there are)
   */
  public int[] shape(String name) {
    return entry(name).shape.clone();
  }

  /**
   * The element type of one tensor as stored.
   *
   * @param name the tensor name
   * @return its dtype, e.g. {@link SafeTensorsDType#F32}
   * @throws IllegalArgumentException if there is no such tensor (the message lists the names there are)
   */
  public SafeTensorsDType dtype(String name) {
    return entry(name).dtype;
  }

  /**
   * The {@code __metadata__} string map, in header order.
   *
   * @return an unmodifiable map, empty if the file has none
   */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Reads one tensor and converts it to float32.
   *
   * <p>Float types are rounded to float32 ({@code F64}) or widened exactly ({@code F16}, {@code BF16},
   * 8-bit floats). Integer and {@code BOOL} values are converted exactly; {@code I64} tensors become
   * {@link io.github.resnet4j.tensor.DType#INT64} tensors, all others {@code FLOAT32}.
   *
   * @param name the tensor name
   * @return a new tensor with the stored shape
   * @throws IllegalArgumentException if there is no such tensor (the message lists the names there are)
   * @throws FileFormatException if an integer is beyond 2<sup>24</sup> in magnitude, a {@code BOOL} byte
   *     is not 0 or 1, the shape exceeds what a resnet4j tensor can hold, or the file changed size
   * @throws IOException if reading fails
   */
  public Tensor tensor(String name) throws IOException {
    Entry e = entry(name);
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      return read(ch, e);
    }
  }

  /**
   * Reads every tensor, in header order.
   *
   * @return a new mutable {@link LinkedHashMap} from name to tensor
   * @throws FileFormatException as for {@link #tensor(String)}
   * @throws IOException if reading fails
   */
  public LinkedHashMap<String, Tensor> asMap() throws IOException {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      for (Entry e : entries.values()) {
        out.put(e.name, read(ch, e));
      }
    }
    return out;
  }

  private Tensor read(FileChannel ch, Entry e) throws IOException {
    String what = "tensor \"" + e.name + "\"";
    if (ch.size() != fileSize) {
      throw new FileFormatException(path, "the file is now " + ch.size() + " bytes but was " + fileSize
          + " bytes when its header was read; it changed in between");
    }
    if (e.shape.length > MAX_RANK) {
      throw new FileFormatException(path, what + ": rank " + e.shape.length + " (shape "
          + SafeTensors.str(e.shape) + ") exceeds the maximum tensor rank " + MAX_RANK);
    }
    if (e.numel > Integer.MAX_VALUE - 8) {
      throw new FileFormatException(path, what + ": shape " + SafeTensors.str(e.shape) + " has " + e.numel
          + " elements, more than a Java array can hold");
    }
    long pos = dataStart + e.begin;
    if (e.dtype == SafeTensorsDType.I64) {
      long[] v = new long[(int) e.numel];
      Elements.readLongs(ch, pos, v, path, what);
      return Tensor.ofLongs(v, e.shape);
    }
    float[] v = new float[(int) e.numel];
    Elements.readFloats(ch, pos, e.dtype, v, path, what);
    return Tensor.of(v, e.shape);
  }

  private Entry entry(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      StringBuilder b = new StringBuilder();
      b.append("no tensor \"").append(name).append("\" in ").append(path).append("; its ")
          .append(names.size()).append(" tensors are ");
      List<String> shown = names.size() > MAX_NAMES_IN_MESSAGE
          ? names.subList(0, MAX_NAMES_IN_MESSAGE) : names;
      b.append(shown);
      if (shown.size() < names.size()) {
        b.append(" and ").append(names.size() - shown.size()).append(" more");
      }
      throw new IllegalArgumentException(b.toString());
    }
    return e;
  }

  @Override
  public String toString() {
    return "SafeTensorsFile[" + path + ", " + names.size() + " tensors]";
  }
}
