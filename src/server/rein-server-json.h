/* rein-server-json.h: JSON string literals, fast
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bytes of @text (valid UTF-8) as a JSON string literal, quotes included. */
gsize rein_server_json_string_size (const gchar *text);
/* Writes the literal at @out (room for rein_server_json_string_size()
 * bytes); returns the end. No terminating NUL. */
gchar *rein_server_json_string_write (gchar *out, const gchar *text);
/* The literal as a new string. */
gchar *rein_server_json_string_new (const gchar *text, gsize *out_len);

G_END_DECLS
