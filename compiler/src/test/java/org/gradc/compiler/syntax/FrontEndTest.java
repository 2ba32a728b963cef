package org.gradc.compiler.syntax;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.runtime.Initializer;
import org.gradc.runtime.OptimizerKind;
import org.junit.jupiter.api.Test;

/** The front end on valid models, and one focused test per semantic check. */
class FrontEndTest {

  private static final String HEAD = "model M\ninput x: float[batch, 4]\n";

  private static List<String> codes(String text) {
    return Corpus.errors(text).stream().map(Diagnostic::code).collect(Collectors.toList());
  }

  private static Diagnostic only(String text) {
    List<Diagnostic> ds = Corpus.errors(text);
    assertEquals(
        1, ds.size(), () -> ds.stream().map(Diagnostic::render).collect(Collectors.joining()));
    return ds.get(0);
  }

  // ---- valid models

  @Test
  void fashionMlpHas203530ParametersAndTheDeclaredRoles() throws Exception {
    CheckedModel m =
        FrontEnd.check(Corpus.source("models", org.gradc.compiler.Examples.FASHION_MLP));
    assertEquals("FashionMlp", m.name());
    assertEquals(203_530, m.parameterCount());
    Graph g = m.graph();
    assertEquals(List.of("x", "y"), List.copyOf(g.inputs().keySet()));
    assertEquals(List.of("W1", "b1", "W2", "b2"), List.copyOf(g.params().keySet()));
    assertEquals(Shape.batched(784), g.inputs().get("x").shape());
    assertEquals(DType.I32, g.inputs().get("y").dtype());
    assertEquals(Shape.of(784, 256), g.params().get("W1").shape());
    assertEquals(Shape.batched(10), g.outputs().get("probs").shape());
    assertTrue(g.loss().shape().isScalar());
    assertEquals(Initializer.HE_UNIFORM, m.inits().get("W1").initializer());
    assertEquals(List.of("W1", "b1", "W2", "b2"), List.copyOf(m.inits().keySet()));
    assertEquals(OptimizerKind.ADAM, m.optimizer().kind());
    assertEquals(0.001, m.optimizer().written().get("lr"));
    assertEquals(0.9, m.optimizer().values()[1]);
    assertTrue(m.warnings().isEmpty());
  }

  @Test
  void everyExampleModelChecks() throws Exception {
    for (var file : Corpus.files("models")) {
      CheckedModel m = FrontEnd.check(Corpus.source("models", file));
      assertTrue(m.graph().loss().shape().isScalar(), file.toString());
      assertTrue(m.warnings().isEmpty(), file.toString());
    }
  }

  @Test
  void precisionSetsTheTypeOfEveryFloat() throws Exception {
    CheckedModel m =
        FrontEnd.check(
            Corpus.source(HEAD + "param W: float[4, 2] = zeros\nloss mean(relu(x @ W) * 2)\n"),
            DType.F64);
    for (Node n : m.graph().nodes()) {
      assertTrue(n.dtype() == DType.F64, n.toString());
    }
  }

  @Test
  void constantsAndArithmeticGiveDimensions() throws Exception {
    CheckedModel m =
        Corpus.check(
            "model M\nconst N = 3\nconst H = 2 * N + 1\ninput x: float[batch, N ^ 2]\n"
                + "param W: float[N * N, H] = zeros\nloss mean(x @ W)\n");
    assertEquals(Shape.of(9, 7), m.graph().params().get("W").shape());
  }

  @Test
  void scalarTypesAndParamsWithoutBrackets() throws Exception {
    CheckedModel m = Corpus.check(HEAD + "param s: float = ones\nloss mean(x * s)\n");
    assertEquals(Shape.SCALAR, m.graph().params().get("s").shape());
  }

  @Test
  void initializerArgumentsPositionalOrNamed() throws Exception {
    CheckedModel m =
        Corpus.check(
            HEAD
                + "param A: float[4] = normal(0, 0.01)\nparam B: float[4] = uniform(high = 1, low = -1)\n"
                + "loss mean(x * A + x * B)\n");
    assertEquals(List.of(0.0, 0.01), m.inits().get("A").args());
    assertEquals(List.of(-1.0, 1.0), m.inits().get("B").args());
  }

