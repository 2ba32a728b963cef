package org.gradc.compiler.syntax;

import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.grammar.GradcLexer;
import org.gradc.grammar.GradcParser;

/**
 * Text to syntax tree. Reports bad characters, unterminated comments and syntax errors as located
 * diagnostics; returns a {@link Program} only when there were none.
 */
final class SyntaxParser {
  private SyntaxParser() {}

  /** The outcome: a program, or ({@code program == null}) the syntax errors. */
  record Result(Program program, List<Diagnostic> diagnostics) {}

  static Result parse(SourceFile file) {
    List<Diagnostic> diagnostics = new ArrayList<>();
    GradcLexer lexer = new GradcLexer(CharStreams.fromString(file.text(), file.name()));
    lexer.removeErrorListeners();
    // Every character matches some lexer rule (BAD_CHAR catches the rest), so the lexer never
    // reports; this listener only guards that assumption.
    lexer.addErrorListener(
        new BaseErrorListener() {
          @Override
          public void syntaxError(
              Recognizer<?, ?> r, Object o, int line, int col, String msg, RecognitionException e) {
            int offset =
                file.text().isEmpty()
                    ? 0
                    : Math.min(lexer._tokenStartCharIndex, file.text().length());
            diagnostics.add(
                Diagnostic.error(
                    Codes.BAD_CHARACTER,
                    new SourceSpan(file, offset, offset + 1),
                    "unreadable text"));
          }
        });
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    tokens.fill();
    reportLexicalErrors(file, tokens.getTokens(), diagnostics);
    GradcParser parser = new GradcParser(tokens);
    parser.removeErrorListeners();
    SyntaxErrorStrategy strategy = new SyntaxErrorStrategy(file, diagnostics::add);
    for (Token t : tokens.getTokens()) {
      if (t.getType() == GradcLexer.BAD_CHAR) {
        strategy.quietAround(tokens, t.getTokenIndex());
      }
    }
    parser.setErrorHandler(strategy);
    GradcParser.ProgramContext tree = parser.program();
    if (!diagnostics.isEmpty()) {
      diagnostics.sort((a, b) -> Integer.compare(a.span().start(), b.span().start()));
      return new Result(null, diagnostics);
    }
    AstBuilder builder = new AstBuilder(file, diagnostics);
    Program program = builder.program(tree);
    return new Result(diagnostics.isEmpty() ? program : null, diagnostics);
  }

  /** One error per run of adjacent bad characters, and one per unterminated comment. */
  private static void reportLexicalErrors(
      SourceFile file, List<Token> tokens, List<Diagnostic> out) {
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.getType() == GradcLexer.BAD_CHAR) {
        int start = t.getStartIndex();
        int end = t.getStopIndex() + 1;
        StringBuilder text = new StringBuilder(t.getText());
        while (i + 1 < tokens.size()
            && tokens.get(i + 1).getType() == GradcLexer.BAD_CHAR
            && tokens.get(i + 1).getStartIndex() == end) {
          i++;
          end = tokens.get(i).getStopIndex() + 1;
          text.append(tokens.get(i).getText());
        }
        out.add(badCharacters(file, start, end, text.toString()));
      } else if (t.getType() == GradcLexer.UNTERMINATED_COMMENT) {
        out.add(
            Diagnostic.error(
                Codes.UNTERMINATED_COMMENT,
                new SourceSpan(file, t.getStartIndex(), t.getStartIndex() + 2),
                "this comment is never closed",
                "close it with '*/'"));
      }
    }
  }

  private static Diagnostic badCharacters(SourceFile file, int start, int end, String text) {
    SourceSpan at = new SourceSpan(file, start, end);
    String shown = text.codePoints().count() == 1 ? "character" : "characters";
    String quoted = "'" + text.replace("\t", "\\t") + "'";
    String hint =
        switch (text) {
          case ";" -> "statements need no terminator: remove the ';'";
          case "#" -> "comments start with '//' or are enclosed in '/* */'";
          case "{", "}" ->
              "a function's body is one expression: `def f(a) = 2 * a`; split long ones into several defs";
          case "%" -> "there is no remainder operator";
          case "&&", "||", "&", "|", "!" ->
              "there are no boolean operators; compare with < <= > >= == !=";
          case "\"", "'" -> "the language has no strings";
          default -> "names use letters, digits and '_'; operators are + - * / @ ^ < <= > >= == !=";
        };
    return Diagnostic.error(Codes.BAD_CHARACTER, at, "unexpected " + shown + " " + quoted, hint);
  }
}
