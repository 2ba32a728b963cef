package org.gradc.compiler.codegen;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * The kernel methods of one class (the model class or one width's nestmate) that {@link
 * StepForm#SHARED} writes as shared methods, and how the entry points call them.
 *
 * <p>A kernel reads its buffers from fields, each once, into a local at the top ({@link
 * LoopEmitter#hoist}): {@code aload_0; getfield Owner.f; astore}. Rewritten so that the buffers are
 * the method's arguments instead ({@code aload_0; getfield} becomes {@code aload} of argument
 * {@code i}, numbered in the order the code first names them), the kernels of step t and of step t
 * + 1 of an unrolled loop are the same bytes, except where a step reads or writes at an offset of
 * its own: the column {@code x[:, t]} of an input, its slot of an in-place {@code stack}. Those
 * offsets are int constants added to an index ({@code iconst; iadd}); kernels whose code is the
 * same up to the buffers and such added constants share one method, which takes the added constants
 * that differ between them as int arguments after the buffers:
 *
 * <pre>
 * private void kshared$3(int n, float[] a0, float[] a1, int[] a2, int o0) { ... }
 * // runTrainStep: kshared$3(n, t7, p_Wx, i_x, 0); ...; kshared$3(n, t19, p_Wx, i_x, 1); ...
 * </pre>
 *
 * <p>(static, with the model first, in a width's nestmate). A constant used any other way (a loop
 * bound, a stride) must be equal for kernels to share, so a shared method's loops are those of
 * every kernel it stands for. A kernel no other kernel matches stays a method of its own, as it
 * was, and so do a kernel that splits into calls ({@link CallsCode}) and the kernels it calls.
 */
final class SharedKernels {
  /**
   * Prefix of the shared methods' names. It starts with {@code k} like every kernel's, because
   * {@code gradc train}'s JIT options lower the compile thresholds of {@code k*} methods only.
   */
  static final String PREFIX = "kshared$";

  /** Arguments a method may take: the JVM's 255 slots, less the model and {@code n}. */
  private static final int MAX_ARGUMENTS = 253;

  /** A shared method: the rewritten code, with the buffers and offsets as arguments. */
  record Method(String name, String descriptor, MethodNode body) {}

  /**
   * How a kernel of the schedule is called: the shared method, with these fields and then these int
   * offsets as its arguments.
   */
  record Call(String method, String descriptor, List<String> fields, List<Integer> offsets) {
    Call {
      fields = List.copyOf(fields);
      offsets = List.copyOf(offsets);
    }

    /** {@code kshared$3(n, t7, p_Wx, i_x, 16)}. */
    String render() {
      List<String> args = new ArrayList<>(List.of("n"));
      args.addAll(fields);
      offsets.forEach(o -> args.add(String.valueOf(o)));
      return method + "(" + String.join(", ", args) + ")";
    }
  }

  /** No sharing: every kernel is a method of its own. */
  static final SharedKernels NONE = new SharedKernels(List.of(), Map.of());

  private final List<Method> methods;
  private final Map<String, Call> calls;

  private SharedKernels(List<Method> methods, Map<String, Call> calls) {
    this.methods = List.copyOf(methods);
    this.calls = Map.copyOf(calls);
  }

  /** The shared methods, in the order of their first kernel. */
  List<Method> methods() {
    return methods;
  }

  /** How kernel {@code name} is called, or null when it is a method of its own. */
  Call call(String name) {
    return calls.get(name);
  }

  /** The kernels that stay methods of their own, in order. */
  List<ClassPlan.KernelMethod> own(List<ClassPlan.KernelMethod> kernels) {
    return kernels.stream().filter(k -> !calls.containsKey(k.name())).toList();
  }

  /**
   * One kernel's code with its buffers as arguments and its added constants replaced by {@code
   * nop}s ({@code holes}, in order; their values in {@code values}).
   */
  private record Rewritten(
      String name,
      MethodNode body,
      List<String> fields,
      List<AbstractInsnNode> holes,
      int[] values) {}

  /** Kernels with the same rewritten code: the first one's body serves them all. */
  private static final class Group {
    final Rewritten first;
    final List<Rewritten> members = new ArrayList<>();

    Group(Rewritten first) {
      this.first = first;
    }
  }

  /** The sharing of {@code kernels}, written with {@code context}. */
  static SharedKernels find(List<ClassPlan.KernelMethod> kernels, KernelCode.EmitContext context) {
    Set<String> fixed = new HashSet<>();
    for (ClassPlan.KernelMethod k : kernels) {
      if (k.code() instanceof CallsCode c) {
        fixed.add(k.name());
        fixed.addAll(c.methods());
      }
    }
    Map<ByteBuffer, Group> groups = new LinkedHashMap<>();
    for (ClassPlan.KernelMethod k : kernels) {
      if (fixed.contains(k.name())) {
        continue;
      }
      Rewritten r = rewritten(k, context);
      if (r == null) {
        continue;
      }
      Group g = groups.computeIfAbsent(ByteBuffer.wrap(bytes(r.body())), x -> new Group(r));
      // only the first member's body is kept: the others are the same code
      g.members.add(
          g.members.isEmpty() ? r : new Rewritten(r.name(), null, r.fields(), null, r.values()));
    }
    List<Method> methods = new ArrayList<>();
    Map<String, Call> calls = new HashMap<>();
    for (Group g : groups.values()) {
      if (g.members.size() < 2) {
        continue;
      }
      List<Integer> varying = new ArrayList<>();
      for (int h = 0; h < g.first.values().length; h++) {
        for (Rewritten r : g.members) {
          if (r.values()[h] != g.first.values()[h]) {
            varying.add(h);
            break;
          }
        }
      }
      if (g.first.fields().size() + varying.size() > MAX_ARGUMENTS) {
        continue;
      }
      String name = PREFIX + methods.size();
      MethodNode body = filled(g.first, varying);
      body.name = name;
      if (size(body) > MethodSizes.HUGE_METHOD_LIMIT) {
        continue; // an offset argument is longer than the constant it replaces
      }
      methods.add(new Method(name, body.desc, body));
      for (Rewritten r : g.members) {
        List<Integer> offsets = new ArrayList<>();
        for (int h : varying) {
          offsets.add(r.values()[h]);
        }
        calls.put(r.name(), new Call(name, body.desc, r.fields(), offsets));
      }
    }
    return new SharedKernels(methods, calls);
  }

  /**
   * {@code k}'s code with its buffer fields turned into arguments and its added constants into
   * holes; null when the code uses a buffer field otherwise than by the hoisting load.
   */
  private static Rewritten rewritten(ClassPlan.KernelMethod k, KernelCode.EmitContext context) {
    boolean nested = context.nested();
    MethodNode m =
        new MethodNode(
            Opcodes.ASM9,
            nested ? Opcodes.ACC_STATIC : Opcodes.ACC_PRIVATE,
            "k",
            nested ? "(L" + context.owner() + ";I)V" : "(I)V",
            null,
            null);
    m.visitCode();
    k.code().emit(m, context);
    m.visitMaxs(0, 0);
    m.visitEnd();
    List<String> fields = new ArrayList<>();
    List<VarInsnNode> loads = new ArrayList<>();
    List<FieldInsnNode> gets = new ArrayList<>();
    List<AbstractInsnNode> holes = new ArrayList<>();
    List<Integer> values = new ArrayList<>();
    for (AbstractInsnNode insn : m.instructions) {
      if (insn instanceof FieldInsnNode f
          && f.owner.equals(context.owner())
          && context.descriptors().containsKey(f.name)) {
        if (f.getOpcode() != Opcodes.GETFIELD
            || !(f.getPrevious() instanceof VarInsnNode v)
            || v.getOpcode() != Opcodes.ALOAD
            || v.var != 0) {
          return null;
        }
        loads.add(v);
        gets.add(f);
        if (!fields.contains(f.name)) {
          fields.add(f.name);
        }
      }
      Integer c = intConstant(insn);
      if (c != null && insn.getNext() != null && insn.getNext().getOpcode() == Opcodes.IADD) {
        holes.add(insn);
        values.add(c);
      }
    }
    int shift = fields.size();
    for (AbstractInsnNode insn : m.instructions) {
      if (insn instanceof VarInsnNode v && v.var >= 2) {
        v.var += shift;
      } else if (insn instanceof IincInsnNode i && i.var >= 2) {
        i.var += shift;
      }
    }
    for (int i = 0; i < loads.size(); i++) {
      loads.get(i).var = 2 + fields.indexOf(gets.get(i).name);
      m.instructions.remove(gets.get(i));
    }
    List<AbstractInsnNode> nops = new ArrayList<>();
    for (AbstractInsnNode hole : holes) {
      InsnNode nop = new InsnNode(Opcodes.NOP);
      m.instructions.set(hole, nop);
      nops.add(nop);
    }
    StringBuilder desc = new StringBuilder(nested ? "(L" + context.owner() + ";I" : "(I");
    for (String f : fields) {
      desc.append(context.descriptor(f));
    }
    m.desc = desc.append(")V").toString();
    return new Rewritten(
        k.name(), m, fields, nops, values.stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * The shared method's body: the holes at {@code varying} load int arguments (after the buffers;
   * the locals move up past them), the others get their constants back.
   */
  private static MethodNode filled(Rewritten r, List<Integer> varying) {
    MethodNode m = r.body();
    int firstLocal = 2 + r.fields().size();
    int shift = varying.size();
    for (AbstractInsnNode insn : m.instructions) {
      if (insn instanceof VarInsnNode v && v.var >= firstLocal) {
        v.var += shift;
      } else if (insn instanceof IincInsnNode i && i.var >= firstLocal) {
        i.var += shift;
      }
    }
    for (int h = 0; h < r.holes().size(); h++) {
      int arg = varying.indexOf(h);
      m.instructions.set(
          r.holes().get(h),
          arg >= 0 ? new VarInsnNode(Opcodes.ILOAD, firstLocal + arg) : intNode(r.values()[h]));
    }
    m.desc = m.desc.replace(")V", "I".repeat(shift) + ")V");
    return m;
  }

  /** The value of an int constant instruction, or null. */
  private static Integer intConstant(AbstractInsnNode insn) {
    int op = insn.getOpcode();
    if (op >= Opcodes.ICONST_M1 && op <= Opcodes.ICONST_5) {
      return op - Opcodes.ICONST_0;
    }
    if ((op == Opcodes.BIPUSH || op == Opcodes.SIPUSH) && insn instanceof IntInsnNode i) {
      return i.operand;
    }
    if (insn instanceof LdcInsnNode l && l.cst instanceof Integer v) {
      return v;
    }
    return null;
  }

  private static AbstractInsnNode intNode(int v) {
    if (v >= -1 && v <= 5) {
      return new InsnNode(Opcodes.ICONST_0 + v);
    }
    if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
      return new IntInsnNode(Opcodes.BIPUSH, v);
    }
    if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
      return new IntInsnNode(Opcodes.SIPUSH, v);
    }
    return new LdcInsnNode(v);
  }

  /** The bytes of a class holding {@code m} alone: equal for equal code. */
  private static byte[] bytes(MethodNode m) {
    ClassWriter cw = new ClassWriter(0);
    cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "K", null, "java/lang/Object", null);
    m.accept(cw);
    cw.visitEnd();
    return cw.toByteArray();
  }

  /** The bytecode length of {@code m}. */
  private static int size(MethodNode m) {
    return MethodSizes.of(bytes(m)).values().iterator().next();
  }
}
