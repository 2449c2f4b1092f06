/* rein-payout.c: who is paid what out of a job's escrows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rein-payout.h"

#include "rein-bitcoin.h"
#include "rein-client-error.h"

#include <string.h>

/* Nodes relay nothing below 1 sat/vB. */
#define MIN_FEE_RATE 1000
#define MAX_FEE_RATE (1000 * 100000)

/* ---- payees ---- */

void
rein_payees_free (ReinPayees *payees)
{
  if (payees == NULL)
    return;
  g_free (payees->creator);
  g_free (payees->worker);
  g_free (payees->mediator);
  g_free (payees);
}

ReinPayees *
rein_payees_copy (const ReinPayees *payees)
{
  ReinPayees *copy = g_memdup2 (payees, sizeof *payees);

  copy->creator = g_strdup (payees->creator);
  copy->worker = g_strdup (payees->worker);
  copy->mediator = g_strdup (payees->mediator);
  return copy;
}

/* Where @role is paid (rein_job_get_payout_address()), in this domain. */
static gchar *
payee_address (ReinJob *job, ReinRole role, gboolean testnet, gboolean *out_chosen,
               GError **error)
{
  g_autoptr (GError) local_error = NULL;
  gchar *address = rein_job_get_payout_address (job, role,
                                                testnet ? REIN_NETWORK_TESTNET
                                                        : REIN_NETWORK_MAINNET,
                                                out_chosen, &local_error);

  if (address == NULL)
    g_set_error_literal (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_DOCUMENT,
                         local_error->message);
  return address;
}

ReinPayees *
rein_payees_new (ReinJob *job, gboolean testnet, GError **error)
{
  g_autoptr (ReinPayees) payees = g_new0 (ReinPayees, 1);

  g_return_val_if_fail (REIN_IS_JOB (job), NULL);

  if ((payees->creator = payee_address (job, REIN_ROLE_CREATOR, testnet,
                                        &payees->creator_chosen, error)) == NULL
      || (payees->worker = payee_address (job, REIN_ROLE_WORKER, testnet,
                                          &payees->worker_chosen, error)) == NULL
      || (payees->mediator = payee_address (job, REIN_ROLE_MEDIATOR, testnet,
                                            &payees->mediator_chosen, error)) == NULL)
    return NULL;
  return g_steal_pointer (&payees);
}

/* ---- sizes ---- */

static guint
varint_size (guint64 n)
{
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

guint
rein_payout_estimate_vsize (gboolean primary, guint n_inputs, guint n_outputs)
{
  /* The largest signature: a 72-byte DER encoding and its sighash byte. */
  const guint sig_push = 1 + 73;
  /* OP_2 <33> <33> <33> OP_3 OP_CHECKMULTISIG; <33> OP_CHECKSIGVERIFY
   * OP_1 <33> <33> OP_2 OP_CHECKMULTISIG */
  const guint redeem = primary ? 1 + 3 * 34 + 2 : 34 + 1 + 1 + 2 * 34 + 2;
  const guint redeem_push = (redeem < 76 ? 1 : 2) + redeem;
  const guint script_sig = 1 + 2 * sig_push + redeem_push; /* OP_0 <sig> <sig> <redeem> */
  const guint input = 32 + 4 + varint_size (script_sig) + script_sig + 4;
  const guint output = 8 + 1 + 25; /* P2PKH is the larger of P2PKH and P2SH */

  return 4 + varint_size (n_inputs) + n_inputs * input + varint_size (n_outputs)
         + n_outputs * output + 4;
}

static gint64
ceil_div (gint64 a, gint64 b)
{
  return (a + b - 1) / b;
}

gint64
rein_payout_least_payable (gboolean primary)
{
  return ceil_div ((gint64) rein_payout_estimate_vsize (primary, 1, 1) * MIN_FEE_RATE, 1000)
         + REIN_DUST_LIMIT;
}

/* ---- plans ---- */

static void
output_free (ReinPayoutOutput *output)
{
  g_free (output->address);
  g_free (output);
}

void
rein_payout_plan_free (ReinPayoutPlan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->escrow_address);
  g_free (plan->redeem_script_hex);
  g_clear_pointer (&plan->inputs, g_ptr_array_unref);
  g_clear_pointer (&plan->outputs, g_ptr_array_unref);
  g_free (plan);
}

