def log = new File(basedir, 'build.log').text
assert log.contains("gradc: precision must be f32 or f64, but is 'f16'")
assert log.contains('BUILD FAILURE')
true
