/* rein-identity-page.h: one identity: its name here, its addresses and
 * SIN, a backup, and deleting it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rein-session.h"

G_BEGIN_DECLS

#define REIN_TYPE_IDENTITY_PAGE (rein_identity_page_get_type ())
G_DECLARE_FINAL_TYPE (ReinIdentityPage, rein_identity_page, REIN, IDENTITY_PAGE, AdwWindow)

/* Emits "deleted" (with the identity's label) once the identity is gone,
 * then closes. */
ReinIdentityPage *rein_identity_page_new (GtkWindow *parent,
                                          ReinSession *session,
                                          ReinIdentity *identity);
/* What "Save Backup…" does once a file is chosen (tests call it without
 * the file chooser). */
void rein_identity_page_save_backup_to (ReinIdentityPage *self, GFile *file);
/* Looks up what the identity's delegate address holds (the page does it
 * when it opens). */
void rein_identity_page_refresh_balance (ReinIdentityPage *self);
/* What the name row's apply button does: calls the identity @label on
 * this computer. */
void rein_identity_page_rename (ReinIdentityPage *self, const gchar *label);
/* What "Delete" in the confirmation does. */
void rein_identity_page_delete (ReinIdentityPage *self);

G_END_DECLS
