package org.gradc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gradc.runtime.HandModel;
import org.gradc.runtime.OptimizerKind;
import org.junit.jupiter.api.Test;

class DatasetTest {
  static Dataset tenRows() {
    float[] x = new float[20];
    int[] y = new int[10];
    for (int i = 0; i < 10; i++) {
      x[2 * i] = i;
      x[2 * i + 1] = -i;
      y[i] = i % 3;
    }
    return Dataset.of(Dataset.floats("x", x, 2), Dataset.ints("y", y));
  }

  @Test
  void batchesKeepTheFinalPartialBatch() {
    List<Integer> sizes = new ArrayList<>();
    for (Dataset b : tenRows().batches(4)) {
      sizes.add(b.size());
    }
    assertEquals(List.of(4, 4, 2), sizes);
    assertEquals(3, tenRows().batchCount(4));
  }

  @Test
  void shuffleIsSeededAndKeepsRowsTogether() {
    Dataset d = tenRows();
    Dataset a = d.shuffled(3);
    assertEquals(
        Arrays.toString(((FloatColumn) a.column("x")).data()),
        Arrays.toString(((FloatColumn) d.shuffled(3).column("x")).data()));
    assertFalse(
        Arrays.equals(((FloatColumn) a.column("x")).data(), ((FloatColumn) d.column("x")).data()));
    float[] x = ((FloatColumn) a.column("x")).data();
    int[] y = ((IntColumn) a.column("y")).data();
    for (int r = 0; r < 10; r++) {
      assertEquals(0f, x[2 * r] + x[2 * r + 1]);
      assertEquals(((int) x[2 * r]) % 3, y[r]);
    }
    assertFalse(Arrays.equals(d.order(3, 1), d.order(3, 2)));
    assertArrayEquals(d.order(3, 2), d.order(3, 2));
  }

  @Test
  void splitPartitionsTheRows() {
    Dataset.Split s = tenRows().split(0.3, 1);
    assertEquals(7, s.train().size());
    assertEquals(3, s.validation().size());
    Set<Float> seen = new HashSet<>();
    for (Dataset part : List.of(s.train(), s.validation())) {
      float[] x = ((FloatColumn) part.column("x")).data();
      for (int r = 0; r < part.size(); r++) {
        assertTrue(seen.add(x[2 * r]));
      }
    }
    assertEquals(10, seen.size());
  }

  /**
   * The fingerprint is the CRC32 of each column's name and row shape, then its values as
   * little-endian bytes; checkpoints store it, so its definition never changes, however it is
   * computed (here past one 16 Ki-value chunk, with a partial last chunk).
   */
  @Test
  void fingerprintIsTheCrcOfNamesShapesAndLittleEndianValues() {
    int rows = 20_001;
    float[] x = new float[3 * rows];
    int[] y = new int[rows];
    java.util.Random r = new java.util.Random(7);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < rows; i++) {
      y[i] = r.nextInt(1000) - 500;
    }
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update("x[3]".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(4 * x.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float v : x) {
      b.putFloat(v);
    }
    crc.update(b.flip());
    crc.update("y[]".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    b = java.nio.ByteBuffer.allocate(4 * y.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int v : y) {
      b.putInt(v);
    }
    crc.update(b.flip());
    Dataset d = Dataset.of(Dataset.floats("x", x, 3), Dataset.ints("y", y));
    assertEquals(String.format("%08x", crc.getValue()), d.fingerprint());
  }

  @Test
  void normalizeRenameAndFingerprint() {
    Dataset d = tenRows().normalize(2f);
    assertEquals(4.5f, ((FloatColumn) d.column("x")).data()[18]);
    Dataset r = d.rename("x", "image");
    assertEquals(List.of("image", "y"), r.columnNames());
    assertEquals(d.fingerprint(), d.fingerprint());
    assertNotEquals(d.fingerprint(), tenRows().fingerprint());
    DataException e = assertThrows(DataException.class, () -> r.column("x"));
    assertEquals("dataset has no column 'x'; it has [image, y]", e.getMessage());
  }

  /**
   * Images read as rows of [28, 28] (as {@code Datasets.idx} and {@code --data fashion-mnist} give
   * them) feed a CNN's NHWC input [batch, 28, 28, 1] as they are: a row is 784 floats either way,
   * and a batch is the same contiguous block of the column's array, so nothing is reshaped or
   * copied beyond the batch itself.
   */
  @Test
  void imageRowsFeedARank4Input() {
    float[] pixels = new float[3 * 784];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = i;
    }
    Dataset d =
        Dataset.of(Dataset.floats("x", pixels, 28, 28), Dataset.ints("y", new int[] {0, 9, 4}));
    org.gradc.runtime.ModelSpec cnn =
        org.gradc.runtime.ModelSpec.parse(
            "model Cnn\nprecision F32\noptimizer sgd\n"
                + "tensor INPUT x F32 -1,28,28,1 of=- init=- classes=0\n"
                + "tensor INPUT y I32 -1 of=- init=- classes=10\n");
    d.requireInputs(cnn, "training data");
    org.gradc.runtime.ModelSpec rgb =
        org.gradc.runtime.ModelSpec.parse(
            "model Cnn\nprecision F32\noptimizer sgd\n"
                + "tensor INPUT x F32 -1,28,28,3 of=- init=- classes=0\n"
                + "tensor INPUT y I32 -1 of=- init=- classes=10\n");
    DataException e =
        assertThrows(DataException.class, () -> d.requireInputs(rgb, "training data"));
    assertEquals(
        "training data column 'x' has rows of shape [28, 28] (784 values), but model input 'x'"
            + " [batch, 28, 28, 3] expects 2352 values per row",
        e.getMessage());
  }

