/* rein-document-text.c: document text, fields and armor (no GObject here)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything in this file reads untrusted bytes: every access is bounded by
 * an explicit length, never by a terminating NUL.
 */
#include "config.h"

#include <string.h>

#include "rein-market-private.h"

G_DEFINE_QUARK (rein-market-error-quark, rein_market_error)

/* ---- Types and titles ---- */

static const struct
{
  const gchar *title;
  const gchar *name;
} document_types[] = {
  [REIN_DOCUMENT_TYPE_UNKNOWN] = { NULL, "unknown" },
  [REIN_DOCUMENT_TYPE_ENROLLMENT] = { "Rein User Enrollment", "enrollment" },
  [REIN_DOCUMENT_TYPE_JOB_POSTING] = { "Rein Job", "job_posting" },
  [REIN_DOCUMENT_TYPE_BID] = { "Rein Bid", "bid" },
  [REIN_DOCUMENT_TYPE_OFFER] = { "Rein Offer", "offer" },
  [REIN_DOCUMENT_TYPE_DELIVERY] = { "Rein Delivery", "delivery" },
  [REIN_DOCUMENT_TYPE_ACCEPT] = { "Rein Accept Delivery", "accept" },
  [REIN_DOCUMENT_TYPE_CREATOR_DISPUTE] = { "Rein Dispute Delivery", "creatordispute" },
  [REIN_DOCUMENT_TYPE_WORKER_DISPUTE] = { "Rein Dispute Offer", "workerdispute" },
  [REIN_DOCUMENT_TYPE_RESOLUTION] = { "Rein Dispute Resolution", "resolution" },
  [REIN_DOCUMENT_TYPE_ACCEPT_RESOLUTION] = { "Rein Accept Resolution", "acceptresolution" },
  [REIN_DOCUMENT_TYPE_RATING] = { "Rein Rating", "rating" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (document_types) == REIN_DOCUMENT_TYPE_LAST + 1);

G_DEFINE_ENUM_TYPE (ReinDocumentType, rein_document_type,
  G_DEFINE_ENUM_VALUE (REIN_DOCUMENT_TYPE_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (REIN_DOCUMENT_TYPE_ENROLLMENT, "enrollment"),
  G_DEFINE_ENUM_VALUE (REIN_DOCUMENT_TYPE_JOB_POSTING, "job_posting"),
  G_DEFINE_ENUM_VALUE (REIN_DOCUMENT_TYPE_BID, "bid"),
  G_DEFINE_ENUM_VALUE (REIN_DOCUMENT_TYPE_OFFER, "offer"),
  G_DEFINE_ENUM_VALUE (REIN_DOCUMENT_TYPE_DELIVERY, "delivery"),
  G_DEFINE_ENUM_VALUE (REIN_DOCUMENT_TYPE_ACCEPT, "accept"),
  G_DEFINE_ENUM_VALUE (REIN_DOCUMENT_TYPE_CREATOR_DISPUTE, "creatordispute"),
  G_DEFINE_ENUM_VALUE (REIN_DOCUMENT_TYPE_WORKER_DISPUTE, "workerdispute"),
  G_DEFINE_ENUM_VALUE (REIN_DOCUMENT_TYPE_RESOLUTION, "resolution"),
  G_DEFINE_ENUM_VALUE (REIN_DOCUMENT_TYPE_ACCEPT_RESOLUTION, "acceptresolution"),
  G_DEFINE_ENUM_VALUE (REIN_DOCUMENT_TYPE_RATING, "rating"))

G_DEFINE_ENUM_TYPE (ReinVerification, rein_verification,
  G_DEFINE_ENUM_VALUE (REIN_VERIFICATION_UNCHECKED, "unchecked"),
  G_DEFINE_ENUM_VALUE (REIN_VERIFICATION_VALID, "valid"),
  G_DEFINE_ENUM_VALUE (REIN_VERIFICATION_INVALID, "invalid"))

ReinDocumentType
rein_document_type_from_title (const gchar *title)
{
  if (title == NULL)
    return REIN_DOCUMENT_TYPE_UNKNOWN;

  for (guint i = REIN_DOCUMENT_TYPE_UNKNOWN + 1; i < G_N_ELEMENTS (document_types); i++)
    if (strcmp (title, document_types[i].title) == 0)
      return (ReinDocumentType) i;
  /* python-rein 0.3 titles its accept so */
  if (strcmp (title, "Rein Accept") == 0)
    return REIN_DOCUMENT_TYPE_ACCEPT;

  return REIN_DOCUMENT_TYPE_UNKNOWN;
}

const gchar *
rein_document_type_to_title (ReinDocumentType type)
{
  if ((guint) type >= G_N_ELEMENTS (document_types))
    return NULL;
  return document_types[type].title;
}

const gchar *
rein_document_type_to_name (ReinDocumentType type)
{
  if ((guint) type >= G_N_ELEMENTS (document_types))
    return document_types[REIN_DOCUMENT_TYPE_UNKNOWN].name;
  return document_types[type].name;
}

ReinDocumentType
rein_document_type_from_name (const gchar *name)
{
  if (name == NULL)
    return REIN_DOCUMENT_TYPE_UNKNOWN;

  for (guint i = REIN_DOCUMENT_TYPE_UNKNOWN + 1; i < G_N_ELEMENTS (document_types); i++)
    if (strcmp (name, document_types[i].name) == 0)
      return (ReinDocumentType) i;

  return REIN_DOCUMENT_TYPE_UNKNOWN;
}

/* ---- Character checks ---- */

static inline gboolean
is_forbidden_control (guchar c)
{
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
}

static inline gboolean
is_blank_char (gchar c)
{
  return c == ' ' || c == '\t' || c == '\r';
}

gboolean
_rein_text_check (const gchar *text,
                  gsize len,
                  GError **error)
{
  guchar high = 0;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) text[i];

      high |= c;
      /* the common case first: printable ASCII or part of a UTF-8 sequence */
      if (G_LIKELY (c >= 0x20 && c != 0x7f))
        continue;
      if (c == '\n' || c == '\t')
        continue;

      if (c == '\0')
        {
          g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                       "NUL byte at offset %" G_GSIZE_FORMAT, i);
          return FALSE;
        }
      if (c == '\r')
        {
          if (i + 1 < len && text[i + 1] == '\n')
            continue;
          g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                       "Carriage return without a line feed at offset %" G_GSIZE_FORMAT, i);
          return FALSE;
        }
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                   "Control character 0x%02x at offset %" G_GSIZE_FORMAT, c, i);
      return FALSE;
    }

  /* Pure ASCII (the usual document) is valid UTF-8 already. */
  if (high >= 0x80 && !g_utf8_validate_len (text, len, NULL))
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                           "The text is not valid UTF-8");
      return FALSE;
    }

  return TRUE;
}

