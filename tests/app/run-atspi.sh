#!/usr/bin/env bash
# run-atspi.sh: starts the app on a private session bus with the AT-SPI
# backend and checks its controls out of process (atspi-check.py), first on
# the welcome view, then on the main view of an identity made by rein-cli.
# Needs a display (the test suite runs inside xvfb-run).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
app=${1:?rein} cli=${2:?rein-cli} schemas=${3:?schema dir}
here=$(cd "$(dirname "$0")" && pwd)
if ! /usr/bin/python3 -c 'import pyatspi' 2>/dev/null; then
  echo "1..0 # SKIP python3-pyatspi is not installed"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$schemas" GDK_BACKEND=x11 \
       GSK_RENDERER=cairo GTK_A11Y=atspi NO_AT_BRIDGE=0 REIN_PASSWORD=atspi-test-password \
       REIN_TEST_SCRYPT_LOG2N=10

printf 'Name: Demo\nContact: demo@example.com\nWilling to mediate: False\nTestnet: True\n' \
  > "$work/form"
"$cli" setup --data-dir "$work/main" --testnet --defaults "$work/form" >/dev/null 2>&1

session () {
  dbus-run-session --config-file="$here/../session-bus/session.conf" -- \
    bash "$here/atspi-session.sh" "$work/app-$1.log" "$1" "$here/atspi-check.py" "${@:2}"
}
check () {
  session "$1" "$app" --data-dir "$2"
}
echo "# welcome view"
check welcome "$work/welcome"
echo "# main view"
check main "$work/main"

# The quick start's demo, in a folder of its own, on a free port: run.sh
# starts the server and the app; the check reads the market's rows.
build=$(cd "$(dirname "$app")/../.." && pwd)
echo "# market view (the quick start's demo)"
REIN_DEMO_DIR="$work/demo" REIN_DEMO_PORT=0 REIN_RUN_BUILD_DIR="$build" REIN_RUN_NO_APP=1 \
  "$here/../../build-aux/run.sh" >/dev/null
REIN_DEMO_DIR="$work/demo" REIN_RUN_BUILD_DIR="$build" \
  session market "$here/../../build-aux/run.sh"