  @Test
  void optimizerDefaultsToAdamAndAcceptsBooleans() throws Exception {
    CheckedModel a = Corpus.check(HEAD + "loss mean(x)\n");
    assertEquals(OptimizerKind.ADAM, a.optimizer().kind());
    assertTrue(a.optimizer().written().isEmpty());
    CheckedModel s =
        Corpus.check(HEAD + "loss mean(x)\noptimizer sgd(0.1, momentum = 0.9, nesterov = true)\n");
    assertArrayEquals(new double[] {0.1, 0.9, 1.0, 0.0}, s.optimizer().values());
  }

  @Test
  void commonSubexpressionsAreOneNode() throws Exception {
    CheckedModel m =
        Corpus.check(
            HEAD
                + "param W: float[4, 2] = zeros\na = x @ W\nb = x @ W\noutput a\noutput b\nloss mean(a)\n");
    assertSame(m.graph().outputs().get("a"), m.graph().outputs().get("b"));
  }

  @Test
  void userDefsShadowPreludeFunctionsButThePreludeKeepsItsOwn() throws Exception {
    // softmax calls the prelude's `shifted`; a user `shifted` must not change it.
    CheckedModel m =
        Corpus.check(
            HEAD
                + "def shifted(a, b) = a * 100\ndef relu(a) = a * 0\n"
                + "output p = softmax(x)\noutput r = relu(x)\nloss mean(p)\n");
    Node r = m.graph().outputs().get("r");
    assertEquals("mul", r.op().name());
    assertEquals(Shape.batched(4), m.graph().outputs().get("p").shape());
  }

  @Test
  void defsTakeDefaultsNamedArgumentsAndStaticValues() throws Exception {
    CheckedModel m =
        Corpus.check(
            HEAD
                + "def norm(a, axis = -1, keep = false) = sum(a, axes = axis, keepdims = keep)\n"
                + "output s = norm(x)\noutput t = norm(x, keep = true)\noutput u = norm(x, [0, 1])\n"
                + "loss mean(x)\n");
    assertEquals(Shape.batched(), m.graph().outputs().get("s").shape());
    assertEquals(Shape.batched(1), m.graph().outputs().get("t").shape());
    assertEquals(Shape.SCALAR, m.graph().outputs().get("u").shape());
  }

  @Test
  void defsMayUseGlobalsDefinedBeforeTheCall() throws Exception {
    CheckedModel m =
        Corpus.check(
            HEAD + "param W: float[4, 3] = zeros\ndef layer(a) = a @ W\nloss mean(layer(x))\n");
    assertEquals(1, m.graph().params().size());
  }

  @Test
  void intLiteralsAdoptTheIntTypeOfIntTensors() throws Exception {
    CheckedModel m = Corpus.check(HEAD + "input y: int[batch]\noutput m = y == 3\nloss mean(x)\n");
    assertEquals(DType.BOOL, m.graph().outputs().get("m").dtype());
  }

  @Test
  void outputsByNameReuseBindings() throws Exception {
    CheckedModel m = Corpus.check(HEAD + "h = x * 2\noutput h\noutput g = h + 1\nloss mean(g)\n");
    assertEquals(List.of("h", "g"), List.copyOf(m.graph().outputs().keySet()));
  }

  @Test
  void commentsAndLineBreaksInsideExpressions() throws Exception {
    Corpus.check(
        "// a model\nmodel M /* inline */\ninput x: float[batch, 4]\nloss mean(\n  x // the input\n  * 2\n)\n");
  }

  @Test
  void precedenceOfOperators() throws Exception {
    CheckedModel m =
        Corpus.check(
            HEAD
                + "const H = 2 ^ -1\noutput a = -x ^ 2\noutput b = x + x * x\noutput c = x * H\n"
                + "loss mean(x)\n");
    Node a = m.graph().outputs().get("a");
    assertEquals("neg", a.op().name());
    assertEquals("pow(2)", a.input(0).op().name());
    assertEquals("add", m.graph().outputs().get("b").op().name());
    assertEquals("fill(0.5)", m.graph().outputs().get("c").input(1).op().name());
  }

  @Test
  void scientificLiterals() throws Exception {
    CheckedModel m = Corpus.check(HEAD + "loss mean(x) * 1e-3 + 2.5E+2 * .5\n");
    assertTrue(m.graph().loss().shape().isScalar());
  }

