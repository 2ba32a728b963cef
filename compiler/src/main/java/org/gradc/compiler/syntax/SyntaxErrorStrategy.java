package org.gradc.compiler.syntax;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.Severity;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.grammar.GradcLexer;
import org.gradc.grammar.GradcParser;

/**
 * ANTLR's recovery with our own words. Every syntax error becomes one {@link Diagnostic} phrased
 * for people ("expected an expression after '+', found ')'"), never ANTLR's token-set dump. At most
 * one syntax error is reported per statement: after an error, everything up to the next token that
 * can start a statement is assumed to be a consequence of it.
 */
final class SyntaxErrorStrategy extends DefaultErrorStrategy {
  private final SourceFile file;
  private final Consumer<Diagnostic> sink;

  /** Token ranges [from, to) in which errors are consequences of one already reported. */
  private final List<int[]> quiet = new ArrayList<>();

  /**
   * The first tokens of statements with a reported error: a loop spans lines, so its missing {@code
   * '}'} at the end of the file is a consequence of an earlier error in its header.
   */
  private final Set<Integer> failedStatements = new HashSet<>();

  SyntaxErrorStrategy(SourceFile file, Consumer<Diagnostic> sink) {
    this.file = file;
    this.sink = sink;
  }

  /**
   * Silences syntax errors in the statement holding a token that was already reported (a bad
   * character, which the parser never sees): they would only be its consequences.
   */
  void quietAround(TokenStream tokens, int tokenIndex) {
    quiet.add(
        new int[] {
          statementStartBefore(tokens, tokenIndex), nextStatementStart(tokens, tokenIndex)
        });
  }

  /**
   * Silences the rest of the statement after an error at {@code tokenIndex}. An error found at the
   * start of the next statement says nothing about that statement, unless the token is a keyword
   * misused as a name: then the statement it seems to start is not real.
   */
  private void quietAfter(TokenStream tokens, int tokenIndex, boolean keywordAsName) {
    Token t = tokens.get(tokenIndex);
    if (t.getType() != Token.EOF && (keywordAsName || !startsStatement(tokens, tokenIndex))) {
      quiet.add(new int[] {tokenIndex, nextStatementStart(tokens, tokenIndex)});
    }
  }