gboolean
_rein_is_one_line (const gchar *str)
{
  if (str == NULL)
    return FALSE;

  for (const guchar *p = (const guchar *) str; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r' || is_forbidden_control (*p))
      return FALSE;

  return g_utf8_validate (str, -1, NULL);
}

/* ---- Fields ---- */

/* A field is one allocation: the struct, its label, its value (a market's
 * refresh makes millions of them). */
static ReinField *
field_alloc (gsize label_len,
             gsize value_len)
{
  ReinField *field = g_malloc (sizeof (ReinField) + label_len + 1 + value_len + 1);

  field->label = (gchar *) (field + 1);
  field->value = field->label + label_len + 1;
  return field;
}

ReinField *
rein_field_new (const gchar *label,
                const gchar *value)
{
  ReinField *field;
  gsize label_len, value_len;

  g_return_val_if_fail (label != NULL, NULL);

  label_len = strlen (label);
  value_len = value != NULL ? strlen (value) : 0;
  field = field_alloc (label_len, value_len);
  memcpy (field->label, label, label_len + 1);
  memcpy (field->value, value != NULL ? value : "", value_len + 1);
  return field;
}

ReinField *
rein_field_copy (const ReinField *field)
{
  g_return_val_if_fail (field != NULL, NULL);

  return rein_field_new (field->label, field->value);
}

void
rein_field_free (ReinField *field)
{
  g_free (field);
}

GPtrArray *
rein_fields_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) rein_field_free);
}

