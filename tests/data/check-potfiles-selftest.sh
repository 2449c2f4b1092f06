#!/usr/bin/env bash
# check-potfiles-selftest.sh: check-potfiles.sh catches a file whose only
# translatable strings are marked with C_(), N_(), g_dngettext() or
# translatable="yes", and passes a tree where every such file is listed.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
check=${1:?check-potfiles.sh}
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/po" "$tree/src/lib" "$tree/data"
status=0

# $1: the file's content; expects check-potfiles.sh to name src/lib/f.c
expect_caught () {
  printf '%s\n' "$1" >"$tree/src/lib/f.c"
  : >"$tree/po/POTFILES"
  if out=$(bash "$check" "$tree" 2>&1); then
    echo "not caught: $1"; status=1
  elif ! grep -q 'src/lib/f.c has translatable strings' <<<"$out"; then
    echo "wrong complaint for $1: $out"; status=1
  else
    echo "ok   caught: $1"
  fi
  echo src/lib/f.c >"$tree/po/POTFILES"
  if ! bash "$check" "$tree" >/dev/null; then
    echo "listed, but still refused: $1"; status=1
  fi
}

expect_caught 'const char *s = C_("menu", "Open");'
expect_caught 'static const char *t[] = { N_("Fair") };'
expect_caught 'msg = g_dngettext (GETTEXT_PACKAGE, "%u file", "%u files", n);'
expect_caught 'msg = g_dpgettext2 (NULL, "ctx", "Open");'
expect_caught 'msg = ngettext ("%u file", "%u files", n);'
expect_caught 'label = _("Close");'
mv "$tree/src/lib/f.c" "$tree/src/lib/f.ui"
printf '%s\n' '<property name="label" translatable="yes">Open</property>' >"$tree/src/lib/f.ui"
: >"$tree/po/POTFILES"
if bash "$check" "$tree" >/dev/null; then echo "not caught: a .ui file"; status=1; else echo "ok   caught: .ui"; fi
rm "$tree/src/lib/f.ui"

# no marks: nothing to list; identifiers ending in _ are not marks
printf '%s\n' 'x = my_func_ (1); y = strncmp_(a, b); g_print ("%s", s);' >"$tree/src/lib/f.c"
: >"$tree/po/POTFILES"
if ! bash "$check" "$tree" >/dev/null; then echo "false alarm on a file without marks"; status=1; else echo "ok   no marks, no complaint"; fi

# a listed file that does not exist
echo src/lib/gone.c >"$tree/po/POTFILES"
if bash "$check" "$tree" >/dev/null; then echo "not caught: a missing listed file"; status=1; else echo "ok   caught: missing listed file"; fi
exit $status
