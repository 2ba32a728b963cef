package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The micro-kernel shape rule of {@link VectorEmitter#blocking} as a pure function. */
class BlockingRuleTest {
  @Test
  void registerFileFromArchitectureAndWidth() {
    assertEquals(32, VectorEmitter.registers("amd64", 512)); // AVX-512
    assertEquals(16, VectorEmitter.registers("amd64", 256)); // AVX2
    assertEquals(16, VectorEmitter.registers("x86_64", 128)); // SSE
    assertEquals(32, VectorEmitter.registers("aarch64", 128)); // NEON
    assertEquals(32, VectorEmitter.registers("aarch64", 512)); // SVE 512
    assertEquals(16, VectorEmitter.registers("riscv64", 256)); // unknown: conservative
  }

  @Test
  void shapesPerMachineKind() {
    // AVX-512, 16 float lanes, 32 registers: the probe's 4 x 4
    assertShape(VectorEmitter.blocking(256, 16, 32, UnrollPolicy.DEFAULT), 4, 4);
    // AVX2, 8 lanes, 16 registers: 6 x 2, all 16 registers (4 x 4 would fill the file with
    // accumulators; 4 x 2 keeps only the 8 chains the latency needs)
    assertShape(VectorEmitter.blocking(256, 8, 16, UnrollPolicy.DEFAULT), 6, 2);
    // NEON, 4 lanes, 32 registers: 4 x 4 (before the rule: 4 x 2, as if it had 16)
    assertShape(VectorEmitter.blocking(256, 4, 32, UnrollPolicy.DEFAULT), 4, 4);
    // SSE on 32-bit x86 style files of 8 registers: 1 vector, rows still fit
    assertShape(VectorEmitter.blocking(256, 4, 8, UnrollPolicy.DEFAULT), 6, 1);
  }

  @Test
  void blocksFitTheRegisterFile() {
    for (int registers : new int[] {8, 16, 32}) {
      for (int lanes : new int[] {2, 4, 8, 16}) {
        for (int n : new int[] {1, 10, 64, 100, 256, 1000}) {
          VectorEmitter.Blocking b =
              VectorEmitter.blocking(n, lanes, registers, UnrollPolicy.DEFAULT);
          int perRow = b.vectors() + (b.tail() > 0 && b.full() > 0 ? 1 : 0);
          int live = b.rows() * perRow + perRow + 1;
          assertTrue(
              live <= registers,
              b + " needs " + live + " registers of " + registers + " (n=" + n + ")");
          assertTrue(b.vectors() <= Math.max(1, b.full()), b + " for n=" + n);
          // one row: its accumulators and one b vector (the others are consumed as loaded)
          assertTrue(b.rowVectors() + 2 <= registers, b + " for n=" + n);
          assertTrue(b.rowVectors() <= Math.max(1, b.full()), b + " for n=" + n);
          assertTrue(b.rows() <= VectorEmitter.MAX_NARROW_ROWS, b + " for n=" + n);
        }
      }
    }
  }

  @Test
  void narrowOutputsAndSmallerPolicies() {
    VectorEmitter.Blocking narrow = VectorEmitter.blocking(10, 16, 32, UnrollPolicy.DEFAULT);
    assertEquals(0, narrow.full());
    assertEquals(10, narrow.tail());
    assertEquals(8, narrow.rows());
    assertShape(VectorEmitter.blocking(256, 16, 32, UnrollPolicy.DEFAULT.smaller()), 2, 2);
    assertShape(VectorEmitter.blocking(256, 16, 32, UnrollPolicy.MINIMAL), 1, 1);
  }

  @Test
  void narrowOutputsKeepEightChains() {
    // n = 10 with 8 lanes (AVX2): one full vector + a 2-lane tail in the same k loop, 6 rows of 2
    // accumulators (the tail in a loop of its own left 4 chains, latency-bound: 28 GFLOP/s at 256
    // bits)
    VectorEmitter.Blocking avx2 = VectorEmitter.blocking(10, 8, 16, UnrollPolicy.DEFAULT);
    assertShape(avx2, 6, 1);
    assertEquals(2, avx2.tail());
    // n = 10 with 4 lanes (SSE): 2 vectors + the tail, 4 rows of 3 (12 of 16 registers)
    assertShape(VectorEmitter.blocking(10, 4, 16, UnrollPolicy.DEFAULT), 4, 2);
    // n = 20 with 16 lanes: 1 vector + a 4-lane tail, 8 rows of 2 on 32 registers
    assertShape(VectorEmitter.blocking(20, 16, 32, UnrollPolicy.DEFAULT), 8, 1);
    // n = 10 with 16 lanes: tail only, 8 rows
    assertEquals(8, VectorEmitter.blocking(10, 16, 32, UnrollPolicy.DEFAULT).rows());
  }

  @Test
  void singleRowsSpendTheRegistersOnColumns() {
    // AVX-512: a 256-wide row of b in one pass of 16 accumulators (predict's hidden layer)
    assertEquals(16, VectorEmitter.blocking(256, 16, 32, UnrollPolicy.DEFAULT).rowVectors());
    // AVX2: 8 accumulators of 8 lanes
    assertEquals(8, VectorEmitter.blocking(256, 8, 16, UnrollPolicy.DEFAULT).rowVectors());
    // never more than the row has
    assertEquals(1, VectorEmitter.blocking(10, 8, 16, UnrollPolicy.DEFAULT).rowVectors());
    // smaller policies: no wider than the block's own chunks
    assertEquals(
        2, VectorEmitter.blocking(256, 16, 32, UnrollPolicy.DEFAULT.smaller()).rowVectors());
    assertEquals(1, VectorEmitter.blocking(256, 16, 32, UnrollPolicy.MINIMAL).rowVectors());
  }

  @Test
  void narrowSingleRowsSplitTheirSumsIntoEightChains() {
    // predict's 10-wide output at 16 lanes: one partial vector, 8 partial sums
    assertEquals(
        8,
        VectorEmitter.rowSplit(
            VectorEmitter.blocking(10, 16, 32, UnrollPolicy.DEFAULT), 32, UnrollPolicy.DEFAULT));
    // at 8 lanes (AVX2): a vector and a 2-lane tail, 4 sums of 2 accumulators (8 of 16 registers)
    assertEquals(
        4,
        VectorEmitter.rowSplit(
            VectorEmitter.blocking(10, 8, 16, UnrollPolicy.DEFAULT), 16, UnrollPolicy.DEFAULT));
    // 3 accumulators on 16 registers: 2 sums (3 would take 9 of the 8 allowed)
    assertEquals(2, VectorEmitter.rowSplit(3, 16, UnrollPolicy.DEFAULT));
    // wide rows already have their chains: the hidden layer's 16 (AVX-512) and 8 (AVX2)
    assertEquals(
        1,
        VectorEmitter.rowSplit(
            VectorEmitter.blocking(256, 16, 32, UnrollPolicy.DEFAULT), 32, UnrollPolicy.DEFAULT));
    assertEquals(
        1,
        VectorEmitter.rowSplit(
            VectorEmitter.blocking(256, 8, 16, UnrollPolicy.DEFAULT), 16, UnrollPolicy.DEFAULT));
    // not under a smaller policy
    assertEquals(1, VectorEmitter.rowSplit(1, 32, UnrollPolicy.DEFAULT.smaller()));
    for (int registers : new int[] {16, 32}) {
      for (int width = 1; width <= registers; width++) {
        int split = VectorEmitter.rowSplit(width, registers, UnrollPolicy.DEFAULT);
        assertTrue(split >= 1 && split * width <= Math.max(width, registers / 2), width + "");
      }
    }
  }

  private static void assertShape(VectorEmitter.Blocking b, int rows, int vectors) {
    assertEquals(rows, b.rows(), b::toString);
    assertEquals(vectors, b.vectors(), b::toString);
  }
}
