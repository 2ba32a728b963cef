package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.gradc.compiler.ir.Scalar;
import org.junit.jupiter.api.Test;

/**
 * {@link LoopStmts#free}: what an epilogue method must be passed (a name it misses is a verify
 * error or a wrong value; a bound name passed is an unused parameter).
 */
class LoopStmtsTest {
  @Test
  void freeLocalsAreTheReadButUnboundOnesInOrderOfFirstUse() {
    // for j: { let u = acc * h_lr + t; let idx = j + off; c[r * 4 + idx] = u + float(step_i) }
    List<LoopStmt> body =
        List.of(
            new LoopStmt.Let("acc", new Fx.Load("c", Ix.var("r"))),
            new LoopStmt.For(
                "j",
                Ix.lit(0),
                Ix.var("end"),
                1,
                List.of(
                    new LoopStmt.Let(
                        "u", new Fx.Fma(Fx.local("acc"), Fx.local("h_lr"), Fx.local("t"))),
                    new LoopStmt.LetInt("idx", Ix.add(Ix.var("j"), Ix.var("off"))),
                    new LoopStmt.Store(
                        "c",
                        Ix.add(Ix.mul(Ix.var("r"), 4), Ix.var("idx")),
                        new Fx.Binary(
                            Scalar.BinaryFn.ADD, Fx.local("u"), new Fx.OfInt(Ix.var("step_i"))))),
                null));
    LoopStmts.Free free = LoopStmts.free(body);
    assertEquals(List.of("h_lr", "t"), List.copyOf(free.scalars()));
    assertEquals(List.of("r", "end", "off", "step_i"), List.copyOf(free.ints()));
  }

  @Test
  void nothingIsFreeInClosedCode() {
    List<LoopStmt> body =
        List.of(
            new LoopStmt.For(
                "i",
                Ix.lit(0),
                new Ix.N(),
                1,
                List.of(new LoopStmt.Store("c", Ix.var("i"), new Fx.Hyper(0))),
                null));
    LoopStmts.Free free = LoopStmts.free(body);
    assertEquals(Set.of(), free.scalars());
    assertEquals(Set.of(), free.ints());
  }
}