static ReinUtxo *
utxo_copy (const ReinUtxo *utxo)
{
  ReinUtxo *copy = g_memdup2 (utxo, sizeof *utxo);

  copy->txid = g_strdup (utxo->txid);
  return copy;
}

typedef struct
{
  ReinRole payee;
  const gchar *address;
  gint64 gross;
} Share;

ReinPayoutPlan *
rein_payout_plan_new (const ReinEscrowStatus *status,
                      gboolean primary,
                      const ReinPayees *payees,
                      ReinPayoutKind kind,
                      guint worker_percent,
                      gint64 fee_rate,
                      gint64 fee_cap,
                      GError **error)
{
  const ReinEscrowAccount *account;
  g_autoptr (ReinPayoutPlan) plan = NULL;
  Share shares[2];
  guint n_shares = 0;

  g_return_val_if_fail (status != NULL && payees != NULL, NULL);
  g_return_val_if_fail (worker_percent <= 100, NULL);

  account = primary ? &status->primary : &status->mediator;
  if (!status->looked_up || account->coins == NULL || account->coins->len == 0)
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                   "the %s escrow %s holds nothing to pay out", primary ? "primary" : "mediator",
                   account->address);
      return NULL;
    }
  if (fee_rate < MIN_FEE_RATE || fee_rate > MAX_FEE_RATE)
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT,
                   "a fee rate of %" G_GINT64_FORMAT ".%03d sat/vB is not one nodes take "
                   "(1 to 100,000 sat/vB)",
                   fee_rate / 1000, (gint) (fee_rate % 1000));
      return NULL;
    }

  plan = g_new0 (ReinPayoutPlan, 1);
  plan->kind = kind;
  plan->primary = primary;
  plan->escrow_address = g_strdup (account->address);
  plan->redeem_script_hex = g_strdup (account->redeem_script_hex);
  plan->fee_rate = fee_rate;
  plan->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_utxo_free);
  plan->outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) output_free);
  for (guint i = 0; i < account->coins->len; i++)
    {
      const ReinUtxo *coin = g_ptr_array_index (account->coins, i);

      if (coin->value < 0 || coin->value > REIN_MAX_SATOSHIS - plan->input_total)
        {
          g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                       "the %s escrow's coins add up to more than 21 million bitcoins: the "
                       "chain backend is not to be trusted", primary ? "primary" : "mediator");
          return NULL;
        }
      g_ptr_array_add (plan->inputs, utxo_copy (coin));
      plan->input_total += coin->value;
    }

  /* who gets the money, before the fee */
  if (!primary)
    shares[n_shares++] = (Share) { REIN_ROLE_MEDIATOR, payees->mediator, plan->input_total };
  else
    {
      guint percent = kind == REIN_PAYOUT_ACCEPT || kind == REIN_PAYOUT_AWARD ? 100
                      : kind == REIN_PAYOUT_REFUND                            ? 0
                                                                              : worker_percent;
      gint64 to_worker = (gint64) (((unsigned __int128) plan->input_total * percent + 50) / 100);

      if (plan->input_total - to_worker > 0)
        shares[n_shares++] = (Share) { REIN_ROLE_CREATOR, payees->creator,
                                       plan->input_total - to_worker };
      if (to_worker > 0)
        shares[n_shares++] = (Share) { REIN_ROLE_WORKER, payees->worker, to_worker };
    }

  /* The fee, shared in proportion; an output it leaves below the dust
   * limit is given up to the fee, which then shrinks by one output. */
  for (;;)
    {
      gint64 gross_total = 0, fee, charged = 0;
      gint64 net[2];
      guint dust = G_MAXUINT, largest = 0;

      plan->vsize = rein_payout_estimate_vsize (primary, plan->inputs->len, n_shares);
      fee = ceil_div ((gint64) plan->vsize * fee_rate, 1000);
      for (guint i = 0; i < n_shares; i++)
        {
          gross_total += shares[i].gross;
          if (shares[i].gross > shares[largest].gross)
            largest = i;
        }
      if (n_shares == 0 || fee >= gross_total)
        {
          g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                       "a fee of %" G_GINT64_FORMAT " sat at this rate would take all of the "
                       "%" G_GINT64_FORMAT " sat in the escrow",
                       fee, plan->input_total);
          return NULL;
        }
      for (guint i = 0; i < n_shares; i++)
        {
          gint64 part = (gint64) (((unsigned __int128) fee * (guint64) shares[i].gross)
                                  / (guint64) gross_total);

          net[i] = shares[i].gross - part;
          charged += part;
        }
      net[largest] -= fee - charged; /* what rounding left over */
      for (guint i = 0; i < n_shares; i++)
        if (net[i] < REIN_DUST_LIMIT)
          dust = i;
      if (dust == G_MAXUINT)
        {
          for (guint i = 0; i < n_shares; i++)
            {
              ReinPayoutOutput *output = g_new0 (ReinPayoutOutput, 1);

              output->payee = shares[i].payee;
              output->address = g_strdup (shares[i].address);
              output->amount = net[i];
              g_ptr_array_add (plan->outputs, output);
            }
          plan->fee = fee + plan->dust_to_fee;
          break;
        }
      /* too small to make: it goes to the fee instead */
      plan->dust_to_fee += shares[dust].gross;
      shares[dust] = shares[--n_shares];
    }

  if (fee_cap > 0 && plan->fee > fee_cap)
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                   "the fee of %" G_GINT64_FORMAT " sat is above the cap of %" G_GINT64_FORMAT
                   " sat",
                   plan->fee, fee_cap);
      return NULL;
    }
  plan->fee_warning = plan->fee * 20 > plan->input_total;
  return g_steal_pointer (&plan);
}