  // ---- one test per semantic check (the corpus pins the exact messages)

  @Test
  void unknownNameSuggestsTheNearest() {
    Diagnostic d = only(HEAD + "param weights: float[4, 2] = zeros\nloss mean(x @ weight)\n");
    assertEquals("E0101", d.code());
    assertEquals(List.of("did you mean `weights`?"), d.hints());
    assertEquals(4, d.span().line());
    assertEquals(15, d.span().column());
  }

  @Test
  void unknownFunctionSuggestsPreludeAndPrimitives() {
    Diagnostic d = only(HEAD + "loss mean(sigmod(x))\n");
    assertEquals("E0102", d.code());
    assertEquals("did you mean `sigmoid`?", d.hints().get(0));
  }

  @Test
  void duplicateNamesAcrossKinds() {
    assertEquals(List.of("E0103"), codes(HEAD + "param x: float[4] = zeros\nloss mean(x)\n"));
    assertEquals(List.of("E0103"), codes(HEAD + "def x(a) = a\nloss mean(x)\n"));
    assertEquals(List.of("E0103"), codes(HEAD + "output x = x * 2\nloss mean(x)\n"));
    assertEquals(List.of("E0103"), codes(HEAD + "output x\noutput x\nloss mean(x)\n"));
  }

  @Test
  void recursionIsReportedOnceEvenWhenCalledOftenAndNeverOverflows() {
    String text =
        HEAD
            + "def a(v) = b(v)\ndef b(v) = c(v) + a(v)\ndef c(v) = v\n"
            + "loss mean(a(x)) + mean(b(x)) + mean(a(x))\n";
    Diagnostic d = only(text);
    assertEquals("E0104", d.code());
    assertEquals("`a` is recursive: a -> b -> a", d.message());
  }

  @Test
  void recursionInAnUncalledDefIsStillReported() {
    assertEquals(List.of("E0104"), codes(HEAD + "def f(v) = f(v)\nloss mean(x)\n"));
  }

  @Test
  void namesInDefBodiesAreCheckedOnceEvenIfInlinedTwice() {
    assertEquals(
        List.of("E0101"), codes(HEAD + "def f(v) = v * nope\nloss mean(f(x)) + mean(f(x * 2))\n"));
  }

  @Test
  void batchRules() {
    assertEquals(List.of("E0208"), codes("model M\ninput x: float[4, batch]\nloss mean(x)\n"));
    assertEquals(List.of("E0210"), codes(HEAD + "param p: float[batch] = zeros\nloss mean(x)\n"));
    assertEquals(List.of("E0108"), codes(HEAD + "loss mean(x) * batch\n"));
  }

  /** `batch` is reserved: a `const batch = 4` must not silently fix the batch axis. */
  @Test
  void noDeclarationMayBeNamedBatch() {
    String use = "input t: float[batch, 4]\nloss mean(x * t)\n";
    Diagnostic d = only(HEAD + "const batch = 4\n" + use);
    assertEquals("E0109", d.code());
    assertEquals(3, d.span().line());
    assertEquals(7, d.span().column());
    assertEquals("`batch` is reserved for the batch axis and cannot name a constant", d.message());
    assertEquals(List.of("E0109"), codes(HEAD + "input batch: float[batch, 4]\n" + use));
    assertEquals(List.of("E0109"), codes(HEAD + "param batch: float[4] = zeros\nloss mean(x)\n"));
    assertEquals(List.of("E0109"), codes(HEAD + "batch = x * 2\nloss mean(x)\n"));
    assertEquals(List.of("E0109"), codes(HEAD + "output batch = x * 2\nloss mean(x)\n"));
    assertEquals(List.of("E0109"), codes(HEAD + "def batch(v) = v\nloss mean(x)\n"));
    assertEquals(List.of("E0109"), codes(HEAD + "def f(batch) = batch * 2\nloss mean(f(x))\n"));
  }

  @Test
  void dimensionsMustBePositiveStaticIntegers() {
    assertEquals(List.of("E0209"), codes("model M\ninput x: float[batch, -2]\nloss mean(x)\n"));
    assertEquals(List.of("E0209"), codes("model M\ninput x: float[batch, 2.0]\nloss mean(x)\n"));
    assertEquals(
        List.of("E0209"),
        codes("model M\ninput y: float[batch, 3]\ninput x: float[batch, y]\nloss mean(x)\n"));
  }

