#!/usr/bin/env bash
# Stop the cluster tools/ceph-rgw/start.sh started (by the pids it recorded) and delete its state.
set -euo pipefail
dir=${OVIRT_REPO_RGW_DIR:-/tmp/ovirt-repo-rgw}
[ -d "$dir" ] || exit 0
pids=()
for f in "$dir"/run/*.pid; do
  [ -f "$f" ] && pids+=("$(cat "$f")")
done
[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
for pid in "${pids[@]}"; do
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
done
rm -rf "$dir"
echo "stopped; removed $dir"