/* ---- PSBTs ---- */

ReinPsbt *
rein_payout_plan_build_psbt (const ReinPayoutPlan *plan,
                             GPtrArray *prev_txs,
                             gboolean testnet,
                             GError **error)
{
  ReinNetwork network = testnet ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET;
  g_autoptr (ReinTx) tx = rein_tx_new (2, 0);
  g_autoptr (ReinPsbt) psbt = NULL;
  g_autofree guint8 *redeem = NULL;
  gsize redeem_len = 0;

  g_return_val_if_fail (plan != NULL && prev_txs != NULL, NULL);
  g_return_val_if_fail (prev_txs->len == plan->inputs->len, NULL);

  for (guint i = 0; i < plan->inputs->len; i++)
    {
      ReinUtxo *coin = g_ptr_array_index (plan->inputs, i);

      if (!rein_tx_add_input_hex (tx, coin->txid, coin->vout, 0xffffffff, error))
        return NULL;
    }
  for (guint i = 0; i < plan->outputs->len; i++)
    {
      ReinPayoutOutput *output = g_ptr_array_index (plan->outputs, i);

      if (rein_tx_add_output_address (tx, output->address, network, (guint64) output->amount,
                                      error) == NULL)
        return NULL;
    }
  psbt = rein_psbt_new (tx, error);
  if (psbt == NULL)
    return NULL;
  /* an escrow's coins come with its redeem script; the own address's
   * (P2PKH) need none */
  if (plan->redeem_script_hex != NULL
      && (redeem = rein_hex_decode (plan->redeem_script_hex, &redeem_len, error)) == NULL)
    return NULL;
  for (guint i = 0; i < plan->inputs->len; i++)
    {
      GBytes *raw = g_ptr_array_index (prev_txs, i);
      g_autoptr (ReinTx) prev = rein_tx_parse (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw),
                                               TRUE, error);

      ReinUtxo *coin = g_ptr_array_index (plan->inputs, i);

      if (prev == NULL)
        return NULL;
      /* the backend's word for the coin's value is checked against the
       * transaction itself, whose txid is checked: a fee is never larger
       * than the plan says */
      if (coin->vout >= prev->outputs->len
          || rein_tx_get_output (prev, coin->vout)->value != (guint64) coin->value)
        {
          g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                       "coin %s:%u is not worth what the chain backend said", coin->txid,
                       coin->vout);
          return NULL;
        }
      if (!rein_psbt_set_non_witness_utxo (psbt, i, prev, error)
          || (redeem != NULL
              && !rein_psbt_set_redeem_script (psbt, i, redeem, redeem_len, error))
          || !rein_psbt_set_sighash_type (psbt, i, 1 /* SIGHASH_ALL */, error))
        return NULL;
    }
  return g_steal_pointer (&psbt);
}

