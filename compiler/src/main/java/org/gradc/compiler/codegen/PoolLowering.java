package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ops.AvgPool2d;
import org.gradc.compiler.ir.ops.AvgPool2dGrad;
import org.gradc.compiler.ir.ops.MaxPool2d;
import org.gradc.compiler.ir.ops.MaxPool2dGrad;
import org.gradc.compiler.ir.ops.MaxPool2dPick;
import org.gradc.compiler.ir.ops.Window2d;

/**
 * Max and average pooling and their gradients: a {@link Kernel.Loops} over the output positions and
 * the window's in-image taps ({@link WindowLoops}; padding never enters a window), per channel.
 *
 * <p>Max pooling follows the IR's tie rule exactly: the maximum {@code m} is found by a strict
 * {@code >} scan in row-major window order, and the arg-max is the first tap equal to {@code m} —
 * the first maximal element, as {@code Pooling.argmax} picks it (a NaN in the window is the one
 * case where the two differ). The gradient and the pick make a second pass over the window with a
 * flag ({@code done}) so only that tap receives or gives the value. Average pooling divides by the
 * number of in-image taps.
 */
final class PoolLowering implements OpLowering.Root {
  static final PoolLowering MAX = new PoolLowering(Kind.MAX);
  static final PoolLowering MAX_GRAD = new PoolLowering(Kind.MAX_GRAD);
  static final PoolLowering MAX_PICK = new PoolLowering(Kind.MAX_PICK);
  static final PoolLowering AVG = new PoolLowering(Kind.AVG);
  static final PoolLowering AVG_GRAD = new PoolLowering(Kind.AVG_GRAD);

  private enum Kind {
    MAX,
    MAX_GRAD,
    MAX_PICK,
    AVG,
    AVG_GRAD
  }

  private final Kind kind;

  private PoolLowering(Kind kind) {
    this.kind = kind;
  }

  @Override
  public String kind() {
    return "pool";
  }

  /** The max-pool passes read the image twice per tap: it is stored rather than recomputed. */
  @Override
  public boolean inlinesOperands() {
    return false;
  }

  /**
   * The gradients run their epilogue (the ReLU mask before the pool, typically) in their own loop
   * when the windows tile the image ({@link #wholeWindows}), so the gradient itself need not be
   * stored; otherwise in a pointwise pass after it.
   */
  @Override
  public boolean fusesEpilogue() {
    return kind == Kind.MAX_GRAD || kind == Kind.AVG_GRAD;
  }

