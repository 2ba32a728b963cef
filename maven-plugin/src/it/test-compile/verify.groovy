assert new File(basedir, 'target/test-classes/org/acme/TinyLine.class').isFile()
assert !new File(basedir, 'target/classes/org/acme/TinyLine.class').exists()
def log = new File(basedir, 'build.log').text
assert log =~ /Tests run: 1, Failures: 0, Errors: 0, Skipped: 0/
true
