/* rein-password.h: password rows that do not reveal by accident
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* AdwPasswordEntryRow shows both the entry row's pencil and its own eye,
 * and Tab from the text lands on the eye (the next Enter would show the
 * password in clear). This drops the pencil and takes the eye out of the
 * focus chain (a click still shows the text). */
void rein_password_row_tidy (AdwPasswordEntryRow *row);

G_END_DECLS
