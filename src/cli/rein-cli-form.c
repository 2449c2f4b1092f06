/* rein-cli-form.c: form files (--defaults FILE) and the values they hold
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "rein-market.h"

#include "rein-cli-form.h"
#include "rein-cli-private.h"

struct _ReinCliForm
{
  GHashTable *values; /* canonical label -> value */
};

/* Every label a command reads: the canonical name first, then other names
 * accepted for it (python-rein's). */
static const gchar *const known_labels[][3] = {
  { REIN_CLI_LABEL_NAME, REIN_LABEL_USER, NULL },
  { REIN_LABEL_CONTACT, NULL },
  { REIN_LABEL_WILLING_TO_MEDIATE, NULL },
  { REIN_CLI_LABEL_FEE, "Mediation fee", NULL },
  { REIN_CLI_LABEL_TESTNET, NULL },
  { REIN_LABEL_JOB_NAME, NULL },
  { REIN_LABEL_CATEGORY, NULL },
  { REIN_LABEL_DESCRIPTION, NULL },
  { REIN_LABEL_MEDIATOR, "Mediator's name", NULL },
  { REIN_LABEL_JOB_ID, NULL },
  { REIN_LABEL_BID_AMOUNT, NULL },
  { REIN_CLI_LABEL_WORKER, "Worker's name", NULL },
  { REIN_LABEL_DELIVERABLES, NULL },
  { REIN_LABEL_DISPUTE_DETAIL, NULL },
  { REIN_LABEL_RESOLUTION, NULL },
  { REIN_CLI_LABEL_SIGN, NULL },
  /* "rein-cli rate" (python-rein 0.3's ratings) */
  { REIN_CLI_LABEL_RATED, "User msin", NULL },
  { REIN_LABEL_RATING, NULL },
  { REIN_LABEL_COMMENTS, NULL },
};

const gchar *
rein_cli_form_label_canonical (const gchar *label)
{
  g_return_val_if_fail (label != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (known_labels); i++)
    for (gsize j = 0; known_labels[i][j] != NULL; j++)
      if (g_ascii_strcasecmp (known_labels[i][j], label) == 0)
        return known_labels[i][0];
  return NULL;
}

ReinCliForm *
rein_cli_form_new (void)
{
  ReinCliForm *form = g_new0 (ReinCliForm, 1);

  /* Keys are the static canonical labels. */
  form->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  return form;
}

void
rein_cli_form_free (ReinCliForm *form)
{
  if (form == NULL)
    return;
  g_hash_table_unref (form->values);
  g_free (form);
}

static gboolean
form_error (GError **error, guint line, const gchar *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
form_error (GError **error, guint line, const gchar *format, ...)
{
  g_autofree gchar *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
               _("form file, line %u: %s"), line, message);
  return FALSE;
}

/* Stores the value gathered for @label, decoding the escapes of the
 * free-text labels. */
static void
form_take (ReinCliForm *form, const gchar *label, GString *value)
{
  g_autofree gchar *text = g_string_free (value, FALSE);

  if (rein_field_label_is_multiline (label))
    g_hash_table_replace (form->values, (gpointer) label, rein_field_unescape (text));
  else
    g_hash_table_replace (form->values, (gpointer) label, g_steal_pointer (&text));
}

ReinCliForm *
rein_cli_form_parse (const gchar *text, gsize len, GError **error)
{
  g_autoptr (ReinCliForm) form = rein_cli_form_new ();
  g_auto (GStrv) lines = NULL;
  g_autofree gchar *copy = NULL;
  GString *value = NULL;
  const gchar *label = NULL;
  guint label_line = 0;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  if (len > REIN_CLI_FORM_MAX)
    {
      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                   _("the form file is too large (the limit is %d bytes)"), REIN_CLI_FORM_MAX);
      return NULL;
    }
  if ((len > 0 && memchr (text, '\0', len) != NULL) || !g_utf8_validate (text, len, NULL))
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                           _("the form file is not UTF-8 text"));
      return NULL;
    }

  copy = g_strndup (text, len);
  lines = g_strsplit (copy, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gchar *line = lines[i];
      gsize line_len = strlen (line);
      const gchar *sep;
      const gchar *canonical;
      g_autofree gchar *name = NULL;

      /* Files written on Windows end lines with "\r\n". */
      if (line_len > 0 && line[line_len - 1] == '\r')
        line[--line_len] = '\0';
      for (const gchar *p = line; *p != '\0'; p++)
        if ((guchar) *p < 0x20 && *p != '\t')
          {
            if (value != NULL)
              g_string_free (value, TRUE);
            form_error (error, i + 1, _("control characters are not allowed"));
            return NULL;
          }

      if (line[0] == ' ' || line[0] == '\t')
        {
          if (value == NULL)
            {
              if (*g_strstrip (line) == '\0')
                continue;
              form_error (error, i + 1, _("a continued line follows no “Label: value” line"));
              return NULL;
            }
          if (value->len > 0)
            g_string_append_c (value, '\n');
          g_string_append (value, line + 1);
          continue;
        }

      if (value != NULL)
        {
          form_take (form, label, value);
          value = NULL;
        }
      if (line[0] == '\0' || line[0] == '#')
        continue;

      sep = strstr (line, ": ");
      if (sep == NULL && line_len > 0 && line[line_len - 1] == ':')
        sep = line + line_len - 1;
      if (sep == NULL || sep == line)
        {
          form_error (error, i + 1, _("expected “Label: value”"));
          return NULL;
        }
      name = g_strstrip (g_strndup (line, sep - line));
      canonical = rein_cli_form_label_canonical (name);
      if (canonical == NULL)
        {
          form_error (error, i + 1, _("“%s” is not a label any command reads"), name);
          return NULL;
        }
      if (g_hash_table_contains (form->values, canonical))
        {
          form_error (error, i + 1, _("“%s” is given twice (first on line %u)"), canonical,
                      label_line);
          return NULL;
        }
      label = canonical;
      label_line = i + 1;
      value = g_string_new (*sep == ':' && sep[1] == ' ' ? sep + 2 : "");
      /* Remember the label now, so that a repeat is caught. */
      g_hash_table_replace (form->values, (gpointer) label, g_strdup (""));
    }
  if (value != NULL)
    form_take (form, label, value);

  return g_steal_pointer (&form);
}

