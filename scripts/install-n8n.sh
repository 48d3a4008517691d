#!/usr/bin/env bash
# Installs the n8n used by the live tests into a cache folder outside the project
# (idempotent: a finished install is reused). Facts: ../shared/docs/N8N-TEST-INSTANCE.md.
# - n8n 2.x needs Node 24; 1.123.x runs on Node 20.
# - xlsx comes from a CDN tarball in n8n's tree: pinned to the npm registry's 0.18.5.
# - isolated-vm does not build on Node 20: --ignore-scripts, then rebuild sqlite3 only.
set -euo pipefail
version="${N8N_VERSION:-1.123.81}"
dir="${FLIGHTDECK_N8N_DIR:-$HOME/.cache/flightdeck/n8n-$version}"
if [ -f "$dir/.installed" ]; then echo "$dir"; exit 0; fi
mkdir -p "$dir"
cat > "$dir/package.json" <<JSON
{ "name": "flightdeck-n8n-test", "private": true,
  "dependencies": { "n8n": "$version" },
  "overrides": { "xlsx": "0.18.5" } }
JSON
cd "$dir"
echo "installing n8n $version into $dir (about 2 minutes with a warm cache)" >&2
npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2
npm rebuild sqlite3 --loglevel=error >&2
touch .installed
echo "$dir"
