/* rein-cli-payment.c: payments out of a job's escrows, for accept,
 * resolve and payout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "rein-bitcoin.h"
#include "rein-chain-settings.h"
#include "rein-client-error.h"
#include "rein-escrow-status.h"

#include "rein-cli-payment.h"
#include "rein-cli-private.h"

/* The fee target when none is given: about an hour. */
#define DEFAULT_FEE_TARGET 6
/* Nobody means to pay more than this: a typo, refused. */
#define MAX_FEE_RATE_SAT_PER_VB 100000

#define N_ESCROWS 2
#define PRIMARY 0
#define MEDIATOR 1

/* ---- options ---- */

void
rein_cli_pay_options_clear (ReinCliPayOptions *options)
{
  g_clear_pointer (&options->fee_rate, g_free);
  g_clear_pointer (&options->fee_cap, g_free);
  g_clear_pointer (&options->primary_file, g_free);
  g_clear_pointer (&options->mediator_file, g_free);
}

void
rein_cli_pay_options_add_entries (ReinCliPayOptions *options, gboolean building, GArray *entries)
{
  const GOptionEntry always[] = {
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &options->yes,
      N_("Sign the payments without asking (they are still shown)"), NULL },
    { "fee-cap", 0, 0, G_OPTION_ARG_STRING, &options->fee_cap,
      N_("Refuse a payment whose fee is more than SAT satoshis"), N_("SAT") },
  };
  const GOptionEntry build[] = {
    { "fee-target", 0, 0, G_OPTION_ARG_INT, &options->fee_target,
      N_("Pay the fee the chain backend estimates for confirmation within N blocks "
         "(default 6)"), N_("N") },
    { "fee-rate", 0, 0, G_OPTION_ARG_STRING, &options->fee_rate,
      N_("Pay this fee rate instead of the estimate, in sat/vB (for example 2.5)"),
      N_("RATE") },
    { "allow-unconfirmed", 0, 0, G_OPTION_ARG_NONE, &options->allow_unconfirmed,
      N_("Pay out coins of the escrows that are not mined yet (whoever paid them in could "
         "still take them back)"), NULL },
    { "primary-payment-file", 0, 0, G_OPTION_ARG_FILENAME, &options->primary_file,
      N_("The payment out of the primary escrow, made elsewhere (a PSBT, binary or base64): "
         "checked, shown and signed instead of one built here"), N_("FILE") },
    { "mediator-payment-file", 0, 0, G_OPTION_ARG_FILENAME, &options->mediator_file,
      N_("The payment out of the mediator escrow, made elsewhere (a PSBT)"), N_("FILE") },
  };

  g_array_append_vals (entries, always, G_N_ELEMENTS (always));
  if (building)
    g_array_append_vals (entries, build, G_N_ELEMENTS (build));
}

/* "2.5" sat/vB, exactly, as sat per 1000 vB. */
static gboolean
parse_fee_rate (const gchar *text, gint64 *out_sat_per_kvb, GError **error)
{
  const gchar *p = text;
  gint64 whole = 0, thousandths = 0;
  guint decimals = 0;

  while (g_ascii_isdigit (*p) && whole <= MAX_FEE_RATE_SAT_PER_VB)
    whole = whole * 10 + (*p++ - '0');
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p) && decimals < 3; p++, decimals++)
      thousandths = thousandths * 10 + (*p - '0');
  for (; decimals < 3; decimals++)
    thousandths *= 10;
  if (p == text || *p != '\0' || whole > MAX_FEE_RATE_SAT_PER_VB
      || whole * 1000 + thousandths < 1000)
    {
      g_autofree gchar *shown = rein_text_excerpt (text, 20);

      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                   _("--fee-rate: “%s” is not a fee rate in sat/vB from 1 to %d, with at "
                     "most three decimals"), shown, MAX_FEE_RATE_SAT_PER_VB);
      return FALSE;
    }
  *out_sat_per_kvb = whole * 1000 + thousandths;
  return TRUE;
}

static gboolean
parse_fee_cap (const gchar *text, gint64 *out, GError **error)
{
  guint64 value = 0;

  if (text == NULL)
    {
      *out = 0;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 1, REIN_MAX_MONEY, &value, NULL))
    {
      g_autofree gchar *shown = rein_text_excerpt (text, 20);

      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                   _("--fee-cap: “%s” is not a number of satoshis"), shown);
      return FALSE;
    }
  *out = (gint64) value;
  return TRUE;
}

/* ---- output ---- */

/* The review is part of the dialogue, as the questions are: on standard
 * error, so that standard output carries only the outcome (text or
 * JSON) and nothing when the command fails. */
G_GNUC_PRINTF (1, 2)
static void
say (const gchar *format, ...)
{
  va_list args;
  g_autofree gchar *line = NULL;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s\n", line);
}

static gchar *
btc_and_sat (gint64 satoshis)
{
  g_autofree gchar *btc = rein_amount_format_btc (satoshis);
  g_autofree gchar *sat = g_strdup_printf ("%" G_GINT64_FORMAT, satoshis);

  /* Translators: an amount, "0.01 BTC (1000000 sat)" */
  return g_strdup_printf (_("%s BTC (%s sat)"), btc, sat);
}

static gchar *
txid_of_input (const ReinTxIn *in)
{
  guint8 reversed[32];

  for (guint b = 0; b < 32; b++)
    reversed[b] = in->prev_txid[31 - b];
  return rein_hex_encode (reversed, 32);
}

/* ---- the payments ---- */

struct _ReinCliPayments
{
  ReinStore *store;
  ReinIdentity *identity;
  ReinJob *job;
  ReinChain *chain; /* NULL without a backend (payments from files) */
  ReinEscrowStatus *status;
  ReinPayees *payees;
  ReinPayoutKind kind;
  gint64 fee_cap;
  ReinPsbt *psbt[N_ESCROWS];
};