ReinCliForm *
rein_cli_form_load (const gchar *path, GError **error)
{
  g_autofree gchar *text = NULL;
  g_autoptr (GError) local_error = NULL;
  ReinCliForm *form;
  gsize len = 0;

  text = rein_cli_read_input (path, REIN_CLI_FORM_MAX, &len, error);
  if (text == NULL)
    return NULL;
  form = rein_cli_form_parse (text, len, &local_error);
  if (form == NULL)
    {
      g_autofree gchar *what = rein_cli_describe_path (path);

      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT, "%s: %s", what,
                   local_error->message);
    }
  return form;
}

const gchar *
rein_cli_form_get (ReinCliForm *form, const gchar *label)
{
  const gchar *canonical;

  g_return_val_if_fail (label != NULL, NULL);

  if (form == NULL)
    return NULL;
  canonical = rein_cli_form_label_canonical (label);
  if (canonical == NULL)
    return NULL;
  return g_hash_table_lookup (form->values, canonical);
}

void
rein_cli_form_set (ReinCliForm *form, const gchar *label, const gchar *value)
{
  const gchar *canonical;

  g_return_if_fail (form != NULL && label != NULL && value != NULL);

  canonical = rein_cli_form_label_canonical (label);
  g_return_if_fail (canonical != NULL);
  g_hash_table_replace (form->values, (gpointer) canonical, g_strdup (value));
}

guint
rein_cli_form_size (ReinCliForm *form)
{
  return form != NULL ? g_hash_table_size (form->values) : 0;
}

/* ---- Checks of values ---- */

gboolean
rein_cli_parse_boolean (const gchar *text, gboolean *out_value, GError **error)
{
  static const gchar *const yes[] = { "true", "yes", "y", "1", NULL };
  static const gchar *const no[] = { "false", "no", "n", "0", NULL };
  g_autofree gchar *word = NULL;

  g_return_val_if_fail (out_value != NULL, FALSE);

  word = g_strstrip (g_strdup (text != NULL ? text : ""));
  for (guint i = 0; yes[i] != NULL; i++)
    if (g_ascii_strcasecmp (word, yes[i]) == 0)
      {
        *out_value = TRUE;
        return TRUE;
      }
  for (guint i = 0; no[i] != NULL; i++)
    if (g_ascii_strcasecmp (word, no[i]) == 0)
      {
        *out_value = FALSE;
        return TRUE;
      }
  g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
               _("“%s” is not True or False"), word);
  return FALSE;
}

gboolean
rein_cli_parse_percent (const gchar *text, gdouble *out_value, GError **error)
{
  g_autofree gchar *word = NULL;
  gchar *end = NULL;
  gdouble value;
  gsize len;

  g_return_val_if_fail (out_value != NULL, FALSE);

  word = g_strstrip (g_strdup (text != NULL ? text : ""));
  len = strlen (word);
  if (len > 0 && word[len - 1] == '%')
    word[--len] = '\0';
  g_strstrip (word);
  /* Digits and one point only: no signs, exponents, "nan" or "inf". */
  if (*word == '\0' || strspn (word, "0123456789.") != strlen (word)
      || strchr (word, '.') != strrchr (word, '.'))
    goto bad;
  value = g_ascii_strtod (word, &end);
  if (end == NULL || *end != '\0' || value < 0 || value > 100)
    goto bad;
  *out_value = value;
  return TRUE;

bad:
  g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
               _("“%s” is not a percentage from 0 to 100"), text != NULL ? text : "");
  return FALSE;
}

