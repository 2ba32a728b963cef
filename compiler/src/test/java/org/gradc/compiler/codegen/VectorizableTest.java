package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which loop bodies {@link VectorEmitter#vectorizable(List, String)} runs a vector at a time. */
class VectorizableTest {
  /** {@code a0 * 512 + a1 + offset}. */
  private static Ix at(int offset) {
    return Ix.add(Ix.add(Ix.mul(Ix.var("a0"), 512), Ix.var("a1")), offset);
  }

  private static LoopStmt.Store store(String array, Ix index) {
    return new LoopStmt.Store(array, index, Fx.local("v"));
  }

  private static final LoopStmt.Let V = new LoopStmt.Let("v", new Fx.Load("x", Ix.var("a1")));

  @Test
  void oneArrayStoredAtPlacesAMultipleOfEveryLaneCountApart() {
    // an LSTM's four gate cotangents into one joined row, H = 128
    assertTrue(
        VectorEmitter.vectorizable(
            List.of(V, store("dz", at(0)), store("dz", at(128)), store("dz", at(384))), "a1"));
    assertTrue(
        VectorEmitter.vectorizable(List.of(V, store("dz", at(64)), store("dz", at(0))), "a1"));
    // the same place twice is one place
    assertTrue(
        VectorEmitter.vectorizable(List.of(V, store("dz", at(8)), store("dz", at(8))), "a1"));
  }

  @Test
  void placesCloserThanSomeLaneCountOrNotAConstantApartAreScalar() {
    // 16 apart: with 32 or 64 lanes one vector iteration would write both places out of order
    assertFalse(
        VectorEmitter.vectorizable(List.of(V, store("dz", at(0)), store("dz", at(16))), "a1"));
    // a different row term: not a constant apart
    Ix other = Ix.add(Ix.mul(Ix.var("a0"), 256), Ix.var("a1"));
    assertFalse(
        VectorEmitter.vectorizable(List.of(V, store("dz", at(0)), store("dz", other)), "a1"));
  }

  @Test
  void anArrayStoredAtSeveralPlacesIsNeverAlsoRead() {
    LoopStmt.Let read = new LoopStmt.Let("w", new Fx.Load("dz", at(0)));
    assertFalse(
        VectorEmitter.vectorizable(
            List.of(V, store("dz", at(0)), store("dz", at(128)), read), "a1"));
    // stored at one place and read there: as before
    assertTrue(VectorEmitter.vectorizable(List.of(V, store("dz", at(0)), read), "a1"));
  }
}
