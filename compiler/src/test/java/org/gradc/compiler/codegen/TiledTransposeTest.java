package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.gradc.compiler.Compilation;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.diag.SourceFile;
import org.junit.jupiter.api.Test;

/**
 * A stored transpose of a matrix whose sides are whole 16 × 16 tiles is copied block by block
 * (KernelBuilder's tiled loops); one whose sides are not stays a row-by-row pointwise loop. Both
 * equal to the evaluator, f32 and f64, scalar and at three vector shapes.
 */
class TiledTransposeTest {

  private static String model(int rows, int cols) {
    return """
        model Tiled
        input  x: float[batch, COLS]
        param  W: float[ROWS, COLS] = glorot_uniform
        Wt = transpose(W) * 1.5
        loss mean((x @ Wt) ^ 2) + mean(x @ Wt @ W)
        """
        .replace("ROWS", Integer.toString(rows))
        .replace("COLS", Integer.toString(cols));
  }

  @Test
  void wholeTilesAreCopiedBlockByBlock() throws Exception {
    assertTrue(tiledKernel(model(32, 48)), "32 × 48: tiled");
    assertFalse(tiledKernel(model(32, 40)), "32 × 40: not whole tiles");
    for (String text : new String[] {model(32, 48), model(32, 40)}) {
      for (Precision p : Precision.values()) {
        for (Backend backend :
            new Backend[] {
              new ScalarBackend(), new VectorBackend(16, 8), new VectorBackend(4, 2)
            }) {
          SourceDifferentialTest.check(new SourceFile("tiled.grad", text), p, backend);
        }
      }
    }
  }

  private static boolean tiledKernel(String text) throws Exception {
    Map<String, String> kernels =
        Compilation.of(new SourceFile("tiled.grad", text), Gradc.Options.defaults())
            .generate()
            .kernels();
    return kernels.values().stream()
        .anyMatch(k -> k.contains("transpose") && k.contains("b0 += 16"));
  }
}
