#!/usr/bin/env bash
# Lint benchmark (issue: Foundation). Lints a generated config of 1,000 checks, 500 services and
# 50 VRRP instances and prints:
#   - the whole `./haagent lint` command, JVM start included: first run, then median and max of RUNS;
#   - the lint alone, in one JVM: cold (first call) and warm median/max.
# Usage: benchmarks/lint.sh [RUNS]   (default 20). Writes only under target/bench-lint/.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
. scripts/jdk25.sh || exit 1

out=target/bench-lint
mkdir -p "$out"
./haagent version >/dev/null                       # builds the distribution if needed
./mvnw -q -B -pl config-lint test-compile          # LintBench lives with the config-lint tests
cp="config-lint/target/test-classes:packaging/target/haagent/lib/*"
"$JAVA" -cp "$cp" io.haagent.lint.LintBench --write "$out/bench.yaml"
echo "config: $(wc -l <"$out/bench.yaml") lines, $(wc -c <"$out/bench.yaml") bytes"

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
times=()
for ((i = 0; i <= runs; i++)); do
    t=$(date +%s%N)
    ./haagent lint "$out/bench.yaml" >/dev/null 2>&1 || { echo "lint failed on the generated config" >&2; exit 1; }
    times+=("$(ms "$t")")
done
first=${times[0]}
sorted=($(printf '%s\n' "${times[@]:1}" | sort -n))
echo "whole command ./haagent lint: first run ${first} ms; then median ${sorted[$((runs / 2))]} ms, max ${sorted[$((runs - 1))]} ms over ${runs} runs"
"$JAVA" -cp "$cp" io.haagent.lint.LintBench "$out/bench.yaml"
