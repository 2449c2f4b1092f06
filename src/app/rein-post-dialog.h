/* rein-post-dialog.h: post a job
 *
 * Name, category (the market's categories are suggested), a description of
 * several lines, and a mediator chosen from the verified mediators (never
 * oneself) with their fee and contact; then the exact document, signed and
 * published only when the user confirms (ReinSignDialog).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-sign-dialog.h"

G_BEGIN_DECLS

#define REIN_TYPE_POST_DIALOG (rein_post_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ReinPostDialog, rein_post_dialog, REIN, POST_DIALOG, ReinSignDialog)

ReinPostDialog *rein_post_dialog_new (GtkWindow *parent, ReinContext *context);
/* Fills the form, as a user would. */
void rein_post_dialog_set_job (ReinPostDialog *self,
                               const gchar *name,
                               const gchar *category,
                               const gchar *description,
                               guint mediator_position);
/* For tests: the mediator choice at @position as the list shows it (with
 * their ratings once read), or NULL. */
gchar *rein_post_dialog_describe_mediator (ReinPostDialog *self, guint position);

G_END_DECLS
