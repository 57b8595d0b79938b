#!/usr/bin/env bash
# VRRP failover benchmark (issue: "time from the master's death to the backup's MASTER transition,
# haagent vs keepalived side by side, at advert 1 s and 100 ms (v3), 20 runs each, median and max;
# goal: haagent no slower than keepalived at either setting").
# In network namespaces, a v3 unicast pair per implementation (priority 150 master, 100 backup,
# preempt, same advert, same VIP); the master is SIGKILLed (no priority-0 advert) and the latency is
# the backup's MASTER notify-hook stamp minus the kill time; then the master is relaunched and takes
# the role back before the next run. Prints n, min, median, p90, max per (implementation, advert)
# beside Master_Down_Interval, and every failed run. Takes ~10-15 minutes with the defaults.
# Usage: benchmarks/vrrp-failover.sh [RUNS] [ADVERTS]   (defaults 20 and "1s,100ms")
# Needs root, iproute2 (ip netns) and keepalived; exits 2 without them.
# Env: MAVEN_ARGS (e.g. -o). Writes only under target/bench-vrrp-failover/.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
    echo "vrrp-failover needs root (network namespaces, raw VRRP sockets); running as uid $(id -u)" >&2
    exit 2
fi
if ! command -v ip >/dev/null 2>&1 && [ ! -x /usr/sbin/ip ] && [ ! -x /sbin/ip ]; then
    echo "vrrp-failover needs ip from iproute2 (apt-get install iproute2)" >&2
    exit 2
fi
if ! command -v keepalived >/dev/null 2>&1 && [ ! -x /usr/sbin/keepalived ] && [ -z "${KEEPALIVED:-}" ]; then
    echo "vrrp-failover needs keepalived to compare against (apt-get install keepalived)" >&2
    exit 2
fi
. scripts/jdk25.sh || exit 1

out=target/bench-vrrp-failover
rm -rf "$out/work"
mkdir -p "$out"
# shellcheck source=benchmarks/agent-test-classpath.sh
. benchmarks/agent-test-classpath.sh
cp=$(agent_test_classpath "$out")
# The bench starts each `haagent run` with its own java and class path (VrrpNode). It exits 2 when
# NetnsLab or keepalived cannot run here, and says why.
exec "$JAVA" -cp "$cp" io.haagent.agent.daemon.VrrpFailoverBench \
    "${1:-20}" "${2:-1s,100ms}" "$out/work"
