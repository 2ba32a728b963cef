package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnrollPolicyTest {
  private static final KernelCode.EmitContext CONTEXT =
      new KernelCode.EmitContext("T", Precision.F32, true, Map.of("a", "[F", "b", "[F", "c", "[F"));

  @Test
  void defaultUnrollsTinySpacesOnly() {
    assertTrue(UnrollPolicy.DEFAULT.fullyUnroll(16));
    assertFalse(UnrollPolicy.DEFAULT.fullyUnroll(17));
    assertEquals(4, UnrollPolicy.DEFAULT.matmulRows());
    assertTrue(UnrollPolicy.DEFAULT.unrollColumns(10));
    assertFalse(UnrollPolicy.DEFAULT.unrollColumns(256));
  }

  @Test
  void shrinksToMinimal() {
    UnrollPolicy p = UnrollPolicy.DEFAULT;
    int steps = 0;
    while (p.smaller() != null) {
      UnrollPolicy q = p.smaller();
      assertTrue(q.fullUnrollLimit() <= p.fullUnrollLimit());
      assertTrue(q.matmulRows() <= p.matmulRows());
      p = q;
      steps++;
    }
    assertEquals(UnrollPolicy.MINIMAL, p);
    assertEquals(2, steps);
    assertNull(UnrollPolicy.MINIMAL.smaller());
  }

  private static Kernel.Pointwise copy(Ix... dims) {
    Ix at = Ix.add(Ix.mul(Ix.var("a0"), 16), Ix.var("a1"));
    return new Kernel.Pointwise(
        List.of(dims), List.of(new LoopStmt.Store("c", at, new Fx.Load("a", at))), "copy");
  }

  @Test
  void smallStaticSpaceHasNoLoop() {
    LoopKernel k =
        (LoopKernel) new ScalarBackend().lower(copy(Ix.lit(2), Ix.lit(3)), UnrollPolicy.DEFAULT);
    assertTrue(
        k.body().stream().noneMatch(s -> s instanceof LoopStmt.For), k.render(Precision.F32, 0));
    assertEquals(7, k.body().size()); // a comment and six stores
  }

  @Test
  void batchedSpaceKeepsAContiguousInnerLoop() {
    LoopKernel k =
        (LoopKernel) new ScalarBackend().lower(copy(Ix.N, Ix.lit(16)), UnrollPolicy.DEFAULT);
    String code = k.render(Precision.F32, 0);
    assertTrue(code.contains("for (int i0 = 0; i0 < n; i0++)"), code);
    assertTrue(code.contains("for (int i1 = 0; i1 < 16; i1++)"), code);
    assertTrue(code.contains("c[i0 * 16 + i1] = a[i0 * 16 + i1];"), code);
  }

  @Test
  void matmulIsRegisterBlockedSaxpy() {
    Kernel.Matmul mm =
        new Kernel.Matmul(
            Ix.N,
            Ix.lit(64),
            256,
            new Fx.Load("a", Ix.add(Ix.mul(Ix.var("a0"), 64), Ix.var("a1"))),
            "b",
            "c",
            List.of(),
            "mm");
    String code = new ScalarBackend().lower(mm, UnrollPolicy.DEFAULT).render(Precision.F32, 0);
    assertTrue(code.contains("i += 4"), code);
    assertTrue(code.contains("float a3 = a[(i + 3) * 64 + k];"), code);
    assertTrue(code.contains("c[(i + 3) * 256 + j] = fma(a3, bv, c[(i + 3) * 256 + j]);"), code);
    assertTrue(code.contains("rest rows"), code);
    String minimal = new ScalarBackend().lower(mm, UnrollPolicy.MINIMAL).render(Precision.F32, 0);
    assertFalse(minimal.contains("a1"), minimal);
  }

  @Test
  void shrinkingPolicyShrinksCode() {
    Kernel k = copy(Ix.lit(4), Ix.lit(4));
    int big = ModelCompiler.size(new ScalarBackend().lower(k, UnrollPolicy.DEFAULT), CONTEXT);
    int small = ModelCompiler.size(new ScalarBackend().lower(k, UnrollPolicy.MINIMAL), CONTEXT);
    assertTrue(small < big, small + " < " + big);
  }
}
