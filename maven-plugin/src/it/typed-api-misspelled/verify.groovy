// The typed API turns a misspelled input into a compile error naming it.
def log = new File(basedir, 'build.log').text
assert new File(basedir, 'target/generated-sources/gradc/org/acme/XorApi.java').isFile()
assert log.contains('COMPILATION ERROR')
assert log =~ /Misspelled\.java:\[8,\d+\] cannot find symbol/
assert log.contains('symbol:   method feedInput(float[])')
assert log.contains('BUILD FAILURE')
true
