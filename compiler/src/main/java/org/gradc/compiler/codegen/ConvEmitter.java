package org.gradc.compiler.codegen;

import java.util.List;
import java.util.function.IntConsumer;
import org.gradc.compiler.codegen.vector.VectorCalls;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ops.Window2d;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Writes a convolution pass ({@link ConvTiles}) as Vector API register tiles: a direct convolution
 * over NHWC images, blocked over {@code rows} positions or channels (each a broadcast scalar) ×
 * {@code vectors} vectors of the contiguous channel axis, as LIBXSMM and oneDNN block theirs. The
 * {@code rows × vectors} accumulators stay in registers across the whole reduction (taps ×
 * channels, or output positions for the weight gradient), so each multiply-add costs no load or
 * store of its sum; each reduction step loads {@code vectors} vectors of {@code b} once for all
 * rows and one scalar of {@code a} per row.
 *
 * <p>Borders: a tile's rows must share their reduction's bounds. Rows of the window are clipped per
 * output row (one bound for the whole tile); columns whose window crosses the left or right border
 * get tiles of one row with clipped bounds, the interior columns full tiles. No padded copy and no
 * im2col buffer: operands are read in place.
 *
 * <p>Block sizes follow the register file ({@link VectorEmitter#registers}): {@code vectors} up to
 * a quarter of the registers' count divided by 8 (as the matmul micro-kernel), the largest divisor
 * of the whole vectors per row not above it; {@code rows} as many as leave room for the vectors of
 * {@code b} and one broadcast, at most 12, and balanced over the extent ({@code 12 → 12}, {@code 26
 * → 9 + 9 + 8}).
 */
final class ConvEmitter {
  private static final int MAX_ROWS = 12;

  private final MethodVisitor mv;
  private final LoopEmitter le;
  private final VectorCalls v;
  private final Precision p;
  private final boolean fma;
  private final UnrollPolicy policy;
  private final int lanes;

  ConvEmitter(
      MethodVisitor mv,
      LoopEmitter le,
      VectorCalls v,
      Precision p,
      boolean fma,
      UnrollPolicy policy) {
    this.mv = mv;
    this.le = le;
    this.v = v;
    this.p = p;
    this.fma = fma;
    this.policy = policy;
    this.lanes = v.lanes();
  }

  /** A loop of the reduction: {@code var} over {@code [lo, hi)}. */
  private record Red(String var, Ix lo, Ix hi) {}

  /**
   * One tile: {@code c[cAt + r·cStride + q·lanes ..]} (+)= Σ over {@code loops} of {@code a[aAt +
   * r·aStride]} · {@code b[bAt + q·lanes ..]}, for {@code r < rows}, {@code q < vectors}.
   */
  private record Tile(
      int rows,
      int vectors,
      List<Red> loops,
      String a,
      Ix aAt,
      int aStride,
      String b,
      Ix bAt,
      String c,
      Ix cAt,
      int cStride,
      boolean accumulate) {}

  /** The block sizes for {@code t} at {@code lanes} lanes: {@code {rows at most, vectors}}. */
  static int[] blocking(ConvTiles t, int lanes, int bits, UnrollPolicy policy) {
    int registers = VectorEmitter.registers(System.getProperty("os.arch"), bits);
    int full = t.vectorExtent() / lanes;
    int vmax = Math.max(1, registers / 8);
    int rmax = MAX_ROWS;
    if (policy.level() >= 1) {
      vmax = Math.min(vmax, 2);
      rmax = 4;
    }
    if (policy.level() >= 2) {
      vmax = 1;
      rmax = 1;
    }
    int vectors = 1;
    for (int d = Math.min(vmax, full); d >= 1; d--) {
      if (full % d == 0) {
        vectors = d;
        break;
      }
    }
    int rows = Math.max(1, Math.min(rmax, (registers - vectors - 1) / vectors));
    return new int[] {rows, vectors};
  }

  /** For dumps: the block sizes. */
  static String describe(ConvTiles t, int lanes, Precision p, UnrollPolicy policy) {
    int[] b = blocking(t, lanes, lanes * (p == Precision.F64 ? 64 : 32), policy);
    return "tiles of up to " + b[0] + " rows x " + b[1] + " vectors";
  }

  /** Rows per tile when {@code extent} rows are split into tiles of at most {@code max}. */
  static int balanced(int extent, int max) {
    if (extent <= 0) {
      return 1;
    }
    int tiles = (extent + max - 1) / max;
    return (extent + tiles - 1) / tiles;
  }

  void emit(ConvTiles t) {
    int[] b = blocking(t, lanes, lanes * (p == Precision.F64 ? 64 : 32), policy);
    switch (t.pass()) {
      case FORWARD -> forward(t, b[0], b[1]);
      case INPUT_GRAD -> inputGrad(t, b[0], b[1]);
      case WEIGHT_GRAD -> weightGrad(t, b[0], b[1]);
    }
  }

  // ---------------------------------------------------------------- the three passes

  private static final Ix B = Ix.var("b");
  private static final Ix I = Ix.var("i");
  private static final Ix J = Ix.var("j");
  private static final Ix G = Ix.var("g");
  private static final Ix OC = Ix.var("oc");

  /**
   * The sizes every pass reads: the window, output {@code oh × ow}, image {@code h × width × c},
   * channels out {@code co}, per group {@code cig} in and {@code cog} out, and {@code chunk}, the
   * channels of one tile's vectors.
   */
  private record Dims(
      Window2d w, int oh, int ow, int h, int width, int c, int co, int cig, int cog, int chunk) {
    Dims(ConvTiles t, int chunk) {
      this(
          t.win(),
          t.output().dim(1),
          t.output().dim(2),
          t.image().dim(1),
          t.image().dim(2),
          t.image().dim(3),
          t.co(),
          t.cig(),
          t.cog(),
          chunk);
    }

    /** The image row that output row {@code i} reads at tap {@code ki}: i·sh + ki·dh − pt. */
    Ix imageRow(Ix i, Ix ki) {
      return Ix.add(Ix.add(Ix.mul(i, w.sh()), Ix.mul(ki, w.dh())), -w.pt());
    }

    /** The image column that output column {@code j} reads at tap {@code kj}. */
    Ix imageColumn(Ix j, Ix kj) {
      return Ix.add(Ix.add(Ix.mul(j, w.sw()), Ix.mul(kj, w.dw())), -w.pl());
    }

    /** Where channel {@code ch} of group {@code g} is at image position (y, x) of image b. */
    Ix imageAt(Ix y, Ix x, Ix ch) {
      return Ix.add(
          Ix.add(Ix.mul(Ix.add(Ix.mul(Ix.add(Ix.mul(B, h), y), width), x), c), Ix.mul(G, cig)), ch);
    }
  }

  private void forward(ConvTiles t, int rmax, int vectors) {
    Dims d = new Dims(t, vectors * lanes);
    Window2d w = d.w();
    Shape out = t.output();
    WindowLoops win = new WindowLoops(w, d.h(), d.width(), out);
    int[] inside = ConvTiles.interval(out.dim(2), win::wholeColumn);
    Ix ki = Ix.var("ki");
    Ix kj = Ix.var("kj");
    Ix ci = Ix.var("ci");
    Ix aAt = d.imageAt(d.imageRow(I, ki), d.imageColumn(J, kj), ci);
    Ix channel = Ix.add(Ix.mul(G, t.cog()), Ix.mul(OC, d.chunk()));
    Ix bAt =
        Ix.add(
            Ix.mul(Ix.add(Ix.mul(Ix.add(Ix.mul(ki, w.kw()), kj), d.cig()), ci), d.co()), channel);
    Ix cAt =
        Ix.add(
            Ix.mul(Ix.add(Ix.mul(Ix.add(Ix.mul(B, out.dim(1)), I), out.dim(2)), J), d.co()),
            channel);
    ColumnTile tile =
        (rows, clipped) ->
            perChannelBlock(
                t.groups(),
                t.cog() / d.chunk(),
                new Tile(
                    rows,
                    vectors,
                    List.of(
                        new Red("ki", Ix.var("kil"), Ix.var("kih")),
                        clipped
                            ? new Red("kj", Ix.var("kjl"), Ix.var("kjh"))
                            : new Red("kj", Ix.ZERO, Ix.lit(w.kw())),
                        new Red("ci", Ix.ZERO, Ix.lit(d.cig()))),
                    t.a(),
                    aAt,
                    w.sw() * d.c(),
                    t.b(),
                    bAt,
                    t.c(),
                    cAt,
                    d.co(),
                    false));
    imageRows(
        t,
        "i",
        out.dim(1),
        win.rowTaps(),
        () -> columns(out.dim(2), inside, balanced(inside[1] - inside[0], rmax), win, tile));
  }

  private void inputGrad(ConvTiles t, int rmax, int vectors) {
    Dims d = new Dims(t, vectors * lanes);
    Window2d w = d.w();
    // taps of image position (y, x) = (i, j) that some output position reads: ki with
    // 0 <= y + pt - ki·dh < d.oh(), i.e. ki in [ceil((y + pt - d.oh() + 1) / dh), floor((y + pt) /
    // dh)]
    List<LoopStmt> rowTaps =
        List.of(
            new LoopStmt.LetInt(
                "kil", Ix.clamp(Ix.add(I, w.pt() - d.oh() + w.dh()), w.dh(), 0, w.kh())),
            new LoopStmt.LetInt("kih", Ix.clamp(Ix.add(I, w.pt() + w.dh()), w.dh(), 0, w.kh())));
    List<LoopStmt> colTaps =
        List.of(
            new LoopStmt.LetInt(
                "kjl", Ix.clamp(Ix.add(J, w.pl() - d.ow() + w.dw()), w.dw(), 0, w.kw())),
            new LoopStmt.LetInt("kjh", Ix.clamp(Ix.add(J, w.pl() + w.dw()), w.dw(), 0, w.kw())));
    int[] inside =
        ConvTiles.interval(
            d.width(),
            x ->
                ConvTiles.clamp(x + w.pl() - d.ow() + w.dw(), w.dw(), 0, w.kw()) == 0
                    && ConvTiles.clamp(x + w.pl() + w.dw(), w.dw(), 0, w.kw()) == w.kw());
    // descending taps (kr, kjr count up): the scalar scatter adds output positions in ascending
    // order, which is the taps' descending order
    Ix ki = Ix.add(Ix.add(Ix.var("kih"), -1), Ix.mul(Ix.var("kr"), -1));
    Ix o = Ix.var("o");
    Ix gy = Ix.add(Ix.add(I, w.pt()), Ix.mul(ki, -w.dh()));
    Ix channel = Ix.add(Ix.mul(G, d.cig()), Ix.mul(OC, d.chunk()));
    Ix cAt =
        Ix.add(Ix.mul(Ix.add(Ix.mul(Ix.add(Ix.mul(B, d.h()), I), d.width()), J), d.c()), channel);
    ColumnTile tile =
        (rows, clipped) -> {
          Ix kj =
              clipped
                  ? Ix.add(Ix.add(Ix.var("kjh"), -1), Ix.mul(Ix.var("kjr"), -1))
                  : Ix.add(Ix.lit(w.kw() - 1), Ix.mul(Ix.var("kjr"), -1));
          Ix gx = Ix.add(Ix.add(J, w.pl()), Ix.mul(kj, -w.dw()));
          Ix aAt =
              Ix.add(
                  Ix.add(
                      Ix.mul(Ix.add(Ix.mul(Ix.add(Ix.mul(B, d.oh()), gy), d.ow()), gx), d.co()),
                      Ix.mul(G, d.cog())),
                  o);
          Ix bAt =
              Ix.add(
                  Ix.mul(
                      Ix.add(
                          Ix.mul(Ix.add(Ix.mul(ki, w.kw()), kj), d.co()),
                          Ix.add(Ix.mul(G, d.cog()), o)),
                      d.cig()),
                  Ix.mul(OC, d.chunk()));
          Ix kjEnd = clipped ? Ix.add(Ix.var("kjh"), Ix.mul(Ix.var("kjl"), -1)) : Ix.lit(w.kw());
          perChannelBlock(
              t.groups(),
              d.cig() / d.chunk(),
              new Tile(
                  rows,
                  vectors,
                  List.of(
                      new Red("kr", Ix.ZERO, Ix.add(Ix.var("kih"), Ix.mul(Ix.var("kil"), -1))),
                      new Red("kjr", Ix.ZERO, kjEnd),
                      new Red("o", Ix.ZERO, Ix.lit(d.cog()))),
                  t.a(),
                  aAt,
                  d.co(),
                  t.b(),
                  bAt,
                  t.c(),
                  cAt,
                  d.c(),
                  false));
        };
    imageRows(
        t,
        "i",
        d.h(),
        rowTaps,
        () -> columns(d.width(), inside, balanced(inside[1] - inside[0], rmax), colTaps, tile));
  }

  private void weightGrad(ConvTiles t, int rmax, int vectors) {
    Dims d = new Dims(t, vectors * lanes);
    Window2d w = d.w();
    Ix ki = Ix.var("ki");
    Ix kj = Ix.var("kj");
    Ix cb = Ix.var("cb");
    // output rows whose tap ki is inside the image: 0 <= i·sh − pt + ki·dh < d.h()
    LoopStmt il =
        new LoopStmt.LetInt(
            "il", Ix.clamp(Ix.add(Ix.mul(ki, -w.dh()), w.pt() + w.sh() - 1), w.sh(), 0, d.oh()));
    LoopStmt ih =
        new LoopStmt.LetInt(
            "ih",
            Ix.clamp(Ix.add(Ix.mul(ki, -w.dh()), d.h() - 1 + w.pt() + w.sh()), w.sh(), 0, d.oh()));
    LoopStmt jl =
        new LoopStmt.LetInt(
            "jl", Ix.clamp(Ix.add(Ix.mul(kj, -w.dw()), w.pl() + w.sw() - 1), w.sw(), 0, d.ow()));
    LoopStmt jh =
        new LoopStmt.LetInt(
            "jh",
            Ix.clamp(
                Ix.add(Ix.mul(kj, -w.dw()), d.width() - 1 + w.pl() + w.sw()), w.sw(), 0, d.ow()));
    Ix aAt = d.imageAt(d.imageRow(I, ki), d.imageColumn(J, kj), cb);
    Ix channel = Ix.add(Ix.mul(G, d.cog()), Ix.mul(OC, d.chunk()));
    Ix bAt =
        Ix.add(Ix.mul(Ix.add(Ix.mul(Ix.add(Ix.mul(B, d.oh()), I), d.ow()), J), d.co()), channel);
    Ix cAt =
        Ix.add(
            Ix.mul(Ix.add(Ix.mul(Ix.add(Ix.mul(ki, w.kw()), kj), d.cig()), cb), d.co()), channel);
    List<Red> positions =
        List.of(new Red("i", Ix.var("il"), Ix.var("ih")), new Red("j", Ix.var("jl"), Ix.var("jh")));
    int rows = balanced(d.cig(), rmax);
    int whole = d.cig() / rows * rows;
    IntConsumer channelBlocks =
        n ->
            perChannelBlock(
                t.groups(),
                d.cog() / d.chunk(),
                new Tile(
                    n, vectors, positions, t.a(), aAt, 1, t.b(), bAt, t.c(), cAt, d.co(), true));
    Runnable perTap =
        () -> {
          if (whole > 0) {
            loop("cb", Ix.ZERO, Ix.lit(whole), rows, () -> channelBlocks.accept(rows));
          }
          if (whole < d.cig()) {
            stmts(List.of(new LoopStmt.LetInt("cb", Ix.lit(whole))));
            channelBlocks.accept(d.cig() - whole);
          }
        };
    // image after image, so each image's operands stay in cache for all taps; each kernel-gradient
    // element still sums its terms in (b, i, j) order
    imageRows(
        t,
        "ki",
        w.kh(),
        List.of(il, ih),
        () ->
            loop(
                "kj",
                Ix.ZERO,
                Ix.lit(w.kw()),
                1,
                () -> {
                  stmts(List.of(jl, jh));
                  perTap.run();
                }));
  }

  /**
   * For every image {@code b} of the batch and every {@code var} in {@code [0, extent)}: the
   * statements {@code head}, then {@code body}.
   */
  private void imageRows(ConvTiles t, String var, int extent, List<LoopStmt> head, Runnable body) {
    loop(
        "b",
        Ix.ZERO,
        Indexing.extent(t.image().dim(0)),
        1,
        () ->
            loop(
                var,
                Ix.ZERO,
                Ix.lit(extent),
                1,
                () -> {
                  stmts(head);
                  body.run();
                }));
  }

  // ---------------------------------------------------------------- columns, channel blocks

  /**
   * Emits the tiles at column {@code j} of {@code rows} rows; {@code clipped}: one border column.
   */
  private interface ColumnTile {
    void emit(int rows, boolean clipped);
  }

  private void columns(int extent, int[] inside, int rows, WindowLoops win, ColumnTile tile) {
    columns(extent, inside, rows, win.colTaps(), tile);
  }

  /**
   * The columns {@code j} of a row: border columns one at a time with their taps clipped by {@code
   * colTaps}, the columns in {@code inside} in tiles of {@code rows} (and one smaller tile for the
   * rest).
   */
  private void columns(
      int extent, int[] inside, int rows, List<LoopStmt> colTaps, ColumnTile tile) {
    int lo = inside[0];
    int hi = Math.max(inside[0], inside[1]);
    Runnable single =
        () -> {
          stmts(colTaps);
          tile.emit(1, true);
        };
    if (hi == lo) {
      loop("j", Ix.ZERO, Ix.lit(extent), 1, single);
      return;
    }
    if (lo > 0) {
      loop("j", Ix.ZERO, Ix.lit(lo), 1, single);
    }
    int whole = lo + (hi - lo) / rows * rows;
    if (whole > lo) {
      loop("j", Ix.lit(lo), Ix.lit(whole), rows, () -> tile.emit(rows, false));
    }
    if (whole < hi) {
      stmts(List.of(new LoopStmt.LetInt("j", Ix.lit(whole))));
      tile.emit(hi - whole, false);
    }
    if (hi < extent) {
      loop("j", Ix.lit(hi), Ix.lit(extent), 1, single);
    }
  }

  /** {@code tile} for every group {@code g} and chunk {@code oc} of whole vectors. */
  private void perChannelBlock(int groups, int chunks, Tile tile) {
    loop(
        "g",
        Ix.ZERO,
        Ix.lit(groups),
        1,
        () -> loop("oc", Ix.ZERO, Ix.lit(chunks), 1, () -> tile(tile)));
  }

  // ---------------------------------------------------------------- one tile

  private void tile(Tile t) {
    int cOff = le.slot("$cOff", 1);
    le.ix(t.cAt());
    mv.visitVarInsn(Opcodes.ISTORE, cOff);
    int cArr = le.slot(t.c(), 1);
    int[][] acc = new int[t.rows()][t.vectors()];
    for (int r = 0; r < t.rows(); r++) {
      for (int q = 0; q < t.vectors(); q++) {
        acc[r][q] = le.slot("$acc" + r + "_" + q, 1);
        if (t.accumulate()) {
          v.species(mv);
          mv.visitVarInsn(Opcodes.ALOAD, cArr);
          offset(cOff, r * t.cStride() + q * lanes);
          v.fromArray(mv);
        } else {
          v.zero(mv);
        }
        mv.visitVarInsn(Opcodes.ASTORE, acc[r][q]);
      }
    }
    reduction(t, acc);
    for (int r = 0; r < t.rows(); r++) {
      for (int q = 0; q < t.vectors(); q++) {
        mv.visitVarInsn(Opcodes.ALOAD, acc[r][q]);
        mv.visitVarInsn(Opcodes.ALOAD, cArr);
        offset(cOff, r * t.cStride() + q * lanes);
        v.intoArray(mv);
      }
    }
  }

  /**
   * The reduction loops of {@code t} as one counted loop whose variables advance like an odometer.
   * Nested loops would carry the accumulators through the outer loops' merges too, where C2 gives
   * up eliminating the vectors' boxes (measured: every step then allocated its accumulators); with
   * one loop, the loop's own phi is the only merge a vector meets, as in the matmul micro-kernel.
   */
  private void reduction(Tile t, int[][] acc) {
    List<Red> loops = t.loops();
    int count = le.slot("$count", 1);
    le.intConst(1);
    mv.visitVarInsn(Opcodes.ISTORE, count);
    int[] lo = new int[loops.size()];
    int[] hi = new int[loops.size()];
    for (int d = 0; d < loops.size(); d++) {
      Red red = loops.get(d);
      lo[d] = le.slot("$lo" + d, 1);
      hi[d] = le.slot("$hi" + d, 1);
      le.ix(red.lo());
      mv.visitVarInsn(Opcodes.ISTORE, lo[d]);
      le.ix(red.hi());
      mv.visitVarInsn(Opcodes.ISTORE, hi[d]);
      mv.visitVarInsn(Opcodes.ILOAD, lo[d]);
      mv.visitVarInsn(Opcodes.ISTORE, le.slot(red.var(), 1));
      // count *= max(hi - lo, 0)
      mv.visitVarInsn(Opcodes.ILOAD, count);
      mv.visitVarInsn(Opcodes.ILOAD, hi[d]);
      mv.visitVarInsn(Opcodes.ILOAD, lo[d]);
      mv.visitInsn(Opcodes.ISUB);
      le.intConst(0);
      mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "max", "(II)I", false);
      mv.visitInsn(Opcodes.IMUL);
      mv.visitVarInsn(Opcodes.ISTORE, count);
    }
    int step = le.slot("$step", 1);
    le.intConst(0);
    mv.visitVarInsn(Opcodes.ISTORE, step);
    Label test = new Label();
    Label exit = new Label();
    mv.visitLabel(test);
    mv.visitVarInsn(Opcodes.ILOAD, step);
    mv.visitVarInsn(Opcodes.ILOAD, count);
    mv.visitJumpInsn(Opcodes.IF_ICMPGE, exit);
    step(t, acc);
    // advance the innermost variable; on wrapping, reset it and advance the next one out
    Label next = new Label();
    for (int d = loops.size() - 1; d >= 0; d--) {
      int var = le.slot(loops.get(d).var(), 1);
      mv.visitIincInsn(var, 1);
      if (d > 0) {
        mv.visitVarInsn(Opcodes.ILOAD, var);
        mv.visitVarInsn(Opcodes.ILOAD, hi[d]);
        mv.visitJumpInsn(Opcodes.IF_ICMPLT, next);
        mv.visitVarInsn(Opcodes.ILOAD, lo[d]);
        mv.visitVarInsn(Opcodes.ISTORE, var);
      }
    }
    mv.visitLabel(next);
    mv.visitIincInsn(step, 1);
    mv.visitJumpInsn(Opcodes.GOTO, test);
    mv.visitLabel(exit);
  }

  /** One reduction step: {@code vectors} loads of b, one broadcast of a per row, the fmas. */
  private void step(Tile t, int[][] acc) {
    int aOff = le.slot("$aOff", 1);
    int bOff = le.slot("$bOff", 1);
    le.ix(t.aAt());
    mv.visitVarInsn(Opcodes.ISTORE, aOff);
    le.ix(t.bAt());
    mv.visitVarInsn(Opcodes.ISTORE, bOff);
    int aArr = le.slot(t.a(), 1);
    int bArr = le.slot(t.b(), 1);
    int[] bv = new int[t.vectors()];
    for (int q = 0; q < t.vectors(); q++) {
      bv[q] = le.slot("$b" + q, 1);
      v.species(mv);
      mv.visitVarInsn(Opcodes.ALOAD, bArr);
      offset(bOff, q * lanes);
      v.fromArray(mv);
      mv.visitVarInsn(Opcodes.ASTORE, bv[q]);
    }
    int x = le.slot("$x", 1);
    for (int r = 0; r < t.rows(); r++) {
      v.species(mv);
      mv.visitVarInsn(Opcodes.ALOAD, aArr);
      offset(aOff, r * t.aStride());
      mv.visitInsn(p.op(Opcodes.IALOAD));
      v.broadcast(mv);
      mv.visitVarInsn(Opcodes.ASTORE, x);
      for (int q = 0; q < t.vectors(); q++) {
        mv.visitVarInsn(Opcodes.ALOAD, x);
        mv.visitVarInsn(Opcodes.ALOAD, bv[q]);
        if (fma) {
          mv.visitVarInsn(Opcodes.ALOAD, acc[r][q]);
          v.fma(mv);
        } else {
          v.binary(mv, "mul");
          mv.visitVarInsn(Opcodes.ALOAD, acc[r][q]);
          v.binary(mv, "add");
        }
        mv.visitVarInsn(Opcodes.ASTORE, acc[r][q]);
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  /** {@code … → … slot + constant}. */
  private void offset(int slot, int constant) {
    mv.visitVarInsn(Opcodes.ILOAD, slot);
    if (constant != 0) {
      le.intConst(constant);
      mv.visitInsn(Opcodes.IADD);
    }
  }

  private void stmts(List<LoopStmt> body) {
    for (LoopStmt s : body) {
      le.stmt(s);
    }
  }

  /** {@code for (var = lo; var < hi; var += step) body}, {@code hi} computed once. */
  private void loop(String var, Ix lo, Ix hi, int step, Runnable body) {
    int slot = le.slot(var, 1);
    Ix end = hi;
    if (!(hi instanceof Ix.Lit || hi instanceof Ix.N)) {
      String bound = var + "$end";
      le.ix(hi);
      mv.visitVarInsn(Opcodes.ISTORE, le.slot(bound, 1));
      end = Ix.var(bound);
    }
    le.ix(lo);
    mv.visitVarInsn(Opcodes.ISTORE, slot);
    Label test = new Label();
    Label exit = new Label();
    mv.visitLabel(test);
    mv.visitVarInsn(Opcodes.ILOAD, slot);
    le.ix(end);
    mv.visitJumpInsn(Opcodes.IF_ICMPGE, exit);
    body.run();
    mv.visitIincInsn(slot, step);
    mv.visitJumpInsn(Opcodes.GOTO, test);
    mv.visitLabel(exit);
  }
}
