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
#include "rein-payments.h"

#include "rein-cli-payment.h"
#include "rein-legacy-delivery.h"
#include "rein-cli-private.h"

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

#define btc_and_sat rein_payments_format_amount

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
  ReinPayments *payments;
};

void
rein_cli_payments_free (ReinCliPayments *payments)
{
  if (payments == NULL)
    return;
  g_clear_object (&payments->payments);
  g_free (payments);
}

static const gchar *
escrow_name (guint e)
{
  return e == PRIMARY ? "primary" : "mediator";
}

/* Errors of the client (no escrow yet; the backend) in rein-cli's terms,
 * for the exit status, with what rein-cli offers about them. */
static void
to_cli_error (GError *error, ReinJob *job)
{
  if (error == NULL || error->domain == REIN_CLI_ERROR)
    return;
  if (g_error_matches (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_UNFUNDED))
    {
      g_autofree gchar *message = g_strdup_printf (_("%s (rein-cli escrow-status --jobid %s "
                                                     "shows where to pay)"),
                                                   error->message, rein_job_get_id (job));

      g_free (error->message);
      error->message = g_steal_pointer (&message);
    }
  else if (g_error_matches (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_UNCONFIRMED))
    {
      g_autofree gchar *message = g_strdup_printf (_("%s (or --allow-unconfirmed)"),
                                                   error->message);

      g_free (error->message);
      error->message = g_steal_pointer (&message);
    }
  if (error->domain == REIN_CLIENT_ERROR && error->code == REIN_CLIENT_ERROR_INVALID_INPUT)
    error->code = REIN_CLI_ERROR_USAGE;
  else if (error->domain == REIN_CLIENT_ERROR && (error->code == REIN_CLIENT_ERROR_REFUSED
                                                  || error->code == REIN_CLIENT_ERROR_UNFUNDED
                                                  || error->code == REIN_CLIENT_ERROR_UNCONFIRMED))
    error->code = REIN_CLI_ERROR_REFUSED;
  else if (error->domain == G_IO_ERROR || error->domain == REIN_NET_ERROR)
    error->code = REIN_CLI_ERROR_NETWORK;
  else
    return;
  error->domain = REIN_CLI_ERROR;
}

/* When the client says it needs a chain backend that @chain_error says
 * is not set: that, and how to set one. */
static void
explain_no_backend (GError **error, const GError *chain_error)
{
  if (error == NULL || !g_error_matches (*error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_NO_BACKEND)
      || chain_error == NULL)
    return;
  g_clear_error (error);
  g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
               _("%s (“rein-cli chain URL” sets the Esplora server that looks up the "
                 "escrows)"), chain_error->message);
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
  g_autoptr (ReinChain) chain = NULL;
  g_autoptr (ReinPsbt) primary = NULL;
  g_autoptr (ReinPsbt) mediator = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) chain_error = NULL;
  gboolean from_files = options->primary_file != NULL || options->mediator_file != NULL;
  ReinPaymentOptions how = { 0 };

  if (from_files && (options->primary_file == NULL || options->mediator_file == NULL))
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                           _("give both --primary-payment-file and --mediator-payment-file, or "
                             "neither (then rein-cli builds both payments)"));
      return NULL;
    }
  if (options->fee_target < 0 || options->fee_target > REIN_PAYMENTS_MAX_FEE_TARGET)
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                           _("--fee-target is a number of blocks from 1 to 1008"));
      return NULL;
    }
  if ((options->fee_rate != NULL && !parse_fee_rate (options->fee_rate, &how.fee_rate, error))
      || !parse_fee_cap (options->fee_cap, &how.fee_cap, error))
    return NULL;
  if (from_files && (options->fee_rate != NULL || options->fee_target != 0))
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                           _("--fee-rate and --fee-target choose the fee of payments built "
                             "here; payments from files keep their own fee"));
      return NULL;
    }
  how.fee_target = (guint) options->fee_target;
  how.allow_unconfirmed = options->allow_unconfirmed;

  chain = rein_chain_settings_open (store, rein_identity_get_testnet (identity), &chain_error);
  if (from_files)
    {
      if ((primary = rein_cli_read_psbt (options->primary_file, error)) == NULL
          || (mediator = rein_cli_read_psbt (options->mediator_file, error)) == NULL)
        return NULL;
      how.primary_psbt = primary;
      how.mediator_psbt = mediator;
    }

  payments = g_new0 (ReinCliPayments, 1);
  rein_payments_prepare_async (store, identity, chain, job, kind, worker_percent, &how, NULL,
                               rein_cli_async_cb, &result);
  rein_cli_wait (&result);
  payments->payments = rein_payments_prepare_finish (result, error);
  if (payments->payments == NULL)
    {
      explain_no_backend (error, chain_error);
      to_cli_error (*error, job);
      return NULL;
    }
  if (chain == NULL)
    rein_cli_warn (_("the escrows' coins cannot be checked: %s"), chain_error->message);
  return g_steal_pointer (&payments);
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