  @Test
  void initializerNamesAndArityComeFromTheRuntime() {
    Diagnostic d = only(HEAD + "param W: float[4] = gaussian\nloss mean(x * W)\n");
    assertEquals("E0203", d.code());
    assertTrue(d.hints().get(d.hints().size() - 1).contains("he_normal"));
    assertEquals(
        List.of("E0204"), codes(HEAD + "param W: float[4] = zeros(1)\nloss mean(x * W)\n"));
    assertEquals(
        List.of("E0204"), codes(HEAD + "param W: float[4] = constant(x)\nloss mean(x * W)\n"));
  }

  @Test
  void optimizerNamesAndHyperParametersComeFromTheRuntime() {
    Diagnostic d = only(HEAD + "loss mean(x)\noptimizer adamm\n");
    assertEquals("E0205", d.code());
    assertEquals(List.of("did you mean `adam`?", "the optimizers are sgd, adam, adamw"), d.hints());
    Diagnostic h = only(HEAD + "loss mean(x)\noptimizer sgd(lr = 0.1, momentun = 0.9)\n");
    assertEquals("E0206", h.code());
    assertEquals("did you mean `momentum`?", h.hints().get(0));
    assertTrue(
        h.hints().get(1).contains("sgd(lr = 0.01, momentum = 0, nesterov = 0, weight_decay = 0)"));
    assertEquals(List.of("E0206"), codes(HEAD + "loss mean(x)\noptimizer sgd(lr = x)\n"));
    assertEquals(List.of("E0207"), codes(HEAD + "loss mean(x)\noptimizer sgd\noptimizer adam\n"));
  }

  @Test
  void lossRules() {
    assertEquals(List.of("E0201"), codes(HEAD + "output y = x\n"));
    assertEquals(List.of("E0202"), codes(HEAD + "loss mean(x)\nloss sum(x)\n"));
    assertEquals(List.of("E0601"), codes(HEAD + "loss sum(x, axes = 1)\n"));
    assertEquals(
        List.of("E0602"), codes(HEAD + "input y: int[batch]\nloss sum(one_hot(y, 3)) > 1\n"));
    assertEquals(List.of("E0603"), codes(HEAD + "loss [1, 2]\n"));
  }

  @Test
  void callArgumentsAreMatchedAgainstTheSignature() {
    assertEquals(List.of("E0501"), codes(HEAD + "loss mean(exp(x, x))\n"));
    assertEquals(List.of("E0502"), codes(HEAD + "loss mean(where(x > 0, x))\n"));
    assertEquals(List.of("E0503"), codes(HEAD + "loss mean(softmax(x, axes = 1))\n"));
    assertEquals(List.of("E0504"), codes(HEAD + "loss mean(x, axes = 1, axes = 0)\n"));
    assertEquals(List.of("E0505"), codes(HEAD + "loss mean(one_hot(x, x))\n"));
    assertEquals(List.of("E0506"), codes(HEAD + "loss mean(x = x, 1)\n"));
    Diagnostic d = only(HEAD + "loss mean(softmax(x, 1, 2))\n");
    assertEquals("`softmax` takes at most 2 arguments but 3 were given", d.message());
    assertEquals(List.of("the function is `softmax(x, axis = -1)`"), d.hints());
  }

  /** A reduction's parameter given to the elementwise max/min names the reduction to use. */
  @Test
  void reductionParametersOnElementwiseMaxAndMinNameTheReduction() {
    Diagnostic d = only(HEAD + "loss mean(max(x, axis = 1))\n");
    assertEquals("E0503", d.code());
    assertEquals("`max` has no parameter `axis`", d.message());
    assertEquals(
        List.of(
            "the function is `max(a, b)`",
            "`max(a, b)` is elementwise; the maximum over axes is `amax(x, axes = ...)`"),
        d.hints());
    assertEquals(3, d.span().line());
    assertEquals(18, d.span().column()); // at `axis`
    d = only(HEAD + "loss mean(min(x, axes = [1]))\n");
    assertEquals("`min` has no parameter `axes`", d.message());
    assertTrue(d.hints().get(d.hints().size() - 1).contains("`-amax(-x, axes = ...)`"));
    // sum and mean take `axes`; `axis` is a near miss they already name
    d = only(HEAD + "loss sum(x, axis = 1)\n");
    assertEquals(
        List.of(
            "did you mean `axes`?",
            "the function is `sum(x, axes: int_list = [], keepdims: bool = false)`"),
        d.hints());
    d = only(HEAD + "loss mean(amax(x, axis = 1))\n");
    assertEquals("did you mean `axes`?", d.hints().get(0));
  }

