package org.gradc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gradc.runtime.DType;
import org.gradc.runtime.ModelSpec;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code text:FILE?length=T}: lines as byte-level next-byte prediction examples. */
class TextLinesTest {
  @TempDir Path dir;

  private Path file(String text) throws Exception {
    Path f = dir.resolve("words.txt");
    Files.write(f, text.getBytes(StandardCharsets.ISO_8859_1));
    return f;
  }

  @Test
  void eachLineIsNewlineFramedPaddedAndShiftedByOne() throws Exception {
    TextLines t = Datasets.text(file("ab\r\n\nxyz\n\u00e9"), 4);
    assertEquals(3, t.lines()); // the empty line is skipped
    assertEquals(0, t.cut()); // "xyz" needs 5 = T + 1 bytes with its two newlines: it fits
    IntColumn x = (IntColumn) t.data().column("x");
    IntColumn y = (IntColumn) t.data().column("y");
    assertArrayEquals(new int[] {4}, x.rowShape());
    assertEquals(3, x.rows());
    int[] ab = {'\n', 'a', 'b', '\n', 0};
    int[] xyz = {'\n', 'x', 'y', 'z', '\n'};
    int[] e = {'\n', 0xE9, '\n', 0, 0}; // a byte above 127 is one id, not a char
    int[] all = concat(ab, xyz, e);
    for (int r = 0; r < 3; r++) {
      assertArrayEquals(
          Arrays.copyOfRange(all, r * 5, r * 5 + 4),
          Arrays.copyOfRange(x.data(), r * 4, r * 4 + 4));
      assertArrayEquals(
          Arrays.copyOfRange(all, r * 5 + 1, r * 5 + 5),
          Arrays.copyOfRange(y.data(), r * 4, r * 4 + 4));
    }
  }

  @Test
  void longLinesAreCutNotDroppedAndCounted() throws Exception {
    TextLines t = Datasets.text(file("abcd\nabcdefgh\nab\n"), 4);
    assertEquals(3, t.lines());
    assertEquals(2, t.cut());
    int[] x = ((IntColumn) t.data().column("x")).data();
    int[] y = ((IntColumn) t.data().column("y")).data();
    assertArrayEquals(new int[] {'\n', 'a', 'b', 'c'}, Arrays.copyOfRange(x, 4, 8));
    assertArrayEquals(new int[] {'a', 'b', 'c', 'd'}, Arrays.copyOfRange(y, 4, 8));
    assertTrue(t.describe(Path.of("w")).contains("2 of them cut"), t.describe(Path.of("w")));
  }

  @Test
  void dataSourceSpec() throws Exception {
    Path f = file("one\ntwo\nthree\n");
    DataSource s = DataSource.open("text:" + f + "?length=6");
    assertEquals(3, s.train().size());
    assertTrue(s.description().contains("3 lines"), s.description());
    DataException e = assertThrows(DataException.class, () -> DataSource.open("text:" + f));
    assertTrue(e.getMessage().contains("text:FILE?length=T"), e.getMessage());
    assertThrows(DataException.class, () -> DataSource.open("text:" + f + "?length=0"));
    assertThrows(DataException.class, () -> DataSource.open("text:" + dir.resolve("none")));
  }

  @Test
  void sequenceColumnsGatherWholeRows() {
    IntColumn c = new IntColumn("x", new int[] {2}, new int[] {1, 2, 3, 4, 5, 6});
    assertEquals(3, c.rows());
    assertArrayEquals(new int[] {5, 6, 1, 2}, c.gather(new int[] {2, 0}, 0, 2).data());
    assertThrows(IllegalArgumentException.class, () -> new IntColumn("x", new int[] {4}, c.data()));
  }

  /** The sequences feed a model's {@code int[batch, T]} inputs, checked against their range. */
  @Test
  void feedsSequenceInputsWithinTheirRange() throws Exception {
    Dataset d = Datasets.text(file("hi\nthere\n"), 5).data();
    d.requireInputs(spec(256), "training data");
    DataException e =
        assertThrows(DataException.class, () -> d.requireInputs(spec(100), "training data"));
    // row 0 is "\nhi\n": 'h' (104) is the first byte at or above 100
    assertEquals(
        "training data column 'x' row 0: expected a label in [0, 100), found 104", e.getMessage());
  }

  private static ModelSpec spec(int classes) {
    List<TensorSpec> t = new ArrayList<>();
    for (String name : List.of("x", "y")) {
      t.add(
          new TensorSpec(
              name, TensorKind.INPUT, DType.I32, new int[] {-1, 5}, name, null, classes));
    }
    return new ModelSpec("Lm", DType.F32, t, OptimizerKind.SGD, new double[4]);
  }

  private static int[] concat(int[]... parts) {
    return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
  }
}
