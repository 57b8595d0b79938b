#!/usr/bin/env bash
# Check benchmark (issue: the daemon: health checks ...). Runs N http checks through the real
# scheduler and probes against a Netty HTTP server on 127.0.0.1 (a separate JVM, so the agent's CPU
# time is its own) and prints the sustained checks/s and the agent's CPU seconds per 1,000 checks.
# Goal: >= 5,000 checks/s with under one core. Bounded: at most 30 s of measuring.
# Usage: benchmarks/checks.sh [--checks 5000] [--interval 1s] [--warmup 10] [--seconds 20] [--io-threads 1]
# The agent side runs with the daemon's own JVM options (packaging/src/main/dist/lib/daemon.jvm-options,
# what `haagent run` uses), so the footprint settings are measured here too.
# Env: MAVEN_ARGS (e.g. -o), HAAGENT_BENCH_JAVA_OPTS (more JVM options for the agent side, after those).
# Writes only under target/bench-checks/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk25.sh || exit 1

out=target/bench-checks
mkdir -p "$out"
# CheckBench lives with the checker tests. Build checker alone when config-lint and testkit are
# installed in ~/.m2 already; on a fresh clone, with them (-am).
build=(test-compile dependency:build-classpath -Dmdep.includeScope=test "-Dmdep.outputFile=$PWD/$out/classpath.txt")
if ! ./mvnw -q -B -pl checker "${build[@]}" 2>"$out/build.log"; then
    echo "building checker alone failed; building it with the modules it needs (see $out/build.log)" >&2
    ./mvnw -q -B -pl checker -am "${build[@]}"
fi
cp="checker/target/test-classes:checker/target/classes:$(cat "$out/classpath.txt")"
# shellcheck disable=SC2086 # HAAGENT_BENCH_JAVA_OPTS is a list of options
exec "$JAVA" @packaging/src/main/dist/lib/daemon.jvm-options ${HAAGENT_BENCH_JAVA_OPTS:-} -cp "$cp" io.haagent.checker.CheckBench "$@"
