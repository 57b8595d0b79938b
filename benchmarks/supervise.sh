#!/usr/bin/env bash
# Supervision benchmark (issue: the daemon: health checks, self-healing ...). A supervised child is
# SIGKILLed from outside 50 times; the real supervisor sees each exit, the real healing policy
# (zero backoff) decides, the actuator starts a new child. Prints median, p90, p99 and max of
# "kill -> exit seen" and "kill -> new child started". Goal: under 100 ms plus the backoff.
# Usage: benchmarks/supervise.sh [KILLS] [WARMUP]   (defaults 50 and 10)
# Env: MAVEN_ARGS (e.g. -o). Writes only under target/bench-supervise/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk25.sh || exit 1

out=target/bench-supervise
rm -rf "$out/state"
mkdir -p "$out"
# shellcheck source=benchmarks/agent-test-classpath.sh
. benchmarks/agent-test-classpath.sh
cp=$(agent_test_classpath "$out")
exec "$JAVA" -cp "$cp" io.haagent.agent.supervise.SuperviseBench "${1:-50}" "${2:-10}" "$out/state"
