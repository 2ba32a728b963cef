def log = new File(basedir, 'build.log').text
def file = new File(basedir, 'src/main/grad/my-models/M.grad').path
assert log.contains("[ERROR] $file: error: my-models/M.grad: folder 'my-models' is not a valid Java package name; rename it or set <packageName>")
assert log.contains('gradc: 1 error in 1 model file (see above)')
assert log.contains('BUILD FAILURE')
true
