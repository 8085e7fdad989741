#!/usr/bin/env bash
# Runs drover-bench (resync | watch-throughput | churn | executor | server | sim | render), building its jar first when it is missing.
# Finds a JDK >= 21 like bin/drover does (JAVA_HOME, then /usr/lib/jvm/*). Extra JVM options: BENCH_JAVA_OPTS.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
. "$ROOT/bin/java-env.sh"
find_jdk
# DROVER_BENCH_JAR: run a copy of the jar (e.g. while the module is being rebuilt).
JAR="${DROVER_BENCH_JAR:-$HERE/target/drover-bench.jar}"
if [ -z "${DROVER_BENCH_JAR:-}" ] && { [ ! -f "$JAR" ] || [ -n "${BENCH_REBUILD:-}" ]; }; then
  quiet_maven_on_new_jdks
  ensure_maven
  echo "drover-bench: building $JAR" >&2
  (cd "$ROOT" && mvn -B -q -ntp package -DskipTests -pl drover-bench -am) >&2
fi
# The test ground needs the kube-apiserver binary and etcd (built/installed once per machine).
bash "$ROOT/drover-testkit/src/main/resources/dev/drover/testkit/install-testground.sh" >/dev/null
exec "$JAVA_HOME/bin/java" -Xmx4g ${BENCH_JAVA_OPTS:-} -jar "$JAR" "$@"