  @Test
  void requireInputsNamesTheFirstMismatch() {
    HandModel m = HandModel.classifier(2, 3, OptimizerKind.SGD, 0.1);
    tenRows().requireInputs(m.spec(), "training data");
    HandModel four = HandModel.classifier(4, 3, OptimizerKind.SGD, 0.1);
    DataException e =
        assertThrows(
            DataException.class, () -> tenRows().requireInputs(four.spec(), "training data"));
    assertEquals(
        "training data column 'x' has rows of shape [2] (2 values), but model input 'x' [batch, 4]"
            + " expects 4 values per row",
        e.getMessage());
    HandModel two = HandModel.classifier(2, 2, OptimizerKind.SGD, 0.1);
    e =
        assertThrows(
            DataException.class, () -> tenRows().requireInputs(two.spec(), "validation data"));
    assertEquals(
        "validation data column 'y' row 2: expected a label in [0, 2), found 2", e.getMessage());
    e =
        assertThrows(
            DataException.class,
            () -> tenRows().rename("y", "label").requireInputs(m.spec(), "training data"));
    assertTrue(e.getMessage().startsWith("training data has no column 'y' for model input 'y'"));
  }

  @Test
  void syntheticGeneratorsAreSeededAndLabelled() {
    Dataset xor = Datasets.xor(200, 1);
    assertEquals(xor.fingerprint(), Datasets.xor(200, 1).fingerprint());
    assertNotEquals(xor.fingerprint(), Datasets.xor(200, 2).fingerprint());
    float[] x = ((FloatColumn) xor.column("x")).data();
    int[] y = ((IntColumn) xor.column("y")).data();
    for (int i = 0; i < 200; i++) {
      assertEquals((x[2 * i] > 0) != (x[2 * i + 1] > 0) ? 1 : 0, y[i]);
    }
    Dataset sp = Datasets.spirals(300, 0.05, 3);
    assertEquals(300, sp.size());
    assertEquals(2, ((IntColumn) sp.column("y")).classes());
    Dataset lin = Datasets.linear(500, 3, 0.0, 4);
    double[] w = Datasets.linearWeights(3, 4);
    float[] lx = ((FloatColumn) lin.column("x")).data();
    float[] ly = ((FloatColumn) lin.column("y")).data();
    for (int i = 0; i < 500; i++) {
      double s = w[3] + lx[3 * i] * w[0] + lx[3 * i + 1] * w[1] + lx[3 * i + 2] * w[2];
      assertEquals(s, ly[i], 1e-4);
    }
  }
}
