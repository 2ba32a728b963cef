package org.gradc.compiler.codegen;

import java.util.LinkedHashMap;
import java.util.Map;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Bytecode sizes of methods. HotSpot never JIT-compiles a method whose bytecode exceeds {@link
 * #HUGE_METHOD_LIMIT} bytes ({@code -XX:-DontCompileHugeMethods} is off by default), so the
 * generator measures every method it writes.
 */
public final class MethodSizes {
  /** HotSpot's {@code HugeMethodLimit}. */
  public static final int HUGE_METHOD_LIMIT = 8000;

  private MethodSizes() {}

  /**
   * The code length of every method of a class, by {@code name + descriptor}. Copies the class
   * through a {@link ClassWriter} that shares the reader's constant pool (so every instruction
   * keeps its size) and reads the offset of a label placed after the last instruction.
   */
  public static Map<String, Integer> of(byte[] classBytes) {
    ClassReader reader = new ClassReader(classBytes);
    ClassWriter writer = new ClassWriter(reader, 0);
    Map<String, Integer> sizes = new LinkedHashMap<>();
    reader.accept(
        new ClassVisitor(Opcodes.ASM9, writer) {
          @Override
          public MethodVisitor visitMethod(
              int access, String name, String desc, String sig, String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, desc, sig, exceptions);
            return new MethodVisitor(Opcodes.ASM9, mv) {
              private boolean hasCode;

              @Override
              public void visitCode() {
                hasCode = true;
                super.visitCode();
              }

              @Override
              public void visitMaxs(int maxStack, int maxLocals) {
                Label end = new Label();
                super.visitLabel(end);
                if (hasCode) {
                  sizes.put(name + desc, end.getOffset());
                }
                super.visitMaxs(maxStack, maxLocals);
              }
            };
          }
        },
        0);
    return sizes;
  }
}
