#!/usr/bin/env bash
# npm-setup.sh DIR: installs bitcoinjs-lib, ecpair and tiny-secp256k1, at
# the versions of tests/bitcoin/npm/package-lock.json, into DIR/node_modules
# for test-psbt-interop (REIN_NODE_MODULES=DIR/node_modules; the default is
# BUILDDIR/crosscheck-npm/node_modules). Does nothing when DIR already holds
# that lock file's packages.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

src=$(cd "$(dirname "$0")/npm" && pwd)
dest=${1:?usage: npm-setup.sh DIR}

if [ -d "$dest/node_modules" ] && cmp -s "$src/package-lock.json" "$dest/.installed-lock.json"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm-setup.sh: no npm (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
mkdir -p "$dest"
rm -f "$dest/.installed-lock.json"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
# exactly the lock file, nothing global, no scripts: the packages are plain
# JavaScript and WebAssembly
(cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
cp "$src/package-lock.json" "$dest/.installed-lock.json"
echo "npm-setup.sh: bitcoinjs-lib installed in $dest/node_modules"
