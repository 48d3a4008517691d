#!/usr/bin/env bash
# The end-to-end bench compares the console with the seeds' design (BullMQ on Redis). Installs
# Debian's redis-server once when missing; a no-op afterwards. Without it the bench skips that
# baseline and says so.
set -euo pipefail
if [ -x "${REDIS_SERVER:-/usr/bin/redis-server}" ]; then exit 0; fi
if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null; then
  echo "redis-server is missing: install Debian's 'redis-server' package, then rerun (the BullMQ baseline is skipped)." >&2
  exit 0
fi
SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
echo "Installing Debian's redis-server for the BullMQ baseline of the benches (once)..." >&2
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null || \
  echo "Could not install redis-server: the BullMQ baseline is skipped." >&2