void
rein_fields_add (GPtrArray *fields,
                 const gchar *label,
                 const gchar *value)
{
  g_return_if_fail (fields != NULL);
  g_return_if_fail (label != NULL);

  g_ptr_array_add (fields, rein_field_new (label, value));
}

const gchar *
rein_fields_lookup (GPtrArray *fields,
                    const gchar *label)
{
  g_return_val_if_fail (fields != NULL, NULL);
  g_return_val_if_fail (label != NULL, NULL);

  for (guint i = 0; i < fields->len; i++)
    {
      const ReinField *field = g_ptr_array_index (fields, i);

      /* The first byte tells most labels apart, without a call. */
      if (field->label[0] == label[0] && strcmp (field->label, label) == 0)
        return field->value;
    }

  return NULL;
}

gboolean
rein_field_label_is_multiline (const gchar *label)
{
  static const gchar *const multiline[] = {
    "Description",
    "Deliverables",
    "Dispute detail",
    "Resolution",
  };

  if (label == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (multiline); i++)
    if (strcmp (label, multiline[i]) == 0)
      return TRUE;

  return FALSE;
}

gchar *
rein_field_escape (const gchar *value)
{
  GString *out;

  g_return_val_if_fail (value != NULL, NULL);

  out = g_string_sized_new (strlen (value) + 8);
  for (const gchar *p = value; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\r':
          if (p[1] == '\n')
            p++;
          G_GNUC_FALLTHROUGH;
        case '\n':
          g_string_append (out, "\\n");
          break;
        default:
          g_string_append_c (out, *p);
          break;
        }
    }

  return g_string_free (out, FALSE);
}

/* Writes @value's @len bytes unescaped into @out (room for @len + 1
 * bytes), NUL-terminated. */
static void
unescape_into (gchar *out,
               const gchar *value,
               gsize len)
{
  gsize j = 0;

  for (gsize i = 0; i < len; i++)
    {
      if (value[i] == '\\' && i + 1 < len && value[i + 1] == 'n')
        {
          out[j++] = '\n';
          i++;
        }
      else if (value[i] == '\\' && i + 1 < len && value[i + 1] == '\\')
        {
          out[j++] = '\\';
          i++;
        }
      else
        out[j++] = value[i];
    }
  out[j] = '\0';
}

gchar *
rein_field_unescape (const gchar *value)
{
  g_return_val_if_fail (value != NULL, NULL);

  gsize len = strlen (value);
  gchar *out = g_malloc (len + 1);

  unescape_into (out, value, len);
  return out;
}

/* ---- Document text ---- */

/* Finds ": " in [line, line + len). */
static const gchar *
find_separator (const gchar *line,
                gsize len)
{
  for (gsize i = 0; i + 1 < len; i++)
    if (line[i] == ':' && line[i + 1] == ' ')
      return line + i;
  return NULL;
}

/* Splits a "Label: value" line; FALSE when it has no separator. The label
 * may be empty: callers decide. */
static gboolean
split_label_line (const gchar *line,
                  gsize line_len,
                  gsize *out_label_len,
                  const gchar **out_value,
                  gsize *out_value_len)
{
  const gchar *sep = find_separator (line, line_len);

  if (sep != NULL)
    {
      *out_label_len = (gsize) (sep - line);
      *out_value = sep + 2;
      *out_value_len = line_len - *out_label_len - 2;
    }
  else if (line_len > 0 && line[line_len - 1] == ':')
    {
      /* "Label:" whose trailing space an editor removed */
      *out_label_len = line_len - 1;
      *out_value = line + line_len;
      *out_value_len = 0;
    }
  else
    return FALSE;

  return TRUE;
}

