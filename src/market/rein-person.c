/* rein-person.c: how a person is shown (a name is not an identity)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rein-document-builder.h"
#include "rein-labels.h"
#include "rein-person.h"

#define MAX_NAME_CHARS 64

gchar *
rein_person_fingerprint (const gchar *master_address)
{
  g_autofree gchar *sin = NULL;

  if (master_address == NULL || !rein_address_validate (master_address, NULL, NULL, NULL, NULL))
    return NULL;
  sin = rein_sin_from_address (master_address);
  if (sin == NULL)
    return NULL;
  return g_strndup (sin, REIN_PERSON_FINGERPRINT_LEN);
}

/* Marks, embeddings, overrides and isolates (U+200E, U+200F, U+061C,
 * U+202A..U+202E, U+2066..U+2069): in a name they turn the text around it
 * (a name that shows as another). */
static gboolean
is_bidi_control (gunichar c)
{
  return c == 0x200E || c == 0x200F || c == 0x061C || (c >= 0x202A && c <= 0x202E)
         || (c >= 0x2066 && c <= 0x2069);
}

gchar *
rein_person_clean_name (const gchar *name)
{
  g_autofree gchar *valid = NULL;
  GString *out;
  guint chars = 0;

  if (name == NULL)
    return g_strdup ("");
  valid = g_utf8_make_valid (name, -1);
  out = g_string_sized_new (strlen (valid));
  for (const gchar *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_bidi_control (c))
        continue;
      if (chars++ >= MAX_NAME_CHARS)
        {
          g_string_append (out, "…");
          break;
        }
      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

gboolean
rein_person_name_mixes_scripts (const gchar *name)
{
  gboolean latin = FALSE, cyrillic = FALSE, greek = FALSE;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return FALSE;
  for (const gchar *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isalpha (c))
        continue;
      switch (g_unichar_get_script (c))
        {
        case G_UNICODE_SCRIPT_LATIN:
          latin = TRUE;
          break;
        case G_UNICODE_SCRIPT_CYRILLIC:
          cyrillic = TRUE;
          break;
        case G_UNICODE_SCRIPT_GREEK:
          greek = TRUE;
          break;
        default:
          break;
        }
    }
  return (latin + cyrillic + greek) > 1;
}

gchar *
rein_person_format (const gchar *name, const gchar *master_address, ReinPersonFlags flags)
{
  g_autofree gchar *clean = rein_person_clean_name (name);
  g_autofree gchar *fingerprint = rein_person_fingerprint (master_address);
  GString *out = g_string_new (REIN_PERSON_FSI);

  g_string_append (out, *clean != '\0' ? clean : "?");
  g_string_append (out, REIN_PERSON_PDI);
  if (fingerprint != NULL)
    g_string_append_printf (out, " (%s)", fingerprint);
  else
    g_string_append (out, " (no fingerprint)");
  if (rein_person_name_mixes_scripts (clean))
    g_string_append (out, " " REIN_PERSON_MIXED_SCRIPTS_MARK);
  if (flags & REIN_PERSON_FLAGS_CONTESTED)
    g_string_append (out, " " REIN_PERSON_CONTESTED_MARK);
  return g_string_free (out, FALSE);
}

gchar *
rein_person_format_enrollment (ReinDocument *enrollment, ReinDirectory *directory)
{
  ReinPersonFlags flags = REIN_PERSON_FLAGS_NONE;

  g_return_val_if_fail (REIN_IS_DOCUMENT (enrollment), NULL);

  if (directory != NULL
      && rein_directory_is_contested (directory,
                                      rein_document_lookup (enrollment,
                                                            REIN_LABEL_DELEGATE_ADDRESS)))
    flags |= REIN_PERSON_FLAGS_CONTESTED;
  return rein_person_format (rein_document_lookup (enrollment, REIN_LABEL_USER),
                             rein_document_lookup (enrollment, REIN_LABEL_MASTER_ADDRESS), flags);
}

gchar *
rein_person_format_party (ReinDirectory *directory,
                          const gchar *public_key_hex,
                          const gchar *master_address,
                          const gchar *declared_name)
{
  ReinDocument *enrollment = NULL;
  g_autofree gchar *shown = NULL;

  if (directory != NULL && public_key_hex != NULL)
    enrollment = rein_directory_lookup_claim (directory, public_key_hex, master_address);
  if (enrollment != NULL)
    return rein_person_format_enrollment (enrollment, directory);
  /* several masters claim the key and the document names none of them */
  if (directory != NULL && public_key_hex != NULL
      && rein_directory_is_contested (directory, public_key_hex))
    return rein_person_format (declared_name, master_address, REIN_PERSON_FLAGS_CONTESTED);
  shown = rein_person_format (declared_name, master_address, REIN_PERSON_FLAGS_NONE);
  return g_strconcat (shown, " (not enrolled)", NULL);
}
