#!/usr/bin/env bash
# check-install.sh: meson install into a DESTDIR puts every file where GNOME
# expects it.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
build=${1:?build dir}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild >/dev/null
prefix=$(meson introspect "$build" --buildoptions | /usr/bin/python3 -c \
  'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
root="$dest$prefix"
status=0
expect () {
  if [ -e "$root/$1" ]; then echo "ok   $1"; else echo "MISSING $1"; status=1; fi
}
expect bin/rein
expect bin/rein-cli
expect bin/rein-server
expect share/applications/org.reinproject.Rein.desktop
expect share/metainfo/org.reinproject.Rein.metainfo.xml
expect share/icons/hicolor/scalable/apps/org.reinproject.Rein.svg
expect share/icons/hicolor/symbolic/apps/org.reinproject.Rein-symbolic.svg
expect share/glib-2.0/schemas/org.reinproject.Rein.gschema.xml
for lang in $(grep -v '^#' "$(dirname "$0")/../../po/LINGUAS"); do
  expect share/locale/$lang/LC_MESSAGES/rein.mo
done
if [ -n "$(ls "$dest"/lib/systemd/system/rein-server.service "$root"/lib/systemd/system/rein-server.service "$root"/lib/systemd/user/rein-server.service 2>/dev/null)" ]; then
  echo "ok   systemd unit rein-server.service"
else
  echo "MISSING systemd unit rein-server.service"; status=1
fi
exit $status