static ReinField *
field_new_len (const gchar *label,
               gsize label_len,
               const gchar *value,
               gsize value_len)
{
  /* Unescaping never makes a value longer. */
  ReinField *field = field_alloc (label_len, value_len);

  memcpy (field->label, label, label_len);
  field->label[label_len] = '\0';
  if (rein_field_label_is_multiline (field->label))
    unescape_into (field->value, value, value_len);
  else
    {
      memcpy (field->value, value, value_len);
      field->value[value_len] = '\0';
    }
  return field;
}

gboolean
_rein_document_text_parse (const gchar *text,
                           gsize len,
                           gboolean checked,
                           gchar **out_title,
                           GPtrArray **out_fields,
                           GError **error)
{
  g_autofree gchar *title = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  gsize pos = 0;
  guint line_no = 0;

  if (len > REIN_DOCUMENT_MAX_SIZE)
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_TOO_LARGE,
                   "The document text has %" G_GSIZE_FORMAT " bytes, more than %d",
                   len, REIN_DOCUMENT_MAX_SIZE);
      return FALSE;
    }
  if (len == 0)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                           "The document text is empty");
      return FALSE;
    }
  if (!checked && !_rein_text_check (text, len, error))
    return FALSE;

  fields = rein_fields_new ();

  /* pos <= len always holds; a text ending with a line break has an empty
   * last line, which is refused below. */
  for (;;)
    {
      const gchar *line = text + pos;
      const gchar *nl = memchr (line, '\n', len - pos);
      gsize line_len = nl != NULL ? (gsize) (nl - line) : len - pos;
      gsize next = nl != NULL ? pos + line_len + 1 : len;

      line_no++;

      /* _rein_text_check() allowed '\r' only before '\n'. */
      if (line_len > 0 && line[line_len - 1] == '\r')
        line_len--;

      if (line_len == 0)
        {
          g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                       "Line %u is empty", line_no);
          return FALSE;
        }

      if (title == NULL)
        title = g_strndup (line, line_len);
      else
        {
          gsize label_len;
          const gchar *value;
          gsize value_len;

          if (!split_label_line (line, line_len, &label_len, &value, &value_len))
            {
              g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                           "Line %u is not a \"Label: value\" line", line_no);
              return FALSE;
            }
          if (label_len == 0)
            {
              g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                           "Line %u has an empty label", line_no);
              return FALSE;
            }

          g_ptr_array_add (fields, field_new_len (line, label_len, value, value_len));
        }

      if (nl == NULL)
        break;
      pos = next;
    }

  if (out_title != NULL)
    *out_title = g_steal_pointer (&title);
  if (out_fields != NULL)
    *out_fields = g_steal_pointer (&fields);
  return TRUE;
}

void
_rein_document_text_parse_any (const gchar *text,
                               gsize len,
                               gsize skip_start,
                               gsize skip_end,
                               gchar **out_title,
                               GPtrArray **out_fields)
{
  g_autoptr(GPtrArray) fields = rein_fields_new ();
  gsize pos = 0;

  g_assert (len <= REIN_DOCUMENT_MAX_SIZE);
  g_assert (skip_start <= skip_end && skip_end <= len);

  *out_title = NULL;
  while (pos < len)
    {
      const gchar *line = text + pos;
      const gchar *nl = memchr (line, '\n', len - pos);
      gsize line_len = nl != NULL ? (gsize) (nl - line) : len - pos;
      gsize label_len;
      const gchar *value;
      gsize value_len;
      gboolean first = pos == 0;

      if (line_len > 0 && line[line_len - 1] == '\r')
        line_len--;

      if (pos < skip_start || pos >= skip_end)
        {
          if (split_label_line (line, line_len, &label_len, &value, &value_len)
              && label_len > 0)
            g_ptr_array_add (fields, field_new_len (line, label_len, value, value_len));
          else if (first && line_len > 0)
            *out_title = g_strndup (line, line_len);
        }

      if (nl == NULL)
        break;
      pos = (gsize) (nl - text) + 1;
    }

  *out_fields = g_steal_pointer (&fields);
}

