def log = new File(basedir, 'build.log').text
assert new File(basedir, 'target/classes/org/acme/Xor.class').isFile()
assert log.contains('gradc: compiled 1 model to ')
assert log =~ /Tests run: 1, Failures: 0, Errors: 0, Skipped: 0/
assert log.contains('xor loss ')
assert log.contains('BUILD SUCCESS')
true
