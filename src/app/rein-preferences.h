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

G_END_DECLS