/* Fails with a message made from @...: an expression, for "return refuse
 * (error, ...);". */
#define refuse(error, ...) \
  (g_set_error ((error), REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED, __VA_ARGS__), FALSE)

gboolean
rein_payout_check_psbt (const ReinPsbt *psbt,
                        const ReinEscrowStatus *status,
                        gboolean primary,
                        const ReinPayees *payees,
                        ReinPayoutKind kind,
                        gint64 fee_cap,
                        GError **error)
{
  const ReinEscrowAccount *account = primary ? &status->primary : &status->mediator;
  ReinNetwork network = status->testnet ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET;
  const ReinTx *tx = rein_psbt_get_tx (psbt);
  g_autofree guint8 *redeem = NULL;
  g_autoptr (GByteArray) creator = NULL, worker = NULL, mediator = NULL;
  g_autoptr (GError) local_error = NULL;
  ReinPaymentPayee allowed[2];
  ReinPaymentRules rules = { 0 };
  gsize redeem_len = 0;

  redeem = rein_hex_decode (account->redeem_script_hex, &redeem_len, NULL);
  g_return_val_if_fail (redeem != NULL, FALSE);
  creator = rein_script_from_address (payees->creator, network, NULL);
  worker = rein_script_from_address (payees->worker, network, NULL);
  mediator = rein_script_from_address (payees->mediator, network, NULL);
  g_return_val_if_fail (creator != NULL && worker != NULL && mediator != NULL, FALSE);

  rules.escrow_name = primary ? "primary" : "mediator";
  rules.redeem_script = redeem;
  rules.redeem_script_len = redeem_len;
  rules.payees = allowed;
  rules.fee_cap = fee_cap > 0 ? (guint64) fee_cap : 0;
  rules.min_spent = account->due > 0 ? (guint64) account->due : 0;
  if (!primary)
    {
      allowed[0] = (ReinPaymentPayee) { "the mediator", mediator };
      rules.n_payees = 1;
    }
  else if (kind == REIN_PAYOUT_ACCEPT || kind == REIN_PAYOUT_AWARD)
    {
      allowed[0] = (ReinPaymentPayee) { "the worker", worker };
      rules.n_payees = 1;
    }
  else if (kind == REIN_PAYOUT_REFUND)
    {
      allowed[0] = (ReinPaymentPayee) { "the creator", creator };
      rules.n_payees = 1;
    }
  else
    {
      allowed[0] = (ReinPaymentPayee) { "the creator", creator };
      allowed[1] = (ReinPaymentPayee) { "the worker", worker };
      rules.n_payees = 2;
    }
  if (!rein_payment_check_psbt (psbt, &rules, &local_error))
    return refuse (error, "%s", local_error->message);

  /* what the backend says is in the escrow now: a coin it does not list
   * is spent already, or was never there */
  if (status->looked_up)
    for (guint i = 0; i < rein_psbt_get_n_inputs (psbt); i++)
      {
        const ReinTxIn *in = rein_tx_get_input (tx, i);
        gboolean found = FALSE;
        guint8 reversed[32];
        g_autofree gchar *txid = NULL;

        for (guint b = 0; b < 32; b++)
          reversed[b] = in->prev_txid[31 - b];
        txid = rein_hex_encode (reversed, 32);
        for (guint c = 0; c < account->coins->len && !found; c++)
          {
            ReinUtxo *coin = g_ptr_array_index (account->coins, c);

            found = coin->vout == in->prev_vout && g_ascii_strcasecmp (coin->txid, txid) == 0;
          }
        if (!found)
          return refuse (error, "input %u of the %s payment spends %s:%u, which the %s escrow "
                         "does not hold (spent already, or never there)", i, rules.escrow_name,
                         txid, in->prev_vout, rules.escrow_name);
      }
  return TRUE;
}

