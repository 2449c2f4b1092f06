/* rein-welcome.h: the four ways to an identity (create, restore, import
 * keys, import a backup), each a guided flow with validation as you type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rein-session.h"

G_BEGIN_DECLS

#define REIN_TYPE_WELCOME (rein_welcome_get_type ())
G_DECLARE_FINAL_TYPE (ReinWelcome, rein_welcome, REIN, WELCOME, AdwBin)

ReinWelcome *rein_welcome_new (ReinSession *session);
/* Back to the choice of the four ways, forms cleared. */
void rein_welcome_reset (ReinWelcome *self);
/* Whether a "Cancel" leads back to the main view (there is an identity). */
void rein_welcome_set_can_cancel (ReinWelcome *self, gboolean can_cancel);

/* TRUE while an identity is being made (the keys derived and sealed): the
 * flow cannot be left then. */
gboolean rein_welcome_get_busy (ReinWelcome *self);

/* The current page's name: "choose", "details", "phrase", "confirm",
 * "restore", "keys", "sign", "backup", "password", for tests. */
const gchar *rein_welcome_get_page (ReinWelcome *self);

G_END_DECLS