/* ---- Wrapped signed messages ---- */

typedef enum
{
  ESCAPE_NONE,
  ESCAPE_RFC4880, /* "- " in front of the line */
  ESCAPE_OLD,     /* "- " in place of the first dash, as old Rein clients wrote */
} EscapeStyle;

typedef struct
{
  gsize start;
  gsize len; /* without the line break */
} Span;

/* How the line at @span spells @marker escaped, trailing blanks ignored. */
static EscapeStyle
escaped_marker (const gchar *text,
                const Span *span,
                const gchar *marker)
{
  const gchar *line = text + span->start;
  gsize len = span->len;
  gsize n = strlen (marker);

  while (len > 0 && is_blank_char (line[len - 1]))
    len--;
  if (len < 2 || line[0] != '-' || line[1] != ' ')
    return ESCAPE_NONE;
  if (len - 2 == n && memcmp (line + 2, marker, n) == 0)
    return ESCAPE_RFC4880;
  if (len - 2 == n - 1 && memcmp (line + 2, marker + 1, n - 1) == 0)
    return ESCAPE_OLD;
  return ESCAPE_NONE;
}

gboolean
_rein_wrapped_find (const gchar *text,
                    gsize len,
                    gsize *out_start,
                    gsize *out_end,
                    gchar **out_armored,
                    gsize *out_armored_len)
{
  g_autoptr(GArray) lines = NULL;
  g_autoptr(GString) armored = NULL;
  EscapeStyle style = ESCAPE_NONE;
  guint header = 0;
  guint footer = 0;
  gsize pos = 0;

  g_assert (len <= REIN_DOCUMENT_MAX_SIZE);

  lines = g_array_new (FALSE, FALSE, sizeof (Span));
  while (pos < len)
    {
      const gchar *nl = memchr (text + pos, '\n', len - pos);
      Span span = { pos, nl != NULL ? (gsize) (nl - (text + pos)) : len - pos };

      g_array_append_val (lines, span);
      if (nl == NULL)
        break;
      pos += span.len + 1;
    }

  for (guint i = 0; i < lines->len && style == ESCAPE_NONE; i++)
    {
      style = escaped_marker (text, &g_array_index (lines, Span, i), REIN_ARMOR_HEADER);
      header = i;
    }
  if (style == ESCAPE_NONE)
    return FALSE;

  /* RFC 4880 escapes every dash line again at each level, so the first
   * footer of the same spelling is this message's. The old spelling does
   * not nest (a wrapped message's own escaped lines stay as they were), so
   * the last footer is taken: the outermost message. */
  for (guint i = header + 1; i < lines->len; i++)
    {
      if (escaped_marker (text, &g_array_index (lines, Span, i), REIN_ARMOR_FOOTER) == style)
        {
          footer = i;
          if (style == ESCAPE_RFC4880)
            break;
        }
    }

  /* header, at least one line of text, signature line, address, signature,
   * footer */
  if (footer < header + 5
      || escaped_marker (text, &g_array_index (lines, Span, footer - 3),
                         REIN_ARMOR_SIGNATURE) != style)
    return FALSE;

  armored = g_string_sized_new (len);
  g_string_append (armored, REIN_ARMOR_HEADER "\n");
  for (guint i = header + 1; i < footer - 3; i++)
    {
      const Span *span = &g_array_index (lines, Span, i);
      const gchar *line = text + span->start;
      gsize line_len = span->len;

      if (style == ESCAPE_RFC4880 && line_len >= 2 && line[0] == '-' && line[1] == ' ')
        {
          line += 2;
          line_len -= 2;
        }
      g_string_append_len (armored, line, (gssize) line_len);
      g_string_append_c (armored, '\n');
    }
  g_string_append (armored, REIN_ARMOR_SIGNATURE "\n");
  for (guint i = footer - 2; i < footer; i++)
    {
      const Span *span = &g_array_index (lines, Span, i);

      g_string_append_len (armored, text + span->start, (gssize) span->len);
      g_string_append_c (armored, '\n');
    }
  g_string_append (armored, REIN_ARMOR_FOOTER);

  *out_start = g_array_index (lines, Span, header).start;
  *out_end = g_array_index (lines, Span, footer).start + g_array_index (lines, Span, footer).len;
  *out_armored_len = armored->len;
  *out_armored = g_string_free (g_steal_pointer (&armored), FALSE);
  return TRUE;
}

