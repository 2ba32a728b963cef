package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.gradc.compiler.codegen.ConvTiles.Pass;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ops.Conv2d;
import org.gradc.compiler.ir.ops.Conv2dInputGrad;
import org.gradc.compiler.ir.ops.Conv2dWeightGrad;
import org.gradc.compiler.ir.ops.Window2d;

/**
 * The three passes of a grouped 2-D convolution as direct convolutions over NHWC images and HWIO
 * kernels, each a {@link Kernel.Loops} over the output positions and the window's in-image taps
 * ({@link WindowLoops}), whose innermost loop is a saxpy over a contiguous channel axis (C2
 * vectorizes it; no im2col buffer, so nothing is allocated or copied per image):
 *
 * <ul>
 *   <li>forward, {@code out[b, i, j, :] += x[b, y, x, c] · w[ki, kj, c, :]} over the output
 *       channels;
 *   <li>input gradient, {@code dx[b, y, x, :] += g[b, i, j, o] · wᵀ[ki, kj, o, :]} over the input
 *       channels, with the kernel first laid out as {@code [kh, kw, co, c / groups]} in a scratch
 *       buffer so the saxpy reads it contiguously;
 *   <li>weight gradient, {@code dw[ki, kj, c, :] += x[b, y, x, c] · g[b, i, j, :]} over the output
 *       channels.
 * </ul>
 *
 * Each output element sums its terms in the order {@link Window2d#forEachTap} visits them, the
 * reference evaluator's order.
 */
final class ConvLowering implements OpLowering.Root {
  static final ConvLowering FORWARD = new ConvLowering(Pass.FORWARD);
  static final ConvLowering INPUT_GRAD = new ConvLowering(Pass.INPUT_GRAD);
  static final ConvLowering WEIGHT_GRAD = new ConvLowering(Pass.WEIGHT_GRAD);

  private final Pass pass;

  private ConvLowering(Pass pass) {
    this.pass = pass;
  }

  @Override
  public String kind() {
    return "conv";
  }

  /** Operands are read once per tap: storing an elementwise operand beats recomputing it. */
  @Override
  public boolean inlinesOperands() {
    return false;
  }

  @Override
  public List<Scratch> scratch(Node n, Predicate<Node> stored) {
    if (pass != Pass.INPUT_GRAD) {
      return List.of();
    }
    return List.of(new Scratch(false, (int) n.input(1).shape().size(1)));
  }

  /** The geometry every pass shares: image {@code [n, h, w, c]}, kernel, output extents. */
  private record Geometry(Window2d win, int groups, Shape image, Shape kernel, Shape output) {
    int cig() {
      return kernel.dim(2);
    }

    int co() {
      return kernel.dim(3);
    }

    int cog() {
      return co() / groups;
    }
  }

  private Geometry geometry(Node n) {
    return switch (pass) {
      case FORWARD -> {
        Conv2d op = (Conv2d) n.op();
        yield new Geometry(
            op.window(), op.groups(), n.input(0).shape(), n.input(1).shape(), n.shape());
      }
      case INPUT_GRAD -> {
        Conv2dInputGrad op = (Conv2dInputGrad) n.op();
        yield new Geometry(
            op.window(), op.groups(), n.shape(), n.input(1).shape(), n.input(0).shape());
      }
      case WEIGHT_GRAD -> {
        Conv2dWeightGrad op = (Conv2dWeightGrad) n.op();
        yield new Geometry(
            op.window(), op.groups(), n.input(0).shape(), n.shape(), n.input(1).shape());
      }
    };
  }