/* Prints payment @e of @payments for review. */
static void
review_one (ReinPayments *payments, guint e)
{
  g_autoptr (ReinPaymentReview) review = rein_payments_review (payments, e == PRIMARY);
  g_autofree gchar *due = btc_and_sat (review->due);

  say (e == PRIMARY ? _("Payment out of the primary escrow %s:")
                    : _("Payment out of the mediator escrow %s:"),
       review->escrow_address);
  say (e == PRIMARY ? _("  due      %s, the job's price")
                    : _("  due      %s, the mediator's fee"), due);
  for (guint i = 0; i < review->inputs->len; i++)
    {
      ReinReviewInput *in = g_ptr_array_index (review->inputs, i);
      g_autofree gchar *amount = btc_and_sat (MAX (in->amount, 0));
      const gchar *mined = in->mined == 1 ? _(", mined")
                           : in->mined == 0 ? _(", NOT MINED YET")
                                            : "";

      /* Translators: an input of a payment: its coin, amount, whether it is
       * mined, who signed */
      say (_("  spends   %s:%u  %s%s%s%s"), in->txid, in->vout, amount, mined,
           *in->signers != '\0' ? _(", signed by ") : "", in->signers);
    }
  if (review->spent < review->due)
    {
      g_autofree gchar *missing = btc_and_sat (review->due - review->spent);

      say (_("  WARNING: it spends %s less than is due: the rest would stay unpaid"), missing);
    }
  if (review->spent > review->due && review->due > 0)
    {
      g_autofree gchar *more = btc_and_sat (review->spent - review->due);

      /* Translators: the escrow holds this much more than the job's due */
      say (_("  WARNING: it spends %s more than this job put in the escrow. Another job "
             "between the same three people has the same escrow address: paying out spends "
             "that job's money too."), more);
    }
  for (guint o = 0; o < review->outputs->len; o++)
    {
      ReinReviewOutput *out = g_ptr_array_index (review->outputs, o);
      g_autofree gchar *amount = btc_and_sat (out->amount);

      /* Translators: an output of a payment: who, their address, amount */
      say (_("  pays     %s, %s  %s"), rein_payments_describe_role (out->payee),
           out->address != NULL ? out->address : "?", amount);
    }
  if (review->fee >= 0)
    {
      g_autofree gchar *amount = btc_and_sat (review->fee);
      g_autofree gchar *rate = g_strdup_printf ("%u.%u", review->rate_tenths / 10,
                                                review->rate_tenths % 10);
      g_autofree gchar *percent = g_strdup_printf ("%u.%u", review->share_permille / 10,
                                                   review->share_permille % 10);

      /* Translators: the fee, its rate in sat/vB, the size, its share in % */
      say (_("  fee      %s, %s sat/vB for about %u vB, %s%% of the payment"), amount, rate,
           review->vsize, percent);
      if (review->fee_warning)
        say ("  %s", _("WARNING: the fee is more than 5% of the payment"));
    }
}

gboolean
rein_cli_payments_confirm (ReinCliPayments *payments,
                           ReinCliForm *form,
                           const ReinCliPayOptions *options,
                           GError **error)
{
  for (guint e = 0; e < N_ESCROWS; e++)
    review_one (payments->payments, e);
  return rein_cli_ask_to_sign (form, options->yes, _("Sign both payments? Type “yes” to sign."), error);
}

/* Signs what @payments' workflow asks of @delegate. */
static gboolean
sign_payments (ReinPayments *payments, const ReinPrivateKey *delegate, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rein_payments_sign_async (payments, delegate, NULL, rein_cli_async_cb, &result);
  rein_cli_wait (&result);
  return rein_payments_sign_finish (payments, result, error);
}

gboolean
rein_cli_payments_sign (ReinCliPayments *payments, const ReinPrivateKey *delegate, GError **error)
{
  return sign_payments (payments->payments, delegate, error);
}

/* Keeps what was done; a record that cannot be written loses nothing. */
static void
record_payments (ReinPayments *payments)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  rein_payments_record_async (payments, NULL, rein_cli_async_cb, &result);
  rein_cli_wait (&result);
  if (!rein_payments_record_finish (payments, result, &error))
    rein_cli_warn ("%s", error->message);
}

