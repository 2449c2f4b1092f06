#!/bin/sh
# tests/fuzz/run.sh: build the libFuzzer targets with clang and run each one
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
# Builds in _build-fuzz (CC=clang, -Dfuzzing=true -Dtests=false), seeds each
# target's working corpus (_build-fuzz/tests/fuzz/corpus-TARGET, kept between
# runs) from tests/fuzz/corpus and, when present, ../shared/vectors/signed,
# runs it for the given time and prints its number of executions. Crashes
# land in _build-fuzz/tests/fuzz/artifacts/. Exits non-zero if one failed.
set -eu

seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-fuzz-armor fuzz-document fuzz-psbt fuzz-answer}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${REIN_FUZZ_BUILD:-$root/_build-fuzz}
shared=${REIN_SHARED_DIR:-$root/../shared}

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" "$root" -Dfuzzing=true -Dtests=false
fi
for target in $targets; do
  ninja -C "$build" "tests/fuzz/$target"
done

status=0
summary=""
for target in $targets; do
  corpus=$build/tests/fuzz/corpus-$target
  artifacts=$build/tests/fuzz/artifacts
  log=$build/tests/fuzz/$target.log
  mkdir -p "$corpus" "$artifacts"
  cp "$here"/corpus/* "$corpus"/
  if [ -d "$shared/vectors/signed" ]; then
    for f in "$shared"/vectors/signed/*; do
      cp "$f" "$corpus/shared-$(basename "$f")"
    done
  fi

  echo "== $target: $seconds s"
  if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
     "$build/tests/fuzz/$target" "$corpus" \
       -max_total_time="$seconds" -max_len=9000 -timeout=10 \
       -dict="$here/rein.dict" -artifact_prefix="$artifacts/$target-" \
       -print_final_stats=1 >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
    tail -n 40 "$log"
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  summary="$summary$target: ${execs:-?} executions, $result
"
done

echo "== summary"
printf '%s' "$summary"
exit $status
