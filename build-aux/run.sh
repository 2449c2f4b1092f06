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
# Beside a running demo, in another terminal:
#   run.sh app WHO           the app for another demo person (alice, bob,
#                            carol, you, or a new name: a new data dir), an
#                            app of its own beside the first one
#   run.sh fund ADDRESS BTC  pays BTC (e.g. 0.05) to ADDRESS on the demo
#                            chain, with 3 confirmations: how an escrow of
#                            the demo is funded (the chain stands in for a
#                            wallet). With no demo running, the demo chain
#                            is started for it and stopped after.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

cd "$(dirname "$0")/.."
top=$PWD
build=${REIN_RUN_BUILD_DIR:-}
command=${1:-}
demo=${REIN_DEMO_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/rein-demo}

# The demo chain on its state file: "start_chain" sets chain and chain_pid.
chain=
chain_pid=
start_chain () {
  local chain_log="$demo/chain.log"
  : >"$chain_log"
  /usr/bin/python3 "$top/tests/net/esplora-server.py" --network testnet \
    --state "$demo/chain.json" --block-interval 60 >"$chain_log" 2>&1 &
  chain_pid=$!
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
}

case $command in
fund)
  address=${2:?usage: run.sh fund ADDRESS BTC} amount=${3:?usage: run.sh fund ADDRESS BTC}
  [ -d "$demo" ] || { echo "No demo in $demo: run build-aux/run.sh first" >&2; exit 1; }
  # the running demo's chain, or one of our own on its state
  chain=$(cat "$demo/chain-url" 2>/dev/null || true)
  if [ -z "$chain" ] || ! /usr/bin/python3 -c '
import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "blocks/tip/height", timeout=2).read()' "$chain" \
       2>/dev/null; then
    trap 'kill $chain_pid 2>/dev/null; wait $chain_pid 2>/dev/null || true' EXIT
    start_chain
  fi
  /usr/bin/python3 - "$chain" "$address" "$amount" <<'PY'
import decimal, json, sys, urllib.error, urllib.request
chain, address, amount = sys.argv[1:4]
try:
    btc = decimal.Decimal(amount)
except decimal.InvalidOperation:
    sys.exit(f"not an amount in BTC: {amount}")
sat = btc * 100000000
if sat != sat.to_integral_value() or not 0 < sat <= 21000000 * 100000000:
    sys.exit(f"not an amount in BTC (at most 8 decimals, more than 0): {amount}")
body = json.dumps({"address": address, "value": int(sat), "confirmations": 3}).encode()
try:
    txid = urllib.request.urlopen(chain + "_test/fund", body, timeout=10).read().decode()
    utxos = json.load(urllib.request.urlopen(chain + f"address/{address}/utxo", timeout=10))
except (urllib.error.URLError, ValueError) as e:
    sys.exit(f"the demo chain refused it ({e}): is {address} a testnet address?")
print(f"Paid {btc} BTC ({int(sat)} sat) to {address} in {txid}, 3 confirmations.")
print(f"{address} now holds {sum(u['value'] for u in utxos)} sat.")
PY
  exit 0
  ;;
app)
  who=${2:?usage: run.sh app WHO}
  case $who in
    */*|.*|"") echo "WHO is a plain name (alice, bob, carol, you, …)" >&2; exit 1 ;;
  esac
  url=$(cat "$demo/server-url" 2>/dev/null || true)
  [ -n "$url" ] || { echo "No demo running: start build-aux/run.sh first" >&2; exit 1; }
  build=${build:-$top/_build}
  REIN_SUGGESTED_SERVERS="$url" GSETTINGS_SCHEMA_DIR="$build/data" \
    exec "$build/src/app/rein" --data-dir "$demo/$who"
  ;;
"") ;;
*) echo "usage: run.sh [app WHO | fund ADDRESS BTC]" >&2; exit 1 ;;
esac
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
echo "$url" > "$demo/server-url"
echo "Local server: $url"

# The demo's chain: the Esplora-compatible stand-in the tests use, kept in
# the demo folder, mining a block a minute. Escrows are funded and paid out
# on it as on a real chain, with nothing leaving this machine.
start_chain
echo "$chain" > "$demo/chain-url"
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
