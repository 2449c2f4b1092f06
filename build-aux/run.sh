#!/usr/bin/env bash
# run.sh: sets up, builds and starts Rein with a local rein-server and a
# few demo identities, on testnet, so that the app shows a small sample
# market (three jobs, one bid) with no internet. Safe to re-run: the demo
# data is kept and reused.
#
#   REIN_DEMO_DIR   where the demo lives (default ~/.local/share/rein-demo)
#   REIN_DEMO_PORT  the local server's port (default 2016; 0: any free one),
#                   remembered in the demo folder for the next runs
#   REIN_RUN_NO_APP=1  set everything up, print the market "You" sees, and
#                      start no app (for tests and headless machines)
#   REIN_RUN_BUILD_DIR  use the build already in this folder: install and
#                      build nothing (for tests)
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

cd "$(dirname "$0")/.."
top=$PWD
build=${REIN_RUN_BUILD_DIR:-}
if [ -z "$build" ]; then
  build=$top/_build
  build-aux/install-deps.sh
  if [ -f _build/build.ninja ]; then
    meson setup --reconfigure _build >/dev/null
  else
    meson setup _build >/dev/null
  fi
  ninja -C _build
fi

demo=${REIN_DEMO_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/rein-demo}
mkdir -p "$demo"
chmod 700 "$demo"
# The identities remember the server's URL, so a demo keeps its port: the
# one it got the first time (a free one when REIN_DEMO_PORT=0) is reused.
port=${REIN_DEMO_PORT:-2016}
if [ -s "$demo/port" ] && { [ -z "${REIN_DEMO_PORT:-}" ] || [ "$port" = 0 ]; }; then
  port=$(cat "$demo/port")
fi
cli="$build/src/cli/rein-cli"
export REIN_PASSWORD=demo-password

# The local server, stopped when this script ends.
server_log="$demo/server.log"
: >"$server_log"   # exists before the server's own redirection does
"$build/src/server/rein-server" --port "$port" --database "$demo/server.db" --quiet \
  >"$server_log" 2>&1 &