  @Test
  void shapeErrorsComeFromTheOpsAndPointAtTheExpression() {
    Diagnostic d = only(HEAD + "param W: float[5, 2] = zeros\nloss mean(x @ W)\n");
    assertEquals("E0303", d.code());
    assertTrue(d.message().contains("float[batch, 4]") && d.message().contains("float[5, 2]"));
    assertEquals(4, d.span().line());
    assertEquals(11, d.span().column());
    assertEquals("x @ W", SourceText.of(d.span()));
  }

  @Test
  void intWhereFloatIsNeeded() {
    assertEquals(List.of("E0602"), codes(HEAD + "param W: int[4] = zeros\nloss mean(x)\n"));
  }

  @Test
  void aFailedExpressionProducesNoFollowOnErrors() {
    String text =
        HEAD
            + "param W: float[3, 2] = zeros\nh = x @ W\ng = relu(h) * h + softmax(h)\n"
            + "output o = g @ W\nloss mean(cross_entropy(g, h, classes = 2))\n";
    assertEquals(List.of("E0303"), codes(text));
  }

  @Test
  void unusedParamsAndInputsWarnWithoutFailing() throws Exception {
    CheckedModel m =
        Corpus.check(
            HEAD
                + "input z: float[batch]\nparam A: float[4] = zeros\nparam B: float[4] = zeros\n"
                + "output o = x * B\nloss mean(x)\n");
    List<String> ws = m.warnings().stream().map(Diagnostic::message).collect(Collectors.toList());
    assertEquals(
        List.of(
            "input `z` is never used",
            "parameter `A` is never used",
            "parameter `B` does not affect the loss, so it is never trained"),
        ws);
  }

  @Test
  void unusedWarningsAreLeftOutWhenThereAreErrors() {
    // `A` may be used in the expression that failed; a warning would repeat the error.
    CompileException e =
        assertThrows(
            CompileException.class,
            () -> Corpus.check(HEAD + "param A: float[4] = zeros\nloss mean(nope * A)\n"));
    assertEquals(1, e.diagnostics().size());
    assertEquals(1, e.errorCount());
  }

  @Test
  void syntaxErrorsStopBeforeSemanticChecks() {
    assertEquals(List.of("E0003"), codes(HEAD + "loss mean(nope) +\nh = \n"));
  }

  @Test
  void oneSyntaxErrorPerStatementButEveryStatementIsChecked() {
    assertEquals(
        List.of("E0003", "E0003", "E0003"),
        codes(HEAD + "a = x + + x\nb = (x\nc = x * * x\nloss mean(x)\n"));
  }

  @Test
  void badCharactersAreOneErrorPerRun() {
    Diagnostic d = only(HEAD + "loss mean(x) ## comment\n");
    assertEquals("E0001", d.code());
    assertEquals("unexpected characters '##'", d.message());
  }

  @Test
  void absurdNestingIsAnErrorNotACrash() throws Exception {
    String deep = "(".repeat(200_000) + "x" + ")".repeat(200_000);
    assertEquals(List.of("E0007"), codes(HEAD + "loss mean(" + deep + ")\n"));
    // Moderate nesting is fine.
    String fine = "(".repeat(200) + "x" + ")".repeat(200);
    Corpus.check(HEAD + "loss mean(" + fine + ")\n");
  }

  @Test
  void parseOnlyEntryPoint() throws Exception {
    Program p = FrontEnd.parse(Corpus.source(HEAD + "def f(a, b = 2) = a * b\nloss mean(f(x))\n"));
    assertEquals("M", p.modelName().text());
    assertEquals(3, p.statements().size());
    Stmt.Def def = (Stmt.Def) p.statements().get(1);
    assertEquals("a * b", SourceText.of(def.body().span()));
    assertFalse(def.params().get(0).defaultValue() != null);
  }
}
