#!/usr/bin/env bash
# quickstart.sh: the README's first command, minus the window: run.sh sets
# up a local server and the demo identities, and "You" sees the sample
# market, and the job Bob awarded "You" with both escrows funded on the
# demo chain; a second run reuses everything (same port, same jobs, the
# same chain, no errors).
#
#   quickstart.sh SOURCE_ROOT BUILD_ROOT
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
src=${1:?source root} build=${2:?build root}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export REIN_RUN_BUILD_DIR=$build REIN_RUN_NO_APP=1 REIN_DEMO_PORT=0 \
       REIN_DEMO_DIR=$work/demo REIN_TEST_SCRYPT_LOG2N=10

echo "1..7"
n=0
check () {
  n=$((n + 1))
  if "$@"; then echo "ok $n - ${desc}"; else echo "not ok $n - ${desc}"; status=1; fi
}
status=0

jobs_of () { sed -n '/^The jobs "You" sees/,/^$/p' "$1" | sed -n '2,$p' | sed '/^$/d' | sort; }
# A person is shown as the enrolled name, isolated (U+2068 ... U+2069),
# with the fingerprint of the master: "by <FSI>Bob<PDI> (Tf...)".
bob=$'\xe2\x81\xa8Bob\xe2\x81\xa9 \\(T[1-9A-HJ-NP-Za-km-z]{9}\\)'

bash "$src/build-aux/run.sh" >"$work/run1.txt" 2>&1 || { cat "$work/run1.txt"; exit 1; }
jobs_of "$work/run1.txt" >"$work/jobs1.txt"
sed 's/^/# /' "$work/jobs1.txt"

desc="the first run shows the three sample jobs"
check test "$(grep -c -E "^[a-z0-9]{20}  .* by $bob, " "$work/jobs1.txt")" = 3
desc="Carol's bid is on the menu translation"
check grep -q -E "Translate a menu to German \\[Writing\\] by $bob, 1 bid:" "$work/jobs1.txt"

desc="You works on the book Bob awarded, both escrows funded and confirmed"
check test "$(grep -c -E "^[a-z0-9]{20}  worker +job awarded +Illustrate a children's book " \
              "$work/run1.txt")" = 1 -a \
           "$(grep -c -E '^  funded, [0-9]+ confirmations$' "$work/run1.txt")" = 2
# The README's "fund" command, with no demo running: it starts the demo
# chain on its state, pays, and the coins stay for the next run.
address=$("$build/src/cli/rein-cli" identities --data-dir "$work/demo/you" --json \
          | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["identities"][0]["master_address"])')
desc="run.sh fund pays an address on the demo chain"
bash "$src/build-aux/run.sh" fund "$address" 0.00012345 >"$work/fund.txt" 2>&1 || true
sed 's/^/# /' "$work/fund.txt"
check grep -q -x "$address now holds 12345 sat." "$work/fund.txt"
bash "$src/build-aux/run.sh" >"$work/run2.txt" 2>&1 || { cat "$work/run2.txt"; exit 1; }
jobs_of "$work/run2.txt" >"$work/jobs2.txt"
desc="a second run reuses the demo: same port, same jobs"
check cmp -s "$work/jobs1.txt" "$work/jobs2.txt"
desc="the second run's chain still holds the escrows' coins"
check test "$(grep -c -E '^  funded, [0-9]+ confirmations$' "$work/run2.txt")" = 2
desc="four identities, one per data dir"
count=0
for who in alice bob carol you; do
  if "$build/src/cli/rein-cli" identities --data-dir "$work/demo/$who" --json \
       >"$work/ids.json" 2>/dev/null && grep -q '"enrolled" : true' "$work/ids.json"; then
    count=$((count + 1))
  fi
done
check test "$count" = 4
exit $status
