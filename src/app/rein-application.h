/* rein-application.h: the Rein application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define REIN_TYPE_APPLICATION (rein_application_get_type ())
G_DECLARE_FINAL_TYPE (ReinApplication, rein_application, REIN, APPLICATION, AdwApplication)

ReinApplication *rein_application_new (void);
/* The application ID of the app on @data_dir, a folder other than the
 * usual one: one instance per folder. */
gchar *rein_application_id_for_dir (const gchar *data_dir);

G_END_DECLS
