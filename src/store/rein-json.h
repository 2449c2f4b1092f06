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

/* A fast reader for the answers Rein reads most, a page of documents:
 * a JSON object whose member @list_member is an array of strings (every
 * other member any JSON value). On TRUE, @out_list holds the array's
 * strings, unescaped (gchar *, free with g_ptr_array_unref()), and
 * @out_strings (may be NULL) maps the other members whose values are
 * strings to those values. FALSE, with nothing set, for anything else:
 * not such an object, not UTF-8, nested deeper than @max_depth, two
 * members of one name, an item that is not a string, \u0000 or a lone
 * surrogate in a string; the caller then asks rein_json_parse(), which
 * reads what json-glib reads, with the same result for what this takes. */
gboolean rein_json_scan_list_answer (const gchar *data,
                                     gsize len,
                                     guint max_depth,
                                     const gchar *list_member,
                                     GPtrArray **out_list,
                                     GHashTable **out_strings);

G_END_DECLS