gboolean
rein_document_text_parse (const gchar *text,
                          gsize len,
                          gchar **out_title,
                          GPtrArray **out_fields,
                          GError **error)
{
  g_return_val_if_fail (text != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _rein_document_text_parse (text, len, FALSE, out_title, out_fields, error);
}

gchar *
rein_document_text_build (const gchar *title,
                          GPtrArray *fields,
                          GError **error)
{
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (title != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (*title == '\0' || !_rein_is_one_line (title))
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                           "The title must be one non-empty line");
      return NULL;
    }

  out = g_string_new (title);

  for (guint i = 0; fields != NULL && i < fields->len; i++)
    {
      const ReinField *field = g_ptr_array_index (fields, i);
      const gchar *value = field->value != NULL ? field->value : "";

      if (field->label == NULL || *field->label == '\0' || !_rein_is_one_line (field->label)
          || strstr (field->label, ": ") != NULL)
        {
          g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                       "Field %u has an invalid label", i + 1);
          return NULL;
        }

      g_string_append_c (out, '\n');
      g_string_append (out, field->label);
      g_string_append (out, ": ");

      if (rein_field_label_is_multiline (field->label))
        {
          g_autofree gchar *escaped = rein_field_escape (value);

          if (!_rein_is_one_line (escaped))
            {
              g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                           "The value of \"%s\" holds control characters", field->label);
              return NULL;
            }
          g_string_append (out, escaped);
        }
      else
        {
          if (!_rein_is_one_line (value))
            {
              g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                           "The value of \"%s\" must be one line of text", field->label);
              return NULL;
            }
          g_string_append (out, value);
        }

      if (out->len > REIN_DOCUMENT_MAX_SIZE)
        break;
    }

  if (out->len > REIN_DOCUMENT_MAX_SIZE)
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_TOO_LARGE,
                   "The document text is longer than %d bytes", REIN_DOCUMENT_MAX_SIZE);
      return NULL;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---- Armor ---- */

typedef struct
{
  const gchar *start;
  gsize len;          /* without the line break */
  gboolean has_break; /* ended by "\n" or "\r\n", not by the end of input */
} Line;

/* Reads the line at *pos; FALSE at the end of the input. */
static gboolean
next_line (const gchar *buf,
           gsize len,
           gsize *pos,
           Line *line)
{
  const gchar *nl;

  if (*pos >= len)
    return FALSE;

  line->start = buf + *pos;
  nl = memchr (line->start, '\n', len - *pos);
  if (nl != NULL)
    {
      line->len = (gsize) (nl - line->start);
      line->has_break = TRUE;
      *pos += line->len + 1;
    }
  else
    {
      line->len = len - *pos;
      line->has_break = FALSE;
      *pos = len;
    }

  if (line->len > 0 && line->start[line->len - 1] == '\r')
    line->len--;

  return TRUE;
}

