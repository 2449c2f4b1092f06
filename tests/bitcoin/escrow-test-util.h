/* escrow-test-util.h: a job's two escrows, their payout PSBTs, and the
 * python-bitcoinlib VerifyScript check of the transactions that spend them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by test-psbt-escrow (every set of signers, all our code) and
 * test-psbt-interop (the same payouts through bitcoinjs-lib and Electrum).
 */
#pragma once

#include <string.h>
#include <json-glib/json-glib.h>

#include "rein-bitcoin.h"
#include "python-test-util.h"

#define PRIMARY_AMOUNT 250000
#define MEDIATOR_AMOUNT 12500
#define FEE_RATE 3 /* sat/vB */

enum
{
  CREATOR,
  MEDIATOR,
  WORKER,
};

static const gchar *const party_names[] = { "creator", "mediator", "worker" };

typedef struct
{
  ReinPrivateKey *keys[3];
  GBytes *redeem[2]; /* primary, mediator escrow */
  ReinTx *funding;
} Job;

typedef struct
{
  gchar *label;
  gchar *tx_hex;
  gchar *spk_hex;
  gchar *redeem_hex;
  gchar *txid;
  gchar *sighash;
  gboolean expect;
  guint index; /* the input to check */
} Case;

static inline void
case_free (Case *c)
{
  g_free (c->label);
  g_free (c->tx_hex);
  g_free (c->spk_hex);
  g_free (c->redeem_hex);
  g_free (c->txid);
  g_free (c->sighash);
  g_free (c);
}

static inline GBytes *
hex_bytes (const gchar *hex)
{
  gsize len = 0;
  guint8 *data = rein_hex_decode (hex, &len, NULL);

  g_assert_nonnull (data);
  return g_bytes_new_take (data, len);
}

static inline void
job_init (Job *job)
{
  g_autoptr (GError) error = NULL;
  gchar *pk[3];
  g_autoptr (ReinEscrow) escrow = NULL;
  guint8 txid[32];

  for (guint i = 0; i < 3; i++)
    {
      job->keys[i] = rein_private_key_generate (TRUE);
      pk[i] = rein_private_key_get_public_key_hex (job->keys[i]);
    }
  escrow = rein_escrow_new (pk[CREATOR], pk[MEDIATOR], pk[WORKER], REIN_NETWORK_TESTNET, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    g_free (pk[i]);
  job->redeem[0] = hex_bytes (escrow->primary_script_hex);
  job->redeem[1] = hex_bytes (escrow->mediator_script_hex);

  /* the creator's funding transaction: both escrows in one */
  rein_random_bytes (txid, sizeof txid);
  job->funding = rein_tx_new (2, 0);
  rein_tx_add_input (job->funding, txid, 3, 0xfffffffd);
  for (guint e = 0; e < 2; e++)
    {
      const gchar *address = e == 0 ? escrow->primary_address : escrow->mediator_address;

      rein_tx_add_output_address (job->funding, address, REIN_NETWORK_TESTNET,
                                  e == 0 ? PRIMARY_AMOUNT : MEDIATOR_AMOUNT, &error);
      g_assert_no_error (error);
    }
}

static inline void
job_clear (Job *job)
{
  for (guint i = 0; i < 3; i++)
    rein_private_key_free (job->keys[i]);
  g_bytes_unref (job->redeem[0]);
  g_bytes_unref (job->redeem[1]);
  rein_tx_free (job->funding);
}

/* The payout of escrow @e to @payee, fee from the size it will have. */
static inline ReinPsbt *
build_payout (Job *job, guint e, guint payee, guint64 *out_fee, gsize *out_vsize_estimate)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinTx) tx = rein_tx_new (2, 0);
  g_autofree gchar *address = rein_private_key_get_address (job->keys[payee],
                                                            REIN_NETWORK_TESTNET);
  guint8 funding_txid[32];
  guint64 amount = e == 0 ? PRIMARY_AMOUNT : MEDIATOR_AMOUNT;
  gsize script_sig_size = rein_script_sig_multisig_max_size (2, g_bytes_get_size (job->redeem[e]));
  gsize vsize;
  ReinPsbt *psbt;

  rein_tx_get_txid (job->funding, funding_txid);
  rein_tx_add_input (tx, funding_txid, e, 0xfffffffd);
  g_assert_nonnull (rein_tx_add_output_address (tx, address, REIN_NETWORK_TESTNET, amount,
                                                &error));
  g_assert_no_error (error);
  vsize = rein_tx_estimate_vsize (tx, &script_sig_size);
  rein_tx_get_output (tx, 0)->value = amount - FEE_RATE * vsize;

  psbt = rein_psbt_new (tx, &error);
  g_assert_no_error (error);
  g_assert_true (rein_psbt_set_non_witness_utxo (psbt, 0, job->funding, &error));
  g_assert_no_error (error);
  g_assert_true (rein_psbt_set_redeem_script (psbt, 0, g_bytes_get_data (job->redeem[e], NULL),
                                              g_bytes_get_size (job->redeem[e]), &error));
  g_assert_no_error (error);
  *out_fee = FEE_RATE * vsize;
  *out_vsize_estimate = vsize;
  return psbt;
}