/* ---- preparing a payment ---- */

void
rein_payment_free (ReinPayment *payment)
{
  if (payment == NULL)
    return;
  rein_payout_plan_free (payment->plan);
  g_clear_pointer (&payment->psbt, rein_psbt_free);
  g_free (payment);
}

typedef struct
{
  ReinEscrowStatus *status; /* NULL for a spend of the own address */
  ReinPayees *payees;
  gboolean testnet;
  gchar *from_address;      /* a spend of the own address: from, to */
  gchar *to_address;
  GPtrArray *coins;         /* ReinUtxo, of the own address */
  gboolean primary;
  ReinPayoutKind kind;
  guint worker_percent;
  guint fee_target;
  gint64 fee_cap;
  ReinPayoutPlan *plan;
  GPtrArray *prev_txs; /* GBytes, in the order of the plan's inputs */
  guint pending;
  GError *error;
} Prepare;

static void
bytes_unref0 (gpointer bytes)
{
  if (bytes != NULL)
    g_bytes_unref (bytes);
}

static void
prepare_free (Prepare *prep)
{
  rein_escrow_status_free (prep->status);
  rein_payees_free (prep->payees);
  g_free (prep->from_address);
  g_free (prep->to_address);
  g_clear_pointer (&prep->coins, g_ptr_array_unref);
  rein_payout_plan_free (prep->plan);
  g_clear_pointer (&prep->prev_txs, g_ptr_array_unref);
  g_clear_error (&prep->error);
  g_free (prep);
}

typedef struct
{
  GTask *task;
  guint index;
} PrevFetch;

static void
prev_tx_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PrevFetch *fetch = user_data;
  g_autoptr (GTask) task = fetch->task;
  Prepare *prep = g_task_get_task_data (task);
  GError *error = NULL;
  GBytes *raw = rein_chain_get_tx_finish (REIN_CHAIN (source), result, &error);
  guint index = fetch->index;

  g_free (fetch);
  if (raw == NULL)
    {
      if (prep->error == NULL)
        prep->error = error;
      else
        g_error_free (error);
    }
  else
    {
      prep->prev_txs->pdata[index] = raw;
    }
  if (--prep->pending > 0)
    return;
  if (prep->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&prep->error));
      return;
    }
  {
    ReinPayment *payment = g_new0 (ReinPayment, 1);

    payment->psbt = rein_payout_plan_build_psbt (prep->plan, prep->prev_txs, prep->testnet,
                                                 &error);
    if (payment->psbt == NULL)
      {
        g_free (payment);
        g_task_return_error (task, error);
        return;
      }
    payment->plan = g_steal_pointer (&prep->plan);
    g_task_return_pointer (task, payment, (GDestroyNotify) rein_payment_free);
  }
}

