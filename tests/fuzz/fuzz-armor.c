/* fuzz-armor.c: libFuzzer target for the armor and document text parsers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Besides not crashing, checks round trips: what rein_armor_parse() accepts
 * rebuilds into armor that parses to the same parts, and what
 * rein_document_text_parse() accepts rebuilds into a text with the same
 * title and fields.
 */
#include <stdint.h>
#include <string.h>

#include "rein-market.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc,
                      char ***argv)
{
  /* A g_return_if_fail() hit is a bug worth stopping for. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static void
check_fields_equal (GPtrArray *a,
                    GPtrArray *b)
{
  g_assert (a->len == b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const ReinField *fa = g_ptr_array_index (a, i);
      const ReinField *fb = g_ptr_array_index (b, i);

      g_assert (strcmp (fa->label, fb->label) == 0);
      g_assert (strcmp (fa->value, fb->value) == 0);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t size)
{
  const gchar *input = (const gchar *) data;
  g_autofree gchar *text = NULL;
  g_autofree gchar *address = NULL;
  g_autofree gchar *signature = NULL;
  g_autofree gchar *title = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GError) error = NULL;

  if (rein_armor_parse (input, size, &text, &address, &signature, &error))
    {
      g_autofree gchar *armored = rein_armor_build (text, address, signature);
      g_autofree gchar *text2 = NULL;
      g_autofree gchar *address2 = NULL;
      g_autofree gchar *signature2 = NULL;

      g_assert (error == NULL);
      g_assert (strlen (text) < size);
      g_assert (strchr (text, '\r') == NULL);
      g_assert (strlen (signature) == 88);
      /* Dropping "\r" and the trailing newline only shrinks the text. */
      g_assert (strlen (armored) <= size);
      g_assert (rein_armor_parse (armored, strlen (armored), &text2, &address2, &signature2,
                                  NULL));
      g_assert (strcmp (text, text2) == 0);
      g_assert (strcmp (address, address2) == 0);
      g_assert (strcmp (signature, signature2) == 0);
    }
  else
    g_assert (error != NULL);
  g_clear_error (&error);

  if (rein_document_text_parse (input, size, &title, &fields, &error))
    {
      g_autofree gchar *rebuilt = NULL;

      g_assert (title != NULL && *title != '\0');
      /* Rebuilding may grow the text ("Label:" gets its space back,
       * lenient escapes are written strictly), so it may exceed the limit. */
      rebuilt = rein_document_text_build (title, fields, &error);
      if (rebuilt != NULL)
        {
          g_autofree gchar *title2 = NULL;
          g_autoptr(GPtrArray) fields2 = NULL;

          g_assert (rein_document_text_parse (rebuilt, strlen (rebuilt), &title2, &fields2,
                                              NULL));
          g_assert (strcmp (title, title2) == 0);
          check_fields_equal (fields, fields2);
        }
      else
        g_assert (g_error_matches (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_TOO_LARGE));
    }
  else
    g_assert (error != NULL);

  return 0;
}
