#!/usr/bin/env bash
# check-install.sh: meson install into a DESTDIR puts every file where GNOME
# expects it, registers the post-install steps (schema compilation, icon
# and desktop caches), and what it installs works once those steps run.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
build=${1:?build dir}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
log=$(meson install -C "$build" --destdir "$dest" --no-rebuild 2>&1)
prefix=$(meson introspect "$build" --buildoptions | /usr/bin/python3 -c \
  'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
root="$dest$prefix"
status=0
ok () { echo "ok   $1"; }
fail () { echo "FAIL $1"; status=1; }
expect () {
  if [ -e "$root/$1" ]; then ok "$1"; else echo "MISSING $1"; status=1; fi
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
  ok "systemd unit rein-server.service"
else
  echo "MISSING systemd unit rein-server.service"; status=1
fi
# The PostgreSQL drop-in beside the unit; both start the installed program.
units="$root/lib/systemd/system"
expect lib/systemd/system/rein-server-postgresql.conf
for unit in rein-server.service rein-server-postgresql.conf; do
  [ -e "$units/$unit" ] || continue
  start=$(sed -n 's/^ExecStart=\([^ ][^ ]*\).*/\1/p' "$units/$unit")
  if [ "$start" = "$prefix/bin/rein-server" ]; then
    ok "$unit starts $prefix/bin/rein-server"
  else
    fail "$unit starts '$start', not $prefix/bin/rein-server"
  fi
done

# The programs are executables, and the one the desktop file starts is there.
for p in rein rein-cli rein-server; do
  [ -x "$root/bin/$p" ] && ok "bin/$p is executable" || fail "bin/$p is not executable"
done
desktop="$root/share/applications/org.reinproject.Rein.desktop"
exec_name=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop")
[ -x "$root/bin/$exec_name" ] && ok "Exec=$exec_name is installed" || fail "Exec=$exec_name is not in bin/"
icon=$(sed -n 's/^Icon=//p' "$desktop")
[ -e "$root/share/icons/hicolor/scalable/apps/$icon.svg" ] && ok "Icon=$icon is installed" \
  || fail "Icon=$icon has no scalable icon"
grep -q "<launchable type=\"desktop-id\">$(basename "$desktop")</launchable>" \
  "$root/share/metainfo/org.reinproject.Rein.metainfo.xml" \
  && ok "the metainfo launches the installed desktop file" || fail "metainfo launchable"
grep -q '^Name\[de\]=' "$desktop" && ok "the desktop file is translated" \
  || fail "the desktop file has no German entries"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$desktop" && ok "installed desktop file validates" \
    || fail "installed desktop file does not validate"
fi

# meson runs the post-install steps only without DESTDIR (a package
# manager runs them on the target); it must have them, for this prefix.
for step in "glib-compile-schemas $prefix/share/glib-2.0/schemas" \
            "update-icon-cache -q -t -f $prefix/share/icons/hicolor" \
            "update-desktop-database -q $prefix/share/applications"; do
  if grep -q "Skipping custom install script because DESTDIR is set.*$step" <<<"$log"; then
    ok "post-install step: $step"
  else
    fail "no post-install step $step"
  fi
done

# Run those steps on the DESTDIR: the schema compiles and GSettings reads it,
# the icon cache and desktop database build.
schemas="$root/share/glib-2.0/schemas"
if glib-compile-schemas --strict "$schemas" && [ -s "$schemas/gschemas.compiled" ]; then
  ok "schema compiles"
  keys=$(GSETTINGS_BACKEND=memory gsettings --schemadir "$schemas" list-keys org.reinproject.Rein)
  if [ -n "$keys" ]; then
    ok "GSettings reads org.reinproject.Rein ($(wc -w <<<"$keys") keys)"
    for k in $keys; do
      GSETTINGS_BACKEND=memory gsettings --schemadir "$schemas" get org.reinproject.Rein "$k" >/dev/null \
        || fail "no default for $k"
    done
  else
    fail "GSettings does not find org.reinproject.Rein"
  fi
else
  fail "schema does not compile"
fi
icon_cache=$(command -v gtk4-update-icon-cache || command -v gtk-update-icon-cache || true)
if [ -n "$icon_cache" ]; then
  # hicolor's index.theme belongs to hicolor-icon-theme, not to us
  if "$icon_cache" -q -t -f "$root/share/icons/hicolor" && [ -s "$root/share/icons/hicolor/icon-theme.cache" ]; then
    ok "icon cache builds"
  else
    fail "icon cache does not build"
  fi
fi
if command -v update-desktop-database >/dev/null; then
  update-desktop-database -q "$root/share/applications" && ok "desktop database builds" \
    || fail "desktop database does not build"
fi

# The German catalogue holds the app's strings.
if command -v msgunfmt >/dev/null; then
  grep -q "Willkommen bei Rein" <<<"$(msgunfmt "$root/share/locale/de/LC_MESSAGES/rein.mo")" \
    && ok "rein.mo (de) is the app's catalogue" || fail "rein.mo (de) lacks the app's strings"
fi
exit $status