void
rein_cli_payments_free (ReinCliPayments *payments)
{
  if (payments == NULL)
    return;
  g_clear_object (&payments->store);
  g_clear_object (&payments->identity);
  g_clear_object (&payments->job);
  g_clear_object (&payments->chain);
  g_clear_pointer (&payments->status, rein_escrow_status_free);
  g_clear_pointer (&payments->payees, rein_payees_free);
  for (guint e = 0; e < N_ESCROWS; e++)
    g_clear_pointer (&payments->psbt[e], rein_psbt_free);
  g_free (payments);
}

static const gchar *
escrow_name (guint e)
{
  return e == PRIMARY ? "primary" : "mediator";
}

/* Errors of the client (no escrow yet; the backend) in rein-cli's terms,
 * for the exit status. */
static void
to_cli_error (GError *error)
{
  if (error == NULL)
    return;
  if (error->domain == REIN_CLIENT_ERROR && error->code == REIN_CLIENT_ERROR_REFUSED)
    {
      error->domain = REIN_CLI_ERROR;
      error->code = REIN_CLI_ERROR_REFUSED;
    }
  else if (error->domain == G_IO_ERROR || error->domain == REIN_NET_ERROR)
    {
      error->domain = REIN_CLI_ERROR;
      error->code = REIN_CLI_ERROR_NETWORK;
    }
}

/* The job's terms, who is paid where, and what the escrows hold. */
static ReinCliPayments *
payments_open (ReinStore *store,
               ReinIdentity *identity,
               ReinJob *job,
               gboolean need_chain,
               GError **error)
{
  g_autoptr (ReinCliPayments) payments = g_new0 (ReinCliPayments, 1);
  g_autoptr (GError) chain_error = NULL;
  gboolean testnet = rein_identity_get_testnet (identity);

  payments->store = g_object_ref (store);
  payments->identity = g_object_ref (identity);
  payments->job = g_object_ref (job);
  payments->status = rein_escrow_status_new (job, testnet, error);
  if (payments->status == NULL
      || (payments->payees = rein_payees_new (job, testnet, error)) == NULL)
    {
      if (error != NULL)
        to_cli_error (*error);
      return NULL;
    }
  payments->chain = rein_chain_settings_open (store, testnet, &chain_error);
  if (payments->chain == NULL)
    {
      if (!need_chain)
        {
          rein_cli_warn (_("the escrows' coins cannot be checked: %s"), chain_error->message);
          return g_steal_pointer (&payments);
        }
      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                   _("%s (“rein-cli chain URL” sets the Esplora server that looks up the "
                     "escrows)"), chain_error->message);
      return NULL;
    }
  {
    g_autoptr (GAsyncResult) result = NULL;
    ReinEscrowStatus *found;

    rein_escrow_status_lookup_async (payments->chain, job, testnet, NULL, rein_cli_async_cb,
                                     &result);
    rein_cli_wait (&result);
    found = rein_escrow_status_lookup_finish (result, error);
    if (found == NULL)
      {
        to_cli_error (*error);
        g_prefix_error (error, _("cannot look up the escrows: "));
        return NULL;
      }
    rein_escrow_status_free (payments->status);
    payments->status = found;
  }
  return g_steal_pointer (&payments);
}

/* Before building: is what is due there, and mined? A payment out of a
 * half-funded escrow would complete the job with the rest unpaid, and
 * coins not mined yet can still be taken back by whoever paid them in. */
static gboolean
check_funded (ReinCliPayments *payments, const ReinCliPayOptions *options, GError **error)
{
  for (guint e = 0; e < N_ESCROWS; e++)
    {
      const ReinEscrowAccount *account = e == PRIMARY ? &payments->status->primary
                                                      : &payments->status->mediator;
      g_autofree gchar *held = btc_and_sat (account->confirmed + account->unconfirmed);
      g_autofree gchar *due = btc_and_sat (account->due);

      if (account->confirmed + account->unconfirmed < account->due)
        {
          g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_REFUSED,
                       e == PRIMARY
                         ? _("the primary escrow holds %s of the %s due: nothing is paid out "
                             "before it is funded (rein-cli escrow-status --jobid %s shows "
                             "where to pay)")
                         : _("the mediator escrow holds %s of the %s due: nothing is paid out "
                             "before it is funded (rein-cli escrow-status --jobid %s shows "
                             "where to pay)"),
                       held, due, rein_job_get_id (payments->job));
          return FALSE;
        }
      if (account->unconfirmed > 0 && !options->allow_unconfirmed)
        {
          g_autofree gchar *waiting = btc_and_sat (account->unconfirmed);

          g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_REFUSED,
                       e == PRIMARY
                         ? _("%s in the primary escrow is not mined yet: wait for a "
                             "confirmation (or --allow-unconfirmed)")
                         : _("%s in the mediator escrow is not mined yet: wait for a "
                             "confirmation (or --allow-unconfirmed)"),
                       waiting);
          return FALSE;
        }
    }
  return TRUE;
}

/* Will the signed payments fit in a document? Each input carries its
 * whole previous transaction; a signature adds about 110 bytes, 150 in
 * base64. Said before anything is signed. */
static gboolean
check_size (ReinCliPayments *payments, GError **error)
{
  /* the labels, the job's name and ID, the escrow scripts of an accept */
  gsize size = 1200;
  guint n_inputs = 0;

  for (guint e = 0; e < N_ESCROWS; e++)
    {
      g_autofree gchar *base64 = rein_psbt_to_base64 (payments->psbt[e]);

      size += strlen (base64) + 150 * rein_psbt_get_n_inputs (payments->psbt[e]);
      n_inputs += rein_psbt_get_n_inputs (payments->psbt[e]);
    }
  if (size > REIN_DOCUMENT_MAX_SIZE)
    {
      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_REFUSED,
                   g_dngettext (NULL,
                                "the payments would not fit in a Rein document (about %u bytes "
                                "of the %d it may hold): the escrows' %u coin comes with large "
                                "funding transactions. Nothing was signed.",
                                "the payments would not fit in a Rein document (about %u bytes "
                                "of the %d it may hold): the escrows' %u coins come with their "
                                "funding transactions. Nothing was signed.",
                                n_inputs),
                   (guint) size, REIN_DOCUMENT_MAX_SIZE, n_inputs);
      return FALSE;
    }
  return TRUE;
}

