def log = new File(basedir, 'build.log').text
def bytes = new File(basedir, 'target/classes/org/acme/Xor.class').bytes
// The class refers to the Vector API, so the vector back end wrote it.
assert new String(bytes, 'ISO-8859-1').contains('jdk/incubator/vector/')
assert log =~ /Tests run: 1, Failures: 0, Errors: 0, Skipped: 0/
assert log.contains('BUILD SUCCESS')
true
