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
          /* \u0000 is a string that every reader in C cuts short there
           * (json-glib's strings end at their first NUL): the text after
           * it would go unseen, so the whole text is refused. */
          if (c == '\\' && len - i > 5 && memcmp (data + i + 1, "u0000", 5) == 0)
            {
              g_set_error (error, REIN_JSON_ERROR, REIN_JSON_ERROR_INVALID,
                           "Not valid here: a string holds a NUL character (\\u0000) at byte "
                           "%" G_GSIZE_FORMAT, i);
              return FALSE;
            }
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

/* Eight bytes at a time (a market's page is megabytes of document text
 * in JSON strings, and a byte at a time these loops were a tenth of a
 * refresh's reading). The tests below are exact for the word as a whole:
 * whether any of its bytes is 0x80 or more, below 0x20, '"' or '\\'. */
#define ONES G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT (0x8080808080808080)
#define ANY_ZERO(x) (((x) - ONES) & ~(x) & HIGHS)
#define ANY_BELOW(x, n) (((x) - ONES * (n)) & ~(x) & HIGHS)

static inline guint64
load8 (const guchar *p)
{
  guint64 word;

  memcpy (&word, p, sizeof word);
  return word;
}

/* Whether @data is UTF-8: ASCII is stepped over a word at a time, and
 * g_utf8_validate_len() reads from the first byte that is not. */
static gboolean
valid_utf8 (const gchar *data, gsize len)
{
  const guchar *p = (const guchar *) data, *end = p + len;

  while (end - p >= 8 && (load8 (p) & HIGHS) == 0)
    p += 8;
  return g_utf8_validate_len ((const gchar *) p, end - p, NULL);
}

JsonParser *
rein_json_parse (const gchar *data, gsize len, gsize max_len, guint max_depth, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!rein_json_check_bounds (data, len, max_len, max_depth, error))
    return NULL;
  if (len == 0 || !valid_utf8 (data, len))
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

/* ---- a fast path for answers that are mostly a list of strings ---- */

typedef struct
{
  const guchar *p;
  const guchar *end;
  guint depth;
  guint max_depth;
} Scan;