  private boolean isQuiet(int tokenIndex) {
    for (int[] q : quiet) {
      if (tokenIndex >= q[0] && tokenIndex < q[1]) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void reportError(Parser recognizer, RecognitionException e) {
    if (inErrorRecoveryMode(recognizer)) {
      return;
    }
    beginErrorCondition(recognizer);
    IntervalSet expected;
    if (e instanceof NoViableAltException || e instanceof InputMismatchException) {
      expected = e.getExpectedTokens();
    } else {
      expected = recognizer.getExpectedTokens();
    }
    Token found =
        e.getOffendingToken() != null ? e.getOffendingToken() : recognizer.getCurrentToken();
    report(recognizer, found, expected == null ? new IntervalSet() : expected);
  }

  /**
   * Never recovers by deleting a keyword that starts a statement: after {@code g = x @} at the end
   * of a line, the {@code def} on the next line begins a statement and is not a stray token.
   */
  @Override
  protected Token singleTokenDeletion(Parser recognizer) {
    StatementForm f = StatementForm.startedBy(recognizer.getCurrentToken().getType());
    if (f != null && f.keyword()) {
      return null;
    }
    return super.singleTokenDeletion(recognizer);
  }

  @Override
  protected void reportUnwantedToken(Parser recognizer) {
    if (inErrorRecoveryMode(recognizer)) {
      return;
    }
    beginErrorCondition(recognizer);
    report(recognizer, recognizer.getCurrentToken(), getExpectedTokens(recognizer));
  }

  @Override
  protected void reportMissingToken(Parser recognizer) {
    if (inErrorRecoveryMode(recognizer)) {
      return;
    }
    beginErrorCondition(recognizer);
    report(recognizer, recognizer.getCurrentToken(), getExpectedTokens(recognizer));
  }

  private void report(Parser parser, Token found, IntervalSet expected) {
    TokenStream tokens = parser.getInputStream();
    ParserRuleContext ctx = parser.getContext();
    ParserRuleContext stmt = enclosingStatement(ctx);
    Token prev = previousToken(tokens, found.getTokenIndex());
    int stmtStart =
        stmt == null || stmt.getStart() == null
            ? found.getTokenIndex()
            : Math.min(found.getTokenIndex(), stmt.getStart().getTokenIndex());
    boolean silenced =
        isQuiet(found.getTokenIndex()) || isQuiet(stmtStart) || !failedStatements.add(stmtStart);
    // A keyword first on its line most likely starts the next statement; elsewhere, where a name
    // could stand, it is a keyword misused as a name.
    boolean keywordAsName =
        isKeyword(found.getType())
            && expected.contains(GradcLexer.IDENT)
            && (prev == null || prev.getLine() == found.getLine());
    quietAfter(tokens, found.getTokenIndex(), keywordAsName);
    if (silenced) {
      return;
    }
    // ANTLR's recovery state after `def f(a)` also offers the parameter list's tokens.
    String wanted =
        found.getType() == GradcLexer.LBRACE && stmt instanceof GradcParser.DefDeclContext
            ? "'='"
            : describe(expected);
    String after = prev == null ? "" : " after " + show(prev);
    List<String> hints = new ArrayList<>();
    String unclosed = unclosedDelimiter(tokens, stmt, found);
    if (unclosed != null) {
      hints.add(unclosed);
    }
    String form = stmt == null ? null : form(stmt);
    if (found.getType() == Token.EOF) {
      SourceSpan at =
          prev == null ? span(0, 0) : span(prev.getStopIndex() + 1, prev.getStopIndex() + 2);
      if (stmt instanceof GradcParser.HeaderContext) {
        hints.add(form);
      } else if (form != null) {
        hints.add("the statement on line " + stmt.getStart().getLine() + " is incomplete: " + form);
      }
      sink.accept(
          new Diagnostic(
              Severity.ERROR,
              Codes.UNEXPECTED_EOF,
              "unexpected end of file: expected " + wanted + after,
              at,
              hints));
      return;
    }
    if (form != null
        && !(ctx instanceof GradcParser.ExprContext)
        && !(ctx instanceof GradcParser.ArgumentsContext)
        && !(ctx instanceof GradcParser.ArgumentContext)) {
      hints.add(form);
    }
    if (keywordAsName) {
      hints.add("`" + found.getText() + "` is a keyword; choose another name");
    }
    if ((expected.contains(GradcLexer.RPAREN) || expected.contains(GradcLexer.RBRACK))
        && startsExpression(found.getType())) {
      hints.add(
          prev != null && prev.getType() == GradcLexer.IDENT && inArguments(ctx)
              ? "is a ',' missing, or an '=' after the name of a named argument?"
              : "a ',' is missing between the two");
    }
    if (prev != null
        && (prev.getType() == GradcLexer.FLOAT_TYPE || prev.getType() == GradcLexer.INT_TYPE)
        && found.getType() == GradcLexer.LPAREN) {
      hints.add("extents are written in brackets: `float[batch, 784]`");
    }
    if ((found.getType() == GradcLexer.RPAREN || found.getType() == GradcLexer.RBRACK)
        && !expected.contains(found.getType())
        && open(tokens, stmt, found).isEmpty()) {
      hints.add("this '" + found.getText() + "' closes nothing: remove it");
    }
    if (stmt instanceof GradcParser.BindingContext && stmt.getStart() != null) {
      Token before = previousToken(tokens, stmt.getStart().getTokenIndex());
      if (before != null && before.getLine() == stmt.getStart().getLine()) {
        hints.add(
            "`"
                + stmt.getStart().getText()
                + "` seems to start a new statement in the middle of a line: is an operator"
                + " missing before it, as in `"
                + before.getText()
                + " * "
                + stmt.getStart().getText()
                + "`?");
      }
    }
    if (found.getType() == GradcLexer.LBRACE && stmt instanceof GradcParser.DefDeclContext) {
      hints.add(
          "a function's body is one expression: `def f(a) = 2 * a`; split long ones into"
              + " several defs");
    }
    if (found.getType() == GradcLexer.ASSIGN && ctx instanceof GradcParser.ProgramContext) {
      hints.add("to compare, write '=='; a binding `name = expression` stands alone");
    }
    // Something missing at the end of a line is shown there, not at the next line's first token.
    SourceSpan at =
        prev != null && prev.getLine() < found.getLine()
            ? span(prev.getStopIndex() + 1, prev.getStopIndex() + 2)
            : span(found.getStartIndex(), found.getStopIndex() + 1);
    sink.accept(
        new Diagnostic(
            Severity.ERROR,
            Codes.SYNTAX,
            "expected " + wanted + after + ", found " + show(found),
            at,
            hints));
  }

  private SourceSpan span(int start, int end) {
    return new SourceSpan(file, start, Math.max(start, end));
  }

  /** The statement (or header) rule context enclosing {@code ctx}, or null. */
  private static ParserRuleContext enclosingStatement(ParserRuleContext ctx) {
    for (ParserRuleContext c = ctx; c != null; c = c.getParent()) {
      if (c instanceof GradcParser.StatementContext || c instanceof GradcParser.HeaderContext) {
        return c;
      }
    }
    return null;
  }

  /** What a well-formed statement of the kind being parsed looks like. */
  private static String form(ParserRuleContext stmt) {
    if (stmt instanceof GradcParser.HeaderContext) {
      return "a model file starts with `model Name`";
    }
    StatementForm f = StatementForm.startedBy(stmt.getStart().getType());
    return f == null ? null : f.example;
  }

  /**
   * The statements, by the token each starts with: the one table the recovery, the expected-token
   * phrasing and the hints read, so a new statement is added here once.
   */
  private enum StatementForm {
    CONST(GradcLexer.CONST, "a constant looks like `const N = 256`"),
    INPUT(GradcLexer.INPUT, "an input looks like `input x: float[batch, 784]`"),
    PARAM(GradcLexer.PARAM, "a parameter looks like `param W: float[784, 256] = glorot_uniform`"),
    STATE(GradcLexer.STATE, "a state looks like `state mu: float[32] = zeros`"),
    OUTPUT(
        GradcLexer.OUTPUT,
        "an output looks like `output probs = softmax(logits)` or `output logits`"),
    LOSS(GradcLexer.LOSS, "a loss looks like `loss mean(cross_entropy(logits, y, classes = 10))`"),
    OPTIMIZER(GradcLexer.OPTIMIZER, "an optimizer looks like `optimizer adam(lr = 0.001)`"),
    DEF(GradcLexer.DEF, "a function looks like `def name(a, b) = expression`"),
    FOR(GradcLexer.FOR, "a loop looks like `for t in 0 .. T { h[t + 1] = f(h[t]) }`"),
    BINDING(GradcLexer.IDENT, "a binding looks like `name = expression`");

    final int token;
    final String example;

    StatementForm(int token, String example) {
      this.token = token;
      this.example = example;
    }

    /** Whether the statement starts with a keyword (a binding starts with a name). */
    boolean keyword() {
      return token != GradcLexer.IDENT;
    }

    static StatementForm startedBy(int tokenType) {
      for (StatementForm f : values()) {
        if (f.token == tokenType) {
          return f;
        }
      }
      return null;
    }
  }

  /**
   * A hint naming the last bracket opened in the current statement and not closed before {@code
   * found}, when {@code found} is not what would close it.
   */
  private static String unclosedDelimiter(TokenStream tokens, ParserRuleContext stmt, Token found) {
    Deque<Token> open = open(tokens, stmt, found);
    if (open.isEmpty()) {
      return null;
    }
    // Closed later in the statement: the error is something else.
    int depth = open.size();
    int end = nextStatementStart(tokens, found.getTokenIndex());
    for (int i = found.getTokenIndex(); i < end && tokens.get(i).getType() != Token.EOF; i++) {
      int type = tokens.get(i).getType();
      if (tokens.get(i).getChannel() != Token.DEFAULT_CHANNEL) {
        continue;
      }
      if (type == GradcLexer.LPAREN || type == GradcLexer.LBRACK) {
        depth++;
      } else if ((type == GradcLexer.RPAREN || type == GradcLexer.RBRACK) && --depth == 0) {
        return null;
      }
    }
    Token t = open.peek();
    int closer = t.getType() == GradcLexer.LPAREN ? GradcLexer.RPAREN : GradcLexer.RBRACK;
    if (found.getType() == closer) {
      return null;
    }
    return "the '"
        + t.getText()
        + "' opened at line "
        + t.getLine()
        + ", column "
        + (t.getCharPositionInLine() + 1)
        + " is not closed";
  }

  /**
   * The brackets opened in the current statement before {@code found} and not closed, innermost
   * first.
   */
  private static Deque<Token> open(TokenStream tokens, ParserRuleContext stmt, Token found) {
    Deque<Token> open = new ArrayDeque<>();
    if (stmt == null || stmt.getStart() == null) {
      return open;
    }
    for (int i = stmt.getStart().getTokenIndex(); i < found.getTokenIndex(); i++) {
      Token t = tokens.get(i);
      if (t.getChannel() != Token.DEFAULT_CHANNEL) {
        continue;
      }
      switch (t.getType()) {
        case GradcLexer.LPAREN, GradcLexer.LBRACK -> open.push(t);
        case GradcLexer.RPAREN, GradcLexer.RBRACK -> {
          if (!open.isEmpty()) {
            open.pop();
          }
        }
        default -> {}
      }
    }
    return open;
  }

  /** Index of the last token at or before {@code from} that can start a statement (or 0). */
  private static int statementStartBefore(TokenStream tokens, int from) {
    for (int i = from; i > 0; i--) {
      if (startsStatement(tokens, i)) {
        return i;
      }
    }
    return 0;
  }

  private static boolean startsStatement(TokenStream tokens, int i) {
    Token t = tokens.get(i);
    if (t.getChannel() != Token.DEFAULT_CHANNEL) {
      return false;
    }
    StatementForm f = StatementForm.startedBy(t.getType());
    if (f == null) {
      return false;
    }
    if (f.keyword()) {
      return true;
    }
    Token before = previousToken(tokens, i);
    return assignmentFollows(tokens, i) && (before == null || !isOpenContext(before));
  }

  /** Whether the name at {@code i} is followed by {@code =} or by {@code [ ... ] =}. */
  private static boolean assignmentFollows(TokenStream tokens, int i) {
    Token next = nextOnChannel(tokens, i);
    if (next.getType() != GradcLexer.LBRACK) {
      return next.getType() == GradcLexer.ASSIGN;
    }
    int depth = 0;
    for (int j = next.getTokenIndex(); ; j = nextOnChannel(tokens, j).getTokenIndex()) {
      Token t = tokens.get(j);
      switch (t.getType()) {
        case GradcLexer.LBRACK, GradcLexer.LPAREN -> depth++;
        case GradcLexer.RBRACK, GradcLexer.RPAREN -> {
          if (--depth == 0) {
            return nextOnChannel(tokens, j).getType() == GradcLexer.ASSIGN;
          }
        }
        case Token.EOF, GradcLexer.ASSIGN, GradcLexer.LBRACE, GradcLexer.RBRACE -> {
          return false;
        }
        default -> {
          StatementForm f = StatementForm.startedBy(t.getType());
          if (f != null && f.keyword()) {
            return false;
          }
        }
      }
    }
  }

  /** Index of the first token after {@code from} that can start a statement (or EOF). */
  private static int nextStatementStart(TokenStream tokens, int from) {
    if (tokens.get(from).getType() == Token.EOF) {
      return from + 1;
    }
    for (int i = from + 1; ; i++) {
      if (tokens.get(i).getType() == Token.EOF || startsStatement(tokens, i)) {
        return i;
      }
    }
  }

  private static boolean inArguments(ParserRuleContext ctx) {
    for (ParserRuleContext c = ctx; c != null; c = c.getParent()) {
      if (c instanceof GradcParser.ArgumentsContext) {
        return true;
      }
    }
    return false;
  }

  private static boolean startsExpression(int type) {
    for (int t : EXPRESSION_STARTS) {
      if (t == type) {
        return true;
      }
    }
    return type == GradcLexer.IDENT;
  }

  private static boolean isKeyword(int type) {
    return type >= GradcLexer.MODEL && type <= GradcLexer.INT_TYPE;
  }

  /** After these, {@code name =} is a named argument, not a binding. */
  private static boolean isOpenContext(Token before) {
    return before.getType() == GradcLexer.LPAREN || before.getType() == GradcLexer.COMMA;
  }

  private static Token nextOnChannel(TokenStream tokens, int i) {
    for (int j = i + 1; ; j++) {
      Token t = tokens.get(j);
      if (t.getType() == Token.EOF || t.getChannel() == Token.DEFAULT_CHANNEL) {
        return t;
      }
    }
  }

  private static Token previousToken(TokenStream tokens, int i) {
    for (int j = i - 1; j >= 0; j--) {
      Token t = tokens.get(j);
      if (t.getChannel() == Token.DEFAULT_CHANNEL) {
        return t;
      }
    }
    return null;
  }

  /**
   * A token as a person names it: {@code 'def'}, {@code ')'}, {@code name 'h'}, {@code number 3}.
   */
  static String show(Token t) {
    return switch (t.getType()) {
      case Token.EOF -> "end of file";
      case GradcLexer.IDENT -> "name '" + t.getText() + "'";
      case GradcLexer.INT, GradcLexer.FLOAT -> "number " + t.getText();
      default -> "'" + t.getText() + "'";
    };
  }

  private static final int[] EXPRESSION_STARTS = {
    GradcLexer.INT,
    GradcLexer.FLOAT,
    GradcLexer.LPAREN,
    GradcLexer.LBRACK,
    GradcLexer.MINUS,
    GradcLexer.TRUE,
    GradcLexer.FALSE
  };

  private static final int[] BINARY_OPERATORS = {
    GradcLexer.PLUS,
    GradcLexer.MINUS,
    GradcLexer.STAR,
    GradcLexer.SLASH,
    GradcLexer.AT,
    GradcLexer.CARET,
    GradcLexer.LT,
    GradcLexer.LE,
    GradcLexer.GT,
    GradcLexer.GE,
    GradcLexer.EQ,
    GradcLexer.NE
  };

  /** The expected token set in words: "an expression", "',' or ')'", "a statement". */
  static String describe(IntervalSet expected) {
    IntervalSet rest = new IntervalSet(expected);
    List<String> phrases = new ArrayList<>();
    boolean statement = false;
    for (StatementForm f : StatementForm.values()) {
      statement |= f.keyword() && rest.contains(f.token);
    }
    if (statement) {
      phrases.add("a statement");
      for (StatementForm f : StatementForm.values()) {
        rest.remove(f.token);
      }
      rest.remove(GradcLexer.IDENT);
      rest.remove(Token.EOF);
    }
    // Every place an expression may start admits a number; '(' '[' '-' alone mean other things.
    boolean expression = rest.contains(GradcLexer.INT);
    if (expression) {
      phrases.add("an expression");
      for (int t : EXPRESSION_STARTS) {
        rest.remove(t);
      }
      rest.remove(GradcLexer.IDENT);
    }
    if (rest.contains(GradcLexer.IDENT)) {
      phrases.add("a name");
      rest.remove(GradcLexer.IDENT);
    }
    if (rest.contains(GradcLexer.FLOAT_TYPE) || rest.contains(GradcLexer.INT_TYPE)) {
      phrases.add("a type such as `float[batch, 784]`");
      rest.remove(GradcLexer.FLOAT_TYPE);
      rest.remove(GradcLexer.INT_TYPE);
    }
    boolean operators = false;
    for (int t : BINARY_OPERATORS) {
      operators |= rest.contains(t);
    }
    IntervalSet withoutOperators = new IntervalSet(rest);
    for (int t : BINARY_OPERATORS) {
      withoutOperators.remove(t);
    }
    if (!withoutOperators.isNil() || !phrases.isEmpty()) {
      rest = withoutOperators;
    } else if (operators) {
      phrases.add("an operator");
      rest = new IntervalSet();
    }
    for (int t : rest.toList()) {
      if (t == Token.EOF) {
        phrases.add("end of file");
      } else {
        String literal = GradcLexer.VOCABULARY.getLiteralName(t);
        if (literal != null) {
          phrases.add(literal);
        }
      }
    }
    if (phrases.isEmpty()) {
      return "something else";
    }
    if (phrases.size() == 1) {
      return phrases.get(0);
    }
    return String.join(", ", phrases.subList(0, phrases.size() - 1))
        + " or "
        + phrases.get(phrases.size() - 1);
  }
}
