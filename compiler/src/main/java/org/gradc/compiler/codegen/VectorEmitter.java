package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.gradc.compiler.codegen.vector.VectorCalls;
import org.gradc.compiler.ir.Scalar;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Writes the vector parts of a kernel method: matmul micro-kernels and vectorized pointwise loops,
 * with {@link LoopEmitter} for everything scalar (operand expressions, tails, locals).
 *
 * <p>The shapes follow {@code shared/probes/MatmulProbe} and the measured hand kernels in {@code
 * benchmarks/…/kernels/HandKernels}:
 *
 * <ul>
 *   <li>Matmul {@code c = a(i, k) @ b[k, n]} in saxpy form: for a block of {@code rows} output rows
 *       and {@code vectors} consecutive vectors of columns, {@code rows × vectors} accumulators
 *       live in registers across the whole k loop; each step loads {@code vectors} rows of b once
 *       and broadcasts one a(i, k) per row. Columns past the last full vector (n = 10 with 16
 *       lanes) form one partial vector per row — in the first chunk's k loop when there are full
 *       vectors, in a tail chunk of their own otherwise — read whole where the read stays inside
 *       b's logical extent; the last rows of b, where it would not, are added by scalar code (no
 *       masks: JDK 17 runs masked loads that cross the array's end outside the intrinsic). Raw sums
 *       are stored into c; the epilogue then runs vectorized, over all rows in one pass after the
 *       blocks when they are methods (below), else over each block while it is hot in L1.
 *   <li>JDK 17 does not intrinsify masked stores, so a partial vector is stored whole when that
 *       stays inside c (its extra lanes land on the next row's first vector, which is stored later:
 *       tail vectors are stored before the full vectors of a block, and rows go in ascending
 *       order), and lane by lane at the end of c.
 *   <li>No vector value ever flows into a control-flow merge other than a loop's own accumulator
 *       (C2 only eliminates the boxes of those).
 *   <li>The sums of each row block (its chunks, each chunk's accumulators over the whole k loop and
 *       their raw store) are a method of their own, {@code k5_block0(n, i)} ({@link BlockMethods}),
 *       shared by the row blocks of one shape in a matmul and called with ints only (a vector
 *       passed to a call is boxed); the row loop and the epilogue stay in the kernel. A kernel
 *       method runs once per training step, so HotSpot compiles it late and runs the first steps
 *       interpreted and then in C1 code, where every vector is boxed; a block method is called once
 *       per row block, tens to hundreds of times a step, so it is compiled (by C2 too) within the
 *       first steps. The epilogue is then one pass after the blocks: after each call it made the
 *       warm step slower (docs/performance.md, "Block methods").
 *   <li>Pointwise loops: the last axis is vectorized (contiguous operands are loaded, operands that
 *       do not vary along it are broadcast), the other axes are plain loops, and the remainder of
 *       the last axis runs as scalar code.
 * </ul>
 */
final class VectorEmitter {
  private final MethodVisitor mv;
  private final LoopEmitter le;
  private final VectorCalls v;
  private final Precision p;
  private final boolean fma;
  private final UnrollPolicy policy;
  private final int lanes;

  private final VectorLanes functions;

  /** Element-body locals (Let names) bound to vector locals. */
  private final Map<String, Integer> vectorLocals = new HashMap<>();

  /**
   * Where register blocks go as methods of their own; {@code null} to write them inline (the block
   * methods themselves, and code that must stay one method).
   */
  private final BlockMethods blocks;

  /** The block methods written, by matmul and shape: {@code "0:4x4"} to {@code k5_block0}. */
  private final Map<String, String> blockNames;

  private int matmuls;

  /**
   * @param context where the kernel method is written: its register blocks become methods of the
   *     same class when {@link KernelCode.EmitContext#methods()} is set, else they are inline
   */
  VectorEmitter(
      MethodVisitor mv,
      LoopEmitter le,
      VectorCalls v,
      Precision p,
      boolean fma,
      UnrollPolicy policy,
      KernelCode.EmitContext context) {
    this(
        mv,
        le,
        v,
        p,
        fma,
        policy,
        context.methods() == null || context.method() == null ? null : new BlockMethods(context),
        new HashMap<>());
  }

  private VectorEmitter(
      MethodVisitor mv,
      LoopEmitter le,
      VectorCalls v,
      Precision p,
      boolean fma,
      UnrollPolicy policy,
      BlockMethods blocks,
      Map<String, String> blockNames) {
    this.blocks = blocks;
    this.blockNames = blockNames;
    this.mv = mv;
    this.le = le;
    this.v = v;
    this.p = p;
    this.fma = fma;
    this.policy = policy;
    this.lanes = v.lanes();
    this.functions = new VectorLanes(mv, le, v, p, fma);
  }

  int lanes() {
    return lanes;
  }

  /** A convolution pass as register tiles ({@link ConvEmitter}). */
  void conv(ConvTiles t) {
    new ConvEmitter(mv, le, v, p, fma, policy).emit(t);
  }

  // ---------------------------------------------------------------- what can be vectorized

  /** The coefficient of {@code var} in {@code e}, or {@code null} when {@code e} is not affine. */
  static Integer coefficient(Ix e, String var) {
    if (e instanceof Ix.Lit || e instanceof Ix.N) {
      return 0;
    } else if (e instanceof Ix.Var x) {
      return x.name().equals(var) ? 1 : 0;
    } else if (e instanceof Ix.Add a) {
      Integer x = coefficient(a.a(), var);
      Integer y = coefficient(a.b(), var);
      return x == null || y == null ? null : x + y;
    } else if (e instanceof Ix.Mul m) {
      Integer x = coefficient(m.a(), var);
      return x == null ? null : x * m.factor();
    } else if (e instanceof Ix.Floor f) {
      Integer x = coefficient(f.a(), var);
      return x != null && x == 0 ? 0 : null;
    } else if (e instanceof Ix.Clamp c) {
      Integer x = coefficient(c.a(), var);
      return x != null && x == 0 ? 0 : null;
    }
    Ix.Load l = (Ix.Load) e;
    Integer x = coefficient(l.index(), var);
    return x != null && x == 0 ? 0 : null;
  }

  /** Can {@code e} be computed for {@code lanes} consecutive values of {@code var} at once? */
  static boolean vectorizable(Fx e, String var) {
    if (e instanceof Fx.Load l) {
      Integer c = coefficient(l.index(), var);
      return c != null && (c == 0 || c == 1);
    } else if (e instanceof Fx.OfInt i) {
      return coefficient(i.value(), var) != null;
    } else if (e instanceof Fx.Unary u) {
      return vectorizable(u.x(), var);
    } else if (e instanceof Fx.Binary b) {
      return vectorizable(b.a(), var) && vectorizable(b.b(), var);
    } else if (e instanceof Fx.Select s) {
      return vectorizable(s.cond(), var) && vectorizable(s.a(), var) && vectorizable(s.b(), var);
    } else if (e instanceof Fx.Fma f) {
      return vectorizable(f.a(), var) && vectorizable(f.b(), var) && vectorizable(f.c(), var);
    }
    return !(e instanceof Fx.Dropout); // Const, Local, Hyper, Step; a dropout factor is a call
  }

  /**
   * Can {@code body} run for {@code lanes} consecutive values of {@code var} at once, with the same
   * result as running it once per value in order? Only lets and stores, every store contiguous in
   * {@code var}, no array both stored and read at a different place (which would make the vector
   * order differ from the scalar one), and an array stored at several places only at places a
   * constant multiple of {@link #MAX_LANES} apart: every element's writers then run in the same
   * order either way (their iterations differ by multiples of the vector's lanes, so they fall in
   * different vector iterations, in scalar order). An LSTM's backward cell stores its four gate
   * cotangents into one joined buffer so, at offsets 0, H, 2H, 3H of a row.
   */
  static boolean vectorizable(List<LoopStmt> body, String var) {
    Map<String, List<Ix>> stored = new HashMap<>();
    for (LoopStmt s : body) {
      if (s instanceof LoopStmt.Store st) {
        Integer c = coefficient(st.index(), var);
        if (c == null || c != 1 || !vectorizable(st.value(), var)) {
          return false;
        }
        List<Ix> places = stored.computeIfAbsent(st.array(), a -> new ArrayList<>());
        for (Ix before : places) {
          if (!before.equals(st.index()) && !lanesApart(before, st.index())) {
            return false;
          }
        }
        if (!places.contains(st.index())) {
          places.add(st.index());
        }
      } else if (s instanceof LoopStmt.Let l) {
        if (!vectorizable(l.value(), var)) {
          return false;
        }
      } else if (!(s instanceof LoopStmt.Comment)) {
        return false;
      }
    }
    for (LoopStmt s : body) {
      List<Fx.Load> loads = new ArrayList<>();
      if (s instanceof LoopStmt.Store st) {
        loads(st.value(), loads);
      } else if (s instanceof LoopStmt.Let l) {
        loads(l.value(), loads);
      }
      for (Fx.Load l : loads) {
        List<Ix> at = stored.get(l.array());
        if (at != null && (at.size() > 1 || !at.get(0).equals(l.index()))) {
          return false;
        }
      }
    }
    return true;
  }

  /** The most lanes of any species (SVE's 2,048 bits of f32). */
  static final int MAX_LANES = 64;

  /** Do {@code x} and {@code y} differ by a constant that is a nonzero multiple of MAX_LANES? */
  static boolean lanesApart(Ix x, Ix y) {
    List<String> tx = new ArrayList<>();
    List<String> ty = new ArrayList<>();
    int d = terms(x, tx) - terms(y, ty);
    tx.sort(null);
    ty.sort(null);
    return tx.equals(ty) && d != 0 && d % MAX_LANES == 0;
  }

  /** Adds the terms of the sum {@code e} that are not literals to {@code out}; their sum. */
  private static int terms(Ix e, List<String> out) {
    if (e instanceof Ix.Add a) {
      return terms(a.a(), out) + terms(a.b(), out);
    } else if (e instanceof Ix.Lit l) {
      return l.value();
    }
    out.add(e.toString());
    return 0;
  }

