#!/usr/bin/env bash
# Footprint benchmark (issue 13). Runs `haagent run` on one of two jobs and prints its resident
# memory (VmRSS: anonymous and file-backed) and CPU every minute and at the end, with the JVM
# options the launcher gives the daemon (lib/daemon.jvm-options):
#   small  one VRRP instance over udp (v3, 1 s adverts, to a peer that never answers, so it is MASTER)
#          tracking one command check every 2 s: the job keepalived does in 13 MiB
#   large  200 checks (100 http and 50 tcp against a local jwebserver, 25 disk, 25 file_age) and 20
#          supervised services
# By default through the Debian package: packaging/target/haagent_*.deb is unpacked (dpkg-deb -x, no
# install) and its /usr/lib/haagent/bin/haagent runs with the package's own Java runtime, from the AOT
# cache `haagent aot-cache` makes first, as the package's postinst does.
# With --job small, and when run as root with keepalived installed, it then runs keepalived for the
# same job (one unicast VRRP instance tracking `true` every 2 s, on a veth interface in a network
# namespace of its own: keepalived refuses lo) and
# prints the resident memory of its two processes.
# Usage: benchmarks/footprint.sh [--job small|large] [--tarball] [--load-push] [SECONDS]   (default small, 120 s)
#   --tarball    run ./haagent (the tarball's launcher, with the JDK 25 scripts/jdk25.sh finds) instead
#   --no-aot-cache  without the daemon's AOT cache (what it buys is the difference)
#   --load-push  the job also pushes its load (scaler.push, issue 15) every 10 s to an http sink on loopback
#                (a python3 receiver that answers 204), with the application's throughput from a Redis INFO
#                when redis-server is installed
# Loopback only; cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/.."
job=small
seconds=120
through=package
load_push=
aot_cache=1
while [ $# -gt 0 ]; do
    case $1 in
        --job) job=$2; shift 2 ;;
        --tarball) through=tarball; shift ;;
        --load-push) load_push=1; shift ;;
        --no-aot-cache) aot_cache=; shift ;;
        *) seconds=$1; shift ;;
    esac
done
case $job in small | large) ;; *) echo "usage: $0 [--job small|large] [--tarball] [--load-push] [--no-aot-cache] [SECONDS]" >&2; exit 2 ;; esac
. scripts/jdk25.sh || exit 1
./haagent version >/dev/null # builds the distribution and the package when the sources changed

out=$(mktemp -d /tmp/haagent-footprint.XXXXXX)
pids=()
netns=
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -z "$netns" ] || ip netns delete "$netns" 2>/dev/null || true
    rm -rf "$out"
}
trap cleanup EXIT

if [ "$through" = package ]; then
    deb=$(ls packaging/target/haagent_*.deb 2>/dev/null | head -1)
    [ -n "$deb" ] || { echo "no packaging/target/haagent_*.deb: run ./mvnw package first" >&2; exit 1; }
    dpkg-deb -x "$deb" "$out/root"
    haagent=$out/root/usr/lib/haagent/bin/haagent
    echo "through the package: $deb"
else
    haagent=./haagent
    echo "through the tarball's launcher with $JAVA_HOME"
fi

# A port nothing answers on at 127.0.0.1 (connecting is the test; nothing is sent).
free_port() {
    local p
    while true; do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}
admin_port=$(free_port)
mkdir -p "$out/state"
if [ "$job" = small ]; then
    {
        echo "node: { name: footprint, state_dir: $out/state, admin: { listen: \"127.0.0.1:$admin_port\" } }"
        echo "checks:"
        echo "  gate: { type: command, command: [\"true\"], interval: 2s, timeout: 1s }"
        echo "vrrp:"
        echo "  vip:"
        echo "    { vrid: 51, priority: 150, advert_interval: 1s, version: 3, transport: udp, interface: lo,"
        echo "      unicast: { source: 127.0.0.1, port: $(free_port), peers: [\"127.0.0.1:$(free_port)\"] },"
        echo "      track: [ { check: gate } ] }"
    } >"$out/haagent.yaml"
    what="1 VRRP instance (udp) tracking 1 command check"
else
    web_port=$(free_port)
    mkdir -p "$out/www"
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
    what="200 checks, 20 services"
fi
if [ -n "$load_push" ]; then
    export AWS_EC2_METADATA_DISABLED=true # loopback only: the sample's EC2 identity is not asked for
    sink_port=$(free_port)
    python3 -c '
import http.server, sys
class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
' "$sink_port" &
    pids+=($!)
    throughput=
    if command -v redis-server >/dev/null; then
        redis_port=$(free_port)
        redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >/dev/null &
        pids+=($!)
        throughput="throughput: { redis: { host: 127.0.0.1, port: $redis_port } },"
    fi
    echo "scaler: { push: { role: footprint, interval: 10s, $throughput sink: { http: { url: \"http://127.0.0.1:$sink_port/v1/load\" } } } }" >>"$out/haagent.yaml"
    what="$what, load push every 10 s"