static inline gboolean
may_spend (guint e, guint set)
{
  guint n = __builtin_popcount (set);

  return e == 0 ? n >= 2 : (set & (1 << MEDIATOR)) && n >= 2;
}

static inline gchar *
set_name (guint set)
{
  GString *s = g_string_new (NULL);

  for (guint p = 0; p < 3; p++)
    if (set & (1 << p))
      g_string_append_printf (s, "%s%s", s->len ? "+" : "", party_names[p]);
  return g_string_free (s, FALSE);
}

/* A case for VerifyScript: input @index of @tx, which spends escrow @e,
 * expected to pass or not. */
static inline Case *
case_new_at (const gchar *label, const ReinTx *tx, guint index, Job *job, guint e,
             gboolean expect)
{
  g_autoptr (GError) error = NULL;
  Case *c = g_new0 (Case, 1);
  g_autoptr (GByteArray) spk = rein_script_p2sh_from_redeem (
      g_bytes_get_data (job->redeem[e], NULL), g_bytes_get_size (job->redeem[e]));
  guint8 hash[32];

  c->label = g_strdup (label);
  c->tx_hex = rein_tx_to_hex (tx);
  c->spk_hex = rein_hex_encode (spk->data, spk->len);
  c->redeem_hex = rein_hex_encode (g_bytes_get_data (job->redeem[e], NULL),
                                   g_bytes_get_size (job->redeem[e]));
  c->txid = rein_tx_get_txid_hex (tx);
  g_assert_true (rein_tx_sighash_legacy (tx, index, g_bytes_get_data (job->redeem[e], NULL),
                                         g_bytes_get_size (job->redeem[e]), REIN_SIGHASH_ALL,
                                         hash, &error));
  c->sighash = rein_hex_encode (hash, 32);
  c->expect = expect;
  c->index = index;
  return c;
}

static inline Case *
case_new (const gchar *label, const ReinTx *tx, Job *job, guint e, gboolean expect)
{
  return case_new_at (label, tx, 0, job, e, expect);
}

/* A signature of party @p on the payout, from its own signed copy. */
static inline GBytes *
signature_of (ReinPsbt *signed_copy, Job *job, guint p)
{
  g_autoptr (GPtrArray) sigs = rein_psbt_get_partial_signatures (signed_copy, 0);
  guint8 pubkey[65];
  gsize len = rein_private_key_get_public_key (job->keys[p], pubkey);

  for (guint i = 0; i < sigs->len; i++)
    {
      ReinPsbtSignature *s = g_ptr_array_index (sigs, i);

      if (g_bytes_get_size (s->pubkey) == len
          && memcmp (g_bytes_get_data (s->pubkey, NULL), pubkey, len) == 0)
        return g_bytes_ref (s->signature);
    }
  g_assert_not_reached ();
}

static inline GBytes *
cases_request (GPtrArray *cases)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  gsize len = 0;
  gchar *data;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cases");
  json_builder_begin_array (builder);
  for (guint i = 0; i < cases->len; i++)
    {
      Case *c = g_ptr_array_index (cases, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "tx");
      json_builder_add_string_value (builder, c->tx_hex);
      json_builder_set_member_name (builder, "index");
      json_builder_add_int_value (builder, c->index);
      json_builder_set_member_name (builder, "spk");
      json_builder_add_string_value (builder, c->spk_hex);
      json_builder_set_member_name (builder, "redeem");
      json_builder_add_string_value (builder, c->redeem_hex);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &len);
  return g_bytes_new_take (data, len);
}

/* Runs every case through VerifyScript (verifyscript.py) and fails the
 * test where the interpreter's answer is not the case's expectation, or
 * its txid or sighash is not ours. Counts what passed and what did not. */
static inline void
escrow_verify_cases (GPtrArray *cases, guint *out_accepted, guint *out_refused)
{
  g_autoptr (GBytes) request = cases_request (cases);
  g_autoptr (GBytes) answer = python_test_run ("verifyscript.py", request);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonArray *results;
  guint accepted = 0, refused = 0;

  json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer),
                              &error);
  g_assert_no_error (error);
  results = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (results), ==, cases->len);

  for (guint i = 0; i < cases->len; i++)
    {
      Case *c = g_ptr_array_index (cases, i);
      JsonObject *r = json_array_get_object_element (results, i);
      gboolean p2sh = json_object_get_boolean_member (r, "p2sh");
      gboolean strict = json_object_get_boolean_member (r, "strict");

      g_test_message ("%s: %s%s%s", c->label, p2sh ? "accepted" : "refused",
                      json_object_get_null_member (r, "error") ? "" : ": ",
                      json_object_get_null_member (r, "error")
                          ? "" : json_object_get_string_member (r, "error"));
      if (p2sh != c->expect)
        g_error ("%s: VerifyScript %s it", c->label, p2sh ? "accepted" : "refused");
      /* what passes passes the stricter rules of relay too */
      g_assert_cmpint (strict, ==, c->expect);
      g_assert_cmpstr (json_object_get_string_member (r, "txid"), ==, c->txid);
      g_assert_cmpstr (json_object_get_string_member (r, "sighash"), ==, c->sighash);
      if (c->expect)
        accepted++;
      else
        refused++;
    }
  *out_accepted = accepted;
  *out_refused = refused;
}
