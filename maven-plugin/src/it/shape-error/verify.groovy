// Shape errors name both shapes and point at the expression; both files are reported in full;
// the good model is still compiled; the build fails with the count.
def log = new File(basedir, 'build.log').text.readLines()
def dir = new File(basedir, 'src/main/grad/org/acme').path
def reported = { List<String> expected ->
  def start = log.indexOf(expected[0])
  assert start >= 0 : "not in build.log: ${expected[0]}"
  assert log.subList(start, start + expected.size()) == expected
}
reported([
  "[ERROR] $dir/Broadcast.grad:5:11: error[E0301]: cannot broadcast float[batch, 3] with float[2]",
  '[ERROR]   |',
  '[ERROR] 5 | loss mean(x @ W + b)',
  '[ERROR]   |           ^^^^^^^^^',
  '[ERROR]  = hint: shapes are aligned from the right; each pair of extents must be equal or one of them 1',
  '[ERROR]  = hint: the batch extent only broadcasts against 1',
].collect { it.toString() })
reported([
  "[ERROR] $dir/Matmul.grad:6:10: error[E0303]: cannot multiply float[batch, 256] @ float[128, 10]: the inner extents differ",
  '[ERROR]   |',
  '[ERROR] 6 | logits = h @ W2',
  '[ERROR]   |          ^^^^^^',
  '[ERROR]  = hint: the columns of the left operand must equal the rows of the right one',
].collect { it.toString() })
assert log.any { it.contains('gradc: 2 errors in 2 model files (see above)') }
assert log.contains('[INFO] BUILD FAILURE')
assert new File(basedir, 'target/classes/org/acme/Good.class').isFile()
true
