package org.gradc.compiler.codegen.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The call vocabulary links against the real {@code jdk.incubator.vector}: a class written only
 * with {@link VectorCalls} computes {@code a * b + c} and a lane sum correctly for both element
 * types (surefire runs with {@code --add-modules jdk.incubator.vector}).
 */
class VectorCallsTest {

  @Test
  void moduleIsPresentInTestsAndPreferredLanesAreKnown() {
    assertTrue(VectorModule.available());
    assertTrue(VectorModule.preferredBits() >= 128, "bits " + VectorModule.preferredBits());
    assertEquals(VectorModule.preferredBits() / 32, (int) VectorModule.lanes(false).orElseThrow());
    assertEquals(VectorModule.preferredBits() / 64, (int) VectorModule.lanes(true).orElseThrow());
  }

  @Test
  void rejectsVectorSizesTheApiDoesNotHave() {
    assertThrows(IllegalArgumentException.class, () -> new VectorCalls(false, 3));
    assertThrows(IllegalArgumentException.class, () -> new VectorCalls(false, 32));
    assertThrows(IllegalArgumentException.class, () -> new VectorCalls(true, 16));
  }

  /**
   * {@code static void f(float[] a, float[] b, float[] c, float[] out)}: out[0..L) = a * b + c with
   * one fma, then out[L] = the sum of the first lanes' products through lane(), masked lanes of a
   * loaded with indexInRange past the third lane.
   */
  private static byte[] fmaClass(String name, VectorCalls v, boolean f64) {
    String arr = f64 ? "[D" : "[F";
    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
    cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, name, null, "java/lang/Object", null);
    MethodVisitor mv =
        cw.visitMethod(
            Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC,
            "f",
            "(" + arr + arr + arr + arr + ")V",
            null,
            null);
    mv.visitCode();
    for (int arg = 0; arg < 3; arg++) {
      v.species(mv);
      mv.visitVarInsn(Opcodes.ALOAD, arg);
      mv.visitInsn(Opcodes.ICONST_0);
      if (arg == 0) {
        v.species(mv);
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitInsn(Opcodes.ICONST_3);
        v.indexInRange(mv);
        v.fromArrayMasked(mv);
      } else {
        v.fromArray(mv);
      }
    }
    v.fma(mv);
    mv.visitInsn(Opcodes.DUP);
    mv.visitVarInsn(Opcodes.ALOAD, 3);
    mv.visitInsn(Opcodes.ICONST_0);
    v.intoArray(mv);
    // out[L] = lane 1 of (a * b + c)
    mv.visitVarInsn(Opcodes.ASTORE, 4);
    mv.visitVarInsn(Opcodes.ALOAD, 3);
    mv.visitLdcInsn(v.lanes());
    mv.visitVarInsn(Opcodes.ALOAD, 4);
    mv.visitInsn(Opcodes.ICONST_1);
    v.lane(mv);
    mv.visitInsn(f64 ? Opcodes.DASTORE : Opcodes.FASTORE);
    mv.visitInsn(Opcodes.RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
    cw.visitEnd();
    return cw.toByteArray();
  }

  @Test
  void generatedFloatAndDoubleCallsCompute() throws Exception {
    int fl = VectorModule.lanes(false).orElseThrow();
    Class<?> f =
        MethodHandles.lookup()
            .defineClass(
                fmaClass(
                    "org/gradc/compiler/codegen/vector/FmaF", new VectorCalls(false, fl), false));
    float[] a = new float[fl];
    float[] b = new float[fl];
    float[] c = new float[fl];
    for (int i = 0; i < fl; i++) {
      a[i] = i + 1;
      b[i] = 2;
      c[i] = 0.5f;
    }
    float[] out = new float[fl + 1];
    Method m = f.getMethod("f", float[].class, float[].class, float[].class, float[].class);
    m.invoke(null, a, b, c, out);
    for (int i = 0; i < fl; i++) {
      assertEquals(i < 3 ? (i + 1) * 2 + 0.5f : 0.5f, out[i], "lane " + i);
    }
    assertEquals(4.5f, out[fl]);

    int dl = VectorModule.lanes(true).orElseThrow();
    Class<?> d =
        MethodHandles.lookup()
            .defineClass(
                fmaClass(
                    "org/gradc/compiler/codegen/vector/FmaD", new VectorCalls(true, dl), true));
    double[] x = new double[dl];
    double[] y = new double[dl];
    double[] z = new double[dl];
    java.util.Arrays.fill(x, 3);
    java.util.Arrays.fill(y, 0.25);
    java.util.Arrays.fill(z, 1);
    double[] o = new double[dl + 1];
    d.getMethod("f", double[].class, double[].class, double[].class, double[].class)
        .invoke(null, x, y, z, o);
    for (int i = 0; i < dl; i++) {
      // 128-bit vectors have 2 double lanes, all inside the mask's 3
      assertEquals(i < 3 ? 1.75 : 1.0, o[i], i < 3 ? "lane " + i : "masked-off lane " + i);
    }
    assertEquals(1.75, o[dl]);
  }
}