/* Drops spaces and tabs that end @line (an editor or a mail client may add
 * them to the armor lines; they are never part of the signed text). */
static void
line_trim_end (Line *line)
{
  while (line->len > 0 && is_blank_char (line->start[line->len - 1]))
    line->len--;
}

static gboolean
line_is_blank (const Line *line)
{
  for (gsize i = 0; i < line->len; i++)
    if (!is_blank_char (line->start[i]))
      return FALSE;
  return TRUE;
}

/* TRUE when @line is @str, maybe followed by spaces and tabs. */
static gboolean
line_equals (const Line *line,
             const gchar *str)
{
  gsize n = strlen (str);
  Line trimmed = *line;

  line_trim_end (&trimmed);
  return trimmed.len == n && memcmp (trimmed.start, str, n) == 0;
}

static gboolean
is_base58_char (gchar c)
{
  /* 1-9, A-Z without I and O, a-z without l */
  return (c >= '1' && c <= '9')
         || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O')
         || (c >= 'a' && c <= 'z' && c != 'l');
}

/* Decodes a signature line; TRUE only for the canonical base64 encoding of
 * exactly 65 bytes (so that no other spelling of the same bytes passes). */
static gboolean
decode_signature (const gchar *b64,
                  gsize len,
                  guint8 out[REIN_COMPACT_SIGNATURE_LEN])
{
  /* 65 bytes are 88 base64 characters, the last one '='. The buffers are
   * as large as g_base64_*_step() may need. */
  guint8 bytes[88 / 4 * 3 + 3];
  gchar check[(REIN_COMPACT_SIGNATURE_LEN / 3 + 1) * 4 + 4];
  gint state = 0;
  guint save = 0;
  gint estate = 0;
  gint esave = 0;
  gsize n;
  gsize m;

  if (len != 88)
    return FALSE;

  for (gsize i = 0; i < 87; i++)
    if (!g_ascii_isalnum (b64[i]) && b64[i] != '+' && b64[i] != '/')
      return FALSE;
  if (b64[87] != '=')
    return FALSE;

  n = g_base64_decode_step (b64, 88, bytes, &state, &save);
  if (n != REIN_COMPACT_SIGNATURE_LEN)
    return FALSE;

  m = g_base64_encode_step (bytes, REIN_COMPACT_SIGNATURE_LEN, FALSE, check, &estate, &esave);
  m += g_base64_encode_close (FALSE, check + m, &estate, &esave);
  if (m != 88 || memcmp (check, b64, 88) != 0)
    return FALSE;

  memcpy (out, bytes, REIN_COMPACT_SIGNATURE_LEN);
  return TRUE;
}

void
_rein_armor_parts_clear (ReinArmorParts *parts)
{
  g_clear_pointer (&parts->text, g_free);
  g_clear_pointer (&parts->address, g_free);
  g_clear_pointer (&parts->signature, g_free);
  parts->text_len = 0;
  parts->text_offset = -1;
}

static void
set_not_armored (GError **error,
                 const gchar *what)
{
  g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_NOT_ARMORED,
               "Not an armored signed message: %s", what);
}

