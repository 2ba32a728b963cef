package org.gradc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradc.runtime.DType;
import org.gradc.runtime.HandModel;
import org.gradc.runtime.ModelSpec;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourceTest {
  @TempDir Path dir;

  @Test
  void synthetic() {
    DataSource s = DataSource.open("synthetic:spirals?n=400&noise=0.1&seed=3");
    assertEquals(400, s.train().size());
    assertEquals(100, s.test().size());
    assertEquals(
        s.train().fingerprint(),
        DataSource.open("synthetic:spirals?n=400&noise=0.1&seed=3").train().fingerprint());
    DataSource lin = DataSource.open("synthetic:linear?n=40&features=2");
    assertEquals(40, lin.train().size());
    assertEquals(10, lin.test().size());
    assertEquals(1000, DataSource.open("synthetic:xor").train().size());
    Dataset three = DataSource.open("synthetic:spirals?classes=3&n=300").train();
    assertEquals(3, ((IntColumn) three.column("y")).classes());
  }

  @Test
  void csvAndIdx() throws IOException {
    Path csv = dir.resolve("d.csv");
    Files.writeString(csv, "a;b;c\n1;2;1\n3;4;0\n");
    DataSource s = DataSource.open("csv:" + csv + "?label=c&delimiter=;&features=b");
    assertArrayEquals(new float[] {2, 4}, ((FloatColumn) s.train().column("x")).data());
    assertNull(s.test());
    Path images = dir.resolve("i");
    Path labels = dir.resolve("l");
    Files.write(images, IdxTest.idx(2, 3, 3));
    Files.write(labels, IdxTest.idx(2));
    DataSource idx = DataSource.open("idx:" + images + "," + labels + "?scale=10");
    assertEquals(0.7f, ((FloatColumn) idx.train().column("x")).data()[1]);
  }

  private static String error(String spec) {
    return assertThrows(DataException.class, () -> DataSource.open(spec)).getMessage();
  }

  @Test
  void badSpecsSayWhatIsExpected() {
    assertEquals(
        "unknown data source 'mnist'; expected synthetic:xor|spirals|linear, csv:FILE?label=COL,"
            + " text:FILE?length=T, idx:IMAGES,LABELS or fashion-mnist[:DIR]",
        error("mnist"));
    assertEquals(
        "unknown synthetic data 'moons'; there are xor, spirals and linear",
        error("synthetic:moons"));
    assertEquals(
        "data source 'synthetic:xor?size=3': unknown option 'size'; options are [n, noise, seed,"
            + " features, classes]",
        error("synthetic:xor?size=3"));
    assertEquals(
        "data source 'synthetic:xor?n=ten': option n expects a number, found \"ten\"",
        error("synthetic:xor?n=ten"));
    assertEquals(
        "data source 'idx:a': expected idx:IMAGES,LABELS (two files, comma-separated)",
        error("idx:a"));
    assertTrue(
        error("fashion-mnist:" + dir)
            .startsWith(
                "Fashion-MNIST not found: no " + dir.resolve("train-images-idx3-ubyte.gz")));
  }

  @Test
  void columnsAreRenamedToTheModelsInputs() {
    HandModel m = HandModel.classifier(2, 2, OptimizerKind.SGD, 0.1);
    Dataset xor = Datasets.xor(10, 1);
    assertEquals(xor, xor.forModel(m.spec()));
    List<TensorSpec> t = new ArrayList<>(m.spec().tensors());
    t.set(
        0,
        new TensorSpec("image", TensorKind.INPUT, DType.F32, new int[] {-1, 2}, "image", null, 0));
    t.set(
        1, new TensorSpec("label", TensorKind.INPUT, DType.I32, new int[] {-1}, "label", null, 2));
    ModelSpec renamed = new ModelSpec("R", DType.F32, t, OptimizerKind.SGD, new double[4]);
    Dataset d = xor.forModel(renamed);
    assertEquals(List.of("image", "label"), d.columnNames());
    d.requireInputs(renamed, "training data");
  }

  /** The real files, when the Debian package is installed (it is on the build machines). */
  @Test
  void fashionMnistWhenInstalled() {
    if (!Files.isDirectory(Path.of(DataSource.FASHION_MNIST))) {
      return;
    }
    DataSource s = DataSource.open("fashion-mnist");
    assertEquals(60000, s.train().size());
    assertEquals(10000, s.test().size());
    assertArrayEquals(new int[] {28, 28}, s.train().column("x").rowShape());
    assertEquals(10, ((IntColumn) s.test().column("y")).classes());
  }
}
