#!/usr/bin/env bash
# Redis failover benchmark: the write-unavailability window when the master's redis-server is killed
# at a random moment (first failed write to first successful write through the service address), and
# the acknowledged (WAIT 1) writes lost, haagent against keepalived driving the same steps through notify
# scripts, RUNS kills each at every advert interval. In network namespaces: two hosts with a redis-server
# (not supervised, as under systemd) and the agent each, a third that writes through the address;
# keepalived checks Redis every 1 s with fall 1, haagent every HAAGENT_CHECKS (fall 2); the address as a
# local move (haagent) or virtual_ipaddress (keepalived). See RedisFailoverBench for the details.
# Usage: benchmarks/redis-failover.sh [RUNS] [ADVERTS] [HAAGENT_CHECKS]   (defaults 20, "1s,100ms", "1s,5s")
# Needs root, iproute2 (ip netns), redis-server and keepalived; exits 2 without them.
# Env: MAVEN_ARGS (e.g. -o). Writes only under target/bench-redis-failover/.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
    echo "redis-failover needs root (network namespaces, raw VRRP sockets); running as uid $(id -u)" >&2
    exit 2
fi
for program in ip redis-server keepalived; do
    if ! command -v "$program" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$program" ] && [ ! -x "/sbin/$program" ]; then
        echo "redis-failover needs $program (apt-get install iproute2 redis-server keepalived)" >&2
        exit 2
    fi
done
. scripts/jdk25.sh || exit 1

out=target/bench-redis-failover
rm -rf "$out/work"
mkdir -p "$out"
# shellcheck source=benchmarks/agent-test-classpath.sh
. benchmarks/agent-test-classpath.sh
cp=$(agent_test_classpath "$out")
exec "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$cp" io.haagent.agent.daemon.RedisFailoverBench \
    "${1:-20}" "${2:-1s,100ms}" "${3:-1s,5s}" "$out/work"