server_pid=$!
chain_pid=
trap 'kill $server_pid $chain_pid 2>/dev/null; wait $server_pid $chain_pid 2>/dev/null || true' EXIT
url=""
for _ in $(seq 100); do
  url=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$server_log" | head -n 1)
  [ -n "$url" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "rein-server did not start (is port $port taken? set REIN_DEMO_PORT=0):" >&2
    cat "$server_log" >&2
    exit 1
  fi
  sleep 0.1
done
[ -n "$url" ] || { echo "rein-server did not say where it listens" >&2; exit 1; }
port=${url##*:}; port=${port%/}
echo "$port" > "$demo/port"
echo "Local server: $url"

# The demo's chain: the Esplora-compatible stand-in the tests use, kept in
# the demo folder, mining a block a minute. Escrows are funded and paid out
# on it as on a real chain, with nothing leaving this machine.
chain_log="$demo/chain.log"
: >"$chain_log"
/usr/bin/python3 "$top/tests/net/esplora-server.py" --network testnet \
  --state "$demo/chain.json" --block-interval 60 >"$chain_log" 2>&1 &
chain_pid=$!
chain=""
for _ in $(seq 100); do
  chain=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$chain_log" | head -n 1)
  [ -n "$chain" ] && break
  if ! kill -0 "$chain_pid" 2>/dev/null; then
    echo "the demo chain did not start:" >&2
    cat "$chain_log" >&2
    exit 1
  fi
  sleep 0.1
done
[ -n "$chain" ] || { echo "the demo chain did not say where it listens" >&2; exit 1; }
echo "Demo chain: $chain"

form () { printf '%s\n' "$@" > "$demo/form.txt"; echo "$demo/form.txt"; }

# One identity per data dir, like separate users. Each is created once and
# (re)registered with the server every run, since the port may change.
identity () {
  local who=$1 name=$2 contact=$3 mediate=$4
  local dir="$demo/$who"
  # (Not "identities | grep -q": grep's early exit would fail the pipe.)
  local known
  known=$("$cli" identities --data-dir "$dir" --json 2>/dev/null || true)
  if ! grep -qF "\"$name\"" <<<"$known"; then
    # The phrase is printed once; demo identities do not need it.
    "$cli" setup --data-dir "$dir" --testnet \
      --defaults "$(form "Name: $name" "Contact: $contact" "Willing to mediate: $mediate" \
                         "Mediator fee: 1.5" "Testnet: True")" >/dev/null
  fi
  "$cli" request "$url" --data-dir "$dir" >/dev/null 2>&1 || true
  # each run's chain has its own port: every data dir is told
  "$cli" chain "$chain" --data-dir "$dir" >/dev/null
  "$cli" sync --data-dir "$dir" >/dev/null
}

echo "Preparing the demo market in $demo …"
identity alice "Alice (mediator)" alice@example.com True
identity bob "Bob" bob@example.com False
identity carol "Carol" carol@example.com False
identity you "You" you@example.com False

if [ ! -f "$demo/.seeded" ]; then
  post () {
    "$cli" post --json --data-dir "$demo/bob" \
      --defaults "$(form "Job name: $1" "Category: $2" "Description: $3" \
                         "Mediator: Alice (mediator)")" \
      | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["job_id"])'
  }
  post "Logo for a bakery" "Graphics" "A round logo for Bob's Bakery, in two colours." >/dev/null
  job=$(post "Translate a menu to German" "Writing" "Forty dishes, short descriptions.")
  post "Fix a flaky test suite" "Software" "Our CI fails one run in ten; find out why." >/dev/null
  "$cli" bid --data-dir "$demo/carol" \
    --defaults "$(form "Job ID: $job" "Description: Native speaker, done in two days." \
                       "Bid amount (BTC): 0.002")" >/dev/null
  touch "$demo/.seeded"
fi

# A job "You" works on: Bob awards You's bid and pays both escrows (the
# demo chain's funding call stands in for his wallet), so the app shows
# the job's escrows funded and You can deliver.
if [ ! -f "$demo/.seeded-escrow" ]; then
  job=$("$cli" post --json --data-dir "$demo/bob" \
    --defaults "$(form "Job name: Illustrate a children's book" "Category: Graphics" \
                       "Description: Twelve watercolour pages about a lighthouse cat." \
                       "Mediator: Alice (mediator)")" \
    | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["job_id"])')
  "$cli" bid --data-dir "$demo/you" \
    --defaults "$(form "Job ID: $job" "Description: Twelve pages in four weeks." \
                       "Bid amount (BTC): 0.1")" >/dev/null
  "$cli" offer --data-dir "$demo/bob" --defaults "$(form "Job ID: $job" "Worker: You")" >/dev/null
  "$cli" escrow-status --json --data-dir "$demo/bob" --jobid "$job" \
    | /usr/bin/python3 -c '
import json, sys, urllib.request
status = json.load(sys.stdin)
for escrow in ("primary", "mediator"):
    body = json.dumps({"address": status[escrow]["address"],
                       "value": status[escrow]["due_sat"], "confirmations": 3}).encode()
    urllib.request.urlopen(sys.argv[1] + "_test/fund", body).read()
' "$chain"
  echo "$job" >"$demo/escrow-job"
  touch "$demo/.seeded-escrow"
fi

# The app opens as "You", even when another identity was added and used
# in the demo since.
"$cli" use "You" --data-dir "$demo/you" >/dev/null

echo
echo "Demo identities live in $demo (password: $REIN_PASSWORD)."
echo "The app opens as \"You\"; Alice mediates, Bob posted jobs, Carol bid, and"
echo "Bob awarded You a job and funded its escrows on the demo chain."
echo "rein-cli and rein-server are in $build/src/cli and $build/src/server:"
echo "  export PATH=\"$build/src/cli:$build/src/server:\$PATH\""

if [ "${REIN_RUN_NO_APP:-0}" = 1 ]; then
  echo
  echo "The jobs \"You\" sees on $url:"
  "$cli" jobs --data-dir "$demo/you"
  echo
  echo "The jobs \"You\" takes part in:"
  "$cli" status --data-dir "$demo/you"
  echo
  echo "Its escrows on $chain:"
  "$cli" escrow-status --data-dir "$demo/you" --jobid "$(cat "$demo/escrow-job")"
  exit 0
fi
# Preferences offers the demo's server to identities added in the demo.
REIN_SUGGESTED_SERVERS="$url" GSETTINGS_SCHEMA_DIR="$build/data" \
  "$build/src/app/rein" --data-dir "$demo/you"
