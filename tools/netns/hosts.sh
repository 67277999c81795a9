#!/usr/bin/env bash
# Test "hosts": network namespaces from which the test Ceph RGW (tools/ceph-rgw/start.sh, 127.0.0.1:7480 in
# the root namespace) is reachable over a network, so tests run writers as on different machines.
#
#   tools/netns/hosts.sh up N [--env]   make hosts 1..N (keeps those already there); --env prints exports
#   tools/netns/hosts.sh exec I CMD...  run CMD on host I: in its network namespace, with its own host name
#   tools/netns/hosts.sh down           remove every host, the gateway and the relays
#
# Layout (no server listens outside loopback in the root namespace):
#   host namespace <prefix>-hI (eth0 10.213.0.(10+I)/24)
#     --veth-- gateway namespace <prefix>-gw (bridge br0 10.213.0.1/24; a relay listens on 10.213.0.1:7480)
#     --Unix socket (sockets in the file system cross network namespaces)--
#   root namespace: a relay from the socket to 127.0.0.1:7480 (RGW).
# The hosts reach each other and the gateway, nothing else. Needs root, iproute2, unshare and node.
# State (relay pids, socket, logs) in $OVIRT_REPO_NETNS_DIR (default /tmp/ovirt-repo-netns).
set -euo pipefail
cmd=${1:-}
prefix=${OVIRT_REPO_NETNS_PREFIX:-orh}
dir=${OVIRT_REPO_NETNS_DIR:-/tmp/ovirt-repo-netns}
net=${OVIRT_REPO_NETNS_SUBNET:-10.213.0}
rgw_port=${RGW_PORT:-7480}
gw="$prefix-gw"
here=$(cd "$(dirname "$0")" && pwd)
node=${NODE:-$(command -v node || true)}

usage() { echo "usage: hosts.sh up N [--env] | exec I CMD... | down" >&2; exit 2; }

for tool in ip unshare flock; do
  command -v "$tool" >/dev/null || { echo "hosts.sh: $tool is missing (apt-get install -y iproute2 util-linux)" >&2; exit 1; }
done

# One caller at a time makes or removes namespaces (parallel test suites).
lock() { mkdir -p "$(dirname "$dir")"; exec 9>"$dir.lock"; flock 9; }

has_ns() { ip netns list | grep -qE "^$1( |\$)"; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# A relay (forward.mjs) started once, its pid in $dir/$1.pid; $2...: the command prefix that places it.
relay() {
  local name=$1; shift
  alive "$dir/$name.pid" && return 0
  # shellcheck disable=SC2086
  setsid "$@" "$node" "$here/forward.mjs" "${relay_args[@]}" >>"$dir/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$dir/$name.pid"
}

up() {
  local n=${1:-}; [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 200 ] || usage
  [ -n "$node" ] || { echo "hosts.sh: node is missing" >&2; exit 1; }
  [ "$(id -u)" = 0 ] || { echo "hosts.sh: making network namespaces needs root" >&2; exit 1; }
  lock
  mkdir -p "$dir"
  if ! has_ns "$gw"; then
    ip netns add "$gw"
    ip -n "$gw" link set lo up
    ip -n "$gw" link add br0 type bridge
    ip -n "$gw" addr add "$net.1/24" dev br0
    ip -n "$gw" link set br0 up
  fi
  local i h
  for i in $(seq 1 "$n"); do
    h="$prefix-h$i"
    has_ns "$h" && continue
    ip netns add "$h"
    ip -n "$h" link set lo up
    # Made inside the host namespace, its peer moved to the gateway: nothing is left in the root namespace.
    ip -n "$h" link add eth0 type veth peer name "v$i" netns "$gw"
    ip -n "$h" addr add "$net.$((10 + i))/24" dev eth0
    ip -n "$h" link set eth0 up
    ip -n "$gw" link set "v$i" master br0 up
  done
  relay_args=("unix:$dir/rgw.sock" "tcp:127.0.0.1:$rgw_port"); relay root
  relay_args=("tcp:$net.1:7480" "unix:$dir/rgw.sock"); relay gw ip netns exec "$gw"
  # Ready when a request from host 1 reaches the relays (RGW itself may be down: any TCP answer will do).
  for _ in $(seq 1 100); do
    [ -S "$dir/rgw.sock" ] && ip netns exec "$prefix-h1" bash -c "exec 3<>/dev/tcp/$net.1/7480" 2>/dev/null && break
    sleep 0.05
  done
  [ -S "$dir/rgw.sock" ] && ip netns exec "$prefix-h1" bash -c "exec 3<>/dev/tcp/$net.1/7480" 2>/dev/null ||
    { echo "hosts.sh: the relays did not come up (logs in $dir)" >&2; exit 1; }
  cat >"$dir/env" <<ENV
export OVIRT_REPO_TEST_HOSTS_PREFIX=$prefix
export OVIRT_REPO_TEST_HOSTS_ENDPOINT=http://$net.1:7480
ENV
  if [ "${2:-}" = --env ]; then cat "$dir/env"; else echo "hosts 1..$n up; RGW at http://$net.1:7480 from each"; fi
}

down() {
  lock
  local f ns
  for f in "$dir"/*.pid; do
    [ -f "$f" ] || continue
    alive "$f" && kill "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$prefix-(gw|h[0-9]+)\$" || true); do
    ip netns del "$ns"
  done
  rm -rf "$dir"
}

case "$cmd" in
  up) shift; up "$@" ;;
  down) down ;;
  exec)
    shift; i=${1:-}; [[ "$i" =~ ^[0-9]+$ ]] || usage; shift; [ $# -gt 0 ] || usage
    has_ns "$prefix-h$i" || { echo "hosts.sh: host $i is not up (hosts.sh up N)" >&2; exit 1; }
    # Its own UTS namespace: a lock "held on this host" by a pid that is gone there means nothing here.
    exec ip netns exec "$prefix-h$i" unshare --uts sh -c 'hostname "$0" && exec "$@"' "test-host-$i" "$@"
    ;;
  *) usage ;;
esac
