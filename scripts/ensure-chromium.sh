#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (a test tool's own browser download cannot work
# offline). Installs it once when missing; a no-op afterwards.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null; then
  echo "Chromium is missing: install Debian's 'chromium' package (apt-get install chromium), then rerun." >&2
  exit 1
fi
SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
echo "Installing Debian's chromium for the browser tests (once)..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