  private static void loads(Fx e, List<Fx.Load> out) {
    if (e instanceof Fx.Load l) {
      out.add(l);
    } else if (e instanceof Fx.Unary u) {
      loads(u.x(), out);
    } else if (e instanceof Fx.Binary b) {
      loads(b.a(), out);
      loads(b.b(), out);
    } else if (e instanceof Fx.Select s) {
      loads(s.cond(), out);
      loads(s.a(), out);
      loads(s.b(), out);
    } else if (e instanceof Fx.Fma f) {
      loads(f.a(), out);
      loads(f.b(), out);
      loads(f.c(), out);
    }
  }

  /** An epilogue over {@code (a0 = i, a1 = j)}, vectorized along j. */
  static boolean vectorizable(List<LoopStmt> epilogue) {
    return vectorizable(epilogue, "a1");
  }

  /**
   * A pointwise kernel worth vectorizing: its last axis is at least two vectors' worth, or a
   * multiple of 16 (whole vectors at every lane count up to 16, no scalar tail).
   */
  static boolean vectorizable(Kernel.Pointwise k) {
    int rank = k.dims().size();
    if (rank == 0) {
      return false;
    }
    Ix last = k.dims().get(rank - 1);
    if (last instanceof Ix.Lit l && l.value() < 32 && l.value() % 16 != 0) {
      return false;
    }
    return vectorizable(k.element(), "a" + (rank - 1));
  }

  // ---------------------------------------------------------------- matmul

  /**
   * How a matmul's columns are blocked: {@code full} vectors per row (in chunks of {@code
   * vectors}), then {@code tail} columns in one partial vector; {@code rows} output rows per block.
   * Rows left over (all of them when a call has fewer rows than a block, as a one-example {@code
   * predict}) run one at a time in chunks of {@code rowVectors} vectors.
   */
  record Blocking(int lanes, int full, int vectors, int tail, int rows, int rowVectors) {
    /** The same blocking with blocks of {@code r} rows. */
    Blocking withRows(int r) {
      return new Blocking(lanes, full, vectors, tail, r, rowVectors);
    }

    @Override
    public String toString() {
      return "blocks of "
          + rows
          + " rows x "
          + (full == 0 ? "1 partial" : vectors + " of " + full)
          + " vectors of "
          + lanes
          + " lanes"
          + (tail == 0
              ? ""
              : (full == 0 ? " (" : " + a tail of ") + tail + " lanes" + (full == 0 ? ")" : ""))
          + (full == 0 || rowVectors == vectors ? "" : ", single rows x " + rowVectors);
    }
  }

  /**
   * Vector registers an architecture gives code using vectors of {@code bits}: 32 on AArch64 (NEON
   * and SVE both have 32 vector registers, v0-v31 / z0-z31, whatever the width), 32 on x86 with
   * 512-bit vectors (AVX-512: zmm0-zmm31), 16 on x86 with narrower ones (AVX2 / SSE: ymm0-ymm15). A
   * 256-bit species on an AVX-512 machine ({@code -XX:MaxVectorSize=32}) is counted as AVX2's 16:
   * conservative, a smaller block only costs a little. Unknown architectures get 16.
   *
   * @param arch {@code os.arch} ("amd64", "x86_64", "aarch64", ...)
   */
  static int registers(String arch, int bits) {
    String a = arch == null ? "" : arch.toLowerCase(java.util.Locale.ROOT);
    if (a.equals("aarch64") || a.equals("arm64")) {
      return 32;
    }
    return bits >= 512 ? 32 : 16;
  }

  /**
   * The fewest output rows a register block takes where the register file holds them, even when
   * fewer rows would give twice {@link #CHAINS} independent multiply-add chains (4 × 4 on AVX-512:
   * see {@link #blocking}).
   */
  static final int MAX_ROWS = 4;

  /**
   * The most chunks of a single row written out straight-line rather than looped over: 4 covers a
   * 256-wide row at 8 lanes and 16 registers (predict's hidden layer on AVX2) and keeps the method
   * within a few KB of bytecode (8 chunks of 8 vectors took the Names LSTM's kernels from 1.7 to
   * 4.4 KB at 128 bits, 6 of 16 a FashionCnn kernel to 7.0 KB at 512).
   */
  static final int MAX_STRAIGHT_CHUNKS = 4;

  /** The most output rows a register block takes: narrow outputs, one accumulator per row. */
  static final int MAX_NARROW_ROWS = 8;

  /**
   * Independent multiply-add chains a block should keep in flight to hide the latency of a fused
   * multiply-add: its latency (4 cycles) times the multiply-adds issued per cycle (2), on the x86
   * (Skylake and later, Zen) and ARM (Neoverse) cores of the last years alike.
   */
  static final int CHAINS = 8;

  /**
   * Block sizes from the species (its {@code lanes}) and the register file ({@code registers}), by
   * one rule, so the micro-kernel's shape follows the hardware rather than constants tuned on one
   * machine:
   *
   * <ul>
   *   <li>{@code vectors = registers / 8} accumulator vectors per row (2 on 16 registers, 4 on 32),
   *       at most the row's full vectors: a quarter of the register file's width per row, as BLIS's
   *       kernels (6 × 16 floats on AVX2, AVX2's 2 vectors of 8 lanes);
   *   <li>{@code rows}: enough for {@code rows × perRow ≥ 2 ×} {@link #CHAINS} independent chains,
   *       at least {@link #MAX_ROWS} (4 rows × 4 vectors fill AVX-512 as the probe's kernel), at
   *       most {@link #MAX_NARROW_ROWS}, and at most what fits the file ({@code rows × perRow}
   *       accumulators, {@code perRow} rows of b and one broadcast of a); {@code perRow} is {@code
   *       vectors}, plus one when there is a tail (it rides in the first chunk's k loop, so a
   *       broadcast of a feeds both). Twice the chains the latency needs leaves slack for the loads
   *       and the loop's own instructions: a block of exactly {@link #CHAINS} (4 × 2 at 8 lanes)
   *       reached 87–100 GFLOP/s with AVX2 code on Zen 5, 6 × 2 (12, all 16 registers used) 114,
   *       both for the LSTM's {@code [64, 128] @ [128, 512]} and {@code [64, 512] @ [512, 128]}; at
   *       16 lanes 4 × 4 and 6 × 4 were alike (211 and 219). Rows need not be a power of two: the
   *       rows a call leaves past its last whole block run in one block of each smaller power of
   *       two (batch 64 in 6-row blocks: ten, then one of 4), then one at a time. An output of one
   *       full vector plus a tail (n = 10 with 8 lanes) so takes 6 rows of 2 accumulators (with the
   *       tail in a loop of its own, 4 chains ran latency-bound: fwd2 of the MLP 28 GFLOP/s at 256
   *       bits);
   *   <li>an output narrower than one vector (a tail only) takes 8 rows of one accumulator each (4
   *       on a file of under 10 registers);
   *   <li>{@code rowVectors}, for rows computed one at a time (a call with fewer rows than a block:
   *       one-example inference): half the register file in accumulators across the row's columns
   *       ({@code registers / 2}, at most the row's full vectors), the other half for the rows of b
   *       in flight and the broadcast. A single row reuses nothing across rows, so its chains must
   *       come from columns: 16 vectors on AVX-512 read a 256-wide row of b once, sequentially,
   *       instead of in 4 strided passes.
   * </ul>
   *
   * So: AVX-512 (32 registers, 16 lanes) 4 × 4, the probe's kernel (≈ the FMA peak); AVX2 (16, 8
   * lanes) 6 × 2 (BLIS's Haswell kernel, 6 × 16 floats); NEON (32, 4 lanes) 4 × 4. {@code policy}
   * shrinks blocks when a method would be too large to compile.
   */
  static Blocking blocking(int n, int lanes, int registers, UnrollPolicy policy) {
    int full = n / lanes;
    int tail = n % lanes;
    int vectors = Math.max(1, Math.min(registers / 8, full));
    int rows;
    if (full == 0) {
      // one accumulator per row, one b row, one broadcast
      rows = Integer.highestOneBit(Math.min(MAX_NARROW_ROWS, registers - 2));
    } else {
      int perRow = vectors + (tail > 0 ? 1 : 0); // the tail rides in the first chunk's k loop
      int fit = Math.max(1, (registers - perRow - 1) / perRow);
      int want = Math.min(MAX_NARROW_ROWS, Math.max(MAX_ROWS, -Math.floorDiv(-2 * CHAINS, perRow)));
      rows = Math.min(want, fit);
    }
    int rowVectors = Math.max(1, Math.min(registers / 2, full));
    if (policy.level() >= 1) {
      vectors = Math.min(vectors, 2);
      rows = Math.min(rows, 2);
      rowVectors = vectors;
    }
    if (policy.level() >= 2) {
      vectors = 1;
      rows = 1;
      rowVectors = 1;
    }
    return new Blocking(lanes, full, vectors, tail, rows, rowVectors);
  }

  /** {@link #blocking} for vectors of {@code bits} on the machine this JVM runs on. */
  static Blocking blockingHere(int n, int lanes, int bits, UnrollPolicy policy) {
    return blocking(n, lanes, registersHere(bits), policy);
  }

  /** {@link #registers} for vectors of {@code bits} on the machine this JVM runs on. */
  static int registersHere(int bits) {
    return registers(System.getProperty("os.arch"), bits);
  }

  /** The width of this emitter's vectors in bits. */
  private int bits() {
    return lanes * (p == Precision.F64 ? 64 : 32);
  }

  void matmul(Kernel.Matmul k) {
    matmul(k, false);
  }

  /**
   * The matmul's output rows {@code [lo, hi)} from the int locals {@code $lo} and {@code $hi}, in a
   * rows method ({@link RowSplit}): the row blocks from {@code lo} (a multiple of {@link
   * #rowGrain}, so the blocks are those of the whole product), the rows left one at a time, the
   * epilogue from {@code lo}, calling the block and epilogue methods the kernel's own matmul calls.
   */
  void matmulRows(Kernel.Matmul k) {
    matmul(k, true);
  }

