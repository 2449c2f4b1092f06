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
 * - base64 input goes through the same PSBT checks;
 * - the checks of a job's payments (rein-payment.h), on what parses and
 *   on the text as a document carries it, answer yes, or no with an
 *   error.
 */
#include <stdint.h>
#include <string.h>

#include "rein-bitcoin.h"
#include "rein-payment.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* PROTOCOL.md section 5's test keys: a payment out of their 2-of-3,
 * signed by A, paying B or C. */
static guint8 key_a[33], key_b[33], key_c[33];
static GByteArray *redeem, *pays_b, *pays_c;
static ReinPaymentPayee payees[2];
static ReinPaymentRules rules;

static void
rules_init (void)
{
  guint8 hash[20];

  rein_hex_decode_fixed ("02f719f009fb8eb20ccdbfda7d38f378ed2f103ac0a6768df830740c6835c46519",
                         key_a, 33, NULL);
  rein_hex_decode_fixed ("029fcafbe2dced6fe79865b265ea90387c5411658ca11449999d5020a9f67bb005",
                         key_b, 33, NULL);
  rein_hex_decode_fixed ("026bc363139ebc1cad8e6eee402507d2b4874f5450585f1e6a1cd30a63ecdfc9dc",
                         key_c, 33, NULL);
  redeem = rein_script_multisig_2of3 (key_a, key_b, key_c);
  rein_hash160 (key_b, 33, hash);
  pays_b = rein_script_p2pkh (hash);
  rein_hash160 (key_c, 33, hash);
  pays_c = rein_script_p2sh (hash);
  payees[0] = (ReinPaymentPayee) { "B", pays_b };
  payees[1] = (ReinPaymentPayee) { "C", pays_c };
  rules = (ReinPaymentRules) {
    .escrow_name = "primary",
    .redeem_script = redeem->data,
    .redeem_script_len = redeem->len,
    .payees = payees,
    .n_payees = 2,
    .signer = key_a,
    .signer_len = 33,
  };
}

static void
check_payment_psbt (const ReinPsbt *psbt)
{
  g_autoptr(GError) error = NULL;

  if (!rein_payment_check_psbt (psbt, &rules, &error))
    g_assert (error != NULL);
  else
    g_assert (error == NULL);
}

int
LLVMFuzzerInitialize (int *argc,
                      char ***argv)
{
  rules_init ();
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
    {
      check_psbt (psbt);
      check_payment_psbt (psbt);
    }
  else
    g_assert (error != NULL);
  g_clear_error (&error);
  g_clear_pointer (&psbt, rein_psbt_free);

  /* base64 text, as users paste it */
  if (size > 0 && memchr (data, 0, size) == NULL)
    {
      g_autofree gchar *text = g_strndup ((const gchar *) data, size);

      if (!rein_payment_check_text (text, &rules, &error))
        g_assert (error != NULL);
      g_clear_error (&error);
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