  @Override
  public List<Kernel> kernels(Node n, Context c, List<LoopStmt> epilogue) {
    // the image side [n, h, w, c] and the pooled side [n, oh, ow, c]
    boolean gradient = kind == Kind.MAX_GRAD || kind == Kind.AVG_GRAD;
    Shape image = gradient ? n.shape() : n.input(0).shape();
    Shape pooled = gradient ? n.input(kind == Kind.MAX_GRAD ? 1 : 0).shape() : n.shape();
    Window2d win =
        switch (kind) {
          case MAX -> ((MaxPool2d) n.op()).window();
          case MAX_GRAD -> ((MaxPool2dGrad) n.op()).window();
          case MAX_PICK -> ((MaxPool2dPick) n.op()).window();
          case AVG -> ((AvgPool2d) n.op()).window();
          case AVG_GRAD -> ((AvgPool2dGrad) n.op()).window();
        };
    if (whole(win, image, pooled, gradient)) {
      return List.of(wholeWindows(n, c, win, image, pooled, epilogue));
    }
    WindowLoops loops = new WindowLoops(win, image.dim(1), image.dim(2), pooled);
    int channels = image.dim(3);
    Ix ch = Ix.var("ch");
    List<Ix> imageAt = List.of(WindowLoops.B, loops.row(), loops.col(), ch);
    Ix pooledAt = Ix.add(WindowLoops.OB, ch);
    String out = c.out();
    List<LoopStmt> perPosition = new ArrayList<>();
    List<Kernel> parts = new ArrayList<>();
    switch (kind) {
      case MAX -> {
        // channel-innermost: out[ob + ch] is the running maximum, contiguous over ch
        Fx cur = new Fx.Load(out, pooledAt);
        perPosition.add(channels(channels, store(out, pooledAt, Fx.c(Double.NEGATIVE_INFINITY))));
        perPosition.addAll(
            WindowLoops.taps(
                List.of(
                    channels(
                        channels,
                        new LoopStmt.Let("xv", c.read(n.input(0), imageAt)),
                        store(
                            out,
                            pooledAt,
                            new Fx.Select(
                                Fx.bin(Scalar.BinaryFn.GT, Fx.local("xv"), cur),
                                Fx.local("xv"),
                                cur))))));
      }
      case AVG -> {
        Fx cur = new Fx.Load(out, pooledAt);
        perPosition.add(new LoopStmt.Let("cnt", loops.count()));
        perPosition.add(channels(channels, store(out, pooledAt, Fx.c(0))));
        perPosition.addAll(
            WindowLoops.taps(
                List.of(
                    channels(
                        channels,
                        store(out, pooledAt, Fx.add(cur, c.read(n.input(0), imageAt)))))));
        perPosition.add(channels(channels, store(out, pooledAt, Fx.div(cur, Fx.local("cnt")))));
      }
      case AVG_GRAD -> {
        parts.add(WindowLoops.zero(out, image, null));
        Ix dxAt = Indexing.linear(imageAt, image);
        perPosition.add(new LoopStmt.Let("cnt", loops.count()));
        perPosition.addAll(
            WindowLoops.taps(
                List.of(
                    channels(
                        channels,
                        store(
                            out,
                            dxAt,
                            Fx.add(
                                new Fx.Load(out, dxAt),
                                Fx.div(
                                    c.read(
                                        n.input(0),
                                        List.of(WindowLoops.B, WindowLoops.I, WindowLoops.J, ch)),
                                    Fx.local("cnt"))))))));
      }
      case MAX_GRAD, MAX_PICK -> {
        Fx x = c.read(n.input(0), imageAt);
        Fx mx = Fx.local("mx");
        Fx done = Fx.local("done");
        Fx hit = Fx.local("hit");
        List<LoopStmt> perChannel = new ArrayList<>();
        perChannel.add(new LoopStmt.Let("mx", Fx.c(Double.NEGATIVE_INFINITY)));
        perChannel.addAll(
            WindowLoops.taps(
                List.of(
                    new LoopStmt.Let("xv", x),
                    new LoopStmt.Let(
                        "mx",
                        new Fx.Select(
                            Fx.bin(Scalar.BinaryFn.GT, Fx.local("xv"), mx), Fx.local("xv"), mx)))));
        perChannel.add(new LoopStmt.Let("done", Fx.c(0)));
        // the first tap equal to the maximum; done turns 1 there, so later equal taps miss
        LoopStmt isHit =
            new LoopStmt.Let(
                "hit", new Fx.Select(done, Fx.c(0), Fx.bin(Scalar.BinaryFn.EQ, x, mx)));
        LoopStmt mark = new LoopStmt.Let("done", Fx.add(done, hit));
        if (kind == Kind.MAX_GRAD) {
          parts.add(WindowLoops.zero(out, image, null));
          Ix dxAt = Indexing.linear(imageAt, image);
          perChannel.add(
              new LoopStmt.Let(
                  "gv",
                  c.read(n.input(1), List.of(WindowLoops.B, WindowLoops.I, WindowLoops.J, ch))));
          perChannel.addAll(
              WindowLoops.taps(
                  List.of(
                      isHit,
                      store(
                          out,
                          dxAt,
                          Fx.add(
                              new Fx.Load(out, dxAt), new Fx.Select(hit, Fx.local("gv"), Fx.c(0)))),
                      mark)));
        } else {
          perChannel.add(new LoopStmt.Let("acc", Fx.c(0)));
          perChannel.addAll(
              WindowLoops.taps(
                  List.of(
                      isHit,
                      new LoopStmt.Let(
                          "acc", new Fx.Select(hit, c.read(n.input(1), imageAt), Fx.local("acc"))),
                      mark)));
          perChannel.add(store(out, pooledAt, Fx.local("acc")));
        }
        perPosition.add(WindowLoops.loop("ch", Ix.lit(channels), perChannel, null));
      }
    }
    parts.add(new Kernel.Loops(loops.positions(perPosition, c.note()), null, c.note()));
    if (!epilogue.isEmpty()) {
      parts.add(epiloguePass(c.out(), image, epilogue));
    }
    return List.of(new Kernel.Sequence(parts, c.note()));
  }

