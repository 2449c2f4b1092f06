/* rein-post-dialog.h: post a job
 *
 * Name, category (the market's categories are suggested), a description of
 * several lines, and a mediator chosen from the verified mediators (never
 * oneself) with their fee and contact; then the exact document, and it is
 * signed and published only when the user confirms. Emits "published"
 * with a sentence for a toast.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rein-context.h"

G_BEGIN_DECLS

#define REIN_TYPE_POST_DIALOG (rein_post_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ReinPostDialog, rein_post_dialog, REIN, POST_DIALOG, AdwWindow)

ReinPostDialog *rein_post_dialog_new (GtkWindow *parent, ReinContext *context);

/* For tests: "form", "review", "publishing". */
const gchar *rein_post_dialog_get_page (ReinPostDialog *self);
void rein_post_dialog_set_job (ReinPostDialog *self,
                               const gchar *name,
                               const gchar *category,
                               const gchar *description,
                               guint mediator_position);
void rein_post_dialog_next (ReinPostDialog *self);
void rein_post_dialog_set_password (ReinPostDialog *self, const gchar *password);
const gchar *rein_post_dialog_get_document (ReinPostDialog *self);
const gchar *rein_post_dialog_get_problem (ReinPostDialog *self);

G_END_DECLS
