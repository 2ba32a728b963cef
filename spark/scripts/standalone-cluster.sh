#!/usr/bin/env bash
# Runs the Spark example on a real standalone cluster on this machine: a Spark master, a worker,
# and executors in JVMs of their own, the example submitted through SparkSubmit (what the
# spark-submit script runs) in client mode. Without a Spark download: the "distribution" is
# Spark's jars from Maven Central (the module's provided dependencies) in a SPARK_HOME/jars folder.
# Prints the example's output; exits non-zero unless the Spark run is bit-identical to
# Trainer.threads(P) in the driver.
#
#   spark/scripts/standalone-cluster.sh [steps] [partitions]      (from the project root)
set -euo pipefail
steps="${1:-100}"
partitions="${2:-2}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data=/usr/share/datasets/fashion-mnist
if [[ ! -r "$data/train-images-idx3-ubyte.gz" ]]; then
  echo "Fashion-MNIST not found in $data (apt-get install dataset-fashion-mnist)" >&2
  exit 2
fi
home="$(mktemp -d -t gradc-spark-home.XXXXXX)"
cleanup() {
  [[ -n "${worker:-}" ]] && kill "$worker" 2>/dev/null || true
  [[ -n "${master:-}" ]] && kill "$master" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$home"
}
trap cleanup EXIT

echo "building the example jar and listing Spark's jars..." >&2
(cd "$root" && mvn -B -q -pl spark -am package dependency:build-classpath -DskipTests \
  -Dspotless.check.skip=true -Dmdep.includeScope=provided -Dmdep.outputFile="$home/cp.txt")
mkdir -p "$home/jars" "$home/work"
tr ':' '\n' < "$home/cp.txt" | while read -r jar; do ln -s "$jar" "$home/jars/"; done
# The launcher that starts executors takes its class path from SPARK_HOME/jars when a RELEASE file
# marks a distribution, and needs the Scala version when it cannot read it off a build tree.
echo "Spark jars from Maven Central" > "$home/RELEASE"
export SPARK_HOME="$home" SPARK_SCALA_VERSION=2.13
# The options Spark's launcher adds for Java 17 (see docs/spark.md, "Running it").
opens=(-XX:+IgnoreUnrecognizedVMOptions -Dio.netty.tryReflectionSetAccessible=true)
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util \
  java.util.concurrent java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs \
  sun.security.action sun.util.calendar; do
  opens+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
cp="$home/jars/*"
port=$((7100 + RANDOM % 500))
java "${opens[@]}" -cp "$cp" org.apache.spark.deploy.master.Master \
  --host localhost --port "$port" --webui-port 0 > "$home/master.log" 2>&1 &
master=$!
for _ in $(seq 60); do grep -q "Successfully started service 'sparkMaster'" "$home/master.log" && break; sleep 1; done
java "${opens[@]}" -cp "$cp" org.apache.spark.deploy.worker.Worker "spark://localhost:$port" \
  --host localhost --cores "$partitions" --memory 3g --webui-port 0 --work-dir "$home/work" \
  > "$home/worker.log" 2>&1 &
worker=$!
for _ in $(seq 60); do grep -q "Successfully registered with master" "$home/worker.log" && break; sleep 1; done
echo "master spark://localhost:$port and one worker up; submitting..." >&2
out="$home/submit.log"
java -Xmx3g "${opens[@]}" --add-modules jdk.incubator.vector -cp "$cp" \
  org.apache.spark.deploy.SparkSubmit --master "spark://localhost:$port" --deploy-mode client \
  --class org.gradc.spark.examples.SparkFashionMnist \
  --conf spark.speculation=false \
  --conf "spark.executor.extraJavaOptions=--add-modules jdk.incubator.vector" \
  --executor-memory 2g --total-executor-cores "$partitions" \
  "$root/spark/target/gradc-spark-0.1.0-SNAPSHOT-example.jar" "$data" 1 "$partitions" \
  "--steps=$steps" --compare 2> "$home/submit.err" | tee "$out"
grep -q "bit-identical: true" "$out" || { echo "not bit-identical; see the logs above" >&2; tail -40 "$home/submit.err" >&2; exit 1; }
