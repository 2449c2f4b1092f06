#!/usr/bin/env bash
# run.sh: sets up, builds and starts Rein.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

cd "$(dirname "$0")/.."
build-aux/install-deps.sh

if [ -f _build/build.ninja ]; then
  meson setup --reconfigure _build >/dev/null
else
  meson setup _build >/dev/null
fi
ninja -C _build

# The desktop app arrives with a later issue; until then the command-line
# client is the main program.
exec _build/src/cli/rein-cli --help
