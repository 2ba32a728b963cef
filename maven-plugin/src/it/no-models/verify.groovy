def log = new File(basedir, 'build.log').text
assert log.contains('gradc: no models in ' + new File(basedir, 'src/main/grad').path)
assert log.contains('gradc: no models in ' + new File(basedir, 'src/test/grad').path)
assert log.contains('BUILD SUCCESS')
true
