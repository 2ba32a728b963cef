package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ops.Window2d;

/**
 * The loop nest that convolutions, pooling and their gradients share: every output position {@code
 * (b, i, j)} of a window sliding over an NHWC image, and inside it the window's taps that fall in
 * the image. The tap loops' bounds are clipped per output row and column ({@link Ix.Clamp}) rather
 * than testing each tap: padding then costs two int operations per row or column instead of a
 * branch per multiply-add, and the loops stay counted loops C2 compiles well.
 *
 * <p>Variables in bodies: {@code b, i, j} (the output position), {@code ki, kj} (the tap), {@code
 * ob} (the flat offset of {@code out[b, i, j, 0]} in the output), and the image position of the tap
 * is {@link #row()}, {@link #col()}.
 */
final class WindowLoops {
  static final Ix B = Ix.var("b");
  static final Ix I = Ix.var("i");
  static final Ix J = Ix.var("j");
  static final Ix KI = Ix.var("ki");
  static final Ix KJ = Ix.var("kj");
  static final Ix OB = Ix.var("ob");

  private final Window2d win;
  private final int height;
  private final int width;
  private final Shape out;

  /**
   * @param height the image's height, {@code width} its width
   * @param out the shape of the windowed side {@code [n, oh, ow, c]}
   */
  WindowLoops(Window2d win, int height, int width, Shape out) {
    this.win = win;
    this.height = height;
    this.width = width;
    this.out = out;
  }

  /** The tap's image row: {@code i·sh − pt + ki·dh}. */
  Ix row() {
    return Ix.add(Ix.add(Ix.mul(I, win.sh()), -win.pt()), Ix.mul(KI, win.dh()));
  }

  /** The tap's image column: {@code j·sw − pl + kj·dw}. */
  Ix col() {
    return Ix.add(Ix.add(Ix.mul(J, win.sw()), -win.pl()), Ix.mul(KJ, win.dw()));
  }

  /** The number of taps inside the image at the current position, as a float. */
  Fx count() {
    Fx rows = new Fx.OfInt(Ix.add(Ix.var("kih"), Ix.mul(Ix.var("kil"), -1)));
    Fx cols = new Fx.OfInt(Ix.add(Ix.var("kjh"), Ix.mul(Ix.var("kjl"), -1)));
    return Fx.mul(rows, cols);
  }

  /** {@code perPosition} at every output position; it may use {@link #taps} for the window. */
  List<LoopStmt> positions(List<LoopStmt> perPosition, String note) {
    List<LoopStmt> col = new ArrayList<>(colTaps());
    col.add(new LoopStmt.LetInt("ob", Indexing.linear(List.of(B, I, J, Ix.ZERO), out)));
    col.addAll(perPosition);
    List<LoopStmt> row = new ArrayList<>(rowTaps());
    row.add(loop("j", Ix.lit(out.dim(2)), col, null));
    return List.of(
        loop(
            "b",
            Indexing.extent(out.dim(0)),
            List.of(loop("i", Ix.lit(out.dim(1)), row, null)),
            note));
  }

  /** {@code kil}, {@code kih}: the window rows inside the image at output row {@code i}. */
  List<LoopStmt> rowTaps() {
    // first tap inside: ceil((pt − i·sh) / dh) clamped to [0, kh]; the end: ceil((h + pt − i·sh) /
    // dh)
    return List.of(
        new LoopStmt.LetInt(
            "kil",
            Ix.clamp(Ix.add(Ix.mul(I, -win.sh()), win.pt() + win.dh() - 1), win.dh(), 0, win.kh())),
        new LoopStmt.LetInt(
            "kih",
            Ix.clamp(
                Ix.add(Ix.mul(I, -win.sh()), height + win.pt() + win.dh() - 1),
                win.dh(),
                0,
                win.kh())));
  }

  /** {@code kjl}, {@code kjh}: the window columns inside the image at output column {@code j}. */
  List<LoopStmt> colTaps() {
    return List.of(
        new LoopStmt.LetInt(
            "kjl",
            Ix.clamp(Ix.add(Ix.mul(J, -win.sw()), win.pl() + win.dw() - 1), win.dw(), 0, win.kw())),
        new LoopStmt.LetInt(
            "kjh",
            Ix.clamp(
                Ix.add(Ix.mul(J, -win.sw()), width + win.pl() + win.dw() - 1),
                win.dw(),
                0,
                win.kw())));
  }

  /** Whether every column of the window at output column {@code j} is inside the image. */
  boolean wholeColumn(int j) {
    int sw = win.sw();
    int dw = win.dw();
    return ConvTiles.clamp(-j * sw + win.pl() + dw - 1, dw, 0, win.kw()) == 0
        && ConvTiles.clamp(-j * sw + width + win.pl() + dw - 1, dw, 0, win.kw()) == win.kw();
  }

  /** {@code body} for every tap of the window inside the image (row-major: the tie order). */
  static List<LoopStmt> taps(List<LoopStmt> body) {
    return List.of(
        new LoopStmt.For(
            "ki",
            Ix.var("kil"),
            Ix.var("kih"),
            1,
            List.of(new LoopStmt.For("kj", Ix.var("kjl"), Ix.var("kjh"), 1, body, null)),
            null));
  }

  /** {@code for (var = 0; var < extent; var++) body}; an extent of 1 substitutes 0 instead. */
  static LoopStmt loop(String var, Ix extent, List<LoopStmt> body, String note) {
    return new LoopStmt.For(var, Ix.ZERO, extent, 1, body, note);
  }

  /** Like {@link #loop} but returns the body itself, with {@code var = 0}, for an extent of 1. */
  static List<LoopStmt> loops(String var, int extent, List<LoopStmt> body) {
    if (extent == 1) {
      return Subst.ints(Map.of(var, Ix.ZERO)).stmts(body);
    }
    return List.of(loop(var, Ix.lit(extent), body, null));
  }

  /**
   * Like {@link #loops}, but starting at {@link ConvTiles#FROM}: the channel loop whose first
   * channels the vector back end's tiles may already have computed.
   */
  static List<LoopStmt> fromLoops(String var, int extent, List<LoopStmt> body) {
    if (extent == 1) {
      return loops(var, extent, body);
    }
    return List.of(new LoopStmt.For(var, Ix.var(ConvTiles.FROM), Ix.lit(extent), 1, body, null));
  }

  /** {@code buffer[flat] = 0} over a whole tensor of {@code shape} (a pointwise kernel). */
  static Kernel zero(String buffer, Shape shape, String note) {
    List<Ix> idx = Indexing.axisVars(shape.rank());
    return new Kernel.Pointwise(
        Indexing.dims(shape),
        List.of(new LoopStmt.Store(buffer, Indexing.linear(idx, shape), Fx.c(0))),
        note);
  }
}
