#!/usr/bin/env bash
# check-potfiles.sh: fails when a source file with translatable strings is
# missing from po/POTFILES, or POTFILES names a file that does not exist.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
top=${1:?source root}
cd "$top"
status=0
listed=$( (grep -v '^#' po/POTFILES || true) | sed '/^$/d' | sort)
for f in $listed; do
  if [ ! -f "$f" ]; then
    echo "po/POTFILES lists $f, which does not exist"
    status=1
  fi
done
# _( N_( C_( NC_( Q_( and the gettext functions that take a domain or a
# count (g_dngettext, g_dpgettext2, ngettext, ...).
marks='(^|[^a-zA-Z0-9_])((N|C|NC|Q)?_|g_d[a-z]*gettext2?|d?c?n?p?gettext) ?\(|translatable="yes"'
found=$( (grep -rlE "$marks" src --include='*.c' --include='*.ui' || true;
          ls data/*.desktop.in data/*.metainfo.xml.in data/*.gschema.xml 2>/dev/null || true) | sort -u)
for f in $found; do
  if ! grep -qxF "$f" <<<"$listed"; then
    echo "$f has translatable strings but is not in po/POTFILES"
    status=1
  fi
done
[ $status -eq 0 ] && echo "po/POTFILES lists all $(wc -l <<<"$found") files with translatable strings"
exit $status
