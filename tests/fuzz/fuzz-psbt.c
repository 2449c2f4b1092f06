/* fuzz-psbt.c: libFuzzer target for the PSBT, transaction and DER parsers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Besides not crashing, checks what the parsers promise:
 * - a transaction they accept serializes back to exactly its bytes (every
 *   size is minimal and nothing may trail, so the encoding is unique);
 * - a PSBT they accept serializes to a PSBT that parses and serializes to
 *   the same bytes, combines with itself without change, and survives the
 *   roles (fee, finalize, extract) with an error or a result, never a crash;
 * - a strict DER signature they accept encodes back to its bytes;
 * - base64 input goes through the same PSBT checks.
 */
#include <stdint.h>
#include <string.h>

#include "rein-bitcoin.h"

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
check_tx (const uint8_t *data,
          size_t size,
          gboolean allow_witness)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReinTx) tx = rein_tx_parse (data, size, allow_witness, &error);
  g_autoptr(GByteArray) bytes = NULL;
  guint8 txid[32];

  if (tx == NULL)
    {
      g_assert (error != NULL);
      return;
    }
  bytes = rein_tx_serialize (tx, TRUE);
  g_assert (bytes->len == size);
  g_assert (memcmp (bytes->data, data, size) == 0);
  g_assert (rein_tx_get_vsize (tx) <= size);
  rein_tx_get_txid (tx, txid);
}

static void
check_psbt (ReinPsbt *psbt)
{
  g_autoptr(GBytes) bytes = rein_psbt_serialize (psbt);
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GBytes) combined_bytes = NULL;
  g_autoptr(ReinPsbt) reparsed = NULL;
  g_autoptr(ReinPsbt) copy = NULL;
  g_autoptr(ReinTx) tx = NULL;
  g_autoptr(GError) error = NULL;
  guint64 fee;

  reparsed = rein_psbt_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert (reparsed != NULL);
  again = rein_psbt_serialize (reparsed);
  g_assert (g_bytes_equal (bytes, again));

  g_assert (rein_psbt_combine (reparsed, psbt, &error));
  combined_bytes = rein_psbt_serialize (reparsed);
  g_assert (g_bytes_equal (bytes, combined_bytes));

  if (!rein_psbt_get_fee (psbt, &fee, &error))
    g_clear_error (&error);
  else
    g_assert (fee <= REIN_MAX_MONEY);

  copy = rein_psbt_copy (psbt);
  for (guint i = 0; i < rein_psbt_get_n_inputs (copy); i++)
    {
      g_autoptr(GPtrArray) sigs = rein_psbt_get_partial_signatures (copy, i);

      for (guint j = 0; j < sigs->len; j++)
        {
          ReinPsbtSignature *sig = g_ptr_array_index (sigs, j);

          g_assert (g_bytes_get_size (sig->pubkey) == 33 || g_bytes_get_size (sig->pubkey) == 65);
        }
      if (!rein_psbt_finalize_input (copy, i, &error))
        {
          g_assert (error != NULL);
          g_clear_error (&error);
        }
      else
        g_assert (rein_psbt_input_is_finalized (copy, i));
    }
  tx = rein_psbt_extract (copy, &error);
  g_assert ((tx == NULL) == (error != NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ReinPsbt) psbt = NULL;
  guint8 compact[64];

  check_tx (data, size, TRUE);
  check_tx (data, size, FALSE);

  psbt = rein_psbt_parse (data, size, &error);
  if (psbt != NULL)
    check_psbt (psbt);
  else
    g_assert (error != NULL);
  g_clear_error (&error);
  g_clear_pointer (&psbt, rein_psbt_free);

  /* base64 text, as users paste it */
  if (size > 0 && memchr (data, 0, size) == NULL)
    {
      g_autofree gchar *text = g_strndup ((const gchar *) data, size);

      psbt = rein_psbt_parse_base64 (text, &error);
      if (psbt != NULL)
        {
          g_autofree gchar *b64 = rein_psbt_to_base64 (psbt);
          g_autoptr(ReinPsbt) back = rein_psbt_parse_base64 (b64, NULL);

          g_assert (back != NULL);
          check_psbt (psbt);
        }
      else
        g_assert (error != NULL);
      g_clear_error (&error);
    }

  if (rein_der_parse (data, size, compact, &error))
    {
      g_autoptr(GByteArray) der = rein_der_encode (compact);

      g_assert (der->len == size && memcmp (der->data, data, size) == 0);
    }
  else
    g_assert (error != NULL);

  return 0;
}
