package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
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
    return List.of(new Kernel.Sequence(parts, c.note()));
  }

  private static LoopStmt channels(int channels, LoopStmt... body) {
    return WindowLoops.loop("ch", Ix.lit(channels), List.of(body), null);
  }

  private static LoopStmt store(String array, Ix at, Fx value) {
    return new LoopStmt.Store(array, at, value);
  }
}
