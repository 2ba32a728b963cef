package org.gradc.compiler.codegen.vector;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The bytecode of {@code jdk.incubator.vector} calls for one element type and one vector size: the
 * vocabulary the vector back end writes kernels in. Each method emits one call and documents the
 * operand stack it expects ({@code … a, b → … r}); nothing here loads the incubator module, so the
 * compiler runs (and can write vector code) on a JVM without it.
 *
 * <p>The species is a constant ({@code FloatVector.SPECIES_512} and the like, chosen when the code
 * is generated), because C2 only intrinsifies Vector API calls whose species it can see.
 */
public final class VectorCalls {
  private static final String PKG = "jdk/incubator/vector/";
  private static final String VECTOR = "L" + PKG + "Vector;";
  private static final String MASK = "L" + PKG + "VectorMask;";
  private static final String SPECIES = "L" + PKG + "VectorSpecies;";
  private static final String OPS = PKG + "VectorOperators";

  private final String cls;
  private final String self;
  private final String bitsCls;
  private final String bits;
  private final String scalar;
  private final String array;
  private final int lanes;
  private final String speciesField;

  /**
   * @param f64 {@code DoubleVector} when true, else {@code FloatVector}
   * @param lanes lanes per vector: a power of two giving 64 to 512 bits
   */
  public VectorCalls(boolean f64, int lanes) {
    int bits = lanes * (f64 ? 64 : 32);
    if (Integer.bitCount(lanes) != 1 || bits < 64 || bits > 512) {
      throw new IllegalArgumentException(lanes + " lanes of " + (f64 ? "double" : "float"));
    }
    this.cls = PKG + (f64 ? "DoubleVector" : "FloatVector");
    this.self = "L" + cls + ";";
    this.bitsCls = PKG + (f64 ? "LongVector" : "IntVector");
    this.bits = f64 ? "J" : "I";
    this.scalar = f64 ? "D" : "F";
    this.array = "[" + scalar;
    this.lanes = lanes;
    this.speciesField = "SPECIES_" + bits;
  }

  public int lanes() {
    return lanes;
  }

  /** {@code FloatVector} or {@code DoubleVector}, internal name. */
  public String vectorClass() {
    return cls;
  }

  /** {@code … → … species}. */
  public void species(MethodVisitor mv) {
    mv.visitFieldInsn(Opcodes.GETSTATIC, cls, speciesField, SPECIES);
  }

