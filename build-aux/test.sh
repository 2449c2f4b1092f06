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

# UI tests need a display: the suites run inside Xvfb and a private session
# bus (that starts nothing but the accessibility bus, and ends with the
# run), with private XDG folders so nothing of the user's desktop leaks in
# or out.
xdg=$(mktemp -d)
sanitize_build=
cleanup () {
  # the sanitizer build, when the first build's tests failed under it
  if [ -n "$sanitize_build" ]; then
    kill -- -"$sanitize_build" 2>/dev/null || true
  fi
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

# Each meson test runs inside its own Xvfb (display numbers apart, so that
# two starting at once do not race for one) and private session bus.
run_tests () {
  local display=$1; shift
  xvfb-run -a -n "$display" -s "-screen 0 1280x1024x24" \
    dbus-run-session --config-file="$PWD/tests/session-bus/session.conf" -- \
    meson test "$@"
}

# Every suite of one build. The UI tests run one at a time (one display,
# keyboard focus), which would leave the second core idle: so they run in
# a meson test of their own beside the other suites, whose tests use ports
# the system picks (port 0), temporary directories and Unix sockets, never
# the same ones. The other suites run at a lower priority: the UI tests
# wait for frames and X round trips, and must not be starved of the CPU
# (they failed so when both ran at the same priority on a loaded machine).
# Each run keeps its own log (--logbase); the UI run's output is printed
# when it is done.
run_suites () {
  local build=$1; shift
  local ui_log="$build/meson-logs/ui-run.txt" ui_status=0 status=0
  mkdir -p "$build/meson-logs"
  run_tests 80 -C "$build" --no-rebuild --print-errorlogs --suite app --logbase ui "$@" \
    >"$ui_log" 2>&1 &
  local ui_pid=$!
  nice -n 10 xvfb-run -a -n 60 -s "-screen 0 1280x1024x24" \
    dbus-run-session --config-file="$PWD/tests/session-bus/session.conf" -- \
    meson test -C "$build" --no-rebuild --print-errorlogs --no-suite app "$@" || status=$?
  wait "$ui_pid" || ui_status=$?
  echo "-- the app suite ($build):"
  cat "$ui_log"
  [ "$status" -eq 0 ] && [ "$ui_status" -eq 0 ]
}

# Only the targets that tests and the install check use: the benchmarks
# are built in _build, where they run.
build_for_tests () {
  local build=$1
  meson introspect --targets "$build" | python3 -c '
import json, os, sys
build = os.path.realpath(sys.argv[1])
for t in json.load(sys.stdin):
    if t["build_by_default"] and not t["name"].startswith("bench-"):
        for f in t["filename"]:
            print(os.path.relpath(f, build))
' "$build" | xargs ninja -C "$build"
}

# Debug information as line tables only (-g1): stack traces and
# sanitizer reports keep their files and lines, and compiling takes a
# quarter less. The sanitizer build compiles at -O1, as AddressSanitizer
# advises: 40% less compile time than -O2 -g, and reports as precise.
setup _build -Dc_args=-g1
setup _build-sanitize -Db_sanitize=address,undefined -Db_lundef=false \
  -Doptimization=1 -Dc_args=-g1

echo "== Build and test (_build)"
ninja -C _build
# the PSBT cross-checks: bitcoinjs-lib from npm, once, into the build
# folder; both builds use it, and no cross-check may skip here
tests/bitcoin/npm-setup.sh _build/crosscheck-npm
export REIN_NODE_MODULES=$PWD/_build/crosscheck-npm/node_modules REIN_REQUIRE_CROSSCHECK=1
# and no PostgreSQL suite or store comparison may be left out either
# (tests/server/meson.build's server-pg-missing, bench-server)
export REIN_REQUIRE_PG=1

# While the first build's tests run (waiting on servers and sockets as much
# as computing), the sanitizer build compiles on what CPU they leave, at
# the lowest priority.
# (A process group of its own, so that a failure here stops it too.)
export -f build_for_tests
setsid nice -n 19 bash -c 'build_for_tests _build-sanitize' >_build-sanitize/build.log 2>&1 &
sanitize_build=$!
run_suites _build

# The server benchmark (issue 16): SQLite, PostgreSQL with one process and
# with two, at 1,000 documents and 1 s per figure (about half a minute; the
# full 100k stays meson test --benchmark's default). It prints figures; it
# fails only when it cannot run, or (REIN_REQUIRE_PG) without PostgreSQL;
# and its store comparison, up to the PostgreSQL x2 column, must be there.
echo "== Server benchmark (1,000 documents)"
BENCH_MAX_DOCUMENTS=1000 BENCH_SECONDS=1 \
  meson test -C _build --no-rebuild --benchmark --logbase bench --verbose server \
  | tee _build/meson-logs/bench-output.txt
if ! grep -q '| PostgreSQL x2' _build/meson-logs/bench-output.txt; then
  echo "the server benchmark printed no PostgreSQL x2 column"
  exit 1
fi

echo "== Build and test under ASan + UBSan (_build-sanitize)"
build_status=0
wait "$sanitize_build" || build_status=$?
sanitize_build=
if [ "$build_status" -ne 0 ]; then
  cat _build-sanitize/build.log
  echo "the sanitizer build failed"
  exit 1
fi
grep -v '^\[' _build-sanitize/build.log || true
# The first build drew the screenshots for people; this one checks the
# code (tests that read pixels still draw theirs).
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
REIN_TEST_NO_SCREENSHOTS=1 \
  run_suites _build-sanitize --timeout-multiplier 3

echo "== All tests passed"
