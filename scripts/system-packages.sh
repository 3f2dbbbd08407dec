#!/bin/sh
# Installs the system packages a make target needs, when they are missing and this user may
# (root, or passwordless sudo); otherwise stops at once with the exact command to run.
# Usage: scripts/system-packages.sh run|test
set -eu
chromium=${CHROMIUM:-/usr/bin/chromium}
missing=""
need() { # need PACKAGE CHECK...: PACKAGE is missing when the check command fails
  pkg=$1
  shift
  "$@" >/dev/null 2>&1 || missing="$missing $pkg"
}
need python3 command -v python3
need python3-venv python3 -c "import ensurepip, venv"
if [ "${1:-run}" = test ]; then
  need chromium test -x "$chromium"
  need nodejs command -v node
  need npm command -v npm
fi
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages:$missing. Install them with your package manager." >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  sudo=""
elif sudo -n true 2>/dev/null; then
  sudo="sudo"
else
  echo "Missing system packages:$missing." >&2
  echo "Run: sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi
echo "Installing system packages:$missing"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
if [ "${1:-run}" = test ] && ! test -x "$chromium"; then
  echo "chromium was installed but $chromium is missing; set CHROMIUM to its path" >&2
  exit 1
fi
