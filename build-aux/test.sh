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

echo "== Build and test (_build)"
setup _build
ninja -C _build
meson test -C _build --print-errorlogs

echo "== Build and test under ASan + UBSan (_build-sanitize)"
setup _build-sanitize -Db_sanitize=address,undefined -Db_lundef=false
ninja -C _build-sanitize
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  meson test -C _build-sanitize --print-errorlogs --timeout-multiplier 3

echo "== All tests passed"