  /**
   * The rows a team may split {@code k} at: the register block's and the epilogue method's ({@code
   * k}'s rows are split in multiples of both); null when {@code k} may not be split ({@link
   * RowSplit#safe}, a partial vector of columns, whose whole-vector store spills into the next row,
   * a product blocked over k, or no block methods).
   */
  Integer rowGrain(Kernel.Matmul k) {
    Blocking b = blockingHere(k.n(), lanes, bits(), policy);
    if (blocks == null || b.tail() > 0 || contractsStackedRows(k, b) || !RowSplit.safe(k)) {
      return null;
    }
    int per = trivialEpilogue(k) ? 1 : Math.max(1, (EPILOGUE_ELEMENTS + k.n() - 1) / k.n());
    int grain = b.rows();
    while (grain % per != 0) {
      grain += b.rows();
    }
    return grain;
  }

  /** Where this emitter writes its block methods ({@code null}: inline). */
  BlockMethods blockMethods() {
    return blocks;
  }

  /**
   * An emitter writing into {@code mv} with {@code le} that calls (and writes) the same block and
   * epilogue methods as this one: for a rows method of this emitter's kernel.
   */
  VectorEmitter sibling(MethodVisitor mv, LoopEmitter le) {
    return new VectorEmitter(mv, le, v, p, fma, policy, blocks, blockNames);
  }

  private void matmul(Kernel.Matmul k, boolean range) {
    Blocking b = blockingHere(k.n(), lanes, bits(), policy);
    int matmul = matmuls++;
    bounds(k, b);
    if (contractsStackedRows(k, b)) {
      kBlocked(k, b, matmul);
      return;
    }
    int i = le.slot("$i", 1);
    int rows = b.rows();
    // a range's bounds are multiples of rowGrain (a multiple of rows) or m: rows are left over
    // only where the whole product leaves some
    boolean known = k.m() instanceof Ix.Lit;
    int left = known ? ((Ix.Lit) k.m()).value() % rows : rows - 1;
    if (range) {
      load(le.slot("$hi", 1));
      mv.visitVarInsn(Opcodes.ISTORE, le.slot("$iEnd", 1));
    }
    if (rows > 1) {
      int iMain = le.slot("$iMain", 1);
      if (range) {
        // lo + floor((hi - lo) / rows) * rows
        int lo = le.slot("$lo", 1);
        load(lo);
        load(le.slot("$hi", 1));
        load(lo);
        mv.visitInsn(Opcodes.ISUB);
        le.intConst(rows);
        mv.visitInsn(Opcodes.IDIV);
        le.intConst(rows);
        mv.visitInsn(Opcodes.IMUL);
        mv.visitInsn(Opcodes.IADD);
      } else {
        le.ix(Ix.floor(k.m(), rows));
      }
      mv.visitVarInsn(Opcodes.ISTORE, iMain);
      firstRow(range);
      countedLoop(i, iMain, rows, () -> block(k, b, rows, b.vectors(), matmul));
      if (Integer.bitCount(rows) > 1) {
        // fewer rows than a block, at least half: a block of each smaller power of two (6-row
        // blocks leave 4 of batch 64, run as one 4-row block rather than 4 single rows)
        for (int r = Integer.highestOneBit(rows); r > 1; r /= 2) {
          if (left >= r) {
            int rr = r;
            loop(i, () -> endLess(rr - 1), rr, () -> block(k, b, rr, b.vectors(), matmul));
            left -= known ? r : 0;
          }
        }
      }
    } else {
      firstRow(range);
    }
    if (rows == 1 || !known || left > 0) {
      countedLoop(i, le.slot("$iEnd", 1), 1, () -> block(k, b, 1, b.rowVectors(), matmul));
    }
    if (blocks != null) {
      // with the sums in block methods, the epilogue is a pass over all rows after them: run
      // after each block's call (as it is when inline), the FashionMlp's W1 gradient and Adam
      // update (k18_step) took 310-330 us instead of 256-268 us on JDK 17, as a pass 204-215 us
      epiloguePass(k, b, matmul, range);
    }
  }

  /** Pushes {@code $iEnd - d}. */
  private void endLess(int d) {
    mv.visitVarInsn(Opcodes.ILOAD, le.slot("$iEnd", 1));
    addConst(-d);
  }

  /** {@code $i = 0}, or {@code $i = $lo} for a range. */
  private void firstRow(boolean range) {
    if (range) {
      load(le.slot("$lo", 1));
    } else {
      le.intConst(0);
    }
    mv.visitVarInsn(Opcodes.ISTORE, le.slot("$i", 1));
  }

  /**
   * The epilogue over all rows, after the sums, as calls of an epilogue method for {@link
   * #EPILOGUE_ELEMENTS} at a time: a method of its own, so that it is compiled as early as the
   * blocks, and so that the kernel's method does not inline its vector calls too (a kernel with the
   * Adam update inline in its k-blocked sums sometimes compiled that update's multiply-adds as the
   * Vector API's allocating Java fallback: the Names LSTM's step took 57 ms instead of 7).
   */
  private void epiloguePass(Kernel.Matmul k, Blocking b, int matmul, boolean range) {
    if (trivialEpilogue(k)) {
      return;
    }
    int i = le.slot("$i", 1);
    int per = Math.max(1, (EPILOGUE_ELEMENTS + k.n() - 1) / k.n());
    firstRow(range);
    countedLoop(i, le.slot("$iEnd", 1), per, () -> callEpilogue(k, b, per, matmul));
  }

  /** Elements of c one call of an epilogue method covers (whole rows, at least one). */
  private static final int EPILOGUE_ELEMENTS = 2048;

  /**
   * Calls the epilogue method of matmul {@code matmul} for rows {@code $i .. min($i + per, m) - 1},
   * writing it first if this is its first call. The kernel's locals the epilogue reads (an
   * optimizer's hyper-parameters, loop variables) are passed after {@code i}.
   */
  private void callEpilogue(Kernel.Matmul k, Blocking b, int per, int matmul) {
    Ix accAt = Ix.add(Ix.mul(Ix.var("$r"), k.n()), Ix.var("$j"));
    Map<String, Ix> at = Map.of("a0", Ix.var("$r"), "a1", Ix.var("$j"));
    List<LoopStmt> body = new ArrayList<>();
    body.add(new LoopStmt.Let("acc", new Fx.Load(k.c(), accAt)));
    body.addAll(Subst.ints(at).stmts(k.epilogue()));
    body = List.of(new LoopStmt.For("$r", Ix.lit(0), Ix.lit(1), 1, body, null));
    body = List.of(new LoopStmt.For("$j", Ix.lit(0), Ix.lit(1), 1, body, null));
    blockMethod(
        matmul + ":epilogue",
        k,
        b,
        new LinkedHashSet<>(LoopStmts.arrays(body)),
        LoopStmts.free(body),
        e ->
            e.epilogue(
                k,
                b,
                () -> {
                  e.addRows(per);
                  e.mv.visitVarInsn(Opcodes.ILOAD, e.le.slot("$iEnd", 1));
                  e.mv.visitMethodInsn(
                      Opcodes.INVOKESTATIC, "java/lang/Math", "min", "(II)I", false);
                }));
  }