ReinCliPayments *
rein_cli_payments_prepare (ReinStore *store,
                           ReinIdentity *identity,
                           ReinJob *job,
                           ReinPayoutKind kind,
                           guint worker_percent,
                           const ReinCliPayOptions *options,
                           GError **error)
{
  g_autoptr (ReinCliPayments) payments = NULL;
  gboolean from_files = options->primary_file != NULL || options->mediator_file != NULL;
  gint64 fee_rate = 0;
  gint64 fee_cap = 0;

  if (from_files && (options->primary_file == NULL || options->mediator_file == NULL))
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                           _("give both --primary-payment-file and --mediator-payment-file, or "
                             "neither (then rein-cli builds both payments)"));
      return NULL;
    }
  if (options->fee_target < 0 || options->fee_target > 1008)
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                           _("--fee-target is a number of blocks from 1 to 1008"));
      return NULL;
    }
  if ((options->fee_rate != NULL && !parse_fee_rate (options->fee_rate, &fee_rate, error))
      || !parse_fee_cap (options->fee_cap, &fee_cap, error))
    return NULL;

  if (from_files && (options->fee_rate != NULL || options->fee_target != 0))
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                           _("--fee-rate and --fee-target choose the fee of payments built "
                             "here; payments from files keep their own fee"));
      return NULL;
    }

  payments = payments_open (store, identity, job, !from_files, error);
  if (payments == NULL)
    return NULL;
  payments->kind = kind;
  payments->fee_cap = fee_cap;
  if (!from_files && !check_funded (payments, options, error))
    return NULL;

  for (guint e = 0; e < N_ESCROWS; e++)
    {
      if (from_files)
        {
          payments->psbt[e] = rein_cli_read_psbt (e == PRIMARY ? options->primary_file
                                                               : options->mediator_file,
                                                  error);
          if (payments->psbt[e] == NULL)
            return NULL;
        }
      else
        {
          g_autoptr (GAsyncResult) result = NULL;
          g_autoptr (ReinPayment) payment = NULL;

          rein_payment_prepare_async (payments->chain, payments->status, e == PRIMARY,
                                      payments->payees, kind, worker_percent,
                                      options->fee_target > 0 ? (guint) options->fee_target
                                                              : DEFAULT_FEE_TARGET,
                                      fee_rate, fee_cap, NULL, rein_cli_async_cb, &result);
          rein_cli_wait (&result);
          payment = rein_payment_prepare_finish (result, error);
          if (payment == NULL)
            {
              to_cli_error (*error);
              g_prefix_error (error, _("cannot build the payment out of the %s escrow: "),
                              escrow_name (e));
              return NULL;
            }
          payments->psbt[e] = g_steal_pointer (&payment->psbt);
        }
      if (!rein_payout_check_psbt (payments->psbt[e], payments->status, e == PRIMARY,
                                   payments->payees, kind, fee_cap, error))
        {
          to_cli_error (*error);
          return NULL;
        }
    }
  if (!check_size (payments, error))
    return NULL;
  return g_steal_pointer (&payments);
}

/* Who @script pays, in words. */
static const gchar *
payee_of (ReinCliPayments *payments, const GByteArray *script)
{
  ReinNetwork network = payments->status->testnet ? REIN_NETWORK_TESTNET
                                                  : REIN_NETWORK_MAINNET;
  const struct
  {
    const gchar *address;
    const gchar *who;
  } parties[] = {
    { payments->payees->creator, N_("the creator") },
    { payments->payees->worker, N_("the worker") },
    { payments->payees->mediator, N_("the mediator") },
  };

  for (guint p = 0; p < G_N_ELEMENTS (parties); p++)
    {
      g_autoptr (GByteArray) want = rein_script_from_address (parties[p].address, network,
                                                              NULL);

      if (want != NULL && want->len == script->len
          && memcmp (want->data, script->data, want->len) == 0)
        return _(parties[p].who);
    }
  return _("someone else");
}

/* Whose are the signatures on input @index of @psbt, in words: the
 * job's roles in a fixed order, then any other key. */
static gchar *
signers_of (ReinCliPayments *payments, const ReinPsbt *psbt, guint index)
{
  static const ReinRole order[] = { REIN_ROLE_CREATOR, REIN_ROLE_MEDIATOR, REIN_ROLE_WORKER };
  g_autoptr (GPtrArray) sigs = rein_psbt_get_partial_signatures (psbt, index);
  g_autoptr (GString) names = g_string_new (NULL);
  g_autoptr (GString) others = g_string_new (NULL);
  gboolean has[G_N_ELEMENTS (order)] = { FALSE };

  for (guint s = 0; sigs != NULL && s < sigs->len; s++)
    {
      ReinPsbtSignature *sig = g_ptr_array_index (sigs, s);
      gsize len = 0;
      const guint8 *key = g_bytes_get_data (sig->pubkey, &len);
      g_autofree gchar *hex = rein_hex_encode (key, len);
      ReinRole role = rein_job_get_role (payments->job, hex);
      gboolean known = FALSE;

      for (guint r = 0; r < G_N_ELEMENTS (order); r++)
        if (order[r] == role)
          has[r] = known = TRUE;
      if (!known)
        g_string_append_printf (others, ", %s", hex);
    }
  for (guint r = 0; r < G_N_ELEMENTS (order); r++)
    if (has[r])
      g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "",
                              rein_role_to_name (order[r]));
  if (others->len > 0)
    g_string_append (names, names->len > 0 ? others->str : others->str + 2);
  return g_string_free (g_steal_pointer (&names), FALSE);
}

