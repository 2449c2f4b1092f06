/* fuzz-document.c: libFuzzer target for ReinDocument
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Parses the input as an armored document and verifies it; parses it as a
 * document text too, and when that is a Rein document, signs it and checks
 * that the result parses and verifies (whatever we accept we can sign).
 */
#include <stdint.h>
#include <string.h>

#include "rein-market.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static ReinPrivateKey *key;

int
LLVMFuzzerInitialize (int *argc,
                      char ***argv)
{
  guint8 secret[32];

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  memset (secret, 0x42, sizeof secret);
  key = rein_private_key_new_from_bytes (secret, TRUE, NULL);
  g_assert (key != NULL);
  return 0;
}

/* @any: read by rein_document_new_from_armored_any(), where unknown types
 * and untitled texts are fine. */
static void
exercise (ReinDocument *doc,
          gboolean any)
{
  GPtrArray *fields = rein_document_get_fields (doc);
  g_autoptr(GError) error = NULL;
  gboolean valid;

  if (!any || rein_document_get_document_type (doc) != REIN_DOCUMENT_TYPE_UNKNOWN)
    {
      g_assert (rein_document_get_document_type (doc) != REIN_DOCUMENT_TYPE_UNKNOWN);
      g_assert (rein_document_get_title (doc) != NULL);
    }
  g_assert (strlen (rein_document_get_hash (doc)) == 64);
  g_assert (strlen (rein_document_get_armored (doc)) <= REIN_DOCUMENT_MAX_SIZE);

  for (guint i = 0; i < fields->len; i++)
    {
      const ReinField *field = g_ptr_array_index (fields, i);

      g_assert (rein_document_get_field (doc, field->label) != NULL);
      (void) rein_label_canonical (field->label);
    }
  (void) rein_document_lookup (doc, REIN_LABEL_MEDIATOR_PUBLIC_KEY);
  (void) rein_document_lookup (doc, REIN_LABEL_JOB_ID);

  valid = rein_document_verify (doc, &error);
  g_assert (valid == (error == NULL));
  g_assert (rein_document_get_verification (doc)
            == (valid ? REIN_VERIFICATION_VALID : REIN_VERIFICATION_INVALID));
  g_assert (valid == (rein_document_get_verification_error (doc) == NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t size)
{
  const gchar *input = (const gchar *) data;
  g_autoptr(ReinDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *title = NULL;

  doc = rein_document_new_from_armored (input, (gssize) size, &error);
  if (doc != NULL)
    exercise (doc, FALSE);
  else
    g_assert (error != NULL);
  g_clear_error (&error);

  /* What verification tools read: everything the market reads, the same
   * way, plus untitled and wrapping messages, nested boundedly. */
  {
    g_autoptr(ReinDocument) any = rein_document_new_from_armored_any (input, (gssize) size,
                                                                     &error);
    guint depth = 0;

    if (doc != NULL)
      {
        g_assert (any != NULL);
        g_assert (rein_document_get_document_type (any) == rein_document_get_document_type (doc));
        g_assert (strcmp (rein_document_get_text (any), rein_document_get_text (doc)) == 0);
        g_assert (rein_document_get_wrapped (any) == NULL);
      }
    if (any == NULL)
      g_assert (error != NULL);
    for (ReinDocument *d = any; d != NULL; d = rein_document_get_wrapped (d))
      {
        g_assert (depth <= REIN_DOCUMENT_MAX_NESTING);
        g_assert (strlen (rein_document_get_armored (d)) <= size);
        exercise (d, TRUE);
        depth++;
      }
  }
  g_clear_error (&error);
  g_clear_object (&doc);

  if (rein_document_text_parse (input, size, &title, NULL, NULL)
      && rein_document_type_from_title (title) != REIN_DOCUMENT_TYPE_UNKNOWN
      && memchr (input, '\r', size) == NULL)
    {
      g_autofree gchar *text = g_strndup (input, size);
      ReinDocumentType type = rein_document_type_from_title (title);

      doc = rein_document_new_signed (text, key, REIN_NETWORK_MAINNET, &error);
      if (doc != NULL)
        {
          g_autoptr(ReinDocument) again = NULL;

          g_assert (strcmp (rein_document_get_text (doc), text) == 0);
          again = rein_document_new_from_armored (rein_document_get_armored (doc), -1, NULL);
          g_assert (again != NULL);
          g_assert (rein_document_verify (again, NULL));
        }
      else
        {
          /* too long once armored, or an enrollment whose master is not
           * our key */
          g_assert (g_error_matches (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_TOO_LARGE)
                    || (type == REIN_DOCUMENT_TYPE_ENROLLMENT
                        && (g_error_matches (error, REIN_MARKET_ERROR,
                                             REIN_MARKET_ERROR_WRONG_SIGNER)
                            || g_error_matches (error, REIN_MARKET_ERROR,
                                                REIN_MARKET_ERROR_MISSING_FIELD))));
        }
    }

  return 0;
}
