def log = new File(basedir, 'build.log').text
assert log.contains('gradc: skipped (gradc.skip)')
assert log.contains('BUILD SUCCESS')
assert !new File(basedir, 'target/classes/Broken.class').exists()
assert !new File(basedir, 'target/gradc').exists()
true