void
rein_cli_psbt_review (const ReinPsbt *psbt, ReinNetwork network)
{
  const ReinTx *tx = rein_psbt_get_tx (psbt);
  guint64 fee = 0;

  for (guint i = 0; i < rein_psbt_get_n_inputs (psbt); i++)
    {
      const ReinTxIn *in = rein_tx_get_input (tx, i);
      g_autofree gchar *txid = txid_of_input (in);
      g_autoptr (GPtrArray) sigs = rein_psbt_get_partial_signatures (psbt, i);
      g_autofree gchar *amount = NULL;
      guint64 value = 0;

      amount = rein_psbt_get_input_value (psbt, i, &value, NULL) ? btc_and_sat ((gint64) value)
                                                                 : g_strdup (_("an unknown amount"));
      /* Translators: an input: its coin, amount, number of signatures */
      say (g_dngettext (NULL, "  spends   %s:%u  %s, %u signature",
                        "  spends   %s:%u  %s, %u signatures", sigs != NULL ? sigs->len : 0),
           txid, in->prev_vout, amount, sigs != NULL ? sigs->len : 0);
    }
  for (guint o = 0; o < rein_psbt_get_n_outputs (psbt); o++)
    {
      const ReinTxOut *out = rein_tx_get_output (tx, o);
      g_autofree gchar *address = rein_cli_script_address (out->script_pubkey, network);
      g_autofree gchar *amount = btc_and_sat ((gint64) out->value);

      say (_("  pays     %s  %s"), address != NULL ? address : _("a script that is no address"),
           amount);
    }
  if (rein_psbt_get_fee (psbt, &fee, NULL))
    {
      g_autofree gchar *amount = btc_and_sat ((gint64) fee);

      say (_("  fee      %s"), amount);
    }
  else
    say ("  %s", _("fee unknown: an input's previous transaction is missing"));
}

static void
review_one (ReinCliPayments *payments, guint e)
{
  const ReinPsbt *psbt = payments->psbt[e];
  const ReinTx *tx = rein_psbt_get_tx (psbt);
  const ReinEscrowAccount *account = e == PRIMARY ? &payments->status->primary
                                                  : &payments->status->mediator;
  guint64 fee = 0;
  gint64 paid = 0, spent = 0;
  guint vsize = rein_payout_estimate_vsize (e == PRIMARY, rein_psbt_get_n_inputs (psbt),
                                            rein_psbt_get_n_outputs (psbt));

  g_autofree gchar *due = btc_and_sat (account->due);

  say (e == PRIMARY ? _("Payment out of the primary escrow %s:")
                    : _("Payment out of the mediator escrow %s:"),
       account->address);
  say (e == PRIMARY ? _("  due      %s, the job's price")
                    : _("  due      %s, the mediator's fee"), due);
  for (guint i = 0; i < rein_psbt_get_n_inputs (psbt); i++)
    {
      const ReinTxIn *in = rein_tx_get_input (tx, i);
      g_autofree gchar *txid = txid_of_input (in);
      g_autofree gchar *amount = NULL;
      g_autofree gchar *signers = signers_of (payments, psbt, i);
      guint64 value = 0;

      const gchar *mined = "";

      rein_psbt_get_input_value (psbt, i, &value, NULL);
      spent += (gint64) value;
      amount = btc_and_sat ((gint64) value);
      for (guint c = 0; c < account->coins->len; c++)
        {
          ReinUtxo *coin = g_ptr_array_index (account->coins, c);

          if (coin->vout == in->prev_vout && g_ascii_strcasecmp (coin->txid, txid) == 0)
            mined = coin->confirmed ? _(", mined") : _(", NOT MINED YET");
        }
      /* Translators: an input of a payment: its coin, amount, whether it is
       * mined, who signed */
      say (_("  spends   %s:%u  %s%s%s%s"), txid, in->prev_vout, amount, mined,
           *signers != '\0' ? _(", signed by ") : "", signers);
    }
  if (spent < account->due)
    {
      g_autofree gchar *missing = btc_and_sat (account->due - spent);

      say (_("  WARNING: it spends %s less than is due: the rest would stay unpaid"), missing);
    }
  if (spent > account->due && account->due > 0)
    {
      g_autofree gchar *more = btc_and_sat (spent - account->due);

      /* Translators: the escrow holds this much more than the job's due */
      say (_("  WARNING: it spends %s more than this job put in the escrow. Another job "
             "between the same three people has the same escrow address: paying out spends "
             "that job's money too."), more);
    }
  for (guint o = 0; o < rein_psbt_get_n_outputs (psbt); o++)
    {
      const ReinTxOut *out = rein_tx_get_output (tx, o);
      g_autofree gchar *address = rein_cli_script_address (out->script_pubkey,
                                                  payments->status->testnet
                                                    ? REIN_NETWORK_TESTNET
                                                    : REIN_NETWORK_MAINNET);
      g_autofree gchar *amount = btc_and_sat ((gint64) out->value);
      paid += (gint64) out->value;
      /* Translators: an output of a payment: who, their address, amount */
      say (_("  pays     %s, %s  %s"), payee_of (payments, out->script_pubkey),
           address != NULL ? address : "?", amount);
    }
  if (rein_psbt_get_fee (psbt, &fee, NULL))
    {
      g_autofree gchar *amount = btc_and_sat ((gint64) fee);
      /* sat/vB with one decimal, from integers */
      guint64 tenths = vsize > 0 ? (fee * 10 + vsize / 2) / vsize : 0;
      guint64 share = paid + (gint64) fee > 0 ? (fee * 1000) / ((guint64) paid + fee) : 0;

      g_autofree gchar *rate = g_strdup_printf ("%" G_GUINT64_FORMAT ".%u", tenths / 10,
                                                (guint) (tenths % 10));
      g_autofree gchar *percent = g_strdup_printf ("%" G_GUINT64_FORMAT ".%u", share / 10,
                                                   (guint) (share % 10));

      /* Translators: the fee, its rate in sat/vB, the size, its share in % */
      say (_("  fee      %s, %s sat/vB for about %u vB, %s%% of the payment"), amount, rate,
           vsize, percent);
      if (fee * 20 > (guint64) paid + fee)
        say ("  %s", _("WARNING: the fee is more than 5% of the payment"));
    }
}

