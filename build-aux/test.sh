#!/usr/bin/env bash
# test.sh: sets up and runs every test suite, twice: a normal build, then a
# build under AddressSanitizer and UndefinedBehaviorSanitizer.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

cd "$(dirname "$0")/.."
build-aux/install-deps.sh

setup () {
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

# UI tests need a display: every suite runs inside one Xvfb and one private
# session bus (that starts nothing but the accessibility bus, and ends with
# the run), with private XDG folders so nothing of the user's desktop leaks
# in or out.
xdg=$(mktemp -d)
cleanup () {
  # A desktop service that got started anyway may have mounted its FUSE
  # file system in the runtime folder: detach it before removing the tree.
  local m
  for m in "$xdg"/runtime/*; do
    if mountpoint -q "$m" 2>/dev/null; then
      fusermount3 -uz "$m" 2>/dev/null || fusermount -uz "$m" 2>/dev/null \
        || umount -l "$m" 2>/dev/null || true
    fi
  done
  rm -rf "$xdg" 2>/dev/null || echo "note: could not remove $xdg" >&2
}
trap cleanup EXIT
mkdir -p "$xdg"/{runtime,data,config,cache}
chmod 700 "$xdg/runtime"
export XDG_RUNTIME_DIR="$xdg/runtime" XDG_DATA_HOME="$xdg/data" \
       XDG_CONFIG_HOME="$xdg/config" XDG_CACHE_HOME="$xdg/cache"
unset DBUS_SESSION_BUS_ADDRESS
run_tests () {
  xvfb-run -a -s "-screen 0 1280x1024x24" \
    dbus-run-session --config-file="$PWD/tests/session-bus/session.conf" -- \
    meson test "$@"
}

echo "== Build and test (_build)"
setup _build
ninja -C _build
# the PSBT cross-checks: bitcoinjs-lib from npm, once, into the build
# folder; both builds use it, and no cross-check may skip here
tests/bitcoin/npm-setup.sh _build/crosscheck-npm
export REIN_NODE_MODULES=$PWD/_build/crosscheck-npm/node_modules REIN_REQUIRE_CROSSCHECK=1
run_tests -C _build --print-errorlogs

echo "== Build and test under ASan + UBSan (_build-sanitize)"
setup _build-sanitize -Db_sanitize=address,undefined -Db_lundef=false
ninja -C _build-sanitize
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_tests -C _build-sanitize --print-errorlogs --timeout-multiplier 3

echo "== All tests passed"
