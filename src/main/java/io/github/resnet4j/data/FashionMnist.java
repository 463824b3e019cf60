package io.github.resnet4j.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Zalando Research): 28x28 grey-scale images of clothing in ten classes, 60,000 for
 * training and 10,000 for testing.
 *
 * <p>{@link #load(Path)} reads the four standard IDX files from a folder, {@link #load()} from Debian's
 * {@code dataset-fashion-mnist} package, and {@link #sample()} a bundled class-balanced sample of 2,000
 * training and 500 test images. Images are {@code [N, 1, 28, 28]} in [0, 1].
 *
 * <pre>{@code
 * FashionMnist data = FashionMnist.load();
 * DataLoader loader = new DataLoader(data.train(), 128).shuffle(true).seed(1)
 *     .transform(FashionMnist.normalize());
 * }</pre>
 *
 * @param train the training set
 * @param test the test set
 */
public record FashionMnist(TensorDataset train, TensorDataset test) {
  /** The class names, indexed by label. */
  public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  /**
   * The mean pixel value of the full training set, in [0, 1] units: 0.2860406 (the 47,040,000 bytes of
   * {@code train-images-idx3-ubyte} averaged and divided by 255).
   */
  public static final float MEAN = 0.2860406f;

  /** The standard deviation of the training pixels, in [0, 1] units: 0.3530242 (population and sample
   * deviation agree to these digits). */
  public static final float STD = 0.3530242f;

  /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
  static final String SAMPLE = "fashion-mnist-sample/";
  private static final int SIDE = 28;

  /**
   * Reads the four standard files from a folder: {@code train-images-idx3-ubyte},
   * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte},
   * each gzip-compressed with a {@code .gz} suffix (preferred when both exist) or raw.
   *
   * @param dir the folder
   * @return the training and test sets
   * @throws FileNotFoundException if the folder or a file is missing; the message says where to get them
   * @throws DataFormatException if a file is truncated or corrupt, the images are not 28x28, or a label
   *     is 10 or more
   * @throws IOException if a file cannot be read
   */
  public static FashionMnist load(Path dir) throws IOException {
    Path trainImages = find(dir, TRAIN_IMAGES); // all four found before any is read
    Path trainLabels = find(dir, TRAIN_LABELS);
    Path testImages = find(dir, TEST_IMAGES);
    Path testLabels = find(dir, TEST_LABELS);
    return new FashionMnist(
        read(IdxReader.parse(trainImages, IdxReader.IMAGES_MAGIC),
            IdxReader.parse(trainLabels, IdxReader.LABELS_MAGIC)),
        read(IdxReader.parse(testImages, IdxReader.IMAGES_MAGIC),
            IdxReader.parse(testLabels, IdxReader.LABELS_MAGIC)));
  }

  /**
   * Reads the files installed by Debian's {@code dataset-fashion-mnist} package, in {@link #DEBIAN_DIR}.
   *
   * @return the training and test sets
   * @throws FileNotFoundException if the package is not installed; the message says where to get the files
   * @throws IOException if a file cannot be read or is corrupt
   */
  public static FashionMnist load() throws IOException {
    return load(DEBIAN_DIR);
  }

  /**
   * Reads the bundled sample: the first 200 training images of each class and the first 50 test images
   * of each class, in file order (see {@code fashion-mnist-sample/README.txt} beside this class).
   *
   * @return 2,000 training and 500 test examples
   * @throws UncheckedIOException if the bundled files are missing or damaged (a packaging error)
   */
  public static FashionMnist sample() {
    try {
      return new FashionMnist(read(resource(TRAIN_IMAGES, IdxReader.IMAGES_MAGIC),
          resource(TRAIN_LABELS, IdxReader.LABELS_MAGIC)),
          read(resource(TEST_IMAGES, IdxReader.IMAGES_MAGIC), resource(TEST_LABELS, IdxReader.LABELS_MAGIC)));
    } catch (IOException e) {
      throw new UncheckedIOException("the bundled Fashion-MNIST sample cannot be read", e);
    }
  }

  /**
   * Normalisation by the training set's statistics, {@code (x - MEAN) / STD}.
   *
   * @return a transform for one-channel images
   */
  public static Normalize normalize() {
    return new Normalize(new float[] {MEAN}, new float[] {STD});
  }

  private static Path find(Path dir, String name) throws FileNotFoundException {
    Path gz = dir.resolve(name + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    Path raw = dir.resolve(name);
    if (Files.isRegularFile(raw)) {
      return raw;
    }
    String problem = Files.isDirectory(dir)
        ? "Fashion-MNIST file " + name + "(.gz) is missing from " + dir.toAbsolutePath()
        : "Fashion-MNIST folder " + dir.toAbsolutePath() + " does not exist";
    throw new FileNotFoundException(problem + ". Get the four files (train-images-idx3-ubyte.gz,"
        + " train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) with"
        + " `apt-get install dataset-fashion-mnist` (installs them in " + DEBIAN_DIR + ") or from"
        + " https://github.com/zalandoresearch/fashion-mnist, or use FashionMnist.sample()");
  }

  private static Idx resource(String name, int magic) throws IOException {
    String path = SAMPLE + name + ".gz";
    try (InputStream in = FashionMnist.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new FileNotFoundException("class-path resource io/github/resnet4j/data/" + path
            + " is missing");
      }
      return IdxReader.parse(in, "classpath:io/github/resnet4j/data/" + path, magic);
    }
  }

  /** Checks the Fashion-MNIST specifics (28x28 images, labels 0 to 9) and builds the data set. */
  static TensorDataset read(Idx images, Idx labels) throws DataFormatException {
    int[] d = images.dims();
    if (d[1] != SIDE || d[2] != SIDE) {
      throw new DataFormatException(images.source(), 8, images.gzip(), "images are " + d[1] + "x" + d[2]
          + "; Fashion-MNIST images are 28x28");
    }
    byte[] lb = labels.payload();
    for (int i = 0; i < lb.length; i++) {
      if ((lb[i] & 0xFF) >= CLASSES.size()) {
        throw new DataFormatException(labels.source(), labels.payloadOffset() + i, labels.gzip(), "label "
            + (lb[i] & 0xFF) + " of example " + i + " is not a Fashion-MNIST class (0 to 9)");
      }
    }
    return IdxReader.dataset(images, labels);
  }
}