gboolean
rein_cli_ask_to_sign (ReinCliForm *form, gboolean yes, const gchar *question, GError **error)
{
  g_autofree gchar *answer = NULL;

  if (yes)
    return TRUE;
  if (rein_cli_form_get (form, REIN_CLI_LABEL_SIGN) == NULL && !rein_cli_interactive ())
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                           _("nothing was signed: review what is shown above, then run again "
                             "with --yes to sign (or in a terminal, to be asked)"));
      return FALSE;
    }
  answer = rein_cli_ask (form, REIN_CLI_LABEL_SIGN, question, FALSE, NULL, error);
  if (answer == NULL)
    return FALSE;
  g_strstrip (answer);
  if (g_ascii_strcasecmp (answer, "yes") != 0 && g_ascii_strcasecmp (answer, "y") != 0
      && g_ascii_strcasecmp (answer, _("yes")) != 0)
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_REFUSED,
                           _("nothing was signed"));
      return FALSE;
    }
  return TRUE;
}

gboolean
rein_cli_payments_confirm (ReinCliPayments *payments,
                           ReinCliForm *form,
                           const ReinCliPayOptions *options,
                           GError **error)
{
  for (guint e = 0; e < N_ESCROWS; e++)
    review_one (payments, e);
  return rein_cli_ask_to_sign (form, options->yes, _("Sign both payments? Type “yes” to sign."), error);
}

/* Does @psbt's input @index carry a signature of @key_hex? */
static gboolean
has_signature_of (const ReinPsbt *psbt, guint index, const gchar *key_hex)
{
  g_autoptr (GPtrArray) sigs = rein_psbt_get_partial_signatures (psbt, index);

  for (guint s = 0; sigs != NULL && s < sigs->len; s++)
    {
      ReinPsbtSignature *sig = g_ptr_array_index (sigs, s);
      gsize len = 0;
      const guint8 *key = g_bytes_get_data (sig->pubkey, &len);
      g_autofree gchar *hex = rein_hex_encode (key, len);

      if (rein_same_key (hex, key_hex))
        return TRUE;
    }
  return FALSE;
}

/* Does payment @e need the signature of @own_key to be complete? The
 * primary escrow takes any two of the three; the mediator escrow the
 * mediator and one of the others. A signature that completes nothing is
 * not added. */
static gboolean
needs_signature_of (ReinCliPayments *payments, guint e, const gchar *own_key)
{
  ReinRole me = rein_job_get_role (payments->job, own_key);
  const ReinPsbt *psbt = payments->psbt[e];

  for (guint i = 0; i < rein_psbt_get_n_inputs (psbt); i++)
    {
      g_autoptr (GPtrArray) sigs = rein_psbt_get_partial_signatures (psbt, i);
      gboolean mediator = FALSE, other = FALSE, mine = FALSE;

      if (rein_psbt_input_is_finalized (psbt, i))
        continue;
      for (guint s = 0; sigs != NULL && s < sigs->len; s++)
        {
          ReinPsbtSignature *sig = g_ptr_array_index (sigs, s);
          gsize len = 0;
          const guint8 *key = g_bytes_get_data (sig->pubkey, &len);
          g_autofree gchar *hex = rein_hex_encode (key, len);
          ReinRole role = rein_job_get_role (payments->job, hex);

          mine = mine || rein_same_key (hex, own_key);
          mediator = mediator || role == REIN_ROLE_MEDIATOR;
          other = other || role == REIN_ROLE_CREATOR || role == REIN_ROLE_WORKER;
        }
      if (mine)
        continue;
      if (e == PRIMARY ? (mediator ? 1 : 0) + (other ? 1 : 0) == 1 && sigs->len == 1
                       : me == REIN_ROLE_MEDIATOR ? other && !mediator : mediator && !other)
        return TRUE;
    }
  return FALSE;
}

static gboolean
record (ReinCliPayments *payments, guint e, const gchar *state, const gchar *txid,
        gint64 confirmations, GError **error)
{
  g_autofree gchar *base64 = rein_psbt_to_base64 (payments->psbt[e]);
  g_autofree gchar *signers = signers_of (payments, payments->psbt[e], 0);
  ReinStoredPayout payout = {
    .job_id = (gchar *) rein_job_get_id (payments->job),
    .escrow = (gchar *) escrow_name (e),
    .state = (gchar *) state,
    .psbt = base64,
    .signers = signers,
    .txid = (gchar *) txid,
    .confirmations = confirmations,
  };

  return rein_store_set_payout (payments->store, rein_identity_get_id (payments->identity),
                                &payout, error);
}