static void
skip_space (Scan *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static gint
hex_value (guchar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (Scan *s, gunichar *out)
{
  gunichar value = 0;

  if (s->end - s->p < 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    {
      gint digit = hex_value (s->p[i]);

      if (digit < 0)
        return FALSE;
      value = value << 4 | (gunichar) digit;
    }
  s->p += 4;
  *out = value;
  return TRUE;
}

/* Where the string at s->p (its opening quote) ends: just past its
 * closing quote, or NULL at a control character or the end of the data.
 * Escapes are only stepped over here. */
static const guchar *
string_end (const Scan *s)
{
  const guchar *p = s->p + 1;

  while (p < s->end)
    {
      guchar c;

      /* Words with none of '"', '\\' and control characters go whole. */
      if (s->end - p >= 8)
        {
          guint64 word = load8 (p);

          if (!ANY_ZERO (word ^ (ONES * '"')) && !ANY_ZERO (word ^ (ONES * '\\'))
              && !ANY_BELOW (word, 0x20))
            {
              p += 8;
              continue;
            }
        }
      c = *p;
      if (c == '"')
        return p + 1;
      if (c < 0x20)
        return NULL;
      p += c == '\\' ? 2 : 1;
    }
  return NULL;
}

/* A string at s->p (its opening quote). With @out, its text, unescaped,
 * in a new string there. FALSE for anything the fast path leaves to
 * json-glib: a control character, a bad escape, \u0000 or a lone
 * surrogate. (The bytes were checked to be UTF-8 before.) */
static gboolean
scan_string (Scan *s, gchar **out)
{
  const guchar *end;
  gchar *text = NULL, *w = NULL;

  if (s->p >= s->end || *s->p != '"' || (end = string_end (s)) == NULL)
    return FALSE;
  /* unescaped, a string is never longer than written */
  if (out != NULL)
    w = text = g_malloc (end - s->p);
  s->p++;
  end--; /* the closing quote */
  while (s->p < end)
    {
      const guchar *run = s->p;
      const guchar *backslash = memchr (run, '\\', end - run);

      s->p = backslash != NULL ? backslash : end;
      if (w != NULL)
        {
          memcpy (w, run, s->p - run);
          w += s->p - run;
        }
      if (s->p >= end)
        break;
      /* a backslash, and what it escapes (string_end() saw it is there) */
      s->p++;
      switch (*s->p++)
        {
        case '"':
          if (w)
            *w++ = '"';
          break;
        case '\\':
          if (w)
            *w++ = '\\';
          break;
        case '/':
          if (w)
            *w++ = '/';
          break;
        case 'b':
          if (w)
            *w++ = '\b';
          break;
        case 'f':
          if (w)
            *w++ = '\f';
          break;
        case 'n':
          if (w)
            *w++ = '\n';
          break;
        case 'r':
          if (w)
            *w++ = '\r';
          break;
        case 't':
          if (w)
            *w++ = '\t';
          break;
        case 'u':
          {
            gunichar c, low;

            if (!read_hex4 (s, &c) || c == 0 || (c >= 0xdc00 && c <= 0xdfff))
              goto refuse;
            if (c >= 0xd800 && c <= 0xdbff)
              {
                if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
                  goto refuse;
                s->p += 2;
                if (!read_hex4 (s, &low) || low < 0xdc00 || low > 0xdfff)
                  goto refuse;
                c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
              }
            /* "\\uXXXX" (6 bytes, 12 for a pair) is longer than its UTF-8 */
            if (w)
              w += g_unichar_to_utf8 (c, w);
            break;
          }
        default:
          goto refuse;
        }
      /* an escape read past the closing quote: it was not one */
      if (s->p > end)
        goto refuse;
    }
  s->p = end + 1;
  if (out != NULL)
    {
      *w = '\0';
      *out = text;
    }
  return TRUE;

refuse:
  g_free (text);
  return FALSE;
}

static gboolean
scan_literal (Scan *s, const gchar *word)
{
  gsize n = strlen (word);

  if ((gsize) (s->end - s->p) < n || memcmp (s->p, word, n) != 0)
    return FALSE;
  s->p += n;
  return TRUE;
}

static gboolean
scan_digits (Scan *s)
{
  const guchar *start = s->p;

  while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
    s->p++;
  return s->p > start;
}

/* A number as JSON writes one. */
static gboolean
scan_number (Scan *s)
{
  if (s->p < s->end && *s->p == '-')
    s->p++;
  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (!scan_digits (s))
    return FALSE;
  if (s->p < s->end && *s->p == '.')
    {
      s->p++;
      if (!scan_digits (s))
        return FALSE;
    }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      s->p++;
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        s->p++;
      if (!scan_digits (s))
        return FALSE;
    }
  return TRUE;
}

static gboolean scan_value (Scan *s);

/* A '[' or '{' at s->p and what it holds, up to its closing bracket. */
static gboolean
scan_container (Scan *s)
{
  gboolean object = *s->p == '{';
  guchar close = object ? '}' : ']';

  if (++s->depth > s->max_depth)
    return FALSE;
  s->p++;
  skip_space (s);
  if (s->p < s->end && *s->p == close)
    {
      s->p++;
      s->depth--;
      return TRUE;
    }
  for (;;)
    {
      if (object)
        {
          if (!scan_string (s, NULL))
            return FALSE;
          skip_space (s);
          if (s->p >= s->end || *s->p++ != ':')
            return FALSE;
          skip_space (s);
        }
      if (!scan_value (s))
        return FALSE;
      skip_space (s);
      if (s->p >= s->end)
        return FALSE;
      if (*s->p == close)
        {
          s->p++;
          s->depth--;
          return TRUE;
        }
      if (*s->p++ != ',')
        return FALSE;
      skip_space (s);
    }
}

static gboolean
scan_value (Scan *s)
{
  if (s->p >= s->end)
    return FALSE;
  switch (*s->p)
    {
    case '"':
      return scan_string (s, NULL);
    case '{':
    case '[':
      return scan_container (s);
    case 't':
      return scan_literal (s, "true");
    case 'f':
      return scan_literal (s, "false");
    case 'n':
      return scan_literal (s, "null");
    default:
      return scan_number (s);
    }
}

/* The array of strings at s->p into @list. */
static gboolean
scan_string_array (Scan *s, GPtrArray *list)
{
  if (s->p >= s->end || *s->p != '[')
    return FALSE;
  s->p++;
  skip_space (s);
  if (s->p < s->end && *s->p == ']')
    {
      s->p++;
      return TRUE;
    }
  for (;;)
    {
      gchar *text;

      if (!scan_string (s, &text))
        return FALSE;
      g_ptr_array_add (list, text);
      skip_space (s);
      if (s->p >= s->end)
        return FALSE;
      if (*s->p == ']')
        {
          s->p++;
          return TRUE;
        }
      if (*s->p++ != ',')
        return FALSE;
      skip_space (s);
    }
}

gboolean
rein_json_scan_list_answer (const gchar *data,
                            gsize len,
                            guint max_depth,
                            const gchar *list_member,
                            GPtrArray **out_list,
                            GHashTable **out_strings)
{
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GHashTable) strings = NULL;
  g_autoptr (GHashTable) seen = NULL;
  Scan s = { NULL, NULL, 1, max_depth };

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (list_member != NULL, FALSE);

  if (len == 0 || max_depth < 2 || !valid_utf8 (data, len))
    return FALSE;
  s.p = (const guchar *) data;
  s.end = s.p + len;
  skip_space (&s);
  if (s.p >= s.end || *s.p++ != '{')
    return FALSE;
  strings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  skip_space (&s);
  if (s.p < s.end && *s.p == '}')
    s.p++;
  else
    for (;;)
      {
        gchar *key;

        if (!scan_string (&s, &key))
          return FALSE;
        /* json-glib keeps the last of two members of one name: not worth
         * the fast path */
        if (!g_hash_table_add (seen, key))
          return FALSE;
        skip_space (&s);
        if (s.p >= s.end || *s.p++ != ':')
          return FALSE;
        skip_space (&s);
        if (s.p >= s.end)
          return FALSE;
        if (strcmp (key, list_member) == 0)
          {
            list = g_ptr_array_new_with_free_func (g_free);
            if (!scan_string_array (&s, list))
              return FALSE;
          }
        else if (*s.p == '"')
          {
            gchar *value;

            if (!scan_string (&s, &value))
              return FALSE;
            g_hash_table_insert (strings, g_strdup (key), value);
          }
        else if (!scan_value (&s))
          return FALSE;
        skip_space (&s);
        if (s.p >= s.end)
          return FALSE;
        if (*s.p == '}')
          {
            s.p++;
            break;
          }
        if (*s.p++ != ',')
          return FALSE;
        skip_space (&s);
      }
  skip_space (&s);
  if (s.p != s.end || list == NULL)
    return FALSE;
  *out_list = g_steal_pointer (&list);
  if (out_strings != NULL)
    *out_strings = g_steal_pointer (&strings);
  return TRUE;
}
