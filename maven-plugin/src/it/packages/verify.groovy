def classes = new File(basedir, 'target/classes')
assert new File(classes, 'com/acme/vision/Vision.class').isFile()
assert new File(classes, 'com/acme/text/Text.class').isFile()
assert new File(classes, 'com/acme/generated/Deep.class').isFile()
assert new File(classes, 'com/acme/App.class').isFile()
assert !new File(classes, 'com/acme/drafts').exists()
assert !new File(classes, 'com/acme/generated/Ignored.class').exists()
def log = new File(basedir, 'build.log').text
assert log.contains('gradc: compiled 2 models to ')
assert log.contains('gradc: compiled 1 model to ')
assert new File(basedir, 'target/gradc/compile-from-folders.state').isFile()
assert new File(basedir, 'target/gradc/compile-one-package.state').isFile()
true