/* Signs every input of payment @e that @delegate may sign and has not. */
static gboolean
sign_one (ReinCliPayments *payments, guint e, const ReinPrivateKey *delegate, GError **error)
{
  const gchar *own_key = rein_identity_get_delegate_public_key (payments->identity);

  for (guint i = 0; i < rein_psbt_get_n_inputs (payments->psbt[e]); i++)
    {
      if (has_signature_of (payments->psbt[e], i, own_key))
        continue;
      if (!rein_psbt_sign_input (payments->psbt[e], i, delegate, error))
        {
          g_prefix_error (error, _("cannot sign the payment out of the %s escrow: "),
                          escrow_name (e));
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
rein_cli_payments_sign (ReinCliPayments *payments, const ReinPrivateKey *delegate, GError **error)
{
  for (guint e = 0; e < N_ESCROWS; e++)
    if (!sign_one (payments, e, delegate, error))
      return FALSE;
  return TRUE;
}

void
rein_cli_payments_record (ReinCliPayments *payments)
{
  /* a record that cannot be written loses nothing: the document carries
   * the payments */
  for (guint e = 0; e < N_ESCROWS; e++)
    {
      g_autoptr (GError) local_error = NULL;

      if (!record (payments, e, "signed", NULL, -1, &local_error))
        rein_cli_warn ("%s", local_error->message);
    }
}

gchar *
rein_cli_payments_get_base64 (ReinCliPayments *payments, gboolean primary)
{
  return rein_psbt_to_base64 (payments->psbt[primary ? PRIMARY : MEDIATOR]);
}

/* ---- payout: the co-signer ---- */

/* What a resolution decided, from who its primary payment pays. */
static ReinPayoutKind
resolution_kind (ReinCliPayments *payments, const ReinPsbt *psbt)
{
  ReinNetwork network = payments->status->testnet ? REIN_NETWORK_TESTNET
                                                  : REIN_NETWORK_MAINNET;
  g_autoptr (GByteArray) creator = rein_script_from_address (payments->payees->creator, network,
                                                             NULL);
  const ReinTx *tx = rein_psbt_get_tx (psbt);
  gboolean pays_creator = FALSE, pays_other = FALSE;

  for (guint o = 0; o < tx->outputs->len; o++)
    {
      const ReinTxOut *out = rein_tx_get_output (tx, o);

      if (creator != NULL && creator->len == out->script_pubkey->len
          && memcmp (creator->data, out->script_pubkey->data, creator->len) == 0)
        pays_creator = TRUE;
      else
        pays_other = TRUE;
    }
  if (pays_creator && pays_other)
    return REIN_PAYOUT_SPLIT;
  return pays_creator ? REIN_PAYOUT_REFUND : REIN_PAYOUT_AWARD;
}

/* The final transaction of payment @e when every input has its
 * signatures: finalizes a copy. NULL (no error) while some are missing. */
static ReinTx *
final_tx (ReinCliPayments *payments, guint e, GError **error)
{
  g_autoptr (ReinPsbt) copy = rein_psbt_copy (payments->psbt[e]);
  g_autoptr (GError) local_error = NULL;

  if (!rein_psbt_finalize (copy, &local_error))
    {
      if (g_error_matches (local_error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INCOMPLETE))
        return NULL;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("cannot finalize the payment out of the %s escrow: "),
                                  escrow_name (e));
      return NULL;
    }
  return rein_psbt_extract (copy, error);
}

/* Has the escrow's coin that input 0 of payment @e spends been spent,
 * and by which transaction? */
static gchar *
spent_by (ReinCliPayments *payments, guint e)
{
  const ReinTxIn *in = rein_tx_get_input (rein_psbt_get_tx (payments->psbt[e]), 0);
  g_autofree gchar *txid = txid_of_input (in);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) outspends = NULL;
  ReinOutspend *spend;

  if (payments->chain == NULL)
    return NULL;
  rein_chain_get_outspends_async (payments->chain, txid, NULL, rein_cli_async_cb, &result);
  rein_cli_wait (&result);
  outspends = rein_chain_get_outspends_finish (payments->chain, result, NULL);
  if (outspends == NULL || in->prev_vout >= outspends->len)
    return NULL;
  spend = g_ptr_array_index (outspends, in->prev_vout);
  return spend->spent ? g_strdup (spend->txid) : NULL;
}

static gint64
confirmations_of (ReinCliPayments *payments, const gchar *txid)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (ReinTxStatus) status = NULL;

  if (payments->chain == NULL)
    return -1;
  rein_chain_get_tx_status_async (payments->chain, txid, NULL, rein_cli_async_cb, &result);
  rein_cli_wait (&result);
  status = rein_chain_get_tx_status_finish (payments->chain, result, NULL);
  if (status == NULL)
    return -1;
  return rein_chain_confirmations (status->block_height, payments->status->tip_height);
}

/* What became of each payment in this run. States: "broadcast",
 * "complete" (both signatures, not sent), "signed" (we signed; it waits
 * for another signature), "waiting" (it waits for someone else's
 * signature, not ours), "paid elsewhere" (its coins were spent by the
 * transaction txid), "refused" (it does not pass the checks: why). */
typedef struct
{
  const gchar *state;
  gchar *txid;
  gchar *hex;
  gchar *why;
  gint64 confirmations;
  ReinStoredPayout *recorded; /* the record it came from, if it was done before */
} Outcome;

typedef struct
{
  Outcome o[N_ESCROWS];
} Outcomes;

static void
outcomes_clear (Outcomes *outcomes)
{
  for (guint e = 0; e < N_ESCROWS; e++)
    {
      g_free (outcomes->o[e].txid);
      g_free (outcomes->o[e].hex);
      g_free (outcomes->o[e].why);
    }
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Outcomes, outcomes_clear)

static void
refuse_one (Outcome *o, const gchar *why)
{
  o->state = "refused";
  g_free (o->why);
  o->why = g_strdup (why);
}

/* The payments of @doc (an accept or a resolution), parsed. */
static gboolean
read_payments (ReinCliPayments *payments, ReinDocument *doc, GError **error)
{
  for (guint e = 0; e < N_ESCROWS; e++)
    {
      const gchar *text = rein_document_get_field (doc, e == PRIMARY
                                                          ? REIN_LABEL_SIGNED_PRIMARY_PAYMENT
                                                          : REIN_LABEL_SIGNED_MEDIATOR_PAYMENT);

      payments->psbt[e] = rein_psbt_parse_base64 (text != NULL ? text : "", NULL);
      if (payments->psbt[e] == NULL)
        {
          g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_REFUSED,
                       _("the payment out of the %s escrow is not a PSBT (an older client's "
                         "raw transaction?): rein-cli cannot co-sign it; use the wallet that "
                         "made it"), escrow_name (e));
          return FALSE;
        }
    }
  return TRUE;
}

/* Broadcasts @tx; FALSE (with a message on stderr) when the backend
 * refused it. */