void
rein_cli_payments_record (ReinCliPayments *payments)
{
  /* a python-rein 0.3 worker's payment is complete once accepted: the
   * creator sends it, as 0.3 does */
  if (rein_payments_get_has_complete (payments->payments))
    {
      g_autoptr (GAsyncResult) result = NULL;
      g_autoptr (GError) error = NULL;

      rein_payments_broadcast_async (payments->payments, NULL, rein_cli_async_cb, &result);
      rein_cli_wait (&result);
      if (!rein_payments_broadcast_finish (payments->payments, result, &error))
        rein_cli_warn ("%s", error->message);
      for (guint e = 0; e < 2; e++)
        if (rein_payments_get_state (payments->payments, e == 0) == REIN_PAYMENT_STATE_BROADCAST)
          rein_cli_print (e == 0 ? _("The payment out of the primary escrow was sent: %s")
                                 : _("The payment out of the mediator escrow was sent: %s"),
                          rein_payments_get_txid (payments->payments, e == 0));
    }
  record_payments (payments->payments);
}

gchar *
rein_cli_add_legacy_delivery_fields (ReinStore *store,
                                     ReinIdentity *identity,
                                     ReinJob *job,
                                     const ReinPrivateKey *delegate,
                                     const gchar *text)
{
  gboolean testnet = rein_identity_get_testnet (identity);
  g_autoptr (ReinChain) chain = rein_chain_settings_open (store, testnet, NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *fields = NULL;

  /* without a chain backend the escrows cannot be read: a plain delivery */
  if (chain == NULL)
    {
      rein_cli_warn (_("the payment fields a python-rein 0.3 creator needs are left out: %s"),
                     _("no chain backend is set (see “rein-cli chain”)"));
      return g_strdup (text);
    }
  rein_legacy_delivery_fields_async (chain, job, testnet, delegate,
                                     rein_chain_settings_get_fee_cap (store), NULL,
                                     rein_cli_async_cb, &result);
  rein_cli_wait (&result);
  fields = rein_legacy_delivery_fields_finish (result, &error);
  if (fields == NULL)
    {
      rein_cli_warn (_("the payment fields a python-rein 0.3 creator needs are left out: %s"),
                     error->message);
      return g_strdup (text);
    }
  if (strlen (text) + strlen (fields) > REIN_DOCUMENT_MAX_SIZE)
    {
      rein_cli_warn (_("the payment fields a python-rein 0.3 creator needs are left out: %s"),
                     _("the delivery would be too long"));
      return g_strdup (text);
    }
  /* what was signed, in the words the document uses */
  rein_cli_print (_("The delivery carries the payments a python-rein 0.3 creator completes "
                    "(the primary one signed by you):%s"), fields);
  return g_strconcat (text, fields, NULL);
}

gchar *
rein_cli_payments_add_legacy_fields (ReinCliPayments *payments, const gchar *text)
{
  return rein_payments_add_legacy_fields (payments->payments, text);
}

gchar *
rein_cli_payments_get_base64 (ReinCliPayments *payments, gboolean primary)
{
  return rein_payments_get_base64 (payments->payments, primary);
}

/* ---- payout: the co-signer ---- */

static void
print_outcome (ReinPayments *payments, guint e)
{
  const gchar *name = e == PRIMARY ? _("Primary escrow") : _("Mediator escrow");
  gboolean primary = e == PRIMARY;
  const gchar *txid = rein_payments_get_txid (payments, primary);
  gint64 confirmations = rein_payments_get_confirmations (payments, primary);

  switch (rein_payments_get_state (payments, primary))
    {
    case REIN_PAYMENT_STATE_REFUSED:
      rein_cli_print (_("%s: not signed: %s"), name, rein_payments_get_reason (payments, primary));
      break;
    case REIN_PAYMENT_STATE_SIGNED:
      rein_cli_print (primary ? _("%s: signed; it waits for a second signature")
                              : _("%s: signed; it waits for the mediator's signature"),
                      name);
      break;
    case REIN_PAYMENT_STATE_WAITING:
    case REIN_PAYMENT_STATE_TO_SIGN:
      rein_cli_print (primary ? _("%s: not yours to sign; it waits for a second signature")
                              : _("%s: not yours to sign; it waits for the mediator"),
                      name);
      break;
    case REIN_PAYMENT_STATE_COMPLETE:
      rein_cli_print (_("%s: complete, not sent (--broadcast sends it): %s"), name, txid);
      rein_cli_print ("%s", rein_payments_get_hex (payments, primary));
      break;
    case REIN_PAYMENT_STATE_BROADCAST:
    case REIN_PAYMENT_STATE_PAID_ELSEWHERE:
    case REIN_PAYMENT_STATE_BUILT:
    case REIN_PAYMENT_STATE_NONE:
    default:
      if (confirmations >= 0)
        rein_cli_print (g_dngettext (NULL, "%s: paid in %s, %u confirmation",
                                     "%s: paid in %s, %u confirmations", (gulong) confirmations),
                        name, txid, (guint) confirmations);
      else
        rein_cli_print (_("%s: paid in %s"), name, txid);
      break;
    }
}

/* A resolution's decision, as its primary payment carries it out. */
static void
say_decision (ReinPayments *payments)
{
  guint percent = rein_payments_get_worker_percent (payments);

  switch (rein_payments_get_kind (payments))
    {
    case REIN_PAYOUT_REFUND:
      say ("%s", _("The mediator decided: a refund; the creator gets the primary escrow."));
      return;
    case REIN_PAYOUT_AWARD:
      say ("%s", _("The mediator decided: an award; the worker gets the primary escrow."));
      return;
    case REIN_PAYOUT_SPLIT:
      say (_("The mediator decided: a split; the worker gets %u%%, the creator %u%%."),
           percent, 100 - percent);
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
  g_autoptr (ReinPayments) payments = NULL;
  g_autoptr (ReinPrivateKey) delegate = NULL;
  g_autoptr (ReinChain) chain = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) chain_error = NULL;
  gint64 fee_cap = 0;
  int status = REIN_CLI_EXIT_OK;

  if (!parse_fee_cap (options->fee_cap, &fee_cap, &error))
    return rein_cli_fail (NULL, error);
  chain = rein_chain_settings_open (store, rein_identity_get_testnet (identity), &chain_error);
  rein_payments_open_async (store, identity, chain, job, fee_cap, NULL, rein_cli_async_cb,
                            &result);
  rein_cli_wait (&result);
  payments = rein_payments_open_finish (result, &error);
  if (payments == NULL)
    {
      explain_no_backend (&error, chain_error);
      to_cli_error (error, job);
      return rein_cli_fail (NULL, error);
    }

  if (rein_payments_get_needs_signature (payments))
    {
      say_decision (payments);
      for (guint e = 0; e < N_ESCROWS; e++)
        {
          ReinPaymentState state = rein_payments_get_state (payments, e == PRIMARY);

          if (state != REIN_PAYMENT_STATE_TO_SIGN && state != REIN_PAYMENT_STATE_WAITING
              && state != REIN_PAYMENT_STATE_COMPLETE)
            continue;
          review_one (payments, e);
          say ("  %s", state == REIN_PAYMENT_STATE_TO_SIGN
                         ? _("→ you add your signature to this payment")
                         : _("→ not yours to sign: shown for your information"));
        }
      if (!rein_cli_ask_to_sign (form, options->yes, _("Add your signature? Type “yes” to sign."),
                                 &error)
          || (delegate = rein_cli_unlock_delegate (session, &error)) == NULL
          || !sign_payments (payments, delegate, &error))
        return rein_cli_fail (NULL, error);
    }

  if (broadcast && rein_payments_get_has_complete (payments))
    {
      g_autoptr (GAsyncResult) sent = NULL;
      g_autoptr (GError) send_error = NULL;

      rein_payments_broadcast_async (payments, NULL, rein_cli_async_cb, &sent);
      rein_cli_wait (&sent);
      if (!rein_payments_broadcast_finish (payments, sent, &send_error))
        {
          for (guint e = 0; e < N_ESCROWS; e++)
            if (rein_payments_get_state (payments, e == PRIMARY) == REIN_PAYMENT_STATE_COMPLETE
                && rein_payments_get_reason (payments, e == PRIMARY) != NULL)
              rein_cli_printerr (_("the payment out of the %s escrow was not sent: %s"),
                                 escrow_name (e), rein_payments_get_reason (payments, e == PRIMARY));
          status = REIN_CLI_EXIT_NETWORK;
        }
    }

  /* how far each has come; what we signed, sent or saw paid is kept */
  record_payments (payments);
  for (guint e = 0; e < N_ESCROWS; e++)
    if (rein_payments_get_state (payments, e == PRIMARY) == REIN_PAYMENT_STATE_REFUSED
        && status == REIN_CLI_EXIT_OK)
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
          gboolean primary = e == PRIMARY;
          ReinPaymentState state = rein_payments_get_state (payments, primary);
          gint64 confirmations = rein_payments_get_confirmations (payments, primary);

          json_builder_begin_object (builder);
          rein_cli_json_string (builder, "escrow", escrow_name (e));
          rein_cli_json_string (builder, "state", rein_payment_state_to_name (state));
          rein_cli_json_string (builder, "txid", rein_payments_get_txid (payments, primary));
          rein_cli_json_string (builder, "hex", state == REIN_PAYMENT_STATE_COMPLETE
                                                  || state == REIN_PAYMENT_STATE_BROADCAST
                                                  ? rein_payments_get_hex (payments, primary)
                                                  : NULL);
          rein_cli_json_string (builder, "error", state == REIN_PAYMENT_STATE_REFUSED
                                                    ? rein_payments_get_reason (payments, primary)
                                                    : NULL);
          json_builder_set_member_name (builder, "confirmations");
          if (confirmations >= 0)
            json_builder_add_int_value (builder, confirmations);
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
      print_outcome (payments, e);
  return status;
}
