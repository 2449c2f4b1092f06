/* rein-json.c: JSON from outside (servers, files), bounded before parsing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rein-json.h"

G_DEFINE_QUARK (rein-json-error-quark, rein_json_error)

/* Besides brackets and quotes, what JSON allows outside strings:
 * whitespace, separators, numbers, true, false and null. */
#define OUTSIDE_STRINGS " \t\n\r,:-+.0123456789Eaeflnrstu"

gboolean
rein_json_check_bounds (const gchar *data,
                        gsize len,
                        gsize max_len,
                        guint max_depth,
                        GError **error)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (len > max_len)
    {
      g_set_error (error, REIN_JSON_ERROR, REIN_JSON_ERROR_TOO_LARGE,
                   "JSON text of %" G_GSIZE_FORMAT " bytes is larger than the %" G_GSIZE_FORMAT
                   " allowed",
                   len, max_len);
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    {
      gchar c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++; /* the escaped character, whatever it is, ends nothing */
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > max_depth)
            {
              g_set_error (error, REIN_JSON_ERROR, REIN_JSON_ERROR_TOO_DEEP,
                           "JSON text nests more than %u levels deep", max_depth);
              return FALSE;
            }
          break;
        case ']':
        case '}':
          /* Unbalanced closers are the parser's to refuse; the count only
           * has to stay an upper bound of the parser's depth. */
          if (depth > 0)
            depth--;
          break;
        default:
          if (c != '\0' && strchr (OUTSIDE_STRINGS, c) != NULL)
            break;
          /* Nothing else may stand outside a string in JSON. Refusing it
           * here also refuses what json-glib would take for a comment or a
           * single-quoted string, where this count and the parser's could
           * disagree. */
          g_set_error (error, REIN_JSON_ERROR, REIN_JSON_ERROR_INVALID,
                       "Not valid JSON: unexpected character at byte %" G_GSIZE_FORMAT, i);
          return FALSE;
        }
    }
  return TRUE;
}

JsonParser *
rein_json_parse (const gchar *data, gsize len, gsize max_len, guint max_depth, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!rein_json_check_bounds (data, len, max_len, max_depth, error))
    return NULL;
  if (len == 0 || !g_utf8_validate (data, len, NULL))
    {
      g_set_error_literal (error, REIN_JSON_ERROR, REIN_JSON_ERROR_INVALID,
                           len == 0 ? "Empty JSON text" : "JSON text is not valid UTF-8");
      return NULL;
    }
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    {
      g_set_error (error, REIN_JSON_ERROR, REIN_JSON_ERROR_INVALID, "Not valid JSON: %s",
                   local_error->message);
      return NULL;
    }
  return g_steal_pointer (&parser);
}