static gboolean
send_tx (ReinCliPayments *payments, guint e, const ReinTx *tx)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GByteArray) raw = rein_tx_serialize (tx, FALSE);
  g_autoptr (GBytes) bytes = g_bytes_new (raw->data, raw->len);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *sent = NULL;

  rein_chain_broadcast_async (payments->chain, bytes, NULL, rein_cli_async_cb, &result);
  rein_cli_wait (&result);
  sent = rein_chain_broadcast_finish (payments->chain, result, &error);
  if (sent == NULL)
    {
      rein_cli_printerr (_("the payment out of the %s escrow was not sent: %s"),
                         escrow_name (e), error->message);
      return FALSE;
    }
  return TRUE;
}

static void
print_outcome (guint e, const Outcome *o)
{
  const gchar *name = e == PRIMARY ? _("Primary escrow") : _("Mediator escrow");

  if (g_strcmp0 (o->state, "refused") == 0)
    rein_cli_print (_("%s: not signed: %s"), name, o->why);
  else if (g_strcmp0 (o->state, "signed") == 0)
    rein_cli_print (e == PRIMARY ? _("%s: signed; it waits for a second signature")
                                 : _("%s: signed; it waits for the mediator's signature"),
                    name);
  else if (g_strcmp0 (o->state, "waiting") == 0)
    rein_cli_print (e == PRIMARY ? _("%s: not yours to sign; it waits for a second signature")
                                 : _("%s: not yours to sign; it waits for the mediator"),
                    name);
  else if (g_strcmp0 (o->state, "complete") == 0)
    {
      rein_cli_print (_("%s: complete, not sent (--broadcast sends it): %s"), name, o->txid);
      rein_cli_print ("%s", o->hex);
    }
  else if (o->confirmations >= 0)
    rein_cli_print (g_dngettext (NULL, "%s: paid in %s, %u confirmation",
                                 "%s: paid in %s, %u confirmations", (gulong) o->confirmations),
                    name, o->txid, (guint) o->confirmations);
  else
    rein_cli_print (_("%s: paid in %s"), name, o->txid);
}

/* A resolution's decision, as its primary payment carries it out. */
static void
say_decision (ReinCliPayments *payments)
{
  ReinNetwork network = payments->status->testnet ? REIN_NETWORK_TESTNET
                                                  : REIN_NETWORK_MAINNET;
  g_autoptr (GByteArray) worker = rein_script_from_address (payments->payees->worker, network,
                                                            NULL);
  const ReinTx *tx = rein_psbt_get_tx (payments->psbt[PRIMARY]);
  guint64 to_worker = 0, total = 0;

  switch (payments->kind)
    {
    case REIN_PAYOUT_REFUND:
      say ("%s", _("The mediator decided: a refund; the creator gets the primary escrow."));
      return;
    case REIN_PAYOUT_AWARD:
      say ("%s", _("The mediator decided: an award; the worker gets the primary escrow."));
      return;
    case REIN_PAYOUT_SPLIT:
      for (guint o = 0; o < tx->outputs->len; o++)
        {
          const ReinTxOut *out = rein_tx_get_output (tx, o);

          total += out->value;
          if (worker != NULL && worker->len == out->script_pubkey->len
              && memcmp (worker->data, out->script_pubkey->data, worker->len) == 0)
            to_worker += out->value;
        }
      if (total > 0)
        say (_("The mediator decided: a split; the worker gets %u%%, the creator %u%%."),
             (guint) ((to_worker * 100 + total / 2) / total),
             100 - (guint) ((to_worker * 100 + total / 2) / total));
      return;
    case REIN_PAYOUT_ACCEPT:
    default:
      return;
    }
}

