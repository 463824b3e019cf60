package io.github.resnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.tensor.Generator;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  static final String[] NAMES = {
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
  };

  @TempDir Path tmp;

  private static void assertSame(TensorDataset expected, TensorDataset actual) {
    assertEquals(expected.size(), actual.size());
    assertArrayEquals(expected.labels(), actual.labels());
    assertArrayEquals(expected.images().toFloatArray(), actual.images().toFloatArray());
  }

  @Test
  void sampleIsClassBalanced() {
    FashionMnist s = FashionMnist.sample();
    assertEquals(2000, s.train().size());
    assertEquals(500, s.test().size());
    int[] perClass = new int[10];
    for (int label : s.test().labels()) {
      perClass[label]++;
    }
    int[] fifty = new int[10];
    Arrays.fill(fifty, 50);
    assertArrayEquals(fifty, perClass);
    assertArrayEquals(new int[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5}, Arrays.copyOf(s.test().labels(), 12));
    assertArrayEquals(new int[] {1, 28, 28}, s.test().imageShape());
  }

  @Test
  void sampleStatisticsAreCloseToTheFullTrainingSet() {
    float[] px = FashionMnist.sample().train().images().toFloatArray();
    double sum = 0;
    double sq = 0;
    for (float v : px) {
      sum += v;
      sq += (double) v * v;
    }
    double mean = sum / px.length;
    double std = Math.sqrt(sq / px.length - mean * mean);
    // 0.28645 and 0.35443 for the sample; the constants come from all 60,000 images
    assertEquals(FashionMnist.MEAN, mean, 0.002);
    assertEquals(FashionMnist.STD, std, 0.002);
    Example x = new Example(new float[] {FashionMnist.MEAN, 1f}, new int[] {1, 1, 2}, 0);
    float[] y = FashionMnist.normalize().apply(x, new Generator(0)).image();
    assertEquals(0f, y[0]);
    assertEquals((1f - 0.2860406f) / 0.3530242f, y[1]);
  }

  @Test
  void classNames() {
    assertEquals(10, FashionMnist.CLASSES.size());
    assertEquals("T-shirt/top", FashionMnist.CLASSES.get(0));
    assertEquals("Ankle boot", FashionMnist.CLASSES.get(9));
  }

  @Test
  void loadsAFolderOfGzipFiles() throws Exception {
    for (String name : NAMES) {
      try (InputStream in = IdxReaderTest.sampleFile(name + ".gz").toUri().toURL().openStream()) {
        Files.write(tmp.resolve(name + ".gz"), in.readAllBytes());
      }
    }
    FashionMnist loaded = FashionMnist.load(tmp);
    FashionMnist sample = FashionMnist.sample();
    assertSame(sample.train(), loaded.train());
    assertSame(sample.test(), loaded.test());
  }

  @Test
  void loadsAFolderOfRawFiles() throws Exception {
    for (String name : NAMES) {
      Path gz = IdxReaderTest.sampleFile(name + ".gz");
      try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
        Files.write(tmp.resolve(name), in.readAllBytes());
      }
    }
    assertSame(FashionMnist.sample().test(), FashionMnist.load(tmp).test());
  }

  @Test
  void missingFolderSaysWhereToGetTheFiles() {
    Path nowhere = tmp.resolve("no-such-folder");
    FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> FashionMnist.load(nowhere));
    String m = e.getMessage();
    assertTrue(m.contains(nowhere.toString()) && m.contains("does not exist"), m);
    assertTrue(m.contains("apt-get install dataset-fashion-mnist"), m);
    assertTrue(m.contains("github.com/zalandoresearch/fashion-mnist"), m);
  }

  @Test
  void missingFileIsNamed() throws Exception {
    Files.write(tmp.resolve(NAMES[0]), new byte[0]);
    FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> FashionMnist.load(tmp));
    assertTrue(e.getMessage().contains("train-labels-idx1-ubyte(.gz) is missing"), e.getMessage());
  }

  @Test
  void labelsMustBeClasses() throws Exception {
    byte[] images = IdxBytes.idx(0x803, new int[] {2, 28, 28}, new byte[2 * 784]);
    byte[] labels = IdxBytes.idx(0x801, new int[] {2}, new byte[] {3, 12});
    Files.write(tmp.resolve("train-images-idx3-ubyte"), images);
    Files.write(tmp.resolve("train-labels-idx1-ubyte.gz"), IdxBytes.gzip(labels));
    Files.write(tmp.resolve("t10k-images-idx3-ubyte"), images);
    Files.write(tmp.resolve("t10k-labels-idx1-ubyte"), labels);
    DataFormatException e = assertThrows(DataFormatException.class, () -> FashionMnist.load(tmp));
    assertEquals(9, e.offset());
    assertTrue(e.getMessage().startsWith(tmp.resolve("train-labels-idx1-ubyte.gz")
        + ": byte 9 of the decompressed stream: label 12 of example 1"), e.getMessage());
  }
}