  /** The locals {@code $iEnd}, {@code $cEnd}, {@code $kEnd} and, with a tail, {@code $kSafe}. */
  private void bounds(Kernel.Matmul k, Blocking b) {
    int n = k.n();
    int iEnd = le.slot("$iEnd", 1);
    le.ix(k.m());
    mv.visitVarInsn(Opcodes.ISTORE, iEnd);
    int cEnd = le.slot("$cEnd", 1);
    le.ix(Ix.mul(k.m(), n));
    mv.visitVarInsn(Opcodes.ISTORE, cEnd);
    int kEnd = le.slot("$kEnd", 1);
    le.ix(k.k());
    mv.visitVarInsn(Opcodes.ISTORE, kEnd);
    if (b.tail() > 0) {
      // rows of b whose whole-vector read at the tail column stays inside b's k * n elements
      // (an Ix of n times a constant may be negative: clamp to [0, k])
      int kSafe = le.slot("$kSafe", 1);
      le.ix(Ix.add(Ix.mul(k.k(), n), -(b.full() * lanes + lanes)));
      le.intConst(n);
      mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "floorDiv", "(II)I", false);
      le.intConst(1);
      mv.visitInsn(Opcodes.IADD);
      mv.visitVarInsn(Opcodes.ILOAD, kEnd);
      mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "min", "(II)I", false);
      le.intConst(0);
      mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "max", "(II)I", false);
      mv.visitVarInsn(Opcodes.ISTORE, kSafe);
    }
  }

  /**
   * Rows of b one pass of {@link #kBlocked} reads. Its panel of b for a chunk of columns is then
   * {@code K_BLOCK × vectors × lanes} elements: 32 KB at 4 vectors of 64 bytes (AVX-512, or AVX2's
   * 2 × 32 bytes for doubles, 16 KB for floats), within the 48 KB (Zen 4/5, Ice Lake and later) or
   * 32 KB (older x86, Neoverse) L1 data caches. Measured on the Names LSTM's weight gradients (Zen
   * 5, packed panels): 128 rows 5-8 % faster than 64 and than 256.
   */
  static final int K_BLOCK = 128;

  /**
   * Whether the product contracts over stacked rows ({@code k = n·T}, a weight gradient {@code Σ_t
   * a_tᵀ g_t} merged by {@code opt.DotMerger}) with a shape {@link #kBlocked} handles: a known
   * number of rows (those past the last whole block are one smaller block), whole chunks, no tail.
   * Such a b ({@code batch·T} rows) is larger than the cache, and the row-block order would stream
   * it whole once per block of output rows.
   */
  static boolean contractsStackedRows(Kernel.Matmul k, Blocking b) {
    return k.k() instanceof Ix.Mul km
        && km.a() instanceof Ix.N
        && km.factor() >= 2
        && k.m() instanceof Ix.Lit
        && b.tail() == 0
        && b.full() > 0
        && b.full() % b.vectors() == 0;
  }

  /**
   * The product blocked over k as well, with packed panels (as BLIS's): for each block of {@link
   * #K_BLOCK} rows of b, the block's a values are copied into a panel {@code $ap} laid out per
   * block of output rows ({@code $ap[i·K_BLOCK + k·rows + r] = a(i + r, kb + k)}: a register
   * block's broadcasts are consecutive instead of one per row of a, 4 of 16 floats of a cache
   * line), and for each chunk of columns its rows of b into a contiguous panel {@code $bp} ({@code
   * K_BLOCK × vectors × lanes}; b's rows are {@code n} apart, 2 KB for {@code n = 512}, so a
   * chunk's 4 lines per row fall in a few sets of the L1 and evicted each other); then each block
   * of output rows loads its accumulators from c, runs over the block's k reading the panels, and
   * stores them back (the first block's start from zero: c is not zeroed first). The epilogue runs
   * after the last block ({@link #epiloguePass}, in methods of its own when the kernel has block
   * methods). Every sum still adds its terms in k order, one multiply-add each, so the result has
   * the unblocked kernel's bits. The panels are allocated per call ({@code K_BLOCK·(m +
   * vectors·lanes)} elements, 96 KB for {@code ∂L/∂Wh} of the Names LSTM): garbage of a few hundred
   * KB per step, against a buffer in every model class.
   */
  private void kBlocked(Kernel.Matmul k, Blocking b, int matmul) {
    int rows = b.rows();
    int m = ((Ix.Lit) k.m()).value();
    int width = b.vectors() * lanes;
    newArray(K_BLOCK * m, le.slot("$ap", 1));
    newArray(K_BLOCK * width, le.slot("$bp", 1));
    int kb = le.slot("$kb", 1);
    le.intConst(0);
    mv.visitVarInsn(Opcodes.ISTORE, le.slot("$k0", 1));
    // the first block's sums start from zero, not from c (which is then never zeroed; with k = 0
    // this block stores the zero sums); the others add to c
    le.intConst(0);
    mv.visitVarInsn(Opcodes.ISTORE, kb);
    kBlock(k, b, false);
    le.intConst(K_BLOCK);
    mv.visitVarInsn(Opcodes.ISTORE, kb);
    countedLoop(kb, le.slot("$kEnd", 1), K_BLOCK, () -> kBlock(k, b, true));
    if (blocks != null) {
      epiloguePass(k, b, matmul, false);
    } else if (!trivialEpilogue(k)) {
      int i = le.slot("$i", 1);
      le.intConst(0);
      mv.visitVarInsn(Opcodes.ISTORE, i);
      countedLoopTo(
          i,
          m,
          rows,
          () ->
              epilogue(
                  k,
                  b,
                  () -> {
                    addRows(rows);
                    le.intConst(m);
                    mv.visitMethodInsn(
                        Opcodes.INVOKESTATIC, "java/lang/Math", "min", "(II)I", false);
                  }));
    }
  }

  /**
   * One block of {@link #kBlocked}: the rows of b from {@code $kb} (at most {@link #K_BLOCK}), its
   * panels packed, added to c ({@code fromC}) or stored over it.
   */
  private void kBlock(Kernel.Matmul k, Blocking b, boolean fromC) {
    int rows = b.rows();
    int m = ((Ix.Lit) k.m()).value();
    int n = k.n();
    int width = b.vectors() * lanes;
    int bp = le.slot("$bp", 1);
    int kb = le.slot("$kb", 1);
    int kl = le.slot("$kl", 1);
    int jb = le.slot("$jb", 1);
    int i = le.slot("$i", 1);
    int ai = le.slot("$ai", 1);
    int pk = le.slot("$pk", 1);
    int bArr = le.slot(k.b(), 1);
    // whole blocks of rows, then the rows left (m % rows) as one block of their own
    int rem = m % rows;
    int mMain = m - rem;
    Pass pass = packedPass(k, width, rows, fromC);
    Pass passRem = rem > 0 ? packedPass(k, width, rem, fromC) : null;
    List<LoopStmt> pack = new ArrayList<>();
    if (mMain > 0) {
      pack.add(new LoopStmt.For("$pi", Ix.ZERO, Ix.lit(mMain), rows, packA(k, rows), null));
    }
    if (rem > 0) {
      pack.add(new LoopStmt.For("$pi", Ix.lit(mMain), k.m(), rem, packA(k, rem), null));
    }
    mv.visitVarInsn(Opcodes.ILOAD, le.slot("$kEnd", 1));
    mv.visitVarInsn(Opcodes.ILOAD, kb);
    mv.visitInsn(Opcodes.ISUB);
    le.intConst(K_BLOCK);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "min", "(II)I", false);
    mv.visitVarInsn(Opcodes.ISTORE, kl);
    // a's rows in order (each read whole), the panel written per block of output rows
    le.stmt(new LoopStmt.For("$pk", Ix.ZERO, Ix.var("$kl"), 1, pack, "pack a"));
    le.intConst(0);
    mv.visitVarInsn(Opcodes.ISTORE, jb);
    countedLoopTo(
        jb,
        b.full() * lanes,
        width,
        () -> {
          le.intConst(0);
          mv.visitVarInsn(Opcodes.ISTORE, pk);
          countedLoop(
              pk,
              kl,
              1,
              () -> {
                for (int q = 0; q < b.vectors(); q++) {
                  int qAt = q * lanes;
                  v.species(mv);
                  mv.visitVarInsn(Opcodes.ALOAD, bArr);
                  mv.visitVarInsn(Opcodes.ILOAD, kb);
                  mv.visitVarInsn(Opcodes.ILOAD, pk);
                  mv.visitInsn(Opcodes.IADD);
                  le.intConst(n);
                  mv.visitInsn(Opcodes.IMUL);
                  mv.visitVarInsn(Opcodes.ILOAD, jb);
                  mv.visitInsn(Opcodes.IADD);
                  addConst(qAt);
                  v.fromArray(mv);
                  mv.visitVarInsn(Opcodes.ALOAD, bp);
                  mv.visitVarInsn(Opcodes.ILOAD, pk);
                  le.intConst(width);
                  mv.visitInsn(Opcodes.IMUL);
                  addConst(qAt);
                  v.intoArray(mv);
                }
              });
          le.intConst(0);
          mv.visitVarInsn(Opcodes.ISTORE, i);
          countedLoopTo(
              i,
              mMain,
              rows,
              () -> {
                mv.visitVarInsn(Opcodes.ILOAD, i);
                le.intConst(K_BLOCK - 1);
                mv.visitInsn(Opcodes.IMUL);
                mv.visitVarInsn(Opcodes.ISTORE, ai);
                chunk(k, b, rows, b.vectors(), () -> load(jb), false, pass);
              });
          if (rem > 0) {
            le.intConst(mMain);
            mv.visitVarInsn(Opcodes.ISTORE, i);
            le.intConst(mMain * (K_BLOCK - 1));
            mv.visitVarInsn(Opcodes.ISTORE, ai);
            chunk(k, b, rem, b.vectors(), () -> load(jb), false, passRem);
          }
        });
  }

  /**
   * The pass of {@link #kBlock} over its panels for blocks of {@code rows} rows: a(i + r, k) =
   * {@code $ap[$ai + (i + r) + k·rows]} with {@code $ai = i·(K_BLOCK - 1)}, k from 0; b's rows
   * {@code width} apart in {@code $bp}.
   */
  private Pass packedPass(Kernel.Matmul k, int width, int rows, boolean fromC) {
    Kernel.Matmul packed =
        new Kernel.Matmul(
            k.m(),
            k.k(),
            width,
            new Fx.Load(
                "$ap", Ix.add(Ix.add(Ix.var("$ai"), Ix.var("a0")), Ix.mul(Ix.var("a1"), rows))),
            "$bp",
            k.c(),
            k.epilogue(),
            k.note());
    return new Pass(le.slot("$k0", 1), le.slot("$kl", 1), fromC, packed, () -> le.intConst(0));
  }

  /** Stores of a block of {@code rows} rows of a at k = {@code $kb + $pk} into {@code $ap}. */
  private static List<LoopStmt> packA(Kernel.Matmul k, int rows) {
    List<LoopStmt> packA = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      Map<String, Ix> at =
          Map.of("a0", Ix.add(Ix.var("$pi"), r), "a1", Ix.add(Ix.var("$kb"), Ix.var("$pk")));
      Ix to = Ix.add(Ix.add(Ix.mul(Ix.var("$pi"), K_BLOCK), Ix.mul(Ix.var("$pk"), rows)), r);
      packA.add(new LoopStmt.Store("$ap", to, Subst.ints(at).fx(k.a())));
    }
    return packA;
  }

  /** {@code slot = new float[size]} (or double). */
  private void newArray(int size, int slot) {
    le.intConst(size);
    mv.visitIntInsn(Opcodes.NEWARRAY, p.newarrayCode);
    mv.visitVarInsn(Opcodes.ASTORE, slot);
  }

  /** {@code … i → … i + c}; nothing for 0. */
  private void addConst(int c) {
    if (c != 0) {
      le.intConst(c);
      mv.visitInsn(Opcodes.IADD);
    }
  }

  /**
   * Output rows {@code $i .. $i + rows - 1}: their sums ({@link #chunks}), in a call to the block
   * method of this shape or inline, and when inline the epilogue over them while hot in L1.
   */
  private void block(Kernel.Matmul k, Blocking b, int rows, int vectors, int matmul) {
    int straight = rows == 1 && blocks != null ? straightChunks(b, vectors) : 0;
    if (straight > 1) {
      // a single row's straight-line chunks in a block method each: as one method of 4 chunks of 8
      // accumulators (1,862 bytes, AVX2's 256-wide hidden layer), C2 compiled one chunk's loop
      // with its vectors boxed in 3 of 16 runs of -XX:UseAVX=2 predict (802,816 B per call)
      for (int u = 0; u < straight; u++) {
        int chunk = u;
        call(matmul + ":1x" + vectors + "#" + u, k, b, e -> e.rowChunk(k, b, vectors, chunk));
      }
    } else {
      call(matmul + ":" + rows + "x" + vectors, k, b, e -> e.chunks(k, b, rows, vectors));
    }
    if (blocks == null && !trivialEpilogue(k)) {
      epilogue(k, b, () -> addRows(rows));
    }
  }

  /** Pushes {@code $i + rows}. */
  private void addRows(int rows) {
    mv.visitVarInsn(Opcodes.ILOAD, le.slot("$i", 1));
    le.intConst(rows);
    mv.visitInsn(Opcodes.IADD);
  }

  /**
   * The sums of rows {@code $i .. $i + rows - 1}, stored raw: full vectors in chunks of {@code
   * vectors}, the tail (if any) in the first chunk's k loop (or alone when there are no full
   * vectors).
   */
  private void chunks(Kernel.Matmul k, Blocking b, int rows, int vectors) {
    if (b.tail() > 0 && b.full() == 0) {
      if (rows == 1) {
        // a single row's one partial vector: chunk splits its k loop into partial sums
        chunk(k, b, 1, 0, () -> le.intConst(0), true);
      } else {
        tailChunk(k, b, rows);
      }
    }
    if (b.full() > 0) {
      int uniform = b.full() / vectors;
      boolean tail = b.tail() > 0;
      int jb = le.slot("$jb", 1);
      if (uniform == 1 || (rows == 1 && uniform <= MAX_STRAIGHT_CHUNKS)) {
        // a single row's chunks straight-line, without a loop over them: inside such a loop C2
        // (JDK 17) boxed the accumulators of every chunk in some runs and not others (2-3 KB per
        // one-row call at 256 and 128 bits; not diagnosed further)
        for (int u = 0; u < uniform; u++) {
          int at = u * vectors * lanes;
          chunk(k, b, rows, vectors, () -> le.intConst(at), u == 0 && tail);
        }
      } else {
        // with a tail, the first chunk (which carries it) alone, then a loop over the others.
        // Without one the loop starts at 0: a peeled copy of the chunk doubles the method's vector
        // code, and C1 then gives up compiling the big training kernels ("out of virtual
        // registers": MLP k0 and k15), which left them interpreted until C2 (first epoch 2.0 ->
        // 2.3-3.0 s)
        int from = 0;
        if (tail) {
          chunk(k, b, rows, vectors, () -> le.intConst(0), true);
          from = vectors * lanes;
        }
        le.intConst(from);
        mv.visitVarInsn(Opcodes.ISTORE, jb);
        int jEnd = uniform * vectors * lanes;
        countedLoopTo(
            jb, jEnd, vectors * lanes, () -> chunk(k, b, rows, vectors, () -> load(jb), false));
      }
      int left = b.full() % vectors;
      if (left > 0) {
        int at = uniform * vectors * lanes;
        chunk(k, b, rows, left, () -> le.intConst(at), false);
      }
    }
  }

  /**
   * The chunks {@link #chunks} writes straight-line for a single row in chunks of {@code vectors}
   * (the tail-only chunk, or the whole chunks and the rest chunk), or 0 when it loops over them.
   */
  private static int straightChunks(Blocking b, int vectors) {
    if (b.full() == 0) {
      return 1;
    }
    int uniform = b.full() / vectors;
    if (uniform != 1 && uniform > MAX_STRAIGHT_CHUNKS) {
      return 0;
    }
    return uniform + (b.full() % vectors > 0 ? 1 : 0);
  }

  /**
   * Chunk {@code u} of the ones {@link #chunks} writes straight-line for the single row {@code $i},
   * the same code: the first carries the tail, the one after the whole chunks is the rest.
   */
  private void rowChunk(Kernel.Matmul k, Blocking b, int vectors, int u) {
    int uniform = b.full() / vectors;
    if (u < uniform) {
      int at = u * vectors * lanes;
      chunk(k, b, 1, vectors, () -> le.intConst(at), u == 0 && b.tail() > 0);
    } else {
      int at = uniform * vectors * lanes;
      chunk(k, b, 1, b.full() % vectors, () -> le.intConst(at), false);
    }
  }

  /**
   * Calls the block method {@code key} names for the rows from {@code $i}, writing it first if this
   * is its first call; or, when blocks are inline, runs {@code body} here.
   */
  private void call(String key, Kernel.Matmul k, Blocking b, Consumer<VectorEmitter> body) {
    if (blocks == null) {
      body.accept(this);
      return;
    }
    // the operands only: the epilogue stays in the kernel
    Set<String> arrays =
        new LinkedHashSet<>(LoopStmts.arrays(List.of(new LoopStmt.Let("a", k.a()))));
    arrays.add(k.b());
    arrays.add(k.c());
    blockMethod(key, k, b, arrays, new LoopStmts.Free(Set.of(), Set.of()), body);
  }

  /**
   * Calls the block method {@code key} names for the rows from {@code $i}, writing it first (with
   * {@code body}, over {@code arrays}) if this is its first call. The kernel's locals in {@code
   * free} are passed after {@code i}.
   */
  private void blockMethod(
      String key,
      Kernel.Matmul k,
      Blocking b,
      Set<String> arrays,
      LoopStmts.Free free,
      Consumer<VectorEmitter> body) {
    StringBuilder more = new StringBuilder();
    free.scalars().forEach(x -> more.append(p.type.getDescriptor()));
    free.ints().forEach(x -> more.append('I'));
    String name = blockNames.get(key);
    if (name == null) {
      name = blocks.next();
      blockNames.put(key, name);
      MethodVisitor bmv = blocks.open(name, more.toString());
      LoopEmitter ble = blocks.loopEmitter(bmv);
      ble.slot("$i", 1); // the parameters after the model (0) and n (1), in descriptor order
      free.scalars().forEach(x -> ble.slot(x, p.type.getSize()));
      free.ints().forEach(x -> ble.slot(x, 1));
      ble.hoist(arrays);
      VectorEmitter e = new VectorEmitter(bmv, ble, v, p, fma, policy, null, new HashMap<>());
      e.bounds(k, b);
      body.accept(e);
      bmv.visitInsn(Opcodes.RETURN);
      bmv.visitMaxs(0, 0);
      bmv.visitEnd();
    }
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitVarInsn(Opcodes.ILOAD, 1);
    mv.visitVarInsn(Opcodes.ILOAD, le.slot("$i", 1));
    free.scalars().forEach(x -> mv.visitVarInsn(p.op(Opcodes.ILOAD), le.slot(x, 1)));
    free.ints().forEach(x -> mv.visitVarInsn(Opcodes.ILOAD, le.slot(x, 1)));
    blocks.invoke(mv, name, more.toString());
  }

  /** The epilogue is just {@code c[i, j] = acc}, which the raw store already did. */
  private static boolean trivialEpilogue(Kernel.Matmul k) {
    if (k.epilogue().size() != 1 || !(k.epilogue().get(0) instanceof LoopStmt.Store st)) {
      return false;
    }
    Ix at = Ix.add(Ix.mul(Ix.var("a0"), k.n()), Ix.var("a1"));
    return st.array().equals(k.c()) && st.index().equals(at) && st.value().equals(Fx.local("acc"));
  }

  /**
   * {@code rows × vectors} accumulators over the whole k loop for columns {@code j0 + q * lanes},
   * stored raw into c. With {@code tail} (only for the first chunk, {@code j0 = 0}), each row also
   * accumulates the partial vector of the columns past the last full vector, so one broadcast of
   * a(i, k) feeds {@code vectors + 1} multiply-adds; the k loop then stops where the tail's
   * whole-vector read of b would leave b ({@code $kSafe}), the tail vectors are stored before the
   * full ones (a whole-vector tail store spills into the next row's first vector, which is stored
   * after it, here or by the next block), and scalar code adds the last rows of b to this chunk's
   * columns.
   */
  private void chunk(
      Kernel.Matmul k, Blocking b, int rows, int vectors, Runnable j0, boolean tail) {
    chunk(k, b, rows, vectors, j0, tail, null);
  }

  /**
   * Where a chunk's k loop reads ({@link #kBlocked}): k from slot {@code kFrom} to slot {@code
   * kTo}, a and b from {@code src} (its {@code a}, and its {@code b} with row stride {@code
   * src.n()} from column {@code srcJ0}: the packed panels); the accumulators start from what c
   * holds when {@code fromC}, else from zero.
   */
  private record Pass(int kFrom, int kTo, boolean fromC, Kernel.Matmul src, Runnable srcJ0) {}

  /** {@link #chunk}, or with a {@code pass} over the part of k (and the panels) it names. */
  private void chunk(
      Kernel.Matmul k, Blocking b, int rows, int vectors, Runnable j0, boolean tail, Pass pass) {
    int n = k.n();
    boolean partial = pass != null;
    Kernel.Matmul src = partial ? pass.src() : k;
    Runnable srcJ0 = partial ? pass.srcJ0() : j0;
    int col = b.full() * lanes;
    int width = vectors + (tail ? 1 : 0);
    int[][] acc = new int[rows][width];
    for (int r = 0; r < rows; r++) {
      for (int q = 0; q < width; q++) {
        acc[r][q] = le.slot("$acc" + r + "_" + q, 1);
        if (partial && pass.fromC()) {
          v.species(mv);
          pushC(le.slot(k.c(), 1), r, q, n, j0);
          v.fromArray(mv);
        } else {
          v.zero(mv);
        }
        mv.visitVarInsn(Opcodes.ASTORE, acc[r][q]);
      }
    }
    int[] bv = new int[width];
    for (int q = 0; q < width; q++) {
      bv[q] = le.slot("$b" + q, 1);
    }
    int kk = le.slot("$k", 1);
    int bk = le.slot("$bk", 1);
    int x = le.slot("$x", 1);
    int bArr = le.slot(src.b(), 1);
    if (partial) {
      mv.visitVarInsn(Opcodes.ILOAD, pass.kFrom());
    } else {
      le.intConst(0);
    }
    mv.visitVarInsn(Opcodes.ISTORE, kk);
    int kEnd = partial ? pass.kTo() : le.slot(tail ? "$kSafe" : "$kEnd", 1);
    // rows of b from $k: k rows of b, each a multiply-add into accumulators sets[s] for row s
    IntConsumer steps =
        split -> {
          mv.visitVarInsn(Opcodes.ILOAD, kk);
          le.intConst(src.n());
          mv.visitInsn(Opcodes.IMUL);
          srcJ0.run();
          mv.visitInsn(Opcodes.IADD);
          mv.visitVarInsn(Opcodes.ISTORE, bk);
          for (int s = 0; s < split; s++) {
            for (int q = 0; q < width; q++) {
              v.species(mv);
              mv.visitVarInsn(Opcodes.ALOAD, bArr);
              mv.visitVarInsn(Opcodes.ILOAD, bk);
              int at = s * src.n() + (q < vectors ? q * lanes : col); // j0 is 0 with a tail
              if (at > 0) {
                le.intConst(at);
                mv.visitInsn(Opcodes.IADD);
              }
              v.fromArray(mv);
              mv.visitVarInsn(Opcodes.ASTORE, bv[q]);
            }
            for (int r = 0; r < rows; r++) {
              broadcastA(src, r, s);
              mv.visitVarInsn(Opcodes.ASTORE, x);
              for (int q = 0; q < width; q++) {
                multiplyAdd(x, bv[q], s == 0 ? acc[r][q] : le.slot("$part" + s + "_" + q, 1));
              }
            }
          }
        };
    int split = rows == 1 && !partial ? rowSplit(width, registersHere(bits()), policy) : 1;
    if (split > 1) {
      splitLoop(kk, kEnd, split, width, acc[0], steps);
    } else {
      countedLoop(kk, kEnd, 1, () -> steps.accept(1));
    }
    int cArr = le.slot(k.c(), 1);
    if (tail) {
      int[] tacc = new int[rows];
      for (int r = 0; r < rows; r++) {
        tacc[r] = acc[r][vectors];
      }
      storeTail(k, b, rows, tacc);
    }
    for (int r = 0; r < rows; r++) {
      for (int q = 0; q < vectors; q++) {
        mv.visitVarInsn(Opcodes.ALOAD, acc[r][q]);
        pushC(cArr, r, q, n, j0);
        v.intoArray(mv);
      }
    }
    if (tail) {
      // columns [0, vectors * lanes) and [col, col + tail): one range when they meet
      if (vectors * lanes == col) {
        addLastRowsOfB(k, rows, 0, col + b.tail());
      } else {
        addLastRowsOfB(k, rows, 0, vectors * lanes);
        addLastRowsOfB(k, rows, col, col + b.tail());
      }
    }
  }

  /**
   * A single row's k loop from {@code $k} (0) to {@code kEnd} as {@code split} partial sums: {@code
   * steps.accept(split)} adds rows {@code $k .. $k + split - 1} of b, row {@code $k + s} into the
   * accumulators of set {@code s} ({@code acc} for set 0), for {@code $k} up to the last multiple
   * of {@code split}; the rows after it go into set 0, one at a time; then the sets are added into
   * {@code acc} in a fixed pairwise tree (set 0 + set 1, set 2 + set 3, then the pairs, …). See
   * {@link #rowSplit}.
   */
  private void splitLoop(int kk, int kEnd, int split, int width, int[] acc, IntConsumer steps) {
    int[][] sets = new int[split][];
    sets[0] = acc;
    for (int s = 1; s < split; s++) {
      sets[s] = new int[width];
      for (int q = 0; q < width; q++) {
        sets[s][q] = le.slot("$part" + s + "_" + q, 1);
        v.zero(mv);
        mv.visitVarInsn(Opcodes.ASTORE, sets[s][q]);
      }
    }
    int kMain = le.slot("$kMain", 1);
    load(kEnd);
    load(kEnd);
    le.intConst(split);
    mv.visitInsn(Opcodes.IREM);
    mv.visitInsn(Opcodes.ISUB);
    mv.visitVarInsn(Opcodes.ISTORE, kMain);
    countedLoop(kk, kMain, split, () -> steps.accept(split));
    countedLoop(kk, kEnd, 1, () -> steps.accept(1));
    for (int step = 1; step < split; step *= 2) {
      for (int s = 0; s + step < split; s += 2 * step) {
        for (int q = 0; q < width; q++) {
          mv.visitVarInsn(Opcodes.ALOAD, sets[s][q]);
          mv.visitVarInsn(Opcodes.ALOAD, sets[s + step][q]);
          v.binary(mv, "add");
          mv.visitVarInsn(Opcodes.ASTORE, sets[s][q]);
        }
      }
    }
  }

  /**
   * Partial sums a single row's chunk of {@code width} accumulators splits its k loop into (1: not
   * split). A single row reuses nothing across rows, so a narrow one has few independent
   * multiply-add chains: predict's 10-wide output layer at 16 lanes is one partial vector, one
   * chain of 256 dependent multiply-adds (0.31 µs, latency-bound). Split into enough sums for
   * {@link #CHAINS} chains, with at most half the register file in accumulators (as {@code
   * rowVectors}): 8 sums of 1 accumulator on AVX-512, 4 of 2 for 10 columns at 8 lanes. Not split
   * under a smaller {@link UnrollPolicy}. The order of a split row's sum is fixed (k ≡ s mod {@code
   * split} into sum s, the rest into sum 0, then a fixed tree), so its bits do not depend on the
   * JIT, but they differ in the last places from the same row's in a block of rows, which adds in k
   * order.
   */
  static int rowSplit(int width, int registers, UnrollPolicy policy) {
    if (policy.level() >= 1 || width >= CHAINS) {
      return 1;
    }
    return Math.max(1, Math.min(-Math.floorDiv(-CHAINS, width), registers / 2 / width));
  }

  /**
   * {@link #rowSplit} of the first chunk of a single row of an {@code n}-wide product with blocking
   * {@code b} (the chunk that carries the tail, if any), for the dump.
   */
  static int rowSplit(Blocking b, int registers, UnrollPolicy policy) {
    int width = (b.full() == 0 ? 0 : b.rowVectors()) + (b.tail() > 0 ? 1 : 0);
    return rowSplit(width, registers, policy);
  }

  /** Pushes c and the index of vector {@code q} of block row {@code r} in it (from {@code j0}). */
  private void pushC(int cArr, int r, int q, int n, Runnable j0) {
    mv.visitVarInsn(Opcodes.ALOAD, cArr);
    rowOffset(r, n);
    j0.run();
    mv.visitInsn(Opcodes.IADD);
    if (q > 0) {
      le.intConst(q * lanes);
      mv.visitInsn(Opcodes.IADD);
    }
  }

  /**
   * The columns past the last full vector: one partial vector per row, over the rows of b whose
   * whole-vector read stays inside b; the last few rows of b (where it would not) are added by
   * scalar code after the store. (JDK 17's masked load leaves the intrinsic, and allocates, when
   * the unmasked extent crosses the array's end.)
   */
  private void tailChunk(Kernel.Matmul k, Blocking b, int rows) {
    int n = k.n();
    int col = b.full() * lanes;
    int[] acc = new int[rows];
    for (int r = 0; r < rows; r++) {
      acc[r] = le.slot("$acc" + r + "_0", 1);
      v.zero(mv);
      mv.visitVarInsn(Opcodes.ASTORE, acc[r]);
    }
    int kk = le.slot("$k", 1);
    int bt = le.slot("$b0", 1);
    int x = le.slot("$x", 1);
    int bArr = le.slot(k.b(), 1);
    le.intConst(0);
    mv.visitVarInsn(Opcodes.ISTORE, kk);
    countedLoop(
        kk,
        le.slot("$kSafe", 1),
        1,
        () -> {
          v.species(mv);
          mv.visitVarInsn(Opcodes.ALOAD, bArr);
          mv.visitVarInsn(Opcodes.ILOAD, kk);
          le.intConst(n);
          mv.visitInsn(Opcodes.IMUL);
          if (col > 0) {
            le.intConst(col);
            mv.visitInsn(Opcodes.IADD);
          }
          v.fromArray(mv);
          mv.visitVarInsn(Opcodes.ASTORE, bt);
          for (int r = 0; r < rows; r++) {
            broadcastA(k, r);
            mv.visitVarInsn(Opcodes.ASTORE, x);
            multiplyAdd(x, bt, acc[r]);
          }
        });
    storeTail(k, b, rows, acc);
    addLastRowsOfB(k, rows, col, col + b.tail());
  }

  /**
   * Stores the tail accumulators {@code acc} of rows {@code $i + r}: whole vectors where that stays
   * inside c (the extra lanes land on the next row, computed later), lane by lane at c's end.
   */
  private void storeTail(Kernel.Matmul k, Blocking b, int rows, int[] acc) {
    int n = k.n();
    int col = b.full() * lanes;
    int cArr = le.slot(k.c(), 1);
    int off = le.slot("$off", 1);
    for (int r = 0; r < rows; r++) {
      rowOffset(r, n);
      if (col > 0) {
        le.intConst(col);
        mv.visitInsn(Opcodes.IADD);
      }
      mv.visitVarInsn(Opcodes.ISTORE, off);
      Label byLane = new Label();
      Label done = new Label();
      mv.visitVarInsn(Opcodes.ILOAD, off);
      le.intConst(lanes);
      mv.visitInsn(Opcodes.IADD);
      mv.visitVarInsn(Opcodes.ILOAD, le.slot("$cEnd", 1));
      mv.visitJumpInsn(Opcodes.IF_ICMPGT, byLane);
      mv.visitVarInsn(Opcodes.ALOAD, acc[r]);
      mv.visitVarInsn(Opcodes.ALOAD, cArr);
      mv.visitVarInsn(Opcodes.ILOAD, off);
      v.intoArray(mv);
      mv.visitJumpInsn(Opcodes.GOTO, done);
      mv.visitLabel(byLane);
      for (int t = 0; t < b.tail(); t++) {
        mv.visitVarInsn(Opcodes.ALOAD, cArr);
        mv.visitVarInsn(Opcodes.ILOAD, off);
        if (t > 0) {
          le.intConst(t);
          mv.visitInsn(Opcodes.IADD);
        }
        mv.visitVarInsn(Opcodes.ALOAD, acc[r]);
        le.intConst(t);
        v.lane(mv);
        mv.visitInsn(p.op(Opcodes.IASTORE));
      }
      mv.visitLabel(done);
    }
  }

  /**
   * {@code c[i + r, j] += a(i + r, k) * b[k, j]} for the rows of b past {@code $kSafe} (left out of
   * the vector loops whose whole-vector tail read would leave b) and columns {@code from ≤ j < to},
   * in k order, as the vector loop would have added them.
   */
  private void addLastRowsOfB(Kernel.Matmul k, int rows, int from, int to) {
    int n = k.n();
    List<LoopStmt> fix = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      Ix at = Ix.add(Ix.add(Ix.mul(Ix.add(Ix.var("$i"), r), n), from), Ix.var("$t"));
      Fx a = Subst.ints(Map.of("a0", Ix.add(Ix.var("$i"), r), "a1", Ix.var("$k"))).fx(k.a());
      Fx bv = new Fx.Load(k.b(), Ix.add(Ix.add(Ix.mul(Ix.var("$k"), n), from), Ix.var("$t")));
      fix.add(new LoopStmt.Store(k.c(), at, new Fx.Fma(a, bv, new Fx.Load(k.c(), at))));
    }
    le.stmt(
        new LoopStmt.For(
            "$k",
            Ix.var("$kSafe"),
            Ix.var("$kEnd"),
            1,
            List.of(new LoopStmt.For("$t", Ix.ZERO, Ix.lit(to - from), 1, fix, null)),
            null));
  }

  /** {@code … → … broadcast(a($i + r, $k))}. */
  private void broadcastA(Kernel.Matmul k, int r) {
    broadcastA(k, r, 0);
  }

  /** {@code … → … broadcast(a($i + r, $k + dk))}. */
  private void broadcastA(Kernel.Matmul k, int r, int dk) {
    Map<String, Ix> at = Map.of("a0", Ix.add(Ix.var("$i"), r), "a1", Ix.add(Ix.var("$k"), dk));
    v.species(mv);
    le.fx(Subst.ints(at).fx(k.a()));
    v.broadcast(mv);
  }

  /** {@code acc = x * b + acc}: one fused multiply-add, or a multiply and an add without fma. */
  private void multiplyAdd(int x, int b, int acc) {
    mv.visitVarInsn(Opcodes.ALOAD, x);
    mv.visitVarInsn(Opcodes.ALOAD, b);
    if (fma) {
      mv.visitVarInsn(Opcodes.ALOAD, acc);
      v.fma(mv);
    } else {
      v.binary(mv, "mul");
      mv.visitVarInsn(Opcodes.ALOAD, acc);
      v.binary(mv, "add");
    }
    mv.visitVarInsn(Opcodes.ASTORE, acc);
  }

  /** {@code … → … ($i + r) * n}. */
  private void rowOffset(int r, int n) {
    le.ix(Ix.mul(Ix.add(Ix.var("$i"), r), n));
  }

  /** The epilogue over rows {@code $i .. $i + rows - 1}, reading each raw sum back from c. */
  private void epilogue(Kernel.Matmul k, Blocking b, Runnable rowEnds) {
    int n = k.n();
    int row = le.slot("$r", 1);
    int rowEnd = le.slot("$rEnd", 1);
    mv.visitVarInsn(Opcodes.ILOAD, le.slot("$i", 1));
    mv.visitVarInsn(Opcodes.ISTORE, row);
    rowEnds.run();
    mv.visitVarInsn(Opcodes.ISTORE, rowEnd);
    boolean vector = vectorizable(k.epilogue()) && b.full() > 0;
    int vectorEnd = vector ? b.full() * lanes : 0;
    Ix accAt = Ix.add(Ix.mul(Ix.var("$r"), n), Ix.var("$j"));
    Map<String, Ix> at = Map.of("a0", Ix.var("$r"), "a1", Ix.var("$j"));
    List<LoopStmt> body = Subst.ints(at).stmts(k.epilogue());
    countedLoop(
        row,
        rowEnd,
        1,
        () -> {
          if (vector) {
            int j = le.slot("$j", 1);
            le.intConst(0);
            mv.visitVarInsn(Opcodes.ISTORE, j);
            countedLoopTo(
                j,
                vectorEnd,
                lanes,
                () -> {
                  vectorLocals.clear();
                  v.species(mv);
                  mv.visitVarInsn(Opcodes.ALOAD, le.slot(k.c(), 1));
                  le.ix(accAt);
                  v.fromArray(mv);
                  mv.visitVarInsn(Opcodes.ASTORE, vectorLocal("acc"));
                  vectorStmts(body, "$j");
                });
          }
          if (vectorEnd < n) {
            List<LoopStmt> scalar = new ArrayList<>();
            scalar.add(new LoopStmt.Let("acc", new Fx.Load(k.c(), accAt)));
            scalar.addAll(body);
            le.stmt(new LoopStmt.For("$j", Ix.lit(vectorEnd), Ix.lit(n), 1, scalar, null));
          }
        });
  }

  // ---------------------------------------------------------------- pointwise

  /**
   * The element's indices for a loop nest whose last axis is vectorized: {@code a<d>} is 0 for an
   * axis of extent 1, else the loop variable {@code $p<d>} (and {@code d} is added to {@code
   * outer}, the axes that get a loop); the last axis is {@code $j}.
   */
  private static Map<String, Ix> lastAxisIndices(List<Ix> dims, List<Integer> outer) {
    int rank = dims.size();
    Map<String, Ix> at = new HashMap<>();
    for (int d = 0; d < rank - 1; d++) {
      if (dims.get(d) instanceof Ix.Lit l && l.value() == 1) {
        at.put("a" + d, Ix.ZERO);
      } else {
        at.put("a" + d, Ix.var("$p" + d));
        outer.add(d);
      }
    }
    at.put("a" + (rank - 1), Ix.var("$j"));
    return at;
  }

  void pointwise(Kernel.Pointwise k) {
    List<Integer> outer = new ArrayList<>();
    Map<String, Ix> at = lastAxisIndices(k.dims(), outer);
    List<LoopStmt> body = Subst.ints(at).stmts(k.element());
    Ix last = k.dims().get(k.dims().size() - 1);
    nest(k, outer, 0, body, last);
  }

  private void nest(Kernel.Pointwise k, List<Integer> outer, int d, List<LoopStmt> body, Ix last) {
    if (d < outer.size()) {
      int axis = outer.get(d);
      int var = le.slot("$p" + axis, 1);
      int end = le.slot("$pEnd" + axis, 1);
      le.ix(k.dims().get(axis));
      mv.visitVarInsn(Opcodes.ISTORE, end);
      le.intConst(0);
      mv.visitVarInsn(Opcodes.ISTORE, var);
      countedLoop(var, end, 1, () -> nest(k, outer, d + 1, body, last));
      return;
    }
    int j = le.slot("$j", 1);
    int jMain = le.slot("$jMain", 1);
    le.ix(Ix.floor(last, lanes));
    mv.visitVarInsn(Opcodes.ISTORE, jMain);
    le.intConst(0);
    mv.visitVarInsn(Opcodes.ISTORE, j);
    countedLoop(
        j,
        jMain,
        lanes,
        () -> {
          vectorLocals.clear();
          vectorStmts(body, "$j");
        });
    if (!(last instanceof Ix.Lit l && l.value() % lanes == 0)) {
      le.stmt(new LoopStmt.For("$j", Ix.var("$jMain"), last, 1, body, null));
    }
  }

  // ---------------------------------------------------------------- row reductions

  /** Lane accumulators of a row reduction: independent chains, so the adds overlap. */
  static final int ROW_ACCUMULATORS = 4;

  /**
   * A reduction this emitter writes: every reduced axis after every kept one, the last axis reduced
   * and every other reduced axis of extent 1 (a row: softmax's and cross-entropy's maximum and sum
   * over the classes, a mean over the batch), the element vectorizable along the last axis, which
   * fills at least two vectors or a multiple of 16 (as {@link #vectorizable(Kernel.Pointwise)}).
   */
  static boolean vectorizable(Kernel.Reduction r) {
    int rank = r.dims().size();
    if (rank == 0 || !r.reducesSuffix() || !r.reduced().get(rank - 1)) {
      return false;
    }
    for (int d = 0; d < rank - 1; d++) {
      if (r.reduced().get(d) && !(r.dims().get(d) instanceof Ix.Lit l && l.value() == 1)) {
        return false;
      }
    }
    Ix last = r.dims().get(rank - 1);
    if (last instanceof Ix.Lit l && l.value() < 32 && l.value() % 16 != 0) {
      return false;
    }
    return vectorizable(r.element(), "a" + (rank - 1));
  }

  /**
   * A row reduction ({@link #vectorizable(Kernel.Reduction)}): for each output element, {@link
   * #ROW_ACCUMULATORS} lane vectors combine the row's vectors in turn (vector {@code q} into
   * accumulator {@code q mod 4}), the rest of its whole vectors go into the first, the accumulators
   * are combined lane-wise in order and reduced across lanes (a sum in lane order, so the bits do
   * not depend on the JIT; a maximum by {@code reduceLanes}, exact in any order), and the elements
   * past the last whole vector are added in order by scalar code. A sum thus adds its terms in
   * another order than the scalar loop, one that depends on the lane count, so it agrees with the
   * scalar back end and other widths up to float rounding; a maximum is exact.
   */
  void reduction(Kernel.Reduction r) {
    List<Integer> outer = new ArrayList<>();
    Subst subst = Subst.ints(lastAxisIndices(r.dims(), outer));
    rows(r, outer, 0, subst.fx(r.element()), subst.ix(r.outIndex()));
  }

  private void rows(Kernel.Reduction r, List<Integer> outer, int d, Fx element, Ix outIndex) {
    if (d < outer.size()) {
      int axis = outer.get(d);
      int var = le.slot("$p" + axis, 1);
      int end = le.slot("$pEnd" + axis, 1);
      le.ix(r.dims().get(axis));
      mv.visitVarInsn(Opcodes.ISTORE, end);
      le.intConst(0);
      mv.visitVarInsn(Opcodes.ISTORE, var);
      countedLoop(var, end, 1, () -> rows(r, outer, d + 1, element, outIndex));
      return;
    }
    Ix last = r.dims().get(r.dims().size() - 1);
    int accumulators =
        last instanceof Ix.Lit l ? Math.max(1, Math.min(ROW_ACCUMULATORS, l.value() / lanes)) : 4;
    vectorLocals.clear();
    int[] acc = new int[accumulators];
    for (int a = 0; a < accumulators; a++) {
      acc[a] = vectorLocal("$acc" + a);
      vfx(r.identity(), "$j");
      mv.visitVarInsn(Opcodes.ASTORE, acc[a]);
    }
    int j = le.slot("$j", 1);
    int jEnd = le.slot("$jBlocks", 1);
    le.intConst(0);
    mv.visitVarInsn(Opcodes.ISTORE, j);
    if (accumulators > 1) {
      le.ix(Ix.floor(last, lanes * accumulators));
      mv.visitVarInsn(Opcodes.ISTORE, jEnd);
      countedLoop(
          j,
          jEnd,
          lanes * accumulators,
          () -> {
            for (int a = 0; a < accumulators; a++) {
              Fx at = Subst.ints(Map.of("$j", Ix.add(Ix.var("$j"), a * lanes))).fx(element);
              accumulate(r, a, at);
            }
          });
    }
    int jMain = le.slot("$jMain", 1);
    le.ix(Ix.floor(last, lanes));
    mv.visitVarInsn(Opcodes.ISTORE, jMain);
    countedLoop(j, jMain, lanes, () -> accumulate(r, 0, element));
    for (int a = 1; a < accumulators; a++) {
      vfx(Fx.bin(r.op(), Fx.local("$acc0"), Fx.local("$acc" + a)), "$j");
      mv.visitVarInsn(Opcodes.ASTORE, acc[0]);
    }
    if (r.op() == Scalar.BinaryFn.MAX) {
      mv.visitVarInsn(Opcodes.ALOAD, acc[0]);
      v.operator(mv, "MAX", "Associative");
      v.reduceLanes(mv);
    } else {
      // lane by lane in lane order: reduceLanes(ADD) leaves the order to the implementation (C2's
      // and the Java fallback's may differ), and a step must give the same bits whatever the JIT
      for (int l = 0; l < lanes; l++) {
        mv.visitVarInsn(Opcodes.ALOAD, acc[0]);
        le.intConst(l);
        v.lane(mv);
        if (l > 0) {
          mv.visitInsn(p.op(Opcodes.IADD));
        }
      }
    }
    mv.visitVarInsn(p.op(Opcodes.ISTORE), le.slot("$racc", p.type.getSize()));
    Fx sum = Fx.local("$racc");
    if (!(last instanceof Ix.Lit l && l.value() % lanes == 0)) {
      le.stmt(
          new LoopStmt.For(
              "$j",
              Ix.var("$jMain"),
              last,
              1,
              List.of(new LoopStmt.Let("$racc", Fx.bin(r.op(), sum, element))),
              null));
    }
    le.stmt(
        new LoopStmt.Store(
            r.out(), outIndex, r.divisor() == null ? sum : Fx.div(sum, r.divisor())));
  }

  /** {@code $acc<a> = op($acc<a>, element)} over the lanes of {@code $j}. */
  private void accumulate(Kernel.Reduction r, int a, Fx element) {
    vfx(Fx.bin(r.op(), Fx.local("$acc" + a), element), "$j");
    mv.visitVarInsn(Opcodes.ASTORE, vectorLocal("$acc" + a));
  }

  // ---------------------------------------------------------------- vector statements

  private int vectorLocal(String name) {
    return vectorLocals.computeIfAbsent(name, x -> le.slot("$v:" + x, 1));
  }

  /** {@code body} for lanes {@code var .. var + lanes - 1}. */
  private void vectorStmts(List<LoopStmt> body, String var) {
    for (LoopStmt s : body) {
      if (s instanceof LoopStmt.Let l) {
        vfx(l.value(), var);
        mv.visitVarInsn(Opcodes.ASTORE, vectorLocal(l.name()));
      } else if (s instanceof LoopStmt.Store st) {
        vfx(st.value(), var);
        mv.visitVarInsn(Opcodes.ALOAD, le.slot(st.array(), 1));
        le.ix(st.index());
        v.intoArray(mv);
      }
    }
  }

  /** {@code … → … e} as a vector over the lanes of {@code var}. */
  private void vfx(Fx e, String var) {
    if (invariant(e, var)) {
      // the same value in every lane (an optimizer's bias correction, a function of a broadcast
      // operand): computed once as a scalar, which LaneMath makes the same bits as a lane
      v.species(mv);
      le.fx(e);
      v.broadcast(mv);
    } else if (e instanceof Fx.Load l && coefficient(l.index(), var) == 1) {
      v.species(mv);
      mv.visitVarInsn(Opcodes.ALOAD, le.slot(l.array(), 1));
      le.ix(l.index());
      v.fromArray(mv);
    } else if (e instanceof Fx.Local l && vectorLocals.containsKey(l.name())) {
      mv.visitVarInsn(Opcodes.ALOAD, vectorLocals.get(l.name()));
    } else if (e instanceof Fx.OfInt o) {
      int c = coefficient(o.value(), var);
      v.species(mv);
      le.fx(e);
      v.broadcast(mv);
      if (c != 0) {
        le.intConst(c);
        v.addIndex(mv);
      }
    } else if (e instanceof Fx.Unary u) {
      vfx(u.x(), var);
      LaneMath.unary(u.fn(), functions);
    } else if (e instanceof Fx.Binary b) {
      vfx(b.a(), var);
      vfx(b.b(), var);
      LaneMath.binary(b.fn(), functions);
    } else if (e instanceof Fx.Select s) {
      vfx(s.b(), var);
      vfx(s.a(), var);
      mask(s.cond(), var);
      v.blend(mv);
    } else if (e instanceof Fx.Fma f) {
      vfx(f.a(), var);
      vfx(f.b(), var);
      if (fma) {
        vfx(f.c(), var);
        v.fma(mv);
      } else {
        v.binary(mv, "mul");
        vfx(f.c(), var);
        v.binary(mv, "add");
      }
    } else {
      // the same for every lane: a constant, a broadcast load, a scalar local, a hyper-parameter
      v.species(mv);
      le.fx(e);
      v.broadcast(mv);
    }
  }

  /** Does {@code e} have the same value in every lane of {@code var}? */
  private boolean invariant(Fx e, String var) {
    if (e instanceof Fx.Load l) {
      Integer c = coefficient(l.index(), var);
      return c != null && c == 0;
    } else if (e instanceof Fx.Local l) {
      return !vectorLocals.containsKey(l.name());
    } else if (e instanceof Fx.OfInt o) {
      Integer c = coefficient(o.value(), var);
      return c != null && c == 0;
    } else if (e instanceof Fx.Unary u) {
      return invariant(u.x(), var);
    } else if (e instanceof Fx.Binary b) {
      return invariant(b.a(), var) && invariant(b.b(), var);
    } else if (e instanceof Fx.Select s) {
      return invariant(s.cond(), var) && invariant(s.a(), var) && invariant(s.b(), var);
    } else if (e instanceof Fx.Fma f) {
      return invariant(f.a(), var) && invariant(f.b(), var) && invariant(f.c(), var);
    }
    return true; // Const, Hyper, Step
  }

  /** {@code … → … mask} of the lanes where {@code cond} holds (is non-zero). */
  private void mask(Fx cond, String var) {
    if (cond instanceof Fx.Binary b && LoopEmitter.comparison(b.fn())) {
      vfx(b.a(), var);
      v.operator(mv, b.fn().name(), "Comparison");
      vfx(b.b(), var);
      v.compare(mv);
    } else {
      vfx(cond, var);
      v.operator(mv, "NE", "Comparison");
      v.zero(mv);
      v.compare(mv);
    }
  }

  // ---------------------------------------------------------------- loops

  /** {@code for (; var < end; var += step) body} with {@code end} in a local; var preset. */
  private void countedLoop(int var, int endSlot, int step, Runnable body) {
    loop(var, () -> mv.visitVarInsn(Opcodes.ILOAD, endSlot), step, body);
  }

  /** The same with a constant bound. */
  private void countedLoopTo(int var, int end, int step, Runnable body) {
    loop(var, () -> le.intConst(end), step, body);
  }

  private void loop(int var, Runnable end, int step, Runnable body) {
    Label test = new Label();
    Label exit = new Label();
    mv.visitLabel(test);
    mv.visitVarInsn(Opcodes.ILOAD, var);
    end.run();
    mv.visitJumpInsn(Opcodes.IF_ICMPGE, exit);
    body.run();
    mv.visitIincInsn(var, step);
    mv.visitJumpInsn(Opcodes.GOTO, test);
    mv.visitLabel(exit);
  }

  private void load(int slot) {
    mv.visitVarInsn(Opcodes.ILOAD, slot);
  }
}
