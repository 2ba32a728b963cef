def log = new File(basedir, 'build.log').text
assert log.contains('gradc: backend vector needs the jdk.incubator.vector module in the JVM that runs Maven: set MAVEN_OPTS="--add-modules jdk.incubator.vector"')
assert log.contains('BUILD FAILURE')
true
