def log = new File(basedir, 'build.log').text
def dir = new File(basedir, 'target/classes/org/acme')
// The model class has scalar kernels and names no Vector API class, so it loads on any JVM; its
// nestmates hold the Vector API kernels of each width, and the class picks one when it loads.
assert !new String(new File(dir, 'Xor.class').bytes, 'ISO-8859-1').contains('jdk/incubator/vector/')
[128, 256, 512].each { bits ->
  def k = new String(new File(dir, 'Xor$Kernels' + bits + '.class').bytes, 'ISO-8859-1')
  assert k.contains('jdk/incubator/vector/') && k.contains('SPECIES_' + bits)
}
// the jar holds all four
def jar = new java.util.zip.ZipFile(new File(basedir, 'target/vector-backend-1.0.jar'))
assert ['', '$Kernels128', '$Kernels256', '$Kernels512'].every { jar.getEntry('org/acme/Xor' + it + '.class') != null }
jar.close()
// the test ran with the module, so with the kernels of this machine's preferred width; Maven,
// which only reads the spec for the typed API, says nothing about the Vector API
assert !log.contains('the Vector API is not enabled')
assert log =~ /xor runs kernels of (128|256|512) bits/
assert log =~ /Tests run: 1, Failures: 0, Errors: 0, Skipped: 0/
assert log.contains('BUILD SUCCESS')
true
