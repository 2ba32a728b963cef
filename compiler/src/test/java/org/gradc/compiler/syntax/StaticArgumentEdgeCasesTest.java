package org.gradc.compiler.syntax;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Odd static arguments to primitives: each must end in a located error (or a checked model), never
 * in an exception from deep inside an op.
 */
class StaticArgumentEdgeCasesTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "reshape(x, [-1, -1])",
        "reshape(x, [0])",
        "reshape(x, [])",
        "reshape(x, [-1, 2, 2])",
        "reshape(v, [-1, 2])",
        "broadcast_to(x, [3, -1])",
        "broadcast_to(x, [-1, 0])",
        "broadcast_to(v, [2, 4])",
        "transpose(x, [5])",
        "transpose(x, [1, 0])",
        "transpose(x, [0, 0])",
        "transpose(v)",
        "slice(x, 5, 0, 1)",
        "slice(x, 1, 3, 1)",
        "slice(x, 0, 0, 1)",
        "slice(x, -1, 0, 2)",
        "concat(x, x, 9)",
        "concat(x, v, 0)",
        "concat(x, x, 0)",
        "one_hot(y, 0)",
        "one_hot(y, -1)",
        "one_hot(x, 3)",
        "gather(x, x)",
        "gather(x, y)",
        "gather(v, y)",
        "sum(x, axes = [9])",
        "sum(x, axes = [-9])",
        "amax(x, axes = [0, 0])",
        "mean(x, axes = [1, -1])",
        "where(x, x, x)",
        "where(x > 0, x, y)",
        "y ^ 0.5",
        "y / 2",
        "x ^ 1e400",
        "x * 1e400",
        "x @ x",
        "v @ v",
        "x @ transpose(x)",
        "stop_gradient(y)",
        "-y",
        "y == 1.5",
        "x < y",
        "sum(y > 1)",
      })
  void endsInLocatedErrorsOrSuccess(String expr) {
    String text =
        "model M\ninput x: float[batch, 4]\ninput y: int[batch]\ninput v: float[4]\n"
            + "output o = "
            + expr
            + "\nloss mean(x) + mean(v)\n";
    try {
      FrontEnd.check(Corpus.source(text));
    } catch (CompileException e) {
      List<Diagnostic> ds = e.diagnostics();
      assertFalse(ds.isEmpty());
      for (Diagnostic d : ds) {
        d.render();
      }
    }
  }
}
