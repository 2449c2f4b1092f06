/* rein-json.h: JSON from outside (servers, files), bounded before parsing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define REIN_JSON_ERROR (rein_json_error_quark ())

typedef enum
{
  REIN_JSON_ERROR_TOO_LARGE, /* more bytes than the caller allows */
  REIN_JSON_ERROR_TOO_DEEP,  /* arrays and objects nested too deeply */
  REIN_JSON_ERROR_INVALID,   /* not UTF-8, or not JSON */
} ReinJsonError;

GQuark rein_json_error_quark (void);

/* Nesting allowed in what Rein reads: its answers and files are two or
 * three levels deep; json-glib recurses once per level, so a document
 * nested a hundred thousand times would overflow the stack. */
#define REIN_JSON_MAX_DEPTH 64

/* Checks, without parsing, that @data (@len bytes) is at most @max_len
 * bytes and nests arrays and objects at most @max_depth deep. Brackets
 * inside JSON strings (and escaped quotes) do not count. */
gboolean rein_json_check_bounds (const gchar *data,
                                 gsize len,
                                 gsize max_len,
                                 guint max_depth,
                                 GError **error);

/* rein_json_check_bounds(), then UTF-8 validation and json-glib. Returns
 * the parser holding the root, or NULL with @error set. */
JsonParser *rein_json_parse (const gchar *data,
                             gsize len,
                             gsize max_len,
                             guint max_depth,
                             GError **error);

G_END_DECLS
