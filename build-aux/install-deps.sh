#!/usr/bin/env bash
# install-deps.sh: installs what building and testing Rein needs on Debian 12.
# Safe to re-run; does nothing when everything is present. No prompts.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

packages=(
  # build
  meson ninja-build pkg-config gcc clang libclang-rt-14-dev gettext
  # libraries, Debian 12 versions are the API floor
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev
  libsecp256k1-dev libsqlite3-dev libgcrypt20-dev libqrencode-dev libpq-dev
  # rein-server's PostgreSQL store: the server suite runs on a throwaway cluster
  postgresql
  # tests: the independent Bitcoin implementation, the BIP39 word list's
  # source, a display for UI tests, data file validators, load generator
  python3 python3-bitcoinlib python3-mnemonic xvfb xauth dbus-daemon dbus-x11 zbar-tools
  desktop-file-utils appstream wrk sqlite3 xdotool flatpak-builder
  python3-dogtail python3-pyatspi at-spi2-core dbus-x11 imagemagick
  # the accessibility check prints the app's threads when it fails
  gdb
)
# tests: the PSBT cross-checks (tests/bitcoin/test-psbt-interop): Electrum,
# and npm for bitcoinjs-lib (a Node.js that brings its own npm will do)
packages+=(python3-electrum)
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "Please run as root (or install sudo): apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
