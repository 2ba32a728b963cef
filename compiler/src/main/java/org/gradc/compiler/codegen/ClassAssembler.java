package org.gradc.compiler.codegen;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gradc.compiler.codegen.vector.VectorCalls;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Writes one model class from a {@link ClassPlan}: a subclass of {@code org.gradc.runtime.Model}
 * obeying the contract in its javadoc.
 *
 * <pre>
 * public final class Mlp extends Model {
 *   private static final ModelSpec SPEC = ModelSpec.parse("model Mlp\n...");
 *   private final float[] p_W1 = new float[200704];   // non-batched: allocated once
 *   private float[] i_x;                               // batched: grown by allocate(n)
 *   public Mlp() { super(SPEC); ...; initialize(0); }
 *   protected Object buffer(int slot) { switch (slot) { case 0: return i_x; ... } }
 *   protected void allocate(int n) { i_x = new float[Math.multiplyExact(n, 784)]; ... }
 *   protected void runForward(int n) { k0(n); k1(n); }
 *   protected double runEvaluate(int n) { k0(n); k1_evaluate(n); ...; return loss[0]; }
 *   protected double runGradients(int n) { k0(n); ...; return loss[0]; }
 *   protected double runTrainStep(int n) { k0(n); ...; return loss[0]; }
 *   protected void runUpdate(int n) { update_W1(n); ... }  // optimizer only; n unused
 *   protected void runUpdateParts(int n) { updateParts_W1(n); ... }  // n: a range of parts
 *   protected Model newInstance() { return new Mlp(); }
 *   private void k0(int n) { ... }                     // one kernel each
 * }
 * </pre>
 *
 * <p>{@code newInstance} names the class itself, which also works for a hidden class: its own
 * constant-pool entry resolves to the hidden class. The output depends only on the plan, so equal
 * plans give equal bytes.
 *
 * <p>A plan with {@linkplain ClassPlan#variants() variants} (a class compiled ahead of time for
 * machines of any vector width) also gets {@code private static final int VECTOR_BITS =
 * VectorWidth.choose(Mlp.class, 128, 256, 512)}, static accessors of {@code Model}'s protected
 * fields for the variants' kernels, and at the top of each entry point {@code if (VECTOR_BITS ==
 * 256) return Mlp$Kernels256.runForward(this, n);} and so on; its own kernels are the scalar ones.
 * Each variant is a nestmate class ({@link #assembleVariant}) with the same entry points and
 * kernels as static methods taking the model, so they read its private fields directly.
 */
final class ClassAssembler {
  static final String MODEL = "org/gradc/runtime/Model";
  static final String SPEC = "org/gradc/runtime/ModelSpec";
  private static final String SPEC_DESC = "L" + SPEC + ";";

  /**
   * Bytes of calls per entry-point method before the sequence is split into helper methods: 1,000
   * plain kernel calls (a call of a shared method also loads each buffer it passes).
   */
  static final int CALL_BYTES_PER_METHOD = 5000;

  /** ldc strings hold at most 65535 bytes of modified UTF-8; spec text is split below that. */
  private static final int SPEC_CHUNK = 16000;

  /** Prefix of the model class's static accessors of {@code Model}'s protected fields. */
  static final String ACCESSOR_PREFIX = "model$";

  /** The static field of a class with variants: the vector bits of the kernels it runs (0: own). */
  static final String VECTOR_BITS = "VECTOR_BITS";

  /** {@code Model}'s protected fields that kernels read, with their descriptors. */
  private static final Map<String, String> MODEL_FIELDS =
      Map.of("hyper", "[D", "seed", "J", "step", "J", "rowOffset", "J");

  private final ClassPlan plan;
  private final ClassWriter cw = new NoLoadClassWriter();

  /** The descriptor of every buffer field, by name. */
  private final Map<String, String> descriptors;

  /** The variant being written, or null for the model class itself. */
  private final ClassPlan.Variant variant;

  private ClassAssembler(ClassPlan plan, ClassPlan.Variant variant) {
    this.plan = plan;
    this.variant = variant;
    this.descriptors = plan.emitContext().descriptors();
  }

  /** The model class. */
  static byte[] assemble(ClassPlan plan) {
    return new ClassAssembler(plan, null).write();
  }

  /**
   * The nestmate class of one of {@code plan}'s variants:
   *
   * <pre>
   * final class Mlp$Kernels256 {                      // NestHost Mlp
   *   static void runForward(Mlp m, int n) { k0(m, n); k1(m, n); }
   *   static double runTrainStep(Mlp m, int n) { ...; return m.loss[0]; }
   *   static void k0(Mlp m, int n) { ... }             // the kernel bodies, m in local 0
   * }
   * </pre>
   *
   * <p>Its static initializer primes the Vector API's operator caches ({@link VectorPriming}). Only
   * the model class names it, in code that runs when its {@code VECTOR_BITS} is this variant's, so
   * a JVM without {@code jdk.incubator.vector} never loads it.
   */
  static byte[] assembleVariant(ClassPlan plan, ClassPlan.Variant variant) {
    return new ClassAssembler(plan, variant).writeVariant();
  }

  private byte[] writeVariant() {
    cw.visit(
        Opcodes.V17,
        Opcodes.ACC_FINAL | Opcodes.ACC_SUPER | Opcodes.ACC_SYNTHETIC,
        variant.internalName(),
        null,
        "java/lang/Object",
        null);
    if (plan.sourceFile() != null) {
      cw.visitSource(plan.sourceFile(), null);
    }
    cw.visitNestHost(plan.internalName());
    entries();
    RowMethods rows = new RowMethods();
    KernelCode.EmitContext context = plan.emitContext().in(variant.internalName()).recording(rows);
    for (ClassPlan.KernelMethod k : variant.kernels()) {
      MethodVisitor mv =
          cw.visitMethod(
              Opcodes.ACC_STATIC, k.name(), "(L" + plan.internalName() + ";I)V", null, null);
      mv.visitCode();
      k.code().emit(mv, context.writing(k.name(), cw));
      mv.visitMaxs(0, 0);
      mv.visitEnd();
    }
    sharedMethods();
    rows.writeDispatch(cw, plan.internalName(), variant.internalName(), true, List.of());
    // last, so that its constants join the pool after the kernels' (whose bytes stay as they were)
    MethodVisitor init = cw.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
    init.visitCode();
    boolean f64 = plan.precision() == Precision.F64;
    VectorPriming.emit(init, new VectorCalls(f64, variant.bits() / (f64 ? 64 : 32)), 0);
    init.visitInsn(Opcodes.RETURN);
    init.visitMaxs(0, 0);
    init.visitEnd();
    cw.visitEnd();
    return checked(cw.toByteArray(), variant.internalName());
  }

  /** The class being written: the model class, or the variant's nestmate. */
  private String self() {
    return variant == null ? plan.internalName() : variant.internalName();
  }

  /** The descriptor of a method of {@link #self()} taking {@code desc}'s parameters. */
  private String selfDescriptor(String desc) {
    return variant == null ? desc : "(L" + plan.internalName() + ";" + desc.substring(1);
  }

  private byte[] write() {
    cw.visit(
        Opcodes.V17,
        Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER,
        plan.internalName(),
        null,
        MODEL,
        null);
    if (plan.sourceFile() != null) {
      cw.visitSource(plan.sourceFile(), null);
    }
    cw.visitField(
            Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_FINAL,
            "SPEC",
            SPEC_DESC,
            null,
            null)
        .visitEnd();
    // thousands of fixed arrays cannot all be created in <init> (8,000 bytes), and a final field
    // may only be assigned there: they are then plain fields filled by helpers <init> calls
    boolean fixedFinal = fixed().size() <= ALLOCATIONS_PER_METHOD;
    for (ClassPlan.Field f : plan.fields()) {
      int access = Opcodes.ACC_PRIVATE | (f.batched() || !fixedFinal ? 0 : Opcodes.ACC_FINAL);
      cw.visitField(access, f.name(), f.descriptor(), null, null).visitEnd();
    }
    if (!plan.variants().isEmpty()) {
      for (ClassPlan.Variant v : plan.variants()) {
        cw.visitNestMember(v.internalName());
      }
      cw.visitField(
              Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_FINAL,
              VECTOR_BITS,
              "I",
              null,
              null)
          .visitEnd();
      accessors();
    }
    staticInit();
    constructor();
    buffer();
    allocate();
    entries();
    newInstance();
    RowMethods rows = new RowMethods();
    KernelCode.EmitContext context = plan.emitContext().recording(rows);
    for (ClassPlan.KernelMethod k : plan.kernels()) {
      MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PRIVATE, k.name(), "(I)V", null, null);
      mv.visitCode();
      k.code().emit(mv, context.writing(k.name(), cw));
      mv.visitMaxs(0, 0);
      mv.visitEnd();
    }
    sharedMethods();
    rows.writeDispatch(cw, plan.internalName(), plan.internalName(), false, plan.variants());
    cw.visitEnd();
    return checked(cw.toByteArray(), plan.internalName());
  }

  /** The shared methods of the class being written ({@link StepForm#SHARED}). */
  private SharedKernels shared() {
    return variant == null ? plan.shared() : variant.shared();
  }

  private void sharedMethods() {
    for (SharedKernels.Method m : shared().methods()) {
      // the body was written as a kernel of this class: only the buffers' source differs
      m.body().accept(cw);
    }
  }

  /** {@code bytes}, after checking that no method is too large for HotSpot to compile. */
  private static byte[] checked(byte[] bytes, String internalName) {
    for (Map.Entry<String, Integer> e : MethodSizes.of(bytes).entrySet()) {
      if (e.getValue() > MethodSizes.HUGE_METHOD_LIMIT) {
        throw new IllegalStateException(
            "generated method "
                + e.getKey()
                + " of "
                + internalName
                + " has "
                + e.getValue()
                + " bytes of bytecode, over HotSpot's limit of "
                + MethodSizes.HUGE_METHOD_LIMIT);
      }
    }
    return bytes;
  }

  private void staticInit() {
    MethodVisitor mv = cw.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
    mv.visitCode();
    List<String> chunks = chunks(plan.spec().toText());
    mv.visitLdcInsn(chunks.get(0));
    for (int i = 1; i < chunks.size(); i++) {
      mv.visitLdcInsn(chunks.get(i));
      mv.visitMethodInsn(
          Opcodes.INVOKEVIRTUAL,
          "java/lang/String",
          "concat",
          "(Ljava/lang/String;)Ljava/lang/String;",
          false);
    }
    mv.visitMethodInsn(
        Opcodes.INVOKESTATIC, SPEC, "parse", "(Ljava/lang/String;)" + SPEC_DESC, false);
    mv.visitFieldInsn(Opcodes.PUTSTATIC, plan.internalName(), "SPEC", SPEC_DESC);
    if (!plan.variants().isEmpty()) {
      List<ClassPlan.Variant> variants = plan.variants();
      mv.visitLdcInsn(org.objectweb.asm.Type.getObjectType(plan.internalName()));
      pushInt(mv, variants.size());
      mv.visitIntInsn(Opcodes.NEWARRAY, Opcodes.T_INT);
      for (int i = 0; i < variants.size(); i++) {
        mv.visitInsn(Opcodes.DUP);
        pushInt(mv, i);
        pushInt(mv, variants.get(i).bits());
        mv.visitInsn(Opcodes.IASTORE);
      }
      mv.visitMethodInsn(
          Opcodes.INVOKESTATIC,
          "org/gradc/runtime/VectorWidth",
          "choose",
          "(Ljava/lang/Class;[I)I",
          false);
      mv.visitFieldInsn(Opcodes.PUTSTATIC, plan.internalName(), VECTOR_BITS, "I");
    }
    if (plan.primed() != null) {
      VectorPriming.emit(mv, plan.primed(), 0);
    }
    mv.visitInsn(Opcodes.RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  /** Splits text into pieces that each fit an ldc constant (by characters; UTF-8 is at most 3x). */
  static List<String> chunks(String text) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < text.length(); i += SPEC_CHUNK) {
      out.add(text.substring(i, Math.min(text.length(), i + SPEC_CHUNK)));
    }
    if (out.isEmpty()) {
      out.add("");
    }
    assert out.stream().allMatch(s -> s.getBytes(StandardCharsets.UTF_8).length < 65535);
    return out;
  }

  private void constructor() {
    MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
    mv.visitCode();
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitFieldInsn(Opcodes.GETSTATIC, plan.internalName(), "SPEC", SPEC_DESC);
    mv.visitMethodInsn(Opcodes.INVOKESPECIAL, MODEL, "<init>", "(" + SPEC_DESC + ")V", false);
    List<ClassPlan.Field> fixed = fixed();
    if (fixed.size() <= ALLOCATIONS_PER_METHOD) {
      fixedArrays(mv, fixed);
    } else {
      for (int i = 0; i < fixed.size(); i += ALLOCATIONS_PER_METHOD) {
        String helper = "init$" + i / ALLOCATIONS_PER_METHOD;
        MethodVisitor h = cw.visitMethod(Opcodes.ACC_PRIVATE, helper, "()V", null, null);
        h.visitCode();
        fixedArrays(h, fixed.subList(i, Math.min(fixed.size(), i + ALLOCATIONS_PER_METHOD)));
        h.visitInsn(Opcodes.RETURN);
        h.visitMaxs(0, 0);
        h.visitEnd();
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, plan.internalName(), helper, "()V", false);
      }
    }
    for (String helper : constantInitializers()) {
      mv.visitVarInsn(Opcodes.ALOAD, 0);
      mv.visitMethodInsn(Opcodes.INVOKESPECIAL, plan.internalName(), helper, "()V", false);
    }
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    mv.visitInsn(Opcodes.LCONST_0);
    mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, plan.internalName(), "initialize", "(J)V", false);
    mv.visitInsn(Opcodes.RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  /** The fields of fixed size (parameters, gradients, state, unbatched values). */
  private List<ClassPlan.Field> fixed() {
    List<ClassPlan.Field> fixed = new ArrayList<>();
    for (ClassPlan.Field f : plan.fields()) {
      if (!f.batched()) {
        fixed.add(f);
      }
    }
    return fixed;
  }

  private void fixedArrays(MethodVisitor mv, List<ClassPlan.Field> fields) {
    for (ClassPlan.Field f : fields) {
      mv.visitVarInsn(Opcodes.ALOAD, 0);
      pushInt(mv, f.rowSize());
      newArray(mv, f.descriptor());
      mv.visitFieldInsn(Opcodes.PUTFIELD, plan.internalName(), f.name(), f.descriptor());
    }
  }

  /** Stores per constant-filling method: about 12 bytes each keeps them well under the limit. */
  static final int STORES_PER_METHOD = 500;

  /** Constants larger than this in total are refused (each value is a constant-pool entry). */
  static final int MAX_CONSTANT_VALUES = 20_000;

  /**
   * Writes private methods that fill the constant buffers (the non-zero values, element by element,
   * {@link #STORES_PER_METHOD} per method) and returns their names.
   */
  private List<String> constantInitializers() {
    List<String> names = new ArrayList<>();
    int total = 0;
    for (double[] v : plan.constants().values()) {
      total += v.length;
    }
    if (total > MAX_CONSTANT_VALUES) {
      throw new IllegalArgumentException(
          "the model's constants hold "
              + total
              + " values; generated classes embed at most "
              + MAX_CONSTANT_VALUES);
    }
    MethodVisitor mv = null;
    int stores = 0;
    for (Map.Entry<String, double[]> c : plan.constants().entrySet()) {
      ClassPlan.Field f = plan.field(c.getKey());
      double[] values = c.getValue();
      for (int i = 0; i < values.length; i++) {
        if (Double.doubleToRawLongBits(values[i]) == 0) {
          continue;
        }
        if (mv == null || stores == STORES_PER_METHOD) {
          if (mv != null) {
            endVoid(mv);
          }
          String name = "constants$" + names.size();
          names.add(name);
          mv = cw.visitMethod(Opcodes.ACC_PRIVATE, name, "()V", null, null);
          mv.visitCode();
          stores = 0;
        }
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, plan.internalName(), f.name(), f.descriptor());
        pushInt(mv, i);
        if (f.descriptor().equals("[F")) {
          mv.visitLdcInsn((float) values[i]);
          mv.visitInsn(Opcodes.FASTORE);
        } else {
          mv.visitLdcInsn(values[i]);
          mv.visitInsn(Opcodes.DASTORE);
        }
        stores++;
      }
    }
    if (mv != null) {
      endVoid(mv);
    }
    return names;
  }

  private static void endVoid(MethodVisitor mv) {
    mv.visitInsn(Opcodes.RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  private static void newArray(MethodVisitor mv, String descriptor) {
    int code =
        switch (descriptor) {
          case "[F" -> Opcodes.T_FLOAT;
          case "[D" -> Opcodes.T_DOUBLE;
          case "[I" -> Opcodes.T_INT;
          default -> throw new IllegalArgumentException(descriptor);
        };
    mv.visitIntInsn(Opcodes.NEWARRAY, code);
  }

  static void pushInt(MethodVisitor mv, int v) {
    if (v >= -1 && v <= 5) {
      mv.visitInsn(Opcodes.ICONST_0 + v);
    } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
      mv.visitIntInsn(Opcodes.BIPUSH, v);
    } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
      mv.visitIntInsn(Opcodes.SIPUSH, v);
    } else {
      mv.visitLdcInsn(v);
    }
  }

  /** Slots per {@code buffer} switch: about 12 bytes each. */
  static final int SLOTS_PER_METHOD = 500;

  /**
   * {@code buffer(slot)}: the array of each spec slot, by a table switch. Past {@link
   * #SLOTS_PER_METHOD} slots the switch is split: {@code buffer} picks the helper {@code
   * buffer$k(slot)} holding the slot's case.
   */
  private void buffer() {
    List<ClassPlan.Field> bySlot = new ArrayList<>();
    int slots = plan.spec().tensors().size();
    for (int s = 0; s < slots; s++) {
      bySlot.add(null);
    }
    for (ClassPlan.Field f : plan.fields()) {
      if (f.slot() >= 0) {
        bySlot.set(f.slot(), f);
      }
    }
    String desc = "(I)Ljava/lang/Object;";
    if (slots <= SLOTS_PER_METHOD) {
      slotSwitch(Opcodes.ACC_PROTECTED, "buffer", bySlot, 0, slots);
      return;
    }
    int parts = (slots + SLOTS_PER_METHOD - 1) / SLOTS_PER_METHOD;
    MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PROTECTED, "buffer", desc, null, null);
    mv.visitCode();
    Label fail = new Label();
    Label[] cases = new Label[parts];
    for (int k = 0; k < parts; k++) {
      cases[k] = new Label();
      slotSwitch(
          Opcodes.ACC_PRIVATE,
          "buffer$" + k,
          bySlot,
          k * SLOTS_PER_METHOD,
          Math.min(slots, (k + 1) * SLOTS_PER_METHOD));
    }
    mv.visitVarInsn(Opcodes.ILOAD, 1);
    mv.visitJumpInsn(Opcodes.IFLT, fail);
    mv.visitVarInsn(Opcodes.ILOAD, 1);
    pushInt(mv, SLOTS_PER_METHOD);
    mv.visitInsn(Opcodes.IDIV);
    mv.visitTableSwitchInsn(0, parts - 1, fail, cases);
    for (int k = 0; k < parts; k++) {
      mv.visitLabel(cases[k]);
      mv.visitVarInsn(Opcodes.ALOAD, 0);
      mv.visitVarInsn(Opcodes.ILOAD, 1);
      mv.visitMethodInsn(Opcodes.INVOKESPECIAL, plan.internalName(), "buffer$" + k, desc, false);
      mv.visitInsn(Opcodes.ARETURN);
    }
    mv.visitLabel(fail);
    noSlot(mv);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  /** A method returning the array of each slot in {@code [lo, hi)}, failing for any other. */
  private void slotSwitch(int access, String name, List<ClassPlan.Field> bySlot, int lo, int hi) {
    MethodVisitor mv = cw.visitMethod(access, name, "(I)Ljava/lang/Object;", null, null);
    mv.visitCode();
    Label fail = new Label();
    if (hi > lo) {
      Label[] cases = new Label[hi - lo];
      for (int s = lo; s < hi; s++) {
        cases[s - lo] = new Label();
      }
      mv.visitVarInsn(Opcodes.ILOAD, 1);
      mv.visitTableSwitchInsn(lo, hi - 1, fail, cases);
      for (int s = lo; s < hi; s++) {
        mv.visitLabel(cases[s - lo]);
        ClassPlan.Field f = bySlot.get(s);
        if (f == null) {
          throw new IllegalStateException("no buffer for spec slot " + s);
        }
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETFIELD, plan.internalName(), f.name(), f.descriptor());
        mv.visitInsn(Opcodes.ARETURN);
      }
    }
    mv.visitLabel(fail);
    noSlot(mv);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  private void noSlot(MethodVisitor mv) {
    throwIllegalArgument(mv, "no tensor slot in " + plan.spec().modelName());
  }

  /** {@code throw new IllegalArgumentException(message)}. */
  static void throwIllegalArgument(MethodVisitor mv, String message) {
    mv.visitTypeInsn(Opcodes.NEW, "java/lang/IllegalArgumentException");
    mv.visitInsn(Opcodes.DUP);
    mv.visitLdcInsn(message);
    mv.visitMethodInsn(
        Opcodes.INVOKESPECIAL,
        "java/lang/IllegalArgumentException",
        "<init>",
        "(Ljava/lang/String;)V",
        false);
    mv.visitInsn(Opcodes.ATHROW);
  }

  /** Arrays allocated per method: about 13 bytes each keeps a method near 5 KB. */
  static final int ALLOCATIONS_PER_METHOD = 400;

  /**
   * {@code allocate(n)}: every batched array for {@code n} rows. A long unrolled sequence has
   * thousands, so they are split into helpers {@code allocate$k(n)} that {@code allocate} calls.
   */
  private void allocate() {
    List<ClassPlan.Field> batched = new ArrayList<>();
    for (ClassPlan.Field f : plan.fields()) {
      if (f.batched()) {
        batched.add(f);
      }
    }
    if (batched.size() <= ALLOCATIONS_PER_METHOD) {
      allocations(Opcodes.ACC_PROTECTED, "allocate", batched);
      return;
    }
    List<String> helpers = new ArrayList<>();
    for (int i = 0; i < batched.size(); i += ALLOCATIONS_PER_METHOD) {
      String helper = "allocate$" + helpers.size();
      allocations(
          Opcodes.ACC_PRIVATE,
          helper,
          batched.subList(i, Math.min(batched.size(), i + ALLOCATIONS_PER_METHOD)));
      helpers.add(helper);
    }
    callSequence(Opcodes.ACC_PROTECTED, "allocate", helpers);
  }

  private void allocations(int access, String name, List<ClassPlan.Field> fields) {
    MethodVisitor mv = cw.visitMethod(access, name, "(I)V", null, null);
    mv.visitCode();
    for (ClassPlan.Field f : fields) {
      mv.visitVarInsn(Opcodes.ALOAD, 0);
      mv.visitVarInsn(Opcodes.ILOAD, 1);
      pushInt(mv, f.rowSize());
      mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "multiplyExact", "(II)I", false);
      newArray(mv, f.descriptor());
      mv.visitFieldInsn(Opcodes.PUTFIELD, plan.internalName(), f.name(), f.descriptor());
    }
    mv.visitInsn(Opcodes.RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  /**
   * An entry point calling {@code kernels} in order, then returning the loss (as a double) when
   * {@code lossField} is given. Long sequences are split into helper methods so the entry point
   * itself stays small.
   */
  private void entries() {
    for (Schedule.Entry e : plan.entries()) {
      // without a loss there is no optimizer, and Model's default runUpdate says so
      if (e.point().update().alone() && e.kernels().isEmpty()) {
        continue;
      }
      entry(
          e.point().method(),
          e.point().descriptor(),
          e.kernels(),
          e.point().returnsLoss() ? plan.lossField() : null);
    }
  }

  /**
   * Static accessors {@code model$hyper(Mlp)} and the like of {@code Model}'s protected fields, for
   * the kernels of the variants (see {@link KernelCode.EmitContext#nested()}).
   */
  private void accessors() {
    for (Map.Entry<String, String> f : new java.util.TreeMap<>(MODEL_FIELDS).entrySet()) {
      MethodVisitor mv =
          cw.visitMethod(
              Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC,
              ACCESSOR_PREFIX + f.getKey(),
              "(L" + plan.internalName() + ";)" + f.getValue(),
              null,
              null);
      mv.visitCode();
      mv.visitVarInsn(Opcodes.ALOAD, 0);
      mv.visitFieldInsn(Opcodes.GETFIELD, plan.internalName(), f.getKey(), f.getValue());
      mv.visitInsn(f.getValue().equals("J") ? Opcodes.LRETURN : Opcodes.ARETURN);
      mv.visitMaxs(0, 0);
      mv.visitEnd();
    }
  }

  /**
   * In a model class with variants: {@code if (VECTOR_BITS == 256) return Mlp$Kernels256.name(this,
   * n);} for each variant, before the class's own kernels. {@code VECTOR_BITS} is a static final
   * field, a constant to C2 once the class is initialized, so the tests fold away and the compiled
   * entry point is the variant's alone.
   */
  private void dispatch(MethodVisitor mv, String name, String desc) {
    for (ClassPlan.Variant v : plan.variants()) {
      Label next = new Label();
      mv.visitFieldInsn(Opcodes.GETSTATIC, plan.internalName(), VECTOR_BITS, "I");
      pushInt(mv, v.bits());
      mv.visitJumpInsn(Opcodes.IF_ICMPNE, next);
      mv.visitVarInsn(Opcodes.ALOAD, 0);
      mv.visitVarInsn(Opcodes.ILOAD, 1);
      mv.visitMethodInsn(
          Opcodes.INVOKESTATIC,
          v.internalName(),
          name,
          "(L" + plan.internalName() + ";" + desc.substring(1),
          false);
      mv.visitInsn(desc.endsWith("V") ? Opcodes.RETURN : Opcodes.DRETURN);
      mv.visitLabel(next);
    }
  }

  private void entry(String name, String desc, List<String> kernels, String lossField) {
    List<String> calls = kernels;
    int part = 0;
    while (callBytes(calls) > CALL_BYTES_PER_METHOD) {
      List<String> grouped = new ArrayList<>();
      int from = 0;
      while (from < calls.size()) {
        int to = from;
        int bytes = 0;
        while (to < calls.size()
            && (to == from || bytes + callBytes(calls.get(to)) <= CALL_BYTES_PER_METHOD)) {
          bytes += callBytes(calls.get(to++));
        }
        String helper = name + "$" + part++;
        callSequence(Opcodes.ACC_PRIVATE, helper, calls.subList(from, to));
        grouped.add(helper);
        from = to;
      }
      calls = grouped;
    }
    MethodVisitor mv =
        variant == null
            ? cw.visitMethod(Opcodes.ACC_PROTECTED, name, desc, null, null)
            : cw.visitMethod(Opcodes.ACC_STATIC, name, selfDescriptor(desc), null, null);
    mv.visitCode();
    if (variant == null) {
      dispatch(mv, name, desc);
    }
    calls(mv, calls);
    if (desc.endsWith("V")) {
      mv.visitInsn(Opcodes.RETURN);
    } else if (lossField == null) {
      mv.visitLdcInsn(Double.NaN);
      mv.visitInsn(Opcodes.DRETURN);
    } else {
      ClassPlan.Field loss = plan.field(lossField);
      mv.visitVarInsn(Opcodes.ALOAD, 0);
      mv.visitFieldInsn(Opcodes.GETFIELD, plan.internalName(), loss.name(), loss.descriptor());
      mv.visitInsn(Opcodes.ICONST_0);
      if (loss.descriptor().equals("[F")) {
        mv.visitInsn(Opcodes.FALOAD);
        mv.visitInsn(Opcodes.F2D);
      } else {
        mv.visitInsn(Opcodes.DALOAD);
      }
      mv.visitInsn(Opcodes.DRETURN);
    }
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  private void callSequence(int access, String name, List<String> kernels) {
    MethodVisitor mv =
        cw.visitMethod(
            variant == null ? access : Opcodes.ACC_STATIC,
            name,
            selfDescriptor("(I)V"),
            null,
            null);
    mv.visitCode();
    calls(mv, kernels);
    mv.visitInsn(Opcodes.RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  private void calls(MethodVisitor mv, List<String> kernels) {
    for (String k : kernels) {
      mv.visitVarInsn(Opcodes.ALOAD, 0);
      mv.visitVarInsn(Opcodes.ILOAD, 1);
      SharedKernels.Call shared = shared().call(k);
      String method = k;
      String desc = selfDescriptor("(I)V");
      if (shared != null) {
        for (String f : shared.fields()) {
          mv.visitVarInsn(Opcodes.ALOAD, 0);
          mv.visitFieldInsn(Opcodes.GETFIELD, plan.internalName(), f, descriptors.get(f));
        }
        for (int offset : shared.offsets()) {
          pushInt(mv, offset);
        }
        method = shared.method();
        desc = shared.descriptor();
      }
      if (variant == null) {
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, plan.internalName(), method, desc, false);
      } else {
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, self(), method, desc, false);
      }
    }
  }

  /** The bytecode of {@link #calls} for {@code kernels}. */
  private int callBytes(List<String> kernels) {
    int bytes = 0;
    for (String k : kernels) {
      bytes += callBytes(k);
    }
    return bytes;
  }

  /**
   * {@code aload_0, iload_1, invoke}, and {@code aload_0, getfield} per buffer and at most 3 bytes
   * per offset passed.
   */
  private int callBytes(String kernel) {
    SharedKernels.Call shared = shared().call(kernel);
    return 5 + (shared == null ? 0 : 4 * shared.fields().size() + 3 * shared.offsets().size());
  }

  private void newInstance() {
    MethodVisitor mv =
        cw.visitMethod(Opcodes.ACC_PROTECTED, "newInstance", "()L" + MODEL + ";", null, null);
    mv.visitCode();
    mv.visitTypeInsn(Opcodes.NEW, plan.internalName());
    mv.visitInsn(Opcodes.DUP);
    mv.visitMethodInsn(Opcodes.INVOKESPECIAL, plan.internalName(), "<init>", "()V", false);
    mv.visitInsn(Opcodes.ARETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }
}
