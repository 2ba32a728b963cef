package org.gradc.compiler.codegen;

import org.objectweb.asm.ClassWriter;

/**
 * A {@link ClassWriter} that computes frames without loading classes. Generated code only merges
 * primitive arrays of one type and {@code this}, so the only reference types frame computation can
 * meet are known here; answering {@code java/lang/Object} for anything else is safe and keeps the
 * compiler from touching the class path (or the class being generated, which does not exist yet).
 */
final class NoLoadClassWriter extends ClassWriter {
  NoLoadClassWriter() {
    super(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
  }

  @Override
  protected String getCommonSuperClass(String type1, String type2) {
    return type1.equals(type2) ? type1 : "java/lang/Object";
  }

  @Override
  protected ClassLoader getClassLoader() {
    throw new IllegalStateException("frame computation must not load classes");
  }
}
