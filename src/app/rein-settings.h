/* rein-settings.h: the app's GSettings, when its schema is installed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* org.reinproject.Rein, or NULL when run from a build tree without the
 * schema installed (then nothing is remembered between runs). */
GSettings *rein_settings_new_if_installed (void);

G_END_DECLS
