#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver for the browser tests, when missing and when we can.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium and chromium-driver for the browser tests..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
else
  echo "chromium/chromedriver missing: install Debian's 'chromium' and 'chromium-driver' (sudo apt-get install ...)" >&2
  exit 1
fi
