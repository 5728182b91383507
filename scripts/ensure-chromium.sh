#!/usr/bin/env bash
# Makes sure a Chromium for the browser checks is installed: the presence example's page is
# tested in headless Chromium (languages/node-support/examples/presence). On Debian and Ubuntu,
# as root, it installs the distribution's package; elsewhere it says what to do.
set -euo pipefail

for candidate in "${CHROMIUM_PATH:-}" chromium chromium-browser google-chrome; do
  if [ -n "$candidate" ] && command -v "$candidate" > /dev/null; then
    exit 0
  fi
done

if command -v apt-get > /dev/null && [ "$(id -u)" = 0 ]; then
  echo "installing Chromium for the browser checks (apt-get install chromium)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q chromium > /dev/null || { apt-get update -q > /dev/null && apt-get install -y -q chromium > /dev/null; }
  exit 0
fi

echo "The browser checks need Chromium: install it (Debian/Ubuntu: apt-get install chromium)," >&2
echo "or set CHROMIUM_PATH to a Chromium or Chrome executable." >&2
exit 1