/* Every coin of the own address to one output, less the fee. */
static ReinPayoutPlan *
own_spend_plan_new (Prepare *prep, gint64 fee_rate, GError **error)
{
  g_autoptr (ReinPayoutPlan) plan = g_new0 (ReinPayoutPlan, 1);
  ReinPayoutOutput *output;
  ReinAddressType type = REIN_ADDRESS_P2PKH;

  if (fee_rate < MIN_FEE_RATE || fee_rate > MAX_FEE_RATE)
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT,
                   "a fee rate of %" G_GINT64_FORMAT ".%03d sat/vB is not one nodes take "
                   "(1 to 100,000 sat/vB)",
                   fee_rate / 1000, (gint) (fee_rate % 1000));
      return NULL;
    }
  if (!rein_address_validate (prep->to_address, NULL, &type, NULL, error))
    return NULL;
  plan->kind = REIN_PAYOUT_ACCEPT;
  plan->escrow_address = g_strdup (prep->from_address);
  plan->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_utxo_free);
  plan->outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) output_free);
  for (guint i = 0; i < prep->coins->len; i++)
    {
      const ReinUtxo *coin = g_ptr_array_index (prep->coins, i);

      g_ptr_array_add (plan->inputs, utxo_copy (coin));
      plan->input_total += coin->value;
    }
  /* version, counts and locktime; per input its outpoint, a scriptSig of
   * a signature at its largest and a compressed key, the sequence; the
   * output */
  plan->vsize = 10 + 148 * plan->inputs->len + (type == REIN_ADDRESS_P2SH ? 32 : 34);
  plan->fee_rate = fee_rate;
  plan->fee = ceil_div (fee_rate * plan->vsize, 1000);
  if (plan->input_total - plan->fee < REIN_DUST_LIMIT)
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                   "a fee of %" G_GINT64_FORMAT " sat at this rate would leave less than the "
                   "dust limit of the %" G_GINT64_FORMAT " sat at your address",
                   plan->fee, plan->input_total);
      return NULL;
    }
  output = g_new0 (ReinPayoutOutput, 1);
  output->payee = REIN_ROLE_NONE;
  output->address = g_strdup (prep->to_address);
  output->amount = plan->input_total - plan->fee;
  g_ptr_array_add (plan->outputs, output);
  plan->fee_warning = plan->fee * 20 > plan->input_total;
  return g_steal_pointer (&plan);
}

/* With the fee rate known: the plan, then every previous transaction. */
static void
prepare_with_rate (GTask *task, gint64 fee_rate)
{
  Prepare *prep = g_task_get_task_data (task);
  ReinChain *chain = g_task_get_source_object (task);
  GError *error = NULL;

  prep->plan = prep->status != NULL
                 ? rein_payout_plan_new (prep->status, prep->primary, prep->payees, prep->kind,
                                         prep->worker_percent, fee_rate, prep->fee_cap, &error)
                 : own_spend_plan_new (prep, fee_rate, &error);
  if (prep->plan == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  prep->prev_txs = g_ptr_array_new_with_free_func (bytes_unref0);
  g_ptr_array_set_size (prep->prev_txs, prep->plan->inputs->len);
  prep->pending = prep->plan->inputs->len;
  for (guint i = 0; i < prep->plan->inputs->len; i++)
    {
      ReinUtxo *coin = g_ptr_array_index (prep->plan->inputs, i);
      PrevFetch *fetch = g_new0 (PrevFetch, 1);

      fetch->task = g_object_ref (task);
      fetch->index = i;
      rein_chain_get_tx_async (chain, coin->txid, g_task_get_cancellable (task), prev_tx_cb,
                               fetch);
    }
}

static void
estimates_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Prepare *prep = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (GArray) estimates = rein_chain_get_fee_estimates_finish (REIN_CHAIN (source), result,
                                                                      &error);
  gint64 rate = 0;

  if (estimates == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!rein_fee_estimates_pick (estimates, prep->fee_target, &rate))
    {
      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                               "the chain backend has no fee estimate; give a fee rate");
      return;
    }
  /* an estimate below what nodes relay is raised to it */
  prepare_with_rate (task, MAX (rate, MIN_FEE_RATE));
}

