package io.github.resnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10ReaderTest {
  @TempDir Path tmp;

  /** Records whose label is given and whose pixel (c, y, x) is (label + c + y + x) mod 256. */
  private static byte[] records(int... labels) {
    byte[] b = new byte[labels.length * 3073];
    for (int r = 0; r < labels.length; r++) {
      int at = r * 3073;
      b[at] = (byte) labels[r];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            b[at + 1 + (c * 32 + y) * 32 + x] = (byte) (labels[r] + c + y + x);
          }
        }
      }
    }
    return b;
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(tmp.resolve(name), bytes);
  }

  @Test
  void readsRecordsFromSeveralFilesInOrder() throws Exception {
    Path a = write("data_batch_1.bin", records(3, 9));
    Path b = write("data_batch_2.bin", records(0));
    TensorDataset ds = Cifar10Reader.read(a, b);
    assertEquals(3, ds.size());
    assertArrayEquals(new int[] {3, 9, 0}, ds.labels());
    assertArrayEquals(new int[] {3, 32, 32}, ds.imageShape());
    Example x = ds.get(1);
    assertEquals(9, x.label());
    // channel 2, row 5, column 7 holds 9 + 2 + 5 + 7 = 23
    assertEquals(23 / 255f, x.image()[(2 * 32 + 5) * 32 + 7]);
    assertEquals(0f, ds.get(2).image()[0]);
    assertEquals("truck", Cifar10Reader.CLASSES.get(9));
  }

  @Test
  void lengthMustBeAWholeNumberOfRecords() throws Exception {
    byte[] two = records(1, 2);
    Path bad = write("cut.bin", Arrays.copyOf(two, two.length - 5));
    Path good = write("good.bin", records(4));
    DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar10Reader.read(good, bad));
    assertEquals(bad.toString(), e.source());
    assertEquals(3073, e.offset());
    assertTrue(e.getMessage().startsWith(
        bad + ": byte 3073: the file has 6141 bytes, not a multiple of 3073"), e.getMessage());
    Path empty = write("empty.bin", new byte[0]);
    assertEquals(0, assertThrows(DataFormatException.class, () -> Cifar10Reader.read(empty)).offset());
  }

  @Test
  void labelsMustBeBelowTen() throws Exception {
    Path bad = write("labels.bin", records(2, 10, 1));
    DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar10Reader.read(bad));
    assertEquals(3073, e.offset());
    assertTrue(e.getMessage().startsWith(bad + ": byte 3073: label 10 of record 1"), e.getMessage());
  }
}
