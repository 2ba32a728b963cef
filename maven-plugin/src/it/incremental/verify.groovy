import java.nio.file.*
import java.security.MessageDigest
import java.util.concurrent.TimeUnit

// Every file the build wrote, with its content hash and time stamp.
def snapshot = {
  def files = [:]
  ['target/classes', 'target/gradc'].each { dir ->
    new File(basedir, dir).eachFileRecurse(groovy.io.FileType.FILES) { f ->
      def sha = MessageDigest.getInstance('SHA-256').digest(f.bytes).encodeHex().toString()
      files[basedir.toPath().relativize(f.toPath()).toString()] = sha + '@' + f.lastModified()
    }
  }
  files
}

// Runs Maven again on this project, offline, against the repository the first build filled. The
// settings name the same repository id as src/it/settings.xml, because Maven accepts an artifact
// offline only from a repository of the id it was downloaded from.
def settings = new File(basedir, 'target/offline-settings.xml')
settings.text = '''<settings><profiles><profile><id>it-repo</id>
  <activation><activeByDefault>true</activeByDefault></activation>
  <repositories><repository><id>local.central</id><url>file:///nonexistent</url></repository></repositories>
  <pluginRepositories><pluginRepository><id>local.central</id><url>file:///nonexistent</url></pluginRepository></pluginRepositories>
</profile></profiles></settings>'''
def build = { String name ->
  def mvn = new File(System.getProperty('maven.home'), 'bin/mvn').path
  def log = new File(basedir, name)
  def pb = new ProcessBuilder(mvn, '-B', '-o', '-s', settings.path,
      '-Dmaven.repo.local=' + localRepositoryPath, 'compile')
      .directory(basedir).redirectErrorStream(true).redirectOutput(log)
  pb.environment().put('MAVEN_OPTS', '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC')
  def p = pb.start()
  assert p.waitFor(300, TimeUnit.SECONDS) : "$name: timed out"
  assert p.exitValue() == 0 : "$name failed:\n" + log.text
  log.text
}

def first = new File(basedir, 'build.log').text
assert first.contains('gradc: compiled 2 models to ')
def xor = 'target/classes/org/acme/Xor.class'
def line = 'target/classes/org/acme/Line.class'
def before = snapshot()
assert before.containsKey(xor) && before.containsKey(line)
assert before.keySet().any { it.startsWith('target/gradc/') && it.endsWith('.state') }

// 1. Nothing changed: nothing is rewritten, not even the state file.
Thread.sleep(1500)   // so that any rewrite shows in the time stamps
def second = build('build-2.log')
assert second.contains('gradc: 2 models up to date')
assert snapshot() == before

// 2. A comment changes: the model is recompiled but its class has the same bytes and is kept.
def lineSrc = new File(basedir, 'src/main/grad/org/acme/Line.grad')
lineSrc.text = lineSrc.text + '// a comment\n'
def third = build('build-3.log')
assert third.contains('gradc: compiled 1 model to ') && third.contains('(1 up to date)')
def afterComment = snapshot()
assert afterComment[xor] == before[xor]
assert afterComment[line] == before[line]

// 3. A real change recompiles that model only.
lineSrc.text = lineSrc.text.replace('lr = 0.1', 'lr = 0.3')
def fourth = build('build-4.log')
assert fourth.contains('gradc: compiled 1 model to ') && fourth.contains('(1 up to date)')
def afterChange = snapshot()
assert afterChange[xor] == before[xor]
assert afterChange[line] != before[line]

// 4. The class of a deleted model goes with it.
lineSrc.delete()
new File(basedir, 'src/main/java/org/acme/Uses.java').delete()
def fifth = build('build-5.log')
assert fifth.contains('org/acme/Line.grad was deleted; removed its classes')
assert !new File(basedir, line).exists()
assert new File(basedir, xor).isFile()
true
