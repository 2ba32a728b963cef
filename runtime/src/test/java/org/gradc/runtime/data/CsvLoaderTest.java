package org.gradc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvLoaderTest {
  @TempDir Path dir;

  private Path write(String text) throws IOException {
    Path p = dir.resolve("data.csv");
    Files.writeString(p, text);
    return p;
  }

  @Test
  void readsFeaturesAndLabels() throws IOException {
    Path p = write("a,b,\"label\",c\n1,2,0,3\n\n4.5,-1e2,2,\"6\"\n");
    Dataset d = Datasets.csv(p).label("label").load();
    assertEquals(2, d.size());
    assertArrayEquals(new float[] {1, 2, 3, 4.5f, -100, 6}, ((FloatColumn) d.column("x")).data());
    assertArrayEquals(new int[] {0, 2}, ((IntColumn) d.column("y")).data());
    Dataset sel = Datasets.csv(p).features("c", "a").label("label").names("in", "out").load();
    assertArrayEquals(new float[] {3, 1, 6, 4.5f}, ((FloatColumn) sel.column("in")).data());
    Dataset reg = Datasets.csv(p).features("a").target("b").load();
    assertArrayEquals(new float[] {2, -100}, ((FloatColumn) reg.column("y")).data());
  }

  private String error(String text, String label) throws IOException {
    Path p = write(text);
    return assertThrows(DataException.class, () -> Datasets.csv(p).label(label).load())
        .getMessage()
        .replace(p.toString(), "data.csv");
  }

  @Test
  void badRowsNameFileLineAndColumn() throws IOException {
    assertEquals(
        "data.csv:3: column 2 'b': expected a number, found \"x1\"",
        error("a,b,y\n1,2,0\n3,x1,1\n", "y"));
    assertEquals(
        "data.csv:2: expected 3 fields (as in the header), found 2", error("a,b,y\n1,2\n", "y"));
    assertEquals(
        "data.csv:2: column 3 'y': expected a class label (integer >= 0), found \"1.5\"",
        error("a,b,y\n1,2,1.5\n", "y"));
    assertEquals(
        "data.csv:2: column 1 'a': expected a finite number, found \"NaN\"",
        error("a,b,y\nNaN,2,1\n", "y"));
    assertEquals(
        "data.csv:2: column 2 'b': expected a number, found an empty field",
        error("a,b,y\n1,,1\n", "y"));
    assertEquals(
        "data.csv:1: no column 'label'; the header has [a, b, y]",
        error("a,b,y\n1,2,1\n", "label"));
    assertEquals("data.csv: empty file, expected a header line", error("\n\n", "y"));
    assertEquals("data.csv: no data rows after the header", error("a,b,y\n", "y"));
    assertEquals("data.csv:2: column 2: unterminated quoted field", error("a,b,y\n1,\"2,1\n", "y"));
  }

  @Test
  void missingFile() {
    Path p = dir.resolve("nope.csv");
    DataException e = assertThrows(DataException.class, () -> Datasets.csv(p).load());
    assertEquals(p + ": no such file", e.getMessage());
  }
}