  @Override
  public List<Kernel> kernels(Node n, Context c, List<LoopStmt> epilogue) {
    Geometry geo = geometry(n);
    WindowLoops loops =
        new WindowLoops(geo.win(), geo.image().dim(1), geo.image().dim(2), geo.output());
    int cig = geo.cig();
    int cog = geo.cog();
    int co = geo.co();
    Ix g = Ix.var("g");
    Ix ci = Ix.var("ci");
    Ix o = Ix.var("o");
    Ix inChannel = Ix.add(Ix.mul(g, cig), ci);
    Ix outChannel = Ix.add(Ix.mul(g, cog), o);
    List<Ix> imageAt = List.of(WindowLoops.B, loops.row(), loops.col(), inChannel);
    Ix outAt = Ix.add(WindowLoops.OB, outChannel);
    List<Kernel> parts = new ArrayList<>();
    List<LoopStmt> perPosition = new ArrayList<>();
    List<LoopStmt> perTap;
    Node a;
    Node b = null;
    String bBuffer = null;
    switch (pass) {
      case FORWARD -> {
        perPosition.addAll(
            WindowLoops.loops(
                "g",
                geo.groups(),
                WindowLoops.fromLoops("o", cog, List.of(store(c.out(), outAt, Fx.c(0))))));
        Fx w = c.read(n.input(1), List.of(WindowLoops.KI, WindowLoops.KJ, ci, outChannel));
        List<LoopStmt> saxpy =
            List.of(
                store(c.out(), outAt, new Fx.Fma(Fx.local("xv"), w, new Fx.Load(c.out(), outAt))));
        List<LoopStmt> perInput = new ArrayList<>();
        perInput.add(new LoopStmt.Let("xv", c.read(n.input(0), imageAt)));
        perInput.addAll(WindowLoops.fromLoops("o", cog, saxpy));
        perTap = WindowLoops.loops("ci", cig, perInput);
        a = n.input(0);
        b = n.input(1);
      }
      case INPUT_GRAD -> {
        // the kernel transposed to [kh, kw, co, cig]: the saxpy over input channels reads it in
        // order
        Shape k = geo.kernel();
        String wt = c.scratch(0);
        List<Ix> kv = Indexing.axisVars(4);
        Ix wtAt =
            Ix.add(
                Ix.mul(
                    Ix.add(Ix.mul(Ix.add(Ix.mul(kv.get(0), k.dim(1)), kv.get(1)), co), kv.get(3)),
                    cig),
                kv.get(2));
        parts.add(
            new Kernel.Pointwise(
                Indexing.dims(k),
                List.of(store(wt, wtAt, c.read(n.input(1), kv))),
                "kernel laid out [kh, kw, c_out, c_in / groups]"));
        parts.add(WindowLoops.zero(c.out(), geo.image(), null));
        Ix tapAt =
            Ix.add(
                Ix.mul(
                    Ix.add(
                        Ix.mul(Ix.add(Ix.mul(WindowLoops.KI, k.dim(1)), WindowLoops.KJ), co),
                        outChannel),
                    cig),
                ci);
        Ix dxAt = Indexing.linear(imageAt, geo.image());
        List<LoopStmt> saxpy =
            List.of(
                store(
                    c.out(),
                    dxAt,
                    new Fx.Fma(
                        Fx.local("gv"), new Fx.Load(wt, tapAt), new Fx.Load(c.out(), dxAt))));
        List<LoopStmt> perOutput = new ArrayList<>();
        perOutput.add(new LoopStmt.Let("gv", c.read(n.input(0), outIndex(outChannel))));
        perOutput.addAll(WindowLoops.fromLoops("ci", cig, saxpy));
        perTap = WindowLoops.loops("o", cog, perOutput);
        a = n.input(0);
        bBuffer = wt;
      }
      default -> {
        parts.add(WindowLoops.zero(c.out(), geo.kernel(), null));
        Ix dwAt =
            Indexing.linear(List.of(WindowLoops.KI, WindowLoops.KJ, ci, outChannel), geo.kernel());
        List<LoopStmt> saxpy =
            List.of(
                store(
                    c.out(),
                    dwAt,
                    new Fx.Fma(
                        Fx.local("xv"),
                        c.read(n.input(1), outIndex(outChannel)),
                        new Fx.Load(c.out(), dwAt))));
        List<LoopStmt> perInput = new ArrayList<>();
        perInput.add(new LoopStmt.Let("xv", c.read(n.input(0), imageAt)));
        perInput.addAll(WindowLoops.fromLoops("o", cog, saxpy));
        perTap = WindowLoops.loops("ci", cig, perInput);
        a = n.input(0);
        b = n.input(1);
      }
    }
    perPosition.addAll(WindowLoops.taps(WindowLoops.loops("g", geo.groups(), perTap)));
    String aBuffer = plain(c, a);
    if (b != null) {
      bBuffer = plain(c, b);
    }
    boolean strided = geo.win().sh() != 1 || geo.win().sw() != 1;
    ConvTiles tiles =
        aBuffer == null || bBuffer == null || (pass == Pass.INPUT_GRAD && strided)
            ? null
            : new ConvTiles(
                pass,
                geo.win(),
                geo.groups(),
                geo.image(),
                geo.kernel(),
                geo.output(),
                aBuffer,
                bBuffer,
                c.out());
    parts.add(new Kernel.Loops(loops.positions(perPosition, c.note()), tiles, c.note()));
    return List.of(new Kernel.Sequence(parts, c.note()));
  }

  /**
   * The buffer holding {@code node} in row-major order, or null when it is read some other way (a
   * view, a recomputed value): the vector tiles read buffers only.
   */
  private static String plain(Context c, Node node) {
    List<Ix> idx = Indexing.axisVars(node.shape().rank());
    return c.read(node, idx) instanceof Fx.Load l
            && l.index().equals(Indexing.linear(idx, node.shape()))
        ? l.array()
        : null;
  }

  /** The output side's index {@code [b, i, j, channel]}. */
  private static List<Ix> outIndex(Ix channel) {
    return List.of(WindowLoops.B, WindowLoops.I, WindowLoops.J, channel);
  }

  private static LoopStmt store(String array, Ix at, Fx value) {
    return new LoopStmt.Store(array, at, value);
  }
}