  /** {@code … → … zero}. */
  public void zero(MethodVisitor mv) {
    species(mv);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, cls, "zero", "(" + SPECIES + ")" + self, false);
  }

  /** {@code … species, x → … broadcast(x)}. */
  public void broadcast(MethodVisitor mv) {
    mv.visitMethodInsn(
        Opcodes.INVOKESTATIC, cls, "broadcast", "(" + SPECIES + scalar + ")" + self, false);
  }

  /** {@code … species, array, offset → … vector}. */
  public void fromArray(MethodVisitor mv) {
    mv.visitMethodInsn(
        Opcodes.INVOKESTATIC, cls, "fromArray", "(" + SPECIES + array + "I)" + self, false);
  }

  /** {@code … species, array, offset, mask → … vector} (unset lanes are zero). */
  public void fromArrayMasked(MethodVisitor mv) {
    mv.visitMethodInsn(
        Opcodes.INVOKESTATIC,
        cls,
        "fromArray",
        "(" + SPECIES + array + "I" + MASK + ")" + self,
        false);
  }

  /** {@code … vector, array, offset → …}. */
  public void intoArray(MethodVisitor mv) {
    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, cls, "intoArray", "(" + array + "I)V", false);
  }

  /** {@code … a, b, c → … a * b + c} with one rounding. */
  public void fma(MethodVisitor mv) {
    mv.visitMethodInsn(
        Opcodes.INVOKEVIRTUAL, cls, "fma", "(" + VECTOR + VECTOR + ")" + self, false);
  }

  /** {@code … a, b → … a.name(b)} for {@code add sub mul div max min}. */
  public void binary(MethodVisitor mv, String name) {
    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, cls, name, "(" + VECTOR + ")" + self, false);
  }

  /** {@code … a → … a.name()} for {@code neg abs sqrt}. */
  public void unary(MethodVisitor mv, String name) {
    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, cls, name, "()" + self, false);
  }

  /**
   * {@code … → … VectorOperators.name}, of nested type {@code kind} (Unary, Binary, Comparison).
   */
  public void operator(MethodVisitor mv, String name, String kind) {
    mv.visitFieldInsn(Opcodes.GETSTATIC, OPS, name, "L" + OPS + "$" + kind + ";");
  }

  /** {@code … a, op → … a.lanewise(op)}. */
  public void lanewiseUnary(MethodVisitor mv) {
    mv.visitMethodInsn(
        Opcodes.INVOKEVIRTUAL, cls, "lanewise", "(L" + OPS + "$Unary;)" + self, false);
  }

  /** {@code … a, op, b → … a.lanewise(op, b)}. */
  public void lanewiseBinary(MethodVisitor mv) {
    mv.visitMethodInsn(
        Opcodes.INVOKEVIRTUAL,
        cls,
        "lanewise",
        "(L" + OPS + "$Binary;" + VECTOR + ")" + self,
        false);
  }

  /** {@code … a, op, b → … mask} ({@code a op b} per lane). */
  public void compare(MethodVisitor mv) {
    mv.visitMethodInsn(
        Opcodes.INVOKEVIRTUAL,
        cls,
        "compare",
        "(L" + OPS + "$Comparison;" + VECTOR + ")" + MASK,
        false);
  }

  /** {@code … whenFalse, whenTrue, mask → … blended}. */
  public void blend(MethodVisitor mv) {
    mv.visitMethodInsn(
        Opcodes.INVOKEVIRTUAL, cls, "blend", "(" + VECTOR + MASK + ")" + self, false);
  }

  /**
   * {@code … v, op → … op over v's lanes} as a scalar, for an {@link #operator} of kind {@code
   * Associative} (ADD, MAX).
   */
  public void reduceLanes(MethodVisitor mv) {
    mv.visitMethodInsn(
        Opcodes.INVOKEVIRTUAL, cls, "reduceLanes", "(L" + OPS + "$Associative;)" + scalar, false);
  }

  /** {@code … x → …} for a scalar of the element type (a double takes two stack slots). */
  public void popScalar(MethodVisitor mv) {
    mv.visitInsn(scalar.equals("D") ? Opcodes.POP2 : Opcodes.POP);
  }

  /** {@code … v, index → … v[index]} as a scalar. */
  public void lane(MethodVisitor mv) {
    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, cls, "lane", "(I)" + scalar, false);
  }

  /** {@code … v, scale → … v + scale * laneIndex}. */
  public void addIndex(MethodVisitor mv) {
    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, cls, "addIndex", "(I)" + self, false);
  }

  /** {@code … species, from, to → … mask} of the lanes {@code i} with {@code from + i < to}. */
  public void indexInRange(MethodVisitor mv) {
    mv.visitMethodInsn(
        Opcodes.INVOKEINTERFACE, PKG + "VectorSpecies", "indexInRange", "(II)" + MASK, true);
  }

  /** {@code … v, index, x → … v with lane index set to x}. */
  public void withLane(MethodVisitor mv) {
    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, cls, "withLane", "(I" + scalar + ")" + self, false);
  }

  /** {@code … v → … its raw bits}, an {@code IntVector} ({@code LongVector} for doubles). */
  public void toBits(MethodVisitor mv) {
    String name = bits.equals("J") ? "reinterpretAsLongs" : "reinterpretAsInts";
    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, cls, name, "()L" + bitsCls + ";", false);
  }

  /** {@code … bits → … the float (double) vector with these bits}. */
  public void fromBits(MethodVisitor mv) {
    String name = bits.equals("J") ? "reinterpretAsDoubles" : "reinterpretAsFloats";
    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, bitsCls, name, "()" + self, false);
  }

  /**
   * {@code … bits → … bits.lanewise(op, c)} on the bits vector, for an operator of {@link #operator
   * kind} {@code Binary} or {@code Associative} (ADD, AND, OR, LSHL, LSHR).
   */
  public void bitsOp(MethodVisitor mv, String op, String kind, long c) {
    operator(mv, op, kind);
    if (bits.equals("J")) {
      mv.visitLdcInsn(c);
    } else {
      mv.visitLdcInsn((int) c);
    }
    mv.visitMethodInsn(
        Opcodes.INVOKEVIRTUAL,
        bitsCls,
        "lanewise",
        "(L" + OPS + "$Binary;" + bits + ")L" + bitsCls + ";",
        false);
  }
}
