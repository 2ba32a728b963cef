package org.gradc.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistExampleTest {
  @TempDir Path dir;

  @Test
  void namesTheFirstMissingFile() throws IOException {
    assertEquals(dir.resolve("train-images-idx3-ubyte.gz"), FashionMnistExample.missing(dir));
    for (String f : FashionMnistExample.FILES) {
      Files.write(dir.resolve(f), new byte[0]);
    }
    assertNull(FashionMnistExample.missing(dir));
  }

  @Test
  void theGeneratedClassHasTheDocumentedShape() {
    FashionMlp model = new FashionMlp();
    assertEquals(784 * 256 + 256 + 256 * 10 + 10, model.spec().parameterCount());
  }
}