gboolean
_rein_armor_split (const gchar *armored,
                   gsize len,
                   ReinArmorParts *parts,
                   GError **error)
{
  gsize pos = 0;
  gsize body_start;
  gsize body_end = 0;
  gboolean found = FALSE;
  gboolean have_line;
  Line line;
  Line address;
  Line signature;
  gchar *text;
  gsize j = 0;

  memset (parts, 0, sizeof *parts);

  if (len > REIN_DOCUMENT_MAX_SIZE)
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_TOO_LARGE,
                   "The document has %" G_GSIZE_FORMAT " bytes, more than %d",
                   len, REIN_DOCUMENT_MAX_SIZE);
      return FALSE;
    }
  if (len == 0)
    {
      set_not_armored (error, "empty input");
      return FALSE;
    }
  if (!_rein_text_check (armored, len, error))
    return FALSE;

  /* Blank lines before the armor are not part of it. */
  while ((have_line = next_line (armored, len, &pos, &line)) && line.has_break
         && line_is_blank (&line))
    ;
  if (!have_line || !line.has_break || !line_equals (&line, REIN_ARMOR_HEADER))
    {
      set_not_armored (error, "the first line is not " REIN_ARMOR_HEADER);
      return FALSE;
    }

  body_start = pos;
  while (next_line (armored, len, &pos, &line))
    {
      if (line_equals (&line, REIN_ARMOR_SIGNATURE))
        {
          found = TRUE;
          break;
        }
      /* the body ends before this line's break */
      body_end = (gsize) (line.start - armored) + line.len;
    }

  if (!found || !line.has_break)
    {
      set_not_armored (error, "no " REIN_ARMOR_SIGNATURE " line");
      return FALSE;
    }
  if (line.start == armored + body_start)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                           "The signed text is empty");
      return FALSE;
    }

  if (!next_line (armored, len, &pos, &address) || !address.has_break
      || !next_line (armored, len, &pos, &signature) || !signature.has_break
      || !next_line (armored, len, &pos, &line) || !line_equals (&line, REIN_ARMOR_FOOTER))
    {
      set_not_armored (error, "expected the signer address, the signature and "
                              REIN_ARMOR_FOOTER " to end the text");
      return FALSE;
    }
  /* Only blank lines may follow the footer. */
  for (gsize i = pos; i < len; i++)
    if (!is_blank_char (armored[i]) && armored[i] != '\n')
      {
        set_not_armored (error, "text after " REIN_ARMOR_FOOTER);
        return FALSE;
      }
  line_trim_end (&address);
  line_trim_end (&signature);

  if (address.len < 26 || address.len > 35)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                           "The signer address has the wrong length");
      return FALSE;
    }
  for (gsize i = 0; i < address.len; i++)
    if (!is_base58_char (address.start[i]))
      {
        g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                             "The signer address is not base58");
        return FALSE;
      }

  if (!decode_signature (signature.start, signature.len, parts->sig))
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                           "The signature is not a base64 compact signature");
      return FALSE;
    }

  /* Copy the body, turning "\r\n" into "\n" (a lone '\r' was refused). */
  g_assert (body_end >= body_start && body_end <= len);
  text = g_malloc (body_end - body_start + 1);
  for (gsize i = body_start; i < body_end; i++)
    if (armored[i] != '\r')
      text[j++] = armored[i];
  text[j] = '\0';

  parts->text = text;
  parts->text_len = j;
  parts->text_offset = j == body_end - body_start ? (gssize) body_start : -1;
  parts->address = g_strndup (address.start, address.len);
  parts->signature = g_strndup (signature.start, signature.len);
  return TRUE;
}

gboolean
rein_armor_parse (const gchar *armored,
                  gsize len,
                  gchar **out_text,
                  gchar **out_address,
                  gchar **out_signature,
                  GError **error)
{
  ReinArmorParts parts;

  g_return_val_if_fail (armored != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_rein_armor_split (armored, len, &parts, error))
    return FALSE;

  if (out_text != NULL)
    *out_text = g_steal_pointer (&parts.text);
  if (out_address != NULL)
    *out_address = g_steal_pointer (&parts.address);
  if (out_signature != NULL)
    *out_signature = g_steal_pointer (&parts.signature);
  _rein_armor_parts_clear (&parts);
  return TRUE;
}

gchar *
rein_armor_build (const gchar *text,
                  const gchar *address,
                  const gchar *signature)
{
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (signature != NULL, NULL);

  return g_strconcat (REIN_ARMOR_HEADER "\n",
                      text, "\n",
                      REIN_ARMOR_SIGNATURE "\n",
                      address, "\n",
                      signature, "\n",
                      REIN_ARMOR_FOOTER,
                      NULL);
}