fi
export HAAGENT_CACHE_DIR=$out/cache
"$haagent" lint "$out/haagent.yaml" >/dev/null
if [ -n "$aot_cache" ]; then
    echo "the daemon's AOT cache: $("$haagent" aot-cache)"
else
    echo "the daemon's AOT cache: none (--no-aot-cache)"
fi

"$haagent" run --config "$out/haagent.yaml" >"$out/haagent.log" 2>&1 &
pids+=($!)
jvm=
for _ in $(seq 1 50); do
    jvm=$(pgrep -f "cli.Main run --config $out/haagent.yaml" | head -1) && break
    sleep 0.1
done
[ -n "$jvm" ] || { echo "haagent run did not start:"; cat "$out/haagent.log"; exit 1; }
echo "haagent run pid $jvm: $what; JVM options: $(tr '\0' '\n' </proc/$jvm/cmdline | grep -E '^(-X|-D|@)' | tr '\n' ' ')"

rss() { awk '/^(VmRSS|RssAnon|RssFile)/ {printf "%s %.1f MiB  ", $1, $2/1024}' "/proc/$jvm/status"; }
cpu() { awk '{printf "%.2f", ($14+$15)/100}' "/proc/$jvm/stat"; }
start=$(date +%s)
next=60
while true; do
    now=$(($(date +%s) - start))
    kill -0 "$jvm" 2>/dev/null || { echo "haagent exited early:"; tail -20 "$out/haagent.log"; exit 1; }
    if ((now >= seconds)); then break; fi
    if ((now >= next)); then echo "after ${now}s: $(rss)CPU $(cpu) s so far"; next=$((next + 60)); fi
    sleep 2
done
echo "after ${seconds}s: $(rss)CPU $(cpu) s in total"
curl -s "http://127.0.0.1:$admin_port/metrics" | grep -E '^haagent_check_up\{' | awk '{s[$2]++} END {for (k in s) printf "checks with haagent_check_up=%s: %d\n", k, s[k]}'
curl -s "http://127.0.0.1:$admin_port/metrics" | grep -E '^haagent_vrrp_state\{' | head -3 || true
[ -z "$load_push" ] || curl -s "http://127.0.0.1:$admin_port/metrics" | grep -E '^haagent_load_push_(samples|dropped|failures)_total' || true

# keepalived for the same small job, as the baseline
[ "$job" = small ] || exit 0
keepalived=$(command -v keepalived || true)
if [ "$(id -u)" != 0 ] || [ -z "$keepalived" ]; then
    echo "keepalived for comparison: skipped (needs root and keepalived on the PATH)"
    exit 0
fi
kill "$jvm" 2>/dev/null || true
netns=hafp-$$
ip netns add "$netns"
# keepalived refuses lo for VRRP: a veth pair inside the namespace, its other end silent
ip -n "$netns" link add d0 type veth peer name d1
ip -n "$netns" addr add 10.255.0.1/24 dev d0
ip -n "$netns" link set d0 up
ip -n "$netns" link set d1 up
cat >"$out/keepalived.conf" <<CONF
global_defs {
    router_id footprint
    script_user root
}
vrrp_script gate {
    script "/bin/true"
    interval 2
    timeout 1
}
vrrp_instance vip {
    state BACKUP
    interface d0
    virtual_router_id 51
    priority 150
    advert_int 1
    version 3
    unicast_src_ip 10.255.0.1
    unicast_peer { 10.255.0.2 }
    track_script { gate }
    virtual_ipaddress { 10.255.0.100/24 dev d0 }
}
CONF
ip netns exec "$netns" "$keepalived" --dont-fork --log-console --no-syslog --vrrp --use-file="$out/keepalived.conf" \
    --pid="$out/keepalived.pid" --vrrp_pid="$out/vrrp.pid" >"$out/keepalived.log" 2>&1 &
pids+=($!)
sleep 30
kpids=$(cat "$out/keepalived.pid" "$out/vrrp.pid" 2>/dev/null | tr '\n' ' ' || true)
[ -n "$kpids" ] || { echo "keepalived did not start:"; tail -5 "$out/keepalived.log"; exit 1; }
total=0
for p in $kpids; do total=$((total + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status"))); done
echo "keepalived $("$keepalived" --version 2>&1 | head -1 | awk '{print $2}') for the same job after 30s: VmRSS $(awk -v t="$total" 'BEGIN {printf "%.1f", t/1024}') MiB (processes $kpids)"
