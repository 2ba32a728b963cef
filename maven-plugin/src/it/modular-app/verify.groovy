import java.util.concurrent.TimeUnit

def log = new File(basedir, 'build.log').text
assert log.contains('gradc: compiled 1 model to ')
assert log.contains('BUILD SUCCESS')
assert new File(basedir, 'target/generated-sources/gradc/org/acme/XorApi.java').isFile()
assert new File(basedir, 'target/classes/module-info.class').isFile()
assert new File(basedir, 'target/classes/org/acme/XorApi.class').isFile()

// The runtime jar this build used is a named module.
def runtimeDir = new File(localRepositoryPath, 'org/gradc/gradc-runtime')
def runtimeJar = null
runtimeDir.eachFileRecurse(groovy.io.FileType.FILES) {
  if (it.name ==~ /gradc-runtime-.*\d(-SNAPSHOT)?\.jar/) runtimeJar = it
}
assert runtimeJar != null : "no runtime jar under $runtimeDir"
assert new java.util.jar.JarFile(runtimeJar).getEntry('module-info.class') != null

// Run the application on the module path: app module + runtime module, nothing on the class path.
def java = new File(System.getProperty('java.home'), 'bin/java').path
def modulePath = new File(basedir, 'target/classes').path + File.pathSeparator + runtimeJar.path
def pb = new ProcessBuilder(java, '--module-path', modulePath, '-m', 'org.acme.app/org.acme.App')
    .directory(basedir).redirectErrorStream(true)
def p = pb.start()
def out = p.inputStream.text
assert p.waitFor(120, TimeUnit.SECONDS)
new File(basedir, 'run.log').text = out
assert p.exitValue() == 0 : out
assert out.contains('xor on the module path: app org.acme.app, runtime org.gradc.runtime, W1 has 16 weights') : out
true
