package org.gradc.compiler.syntax;

import java.nio.file.Files;
import java.nio.file.Path;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.SourceFile;

public class Scratch {
  public static void main(String[] args) throws Exception {
    for (String a : args) {
      SourceFile f = new SourceFile(a, Files.readString(Path.of(a)));
      try {
        CheckedModel m = FrontEnd.check(f);
        System.out.println(m.name() + " params=" + m.parameterCount());
        System.out.println(m.graph());
        m.warnings().forEach(w -> System.out.print(w.render()));
      } catch (CompileException e) {
        System.out.print(e.render());
      }
    }
  }
}