void
rein_payment_prepare_async (ReinChain *chain,
                            const ReinEscrowStatus *status,
                            gboolean primary,
                            const ReinPayees *payees,
                            ReinPayoutKind kind,
                            guint worker_percent,
                            guint fee_target,
                            gint64 fee_rate,
                            gint64 fee_cap,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Prepare *prep;

  g_return_if_fail (REIN_IS_CHAIN (chain));
  g_return_if_fail (status != NULL && payees != NULL);

  task = g_task_new (chain, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_payment_prepare_async);
  prep = g_new0 (Prepare, 1);
  prep->status = rein_escrow_status_copy (status);
  prep->payees = rein_payees_copy (payees);
  prep->testnet = status->testnet;
  prep->primary = primary;
  prep->kind = kind;
  prep->worker_percent = worker_percent;
  prep->fee_target = fee_target > 0 ? fee_target : 6;
  prep->fee_cap = fee_cap;
  g_task_set_task_data (task, prep, (GDestroyNotify) prepare_free);
  if (fee_rate > 0)
    prepare_with_rate (task, fee_rate);
  else
    rein_chain_get_fee_estimates_async (chain, cancellable, estimates_cb, g_steal_pointer (&task));
}

ReinPayment *
rein_payment_prepare_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rein_payment_prepare_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- a spend of the own address ---- */

static void spend_coins_cb (GObject *source, GAsyncResult *result, gpointer user_data);

void
rein_own_spend_prepare_async (ReinChain *chain,
                              const gchar *from_address,
                              const gchar *to_address,
                              gboolean testnet,
                              guint fee_target,
                              gint64 fee_rate,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  ReinNetwork network;
  Prepare *prep;

  g_return_if_fail (REIN_IS_CHAIN (chain));
  g_return_if_fail (from_address != NULL && to_address != NULL);

  task = g_task_new (chain, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_own_spend_prepare_async);
  prep = g_new0 (Prepare, 1);
  prep->testnet = testnet;
  prep->from_address = g_strdup (from_address);
  prep->to_address = g_strstrip (g_strdup (to_address));
  prep->fee_target = fee_target > 0 ? fee_target : 6;
  prep->fee_cap = fee_rate; /* kept for the estimate's callback: 0 asks for it */
  g_task_set_task_data (task, prep, (GDestroyNotify) prepare_free);
  if (!rein_address_validate (prep->to_address, &network, NULL, NULL, &error)
      || (network == REIN_NETWORK_TESTNET) != testnet)
    {
      g_autofree gchar *shown = g_strndup (prep->to_address, 100);

      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT,
                               testnet ? "“%s” is not a testnet address"
                                       : "“%s” is not a Bitcoin address",
                               shown);
      return;
    }
  if (g_strcmp0 (prep->to_address, from_address) == 0)
    {
      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT, "%s",
                               "that is this address itself: give another one");
      return;
    }
  rein_chain_get_utxos_async (chain, from_address, cancellable, spend_coins_cb,
                              g_steal_pointer (&task));
}

static void
spend_coins_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Prepare *prep = g_task_get_task_data (task);
  GError *error = NULL;
  gint64 fee_rate = prep->fee_cap;

  prep->fee_cap = 0;
  prep->coins = rein_chain_get_utxos_finish (REIN_CHAIN (source), result, &error);
  if (prep->coins == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (prep->coins->len == 0)
    {
      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                               "there is nothing at %s to send", prep->from_address);
      return;
    }
  if (fee_rate > 0)
    prepare_with_rate (task, fee_rate);
  else
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      rein_chain_get_fee_estimates_async (REIN_CHAIN (source), cancellable, estimates_cb,
                                          g_steal_pointer (&task));
    }
}

ReinPayment *
rein_own_spend_prepare_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rein_own_spend_prepare_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
