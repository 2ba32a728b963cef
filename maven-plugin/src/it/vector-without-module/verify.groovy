def log = new File(basedir, 'build.log').text
// Neither Maven nor the test JVM has jdk.incubator.vector: the build writes the vector kernels
// anyway, and the model class runs its scalar ones, saying once how to get the fast ones.
assert new File(basedir, 'target/classes/org/acme/Xor$Kernels256.class').exists()
assert log.contains('xor runs kernels of 0 bits')
assert log.contains('gradc: the Vector API is not enabled, so kernels use the scalar back end (slower); run java with --add-modules jdk.incubator.vector to enable it')
assert log =~ /Tests run: 1, Failures: 0, Errors: 0, Skipped: 0/
assert log.contains('BUILD SUCCESS')
true
