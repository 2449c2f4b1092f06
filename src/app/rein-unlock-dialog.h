/* rein-unlock-dialog.h: asks for the password when a signing action needs
 * the keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rein-session.h"

G_BEGIN_DECLS

#define REIN_TYPE_UNLOCK_DIALOG (rein_unlock_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ReinUnlockDialog, rein_unlock_dialog, REIN, UNLOCK_DIALOG, AdwWindow)

/* Emits "unlocked" with the delegate key (a pointer owned by the handler's
 * caller only for the signal's duration: copy it if it must live on), then
 * closes. A wrong password says so and keeps the dialog open. */
ReinUnlockDialog *rein_unlock_dialog_new (GtkWindow *parent,
                                          ReinSession *session,
                                          const gchar *reason);
/* The dialog asks how long the keys stay open: with @keep the session keeps
 * the key for automatic sync (until it is locked or the app quits);
 * without, the key serves only the "unlocked" handler. It starts with the
 * choice made last time (GSettings "keep-keys-unlocked"), and remembers
 * the one the user unlocks with. */
void rein_unlock_dialog_set_keep_unlocked (ReinUnlockDialog *self, gboolean keep);
gboolean rein_unlock_dialog_get_keep_unlocked (ReinUnlockDialog *self);

G_END_DECLS
