#!/usr/bin/env bash
# atspi-session.sh: run inside a private session bus by run-atspi.sh.
# Starts the accessibility bus and its registry first, then the app on that
# bus, then atspi-check.py; on a failure it says whether the app was still
# running and what it printed.
#
# Usage: atspi-session.sh APP_LOG VIEW CHECK COMMAND...
#
# The bus's address is resolved once and given to both sides in
# AT_SPI_BUS_ADDRESS, so the app and the check cannot end up on different
# buses, and the app's registration never races the registry's start.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
log=$1 view=$2 check=$3
shift 3

reply=$(gdbus call --session --timeout 120 --dest org.a11y.Bus \
          --object-path /org/a11y/bus --method org.a11y.Bus.GetAddress) || {
  echo "not ok: the accessibility bus did not start"; exit 1; }
address=$(printf '%s' "$reply" | sed -n "s/^('\(.*\)',)\$/\1/p")
if [ -z "$address" ]; then
  echo "not ok: the accessibility bus gave no address: $reply"; exit 1
fi
# The registry has once exited at start in a fresh-clone run ("AT-SPI:
# Cannot open default display", twice in a row; not understood): a few
# tries, each said.
tries=0
until gdbus call --address "$address" --timeout 120 --dest org.a11y.atspi.Registry \
        --object-path /org/a11y/atspi/accessible/root \
        --method org.freedesktop.DBus.Peer.Ping >/dev/null; do
  tries=$((tries + 1))
  if [ $tries -ge 5 ]; then
    echo "not ok: the accessibility registry did not start (DISPLAY=${DISPLAY-unset})"
    exit 1
  fi
  echo "# the accessibility registry did not start; trying again"
  sleep 2
done
export AT_SPI_BUS_ADDRESS=$address

# A process group of its own, so that run.sh's server goes with it.
set -m
"$@" >"$log" 2>&1 &
pid=$!
set +m
# killed by meson's timeout: the app's group goes too
trap 'kill -- -$pid 2>/dev/null' EXIT
/usr/bin/python3 "$check" "$view"
status=$?
if [ $status -ne 0 ]; then
  apps=$(pgrep -g $pid -x rein || true)
  if [ -n "$apps" ]; then
    echo "# the app was still running; its threads, the main one first:"
    for app in $apps; do
      timeout 60 gdb -batch -p "$app" -ex 'thread apply all -ascending bt 12' 2>&1 \
        | grep -E '^(Thread|#)|[Ee]rror|denied|not permitted' | cut -c1-160 | head -n 100 \
        | sed 's/^/#   /'
    done
  elif kill -0 $pid 2>/dev/null; then
    echo "# the app was not running (what started it still was)"
  else
    wait $pid
    echo "# the app had exited with status $?"
  fi
  echo "# the last of what it printed:"
  tail -n 40 "$log" | sed 's/^/#   /'
fi
kill -- -$pid 2>/dev/null
wait $pid 2>/dev/null
exit $status
