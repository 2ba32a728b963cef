package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The rows methods one class has ({@link RowSplit}), numbered in the order its kernels were
 * written, and the one dispatch a {@code org.gradc.runtime.RowTeam} worker enters them by: {@code
 * runRows(kernel, n, lo, hi)}, a {@code tableswitch} over the numbers. In the model class it
 * overrides {@code Model.runRows} and first hands over to the width's nestmate the class runs
 * ({@code VECTOR_BITS}, as the entry points do); in a nestmate it is {@code static void
 * runRows(Owner model, int kernel, int n, int lo, int hi)}. Every class gets one, empty or not, so
 * the model class can always hand over.
 */
final class RowMethods {
  static final String METHOD = "runRows";

  private final List<String> names = new ArrayList<>();

  /** Numbers the rows method {@code name}: the kernel number its kernel passes to the team. */
  int add(String name) {
    names.add(name);
    return names.size() - 1;
  }

  /** The rows methods, by number. */
  List<String> names() {
    return List.copyOf(names);
  }

  /**
   * Writes {@code runRows} into {@code cv}, the class {@code self}: the model class {@code owner}
   * ({@code nested} false, handing over to {@code variants} first) or one of its nestmates.
   */
  void writeDispatch(
      ClassVisitor cv,
      String owner,
      String self,
      boolean nested,
      List<ClassPlan.Variant> variants) {
    String nestedDesc = "(L" + owner + ";IIII)V";
    MethodVisitor mv =
        nested
            ? cv.visitMethod(Opcodes.ACC_STATIC, METHOD, nestedDesc, null, null)
            : cv.visitMethod(Opcodes.ACC_PROTECTED, METHOD, "(IIII)V", null, null);
    mv.visitCode();
    // locals: the model (this), kernel, n, lo, hi in both forms
    if (!nested) {
      for (ClassPlan.Variant v : variants) {
        Label next = new Label();
        mv.visitFieldInsn(Opcodes.GETSTATIC, owner, ClassAssembler.VECTOR_BITS, "I");
        mv.visitIntInsn(Opcodes.SIPUSH, v.bits());
        mv.visitJumpInsn(Opcodes.IF_ICMPNE, next);
        for (int slot = 0; slot <= 4; slot++) {
          mv.visitVarInsn(slot == 0 ? Opcodes.ALOAD : Opcodes.ILOAD, slot);
        }
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, v.internalName(), METHOD, nestedDesc, false);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitLabel(next);
      }
    }
    Label none = new Label();
    if (!names.isEmpty()) {
      Label[] cases = new Label[names.size()];
      for (int k = 0; k < cases.length; k++) {
        cases[k] = new Label();
      }
      mv.visitVarInsn(Opcodes.ILOAD, 1);
      mv.visitTableSwitchInsn(0, cases.length - 1, none, cases);
      for (int k = 0; k < cases.length; k++) {
        mv.visitLabel(cases[k]);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitVarInsn(Opcodes.ILOAD, 2);
        mv.visitVarInsn(Opcodes.ILOAD, 3);
        mv.visitVarInsn(Opcodes.ILOAD, 4);
        if (nested) {
          mv.visitMethodInsn(
              Opcodes.INVOKESTATIC, self, names.get(k), "(L" + owner + ";III)V", false);
        } else {
          mv.visitMethodInsn(Opcodes.INVOKESPECIAL, owner, names.get(k), "(III)V", false);
        }
        mv.visitInsn(Opcodes.RETURN);
      }
    }
    mv.visitLabel(none);
    ClassAssembler.throwIllegalArgument(mv, "no kernel split across threads has this number");
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }
}
