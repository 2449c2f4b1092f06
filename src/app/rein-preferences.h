/* rein-preferences.h: servers, sync and other settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rein-session.h"

G_BEGIN_DECLS

#define REIN_TYPE_PREFERENCES (rein_preferences_get_type ())
G_DECLARE_FINAL_TYPE (ReinPreferences, rein_preferences, REIN, PREFERENCES,
                      AdwPreferencesWindow)

ReinPreferences *rein_preferences_new (GtkWindow *parent, ReinSession *session);
/* Why adding a server failed, in words a user can act on (an HTTP 404 is
 * "no Rein server at this address"); @error's own message is not in it:
 * the window shows it as the line's tooltip. */
gchar *rein_preferences_describe_add_error (const GError *error);

G_END_DECLS