  /** The most taps {@link #wholeWindows} writes out one by one. */
  private static final int MAX_UNROLLED_TAPS = 16;

  /**
   * Whether every window lies inside the image (no padding reaches a window), with few enough taps
   * to write out: the common case {@link #wholeWindows} computes. The gradients also need windows
   * that do not overlap (stride ≥ window, no dilation), so that each image element is written by at
   * most one window.
   */
  private static boolean whole(Window2d w, Shape image, Shape pooled, boolean gradient) {
    if (w.pt() != 0 || w.pl() != 0 || w.kh() * w.kw() > MAX_UNROLLED_TAPS) {
      return false;
    }
    if ((pooled.dim(1) - 1) * w.sh() + (w.kh() - 1) * w.dh() >= image.dim(1)
        || (pooled.dim(2) - 1) * w.sw() + (w.kw() - 1) * w.dw() >= image.dim(2)) {
      return false;
    }
    return !gradient || (w.dh() == 1 && w.dw() == 1 && w.sh() >= w.kh() && w.sw() >= w.kw());
  }

  /**
   * Pooling whose windows lie inside the image, as one pointwise kernel with the channel axis
   * innermost and contiguous (the vector back end runs it a vector of channels at a time): no
   * clipped bounds, the taps written out. The forward passes run over the pooled positions {@code
   * [n, oh, ow, c]}; the gradients over the image positions the windows cover, as {@code [n, oh,
   * kh, ow, kw, c]}, each element storing its value directly (the windows do not overlap), so no
   * accumulation and, where the windows tile the image exactly, no zero fill.
   *
   * <p>The arg-max is the evaluator's rule itself ({@code Pooling.argmax}): a strict {@code >} scan
   * from the first tap in row-major order, so ties go to the first maximal tap, and a NaN in the
   * first tap keeps it (the generic loops' two-pass rule differs from it only on NaN).
   */
  private Kernel wholeWindows(
      Node n, Context c, Window2d win, Shape image, Shape pooled, List<LoopStmt> epilogue) {
    String note = c.note();
    boolean gradient = kind == Kind.MAX_GRAD || kind == Kind.AVG_GRAD;
    Ix b = Ix.var("a0");
    Ix i = Ix.var("a1");
    Ix j = Ix.var(gradient ? "a3" : "a2");
    Ix ch = Ix.var(gradient ? "a5" : "a3");
    int taps = win.kh() * win.kw();
    List<Fx> x = new ArrayList<>();
    List<Fx> v = new ArrayList<>();
    for (int t = 0; t < taps; t++) {
      List<Ix> at =
          List.of(
              b,
              Ix.add(Ix.mul(i, win.sh()), (t / win.kw()) * win.dh()),
              Ix.add(Ix.mul(j, win.sw()), (t % win.kw()) * win.dw()),
              ch);
      x.add(c.read(n.input(0), at));
      if (kind == Kind.MAX_PICK) {
        v.add(c.read(n.input(1), at));
      }
    }
    List<LoopStmt> body = new ArrayList<>();
    Fx m = Fx.local("m");
    Fx xt = Fx.local("xt");
    Fx cnt = Fx.c(taps);
    switch (kind) {
      case MAX, MAX_GRAD, MAX_PICK -> {
        body.add(new LoopStmt.Let("m", x.get(0)));
        if (kind == Kind.MAX_GRAD) {
          body.add(new LoopStmt.Let("am", Fx.c(0)));
        } else if (kind == Kind.MAX_PICK) {
          body.add(new LoopStmt.Let("acc", v.get(0)));
        }
        for (int t = 1; t < taps; t++) {
          body.add(new LoopStmt.Let("xt", x.get(t)));
          Fx wins = Fx.bin(Scalar.BinaryFn.GT, xt, m);
          if (kind == Kind.MAX_GRAD) {
            body.add(new LoopStmt.Let("am", new Fx.Select(wins, Fx.c(t), Fx.local("am"))));
          } else if (kind == Kind.MAX_PICK) {
            body.add(new LoopStmt.Let("acc", new Fx.Select(wins, v.get(t), Fx.local("acc"))));
          }
          body.add(new LoopStmt.Let("m", new Fx.Select(wins, xt, m)));
        }
      }
      case AVG -> {
        body.add(new LoopStmt.Let("m", Fx.c(0)));
        for (int t = 0; t < taps; t++) {
          body.add(new LoopStmt.Let("m", Fx.add(m, x.get(t))));
        }
      }
      case AVG_GRAD -> {}
    }
    List<Kernel> parts = new ArrayList<>();
    if (!gradient) {
      Fx value =
          switch (kind) {
            case MAX -> m;
            case MAX_PICK -> Fx.local("acc");
            default -> Fx.div(m, cnt);
          };
      body.add(new LoopStmt.Store(c.out(), Indexing.linear(List.of(b, i, j, ch), pooled), value));
      parts.add(new Kernel.Pointwise(Indexing.dims(pooled), body, note));
      return new Kernel.Sequence(parts, note);
    }
    boolean tiles =
        win.sh() == win.kh()
            && win.sw() == win.kw()
            && pooled.dim(1) * win.kh() == image.dim(1)
            && pooled.dim(2) * win.kw() == image.dim(2);
    if (!tiles) {
      parts.add(WindowLoops.zero(c.out(), image, null));
    }
    Ix ki = Ix.var("a2");
    Ix kj = Ix.var("a4");
    Fx g = c.read(n.input(kind == Kind.MAX_GRAD ? 1 : 0), List.of(b, i, j, ch));
    // 0 + …: the bits of the generic loops and the evaluator, which add into a zeroed gradient
    Fx value =
        kind == Kind.MAX_GRAD
            ? new Fx.Select(
                Fx.bin(
                    Scalar.BinaryFn.EQ,
                    Fx.local("am"),
                    new Fx.OfInt(Ix.add(Ix.mul(ki, win.kw()), kj))),
                g,
                Fx.c(0))
            : Fx.div(g, cnt);
    List<Ix> imageAt =
        List.of(b, Ix.add(Ix.mul(i, win.sh()), ki), Ix.add(Ix.mul(j, win.sw()), kj), ch);
    Ix dxAt = Indexing.linear(imageAt, image);
    if (tiles) {
      // every image element is visited once, at (a0, a1·kh + a2, a3·kw + a4, a5): the epilogue's
      // axis variables, which it reads the gradient at from acc; the gradient is stored only when
      // read elsewhere (out is otherwise a buffer the epilogue writes)
      body.add(new LoopStmt.Let("acc", Fx.add(Fx.c(0), value)));
      if (c.stored(n)) {
        body.add(new LoopStmt.Store(c.out(), dxAt, Fx.local("acc")));
      }
      body.addAll(
          Subst.ints(Map.of("a0", b, "a1", imageAt.get(1), "a2", imageAt.get(2), "a3", ch))
              .stmts(epilogue));
    } else {
      body.add(new LoopStmt.Store(c.out(), dxAt, Fx.add(Fx.c(0), value)));
    }
    List<Ix> dims =
        List.of(
            Indexing.extent(pooled.dim(0)),
            Ix.lit(pooled.dim(1)),
            Ix.lit(win.kh()),
            Ix.lit(pooled.dim(2)),
            Ix.lit(win.kw()),
            Ix.lit(image.dim(3)));
    parts.add(new Kernel.Pointwise(dims, body, note));
    if (!tiles && !epilogue.isEmpty()) {
      parts.add(epiloguePass(c.out(), image, epilogue));
    }
    return new Kernel.Sequence(parts, note);
  }

  /** {@code epilogue} at every element of the gradient {@code out}, read into {@code acc}. */
  private static Kernel epiloguePass(String out, Shape image, List<LoopStmt> epilogue) {
    List<LoopStmt> body = new ArrayList<>();
    body.add(
        new LoopStmt.Let(
            "acc", new Fx.Load(out, Indexing.linear(Indexing.axisVars(image.rank()), image))));
    body.addAll(epilogue);
    return new Kernel.Pointwise(Indexing.dims(image), body, "epilogue");
  }

  private static LoopStmt channels(int channels, LoopStmt... body) {
    return WindowLoops.loop("ch", Ix.lit(channels), List.of(body), null);
  }

  private static LoopStmt store(String array, Ix at, Fx value) {
    return new LoopStmt.Store(array, at, value);
  }
}