int
rein_cli_payout (ReinStore *store,
                 ReinSession *session,
                 ReinIdentity *identity,
                 ReinCliForm *form,
                 ReinJob *job,
                 gboolean broadcast,
                 const ReinCliPayOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinCliPayments) payments = NULL;
  g_autoptr (ReinPrivateKey) delegate = NULL;
  g_autoptr (GPtrArray) records = NULL;
  g_auto (Outcomes) outcomes = { { { 0 } } };
  Outcome *outcome = outcomes.o;
  ReinDocument *doc = rein_job_get_document (job, REIN_DOCUMENT_TYPE_RESOLUTION);
  const gchar *own_key = rein_identity_get_delegate_public_key (identity);
  gboolean to_sign[N_ESCROWS] = { FALSE, FALSE };
  gboolean needs_me = FALSE;
  gint64 fee_cap = 0;
  int status = REIN_CLI_EXIT_OK;

  if (doc == NULL)
    doc = rein_job_get_document (job, REIN_DOCUMENT_TYPE_ACCEPT);
  if (doc == NULL)
    {
      g_set_error (&error, REIN_CLI_ERROR, REIN_CLI_ERROR_REFUSED,
                   _("there is nothing to pay out yet: the job's state is “%s”, and payouts "
                     "come with the accept or the resolution"),
                   rein_job_state_describe (rein_job_get_state (job)));
      return rein_cli_fail (NULL, error);
    }
  if (rein_job_get_role (job, own_key) == REIN_ROLE_NONE)
    {
      g_set_error_literal (&error, REIN_CLI_ERROR, REIN_CLI_ERROR_REFUSED,
                           _("you have no part in this job's payments"));
      return rein_cli_fail (NULL, error);
    }
  if (!parse_fee_cap (options->fee_cap, &fee_cap, &error))
    return rein_cli_fail (NULL, error);
  payments = payments_open (store, identity, job, TRUE, &error);
  if (payments == NULL || !read_payments (payments, doc, &error))
    return rein_cli_fail (NULL, error);
  payments->fee_cap = fee_cap;
  payments->kind = rein_job_get_document (job, REIN_DOCUMENT_TYPE_RESOLUTION) != NULL
                     ? resolution_kind (payments, payments->psbt[PRIMARY])
                     : REIN_PAYOUT_ACCEPT;

  /* What is done already: a payment recorded as sent is not signed again */
  records = rein_store_list_payouts (store, rein_identity_get_id (identity),
                                     rein_job_get_id (job), NULL);
  for (guint r = 0; records != NULL && r < records->len; r++)
    {
      ReinStoredPayout *p = g_ptr_array_index (records, r);
      guint e = g_strcmp0 (p->escrow, "primary") == 0 ? PRIMARY : MEDIATOR;

      if ((g_strcmp0 (p->state, "broadcast") == 0 || g_strcmp0 (p->state, "paid elsewhere") == 0)
          && p->txid != NULL)
        {
          outcome[e].state = g_strcmp0 (p->state, "broadcast") == 0 ? "broadcast"
                                                                     : "paid elsewhere";
          outcome[e].txid = g_strdup (p->txid);
          outcome[e].recorded = p;
        }
    }

  /* Each payment on its own: one that fails its checks does not keep the
   * other from being paid. */
  for (guint e = 0; e < N_ESCROWS; e++)
    {
      g_autoptr (GError) check_error = NULL;

      if (outcome[e].state != NULL)
        continue;
      if (!rein_payout_check_psbt (payments->psbt[e], payments->status, e == PRIMARY,
                                   payments->payees, payments->kind, fee_cap, &check_error))
        {
          g_autofree gchar *spender = spent_by (payments, e);

          if (spender != NULL)
            {
              outcome[e].state = "paid elsewhere";
              outcome[e].txid = g_steal_pointer (&spender);
            }
          else
            refuse_one (&outcome[e], check_error->message);
          continue;
        }
      to_sign[e] = needs_signature_of (payments, e, own_key);
      needs_me = needs_me || to_sign[e];
    }

  if (needs_me)
    {
      say_decision (payments);
      for (guint e = 0; e < N_ESCROWS; e++)
        if (outcome[e].state == NULL)
          {
            review_one (payments, e);
            say ("  %s", to_sign[e] ? _("→ you add your signature to this payment")
                                    : _("→ not yours to sign: shown for your information"));
          }
      if (!rein_cli_ask_to_sign (form, options->yes, _("Add your signature? Type “yes” to sign."),
                                 &error)
          || (delegate = rein_cli_unlock_delegate (session, &error)) == NULL)
        return rein_cli_fail (NULL, error);
    }

  for (guint e = 0; e < N_ESCROWS; e++)
    {
      g_autoptr (ReinTx) tx = NULL;
      g_autoptr (GError) local_error = NULL;

      if (outcome[e].state != NULL)
        continue;
      if (to_sign[e] && !sign_one (payments, e, delegate, &local_error))
        {
          refuse_one (&outcome[e], local_error->message);
          continue;
        }
      tx = final_tx (payments, e, &local_error);
      if (tx == NULL && local_error != NULL)
        {
          refuse_one (&outcome[e], local_error->message);
          continue;
        }
      if (tx == NULL)
        {
          outcome[e].state = to_sign[e] ? "signed" : "waiting";
          continue;
        }
      outcome[e].state = "complete";
      outcome[e].txid = rein_tx_get_txid_hex (tx);
      outcome[e].hex = rein_tx_to_hex (tx);
      if (broadcast)
        {
          if (send_tx (payments, e, tx))
            outcome[e].state = "broadcast";
          else
            status = REIN_CLI_EXIT_NETWORK;
        }
    }

  /* how far each has come; what we signed, sent or saw paid is kept */
  for (guint e = 0; e < N_ESCROWS; e++)
    {
      Outcome *o = &outcome[e];
      g_autoptr (GError) record_error = NULL;

      o->confirmations = o->txid != NULL && (g_strcmp0 (o->state, "broadcast") == 0
                                             || g_strcmp0 (o->state, "paid elsewhere") == 0)
                           ? confirmations_of (payments, o->txid)
                           : -1;
      if (g_strcmp0 (o->state, "refused") == 0 || g_strcmp0 (o->state, "waiting") == 0)
        continue;
      if (o->recorded != NULL)
        {
          /* done before: only its confirmations change */
          if (o->confirmations >= 0 && o->confirmations != o->recorded->confirmations)
            {
              o->recorded->confirmations = o->confirmations;
              if (!rein_store_set_payout (store, rein_identity_get_id (identity), o->recorded,
                                          &record_error))
                rein_cli_warn ("%s", record_error->message);
            }
          continue;
        }
      if (!record (payments, e, o->state, o->txid, o->confirmations, &record_error))
        rein_cli_warn ("%s", record_error->message);
    }
  for (guint e = 0; e < N_ESCROWS; e++)
    if (g_strcmp0 (outcome[e].state, "refused") == 0 && status == REIN_CLI_EXIT_OK)
      status = REIN_CLI_EXIT_REFUSED;

  if (rein_cli_globals.json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (builder);
      rein_cli_json_string (builder, "job_id", rein_job_get_id (job));
      json_builder_set_member_name (builder, "payments");
      json_builder_begin_array (builder);
      for (guint e = 0; e < N_ESCROWS; e++)
        {
          json_builder_begin_object (builder);
          rein_cli_json_string (builder, "escrow", escrow_name (e));
          rein_cli_json_string (builder, "state", outcome[e].state);
          rein_cli_json_string (builder, "txid", outcome[e].txid);
          rein_cli_json_string (builder, "hex", outcome[e].hex);
          rein_cli_json_string (builder, "error", outcome[e].why);
          json_builder_set_member_name (builder, "confirmations");
          if (outcome[e].confirmations >= 0)
            json_builder_add_int_value (builder, outcome[e].confirmations);
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      if (!rein_cli_write_json (root, FALSE, &error))
        return rein_cli_fail (NULL, error);
    }
  else
    for (guint e = 0; e < N_ESCROWS; e++)
      print_outcome (e, &outcome[e]);
  return status;
}
