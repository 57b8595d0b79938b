#!/usr/bin/env bash
# Footprint benchmark (issue: The daemon). Runs `./haagent run` with 200 checks (100 http and
# 50 tcp against a local jwebserver, 25 disk, 25 file_age) and 20 supervised services, and
# prints its resident memory (VmRSS) every minute and at the end, with the JVM flags the
# launcher chooses for `run`.
# Usage: benchmarks/footprint.sh [SECONDS]   (default 300). Loopback only; cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
. scripts/jdk25.sh || exit 1
./haagent version >/dev/null

out=$(mktemp -d /tmp/haagent-footprint.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$out"
}
trap cleanup EXIT

# A port nothing answers on at 127.0.0.1 (connecting is the test; nothing is sent).
free_port() {
    local p
    while true; do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}
web_port=$(free_port)
admin_port=$(free_port)
mkdir -p "$out/www" "$out/state"
echo ok >"$out/www/healthz"
"$JAVA_HOME/bin/jwebserver" -b 127.0.0.1 -p "$web_port" -d "$out/www" -o none >/dev/null 2>&1 &
pids+=($!)
touch "$out/app.log"

{
    echo "node: { name: footprint, state_dir: $out/state, admin: { listen: \"127.0.0.1:$admin_port\" } }"
    echo "checks:"
    for i in $(seq 1 100); do echo "  http$i: { type: http, url: \"http://127.0.0.1:$web_port/healthz\", expect_body: ok, interval: 2s, timeout: 1s }"; done
    for i in $(seq 1 50); do echo "  tcp$i: { type: tcp, address: \"127.0.0.1:$web_port\", interval: 2s, timeout: 1s }"; done
    for i in $(seq 1 25); do echo "  disk$i: { type: disk, path: /, max_used_percent: 100, interval: 5s }"; done
    for i in $(seq 1 25); do echo "  age$i: { type: file_age, path: $out/app.log, max_age: 1h, interval: 5s }"; done
    echo "services:"
    for i in $(seq 1 20); do echo "  svc$i: { checks: [http$i], process: { command: [\"sleep\", \"3600\"] } }"; done
} >"$out/haagent.yaml"
./haagent lint "$out/haagent.yaml" >/dev/null

./haagent run --config "$out/haagent.yaml" >"$out/haagent.log" 2>&1 &
launcher=$!
pids+=($launcher)
sleep 3
jvm=$(pgrep -f "cli.Main run --config $out/haagent.yaml" | head -1)
[ -n "$jvm" ] || { echo "haagent run did not start:"; cat "$out/haagent.log"; exit 1; }
echo "haagent run pid $jvm: 200 checks, 20 services; JVM flags: $(tr '\0' ' ' </proc/$jvm/cmdline | grep -o -- ' -X[^ ]*' | tr -d '\n')"

rss() { awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' "/proc/$jvm/status"; }
cpu() { awk '{printf "%.2f", ($14+$15)/100}' "/proc/$jvm/stat"; }
start=$(date +%s)
next=60
while true; do
    now=$(( $(date +%s) - start ))
    kill -0 "$jvm" 2>/dev/null || { echo "haagent exited early:"; tail -20 "$out/haagent.log"; exit 1; }
    if (( now >= seconds )); then break; fi
    if (( now >= next )); then echo "after ${now}s: RSS $(rss), CPU $(cpu) s so far"; next=$((next + 60)); fi
    sleep 5
done
echo "after ${seconds}s: RSS $(rss), CPU $(cpu) s in total"
curl -s "http://127.0.0.1:$admin_port/metrics" | grep -E '^haagent_check_up\{' | awk '{s[$2]++} END {for (k in s) printf "checks with haagent_check_up=%s: %d\n", k, s[k]}'
