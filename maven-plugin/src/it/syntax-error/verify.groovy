// Both broken files are reported in full (headline, source line, caret, hints); the good model is
// still compiled; the build fails with the count.
def log = new File(basedir, 'build.log').text.readLines()
def dir = new File(basedir, 'src/main/grad/org/acme').path
def reported = { List<String> expected ->
  def start = log.indexOf(expected[0])
  assert start >= 0 : "not in build.log: ${expected[0]}"
  assert log.subList(start, start + expected.size()) == expected
}
reported([
  "[ERROR] $dir/MissingOperand.grad:4:9: error[E0003]: expected an expression after '+', found '*'",
  '[ERROR]   |',
  '[ERROR] 4 | h = x + * W',
  '[ERROR]   |         ^',
].collect { it.toString() })
reported([
  "[ERROR] $dir/Semicolon.grad:3:29: error[E0001]: unexpected character ';'",
  '[ERROR]   |',
  '[ERROR] 3 | param W: float[4, 2] = zeros;',
  '[ERROR]   |                             ^',
  "[ERROR]  = hint: statements need no terminator: remove the ';'",
].collect { it.toString() })
assert log.any { it.contains('gradc: 2 errors in 2 model files (see above)') }
assert log.contains('[INFO] BUILD FAILURE')
assert new File(basedir, 'target/classes/org/acme/Good.class').isFile()
assert !new File(basedir, 'target/classes/org/acme/Semicolon.class').exists()
true
