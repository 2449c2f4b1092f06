/* test-payout.c: who is paid what out of a job's escrows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rein-bitcoin.h"
#include "rein-client-error.h"
#include "rein-market.h"
#include "rein-payout.h"
#include "chain-fixture.h"
#include "server-fixture.h"

#define JOB_ID "payoutjob00000000001"

/* ---- a delivered job, made in memory ---- */

typedef struct
{
  Identity *creator, *worker, *mediator;
  gchar *creator_payout; /* the "Payout address" of the posting */
  ReinDirectory *directory;
  GPtrArray *docs;
  ReinDocument *mediator_enrollment;
  ReinJob *job;
} World;

static ReinDocument *
parse (gchar *armored /* owned */)
{
  g_autofree gchar *owned = armored;
  g_autoptr (GError) error = NULL;
  ReinDocument *doc = rein_document_new_from_armored (owned, -1, &error);

  g_assert_no_error (error);
  return doc;
}

static World *
world_new (void)
{
  World *w = g_new0 (World, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) posting = NULL;
  g_autoptr (ReinDocument) job = NULL;
  g_autoptr (ReinDocument) bid = NULL;
  g_autoptr (ReinDocument) offer = NULL;
  g_autoptr (ReinDocument) delivery = NULL;
  g_autofree gchar *text = NULL;
  ReinJobParams params = {
    .job_name = "Payout logo",
    .job_id = JOB_ID,
    .category = "Design",
    .description = "A round logo",
    .creator_contact = "creator@example.com",
  };
  ReinBidParams bid_params = {
    .worker_contact = "walt@example.com",
    .description = "Two drafts",
    .bid_amount = "0.01",
  };

  w->creator = identity_new ("Carol");
  w->worker = identity_new ("Walt");
  w->mediator = identity_new ("Mia");
  /* the creator is paid at her master address, not her delegate's */
  w->creator_payout = g_strdup (w->creator->master_address);
  w->directory = rein_directory_new ();
  w->docs = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < 3; i++)
    {
      Identity *who = i == 0 ? w->creator : i == 1 ? w->worker : w->mediator;
      g_autoptr (ReinDocument) enrollment = parse (identity_enrollment (who, i == 2));

      g_assert_true (rein_directory_add (w->directory, enrollment, &error));
      g_assert_no_error (error);
      if (i == 2)
        w->mediator_enrollment = g_object_ref (enrollment);
    }

  params.creator = w->creator->name;
  params.creator_public_key = w->creator->public_key;
  params.creator_master_address = w->creator->master_address;
  g_assert_true (rein_job_params_set_mediator (&params, w->mediator_enrollment, &error));
  text = rein_document_build_job_posting (&params, &error);
  g_assert_no_error (error);
  posting = g_string_new (text);
  g_string_append_printf (posting, "\n%s: %s", REIN_LABEL_PAYOUT_ADDRESS, w->creator_payout);
  job = parse (identity_sign (w->creator, posting->str));
  g_ptr_array_add (w->docs, g_object_ref (job));

  bid_params.worker = w->worker->name;
  bid_params.worker_master_address = w->worker->master_address;
  bid_params.worker_public_key = w->worker->public_key;
  g_clear_pointer (&text, g_free);
  text = rein_document_build_bid (job, &bid_params, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  bid = parse (identity_sign (w->worker, text));
  g_ptr_array_add (w->docs, g_object_ref (bid));

  g_clear_pointer (&text, g_free);
  text = rein_document_build_offer (bid, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  offer = parse (identity_sign (w->creator, text));
  g_ptr_array_add (w->docs, g_object_ref (offer));

  g_clear_pointer (&text, g_free);
  text = rein_document_build_delivery (offer, "The logo, in SVG", &error);
  g_assert_no_error (error);
  delivery = parse (identity_sign (w->worker, text));
  g_ptr_array_add (w->docs, g_object_ref (delivery));

  w->job = rein_job_new (JOB_ID, w->docs, w->directory);
  g_assert_cmpint (rein_job_get_state (w->job), ==, REIN_JOB_STATE_DELIVERED);
  return w;
}

static void
world_free (World *w)
{
  identity_free (w->creator);
  identity_free (w->worker);
  identity_free (w->mediator);
  g_free (w->creator_payout);
  rein_directory_free (w->directory);
  g_ptr_array_unref (w->docs);
  g_object_unref (w->mediator_enrollment);
  g_object_unref (w->job);
  g_free (w);
}

/* Puts coins of @values (0-terminated) in @account, confirmed. */
static void
fund (ReinEscrowStatus *status, gboolean primary, const gint64 *values)
{
  ReinEscrowAccount *account = primary ? &status->primary : &status->mediator;

  for (guint i = 0; values[i] != 0; i++)
    {
      ReinUtxo *coin = g_new0 (ReinUtxo, 1);

      coin->txid = g_strdup_printf ("%064x", i + (primary ? 1 : 100));
      coin->vout = i;
      coin->value = values[i];
      coin->confirmed = TRUE;
      coin->block_height = 90;
      account->confirmed += values[i];
      g_ptr_array_add (account->coins, coin);
    }
  status->looked_up = TRUE;
  status->tip_height = 100;
}

static gint64
output_amount (ReinPayoutPlan *plan, ReinRole payee, const gchar **out_address)
{
  for (guint i = 0; i < plan->outputs->len; i++)
    {
      ReinPayoutOutput *output = g_ptr_array_index (plan->outputs, i);

      if (output->payee == payee)
        {
          if (out_address != NULL)
            *out_address = output->address;
          return output->amount;
        }
    }
  return -1;
}

/* Nothing is created or lost: outputs and fee add up to the inputs. */
static void
assert_balanced (ReinPayoutPlan *plan)
{
  gint64 sum = plan->fee;

  for (guint i = 0; i < plan->outputs->len; i++)
    {
      ReinPayoutOutput *output = g_ptr_array_index (plan->outputs, i);

      g_assert_cmpint (output->amount, >=, REIN_DUST_LIMIT);
      sum += output->amount;
    }
  g_assert_cmpint (sum, ==, plan->input_total);
}

/* ---- tests ---- */

static void
test_payees (void)
{
  World *w = world_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPayees) payees = rein_payees_new (w->job, FALSE, &error);

  g_assert_no_error (error);
  /* the posting's payout address; the others at their delegate keys */
  g_assert_cmpstr (payees->creator, ==, w->creator_payout);
  g_assert_true (payees->creator_chosen);
  g_assert_cmpstr (payees->worker, ==, w->worker->delegate_address);
  g_assert_false (payees->worker_chosen);
  g_assert_cmpstr (payees->mediator, ==, w->mediator->delegate_address);
  g_assert_false (payees->mediator_chosen);

  /* the mediator is paid where the enrollment the posting names says */
  g_assert_true (rein_job_get_mediator_enrollment (w->job) == w->mediator_enrollment);

  /* a mainnet payout address cannot be paid on testnet */
  g_clear_pointer (&payees, rein_payees_free);
  payees = rein_payees_new (w->job, TRUE, &error);
  g_assert_null (payees);
  g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_DOCUMENT);
  g_assert_nonnull (strstr (error->message, "creator's payout address"));
  world_free (w);
}

static void
test_plans (void)
{
  World *w = world_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPayees) payees = rein_payees_new (w->job, FALSE, &error);
  g_autoptr (ReinEscrowStatus) status = rein_escrow_status_new (w->job, FALSE, &error);
  g_autoptr (ReinPayoutPlan) plan = NULL;
  const gint64 primary_coins[] = { 600000, 400000, 0 };
  const gint64 mediator_coins[] = { 10000, 0 };
  const gchar *address = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (status->primary.due, ==, 1000000);
  g_assert_cmpint (status->mediator.due, ==, 10000);

  /* nothing to pay out before the escrow is looked up and funded */
  plan = rein_payout_plan_new (status, TRUE, payees, REIN_PAYOUT_ACCEPT, 0, 10000, 0, &error);
  g_assert_null (plan);
  g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED);
  g_clear_error (&error);
  fund (status, TRUE, primary_coins);
  fund (status, FALSE, mediator_coins);

  /* accept: two 2-of-3 inputs of 299 bytes, one P2PKH output: 642 vB at
   * 10 sat/vB */
  g_assert_cmpuint (rein_payout_estimate_vsize (TRUE, 2, 1), ==, 642);
  plan = rein_payout_plan_new (status, TRUE, payees, REIN_PAYOUT_ACCEPT, 0, 10000, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->inputs->len, ==, 2);
  g_assert_cmpuint (plan->outputs->len, ==, 1);
  g_assert_cmpint (plan->fee, ==, 6420);
  g_assert_cmpint (output_amount (plan, REIN_ROLE_WORKER, &address), ==, 1000000 - 6420);
  g_assert_cmpstr (address, ==, w->worker->delegate_address);
  g_assert_cmpstr (plan->escrow_address, ==, status->primary.address);
  g_assert_false (plan->fee_warning);
  assert_balanced (plan);
  g_clear_pointer (&plan, rein_payout_plan_free);

  /* the mediator's fee: one input of 300 bytes, 344 vB; at 10 sat/vB the
   * fee is a third of it, and the plan warns */
  plan = rein_payout_plan_new (status, FALSE, payees, REIN_PAYOUT_ACCEPT, 0, 10000, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->vsize, ==, 344);
  g_assert_cmpint (output_amount (plan, REIN_ROLE_MEDIATOR, &address), ==, 10000 - 3440);
  g_assert_cmpstr (address, ==, w->mediator->delegate_address);
  g_assert_true (plan->fee_warning);
  assert_balanced (plan);
  g_clear_pointer (&plan, rein_payout_plan_free);

  /* a split, 70% to the worker: the fee is shared in proportion */
  plan = rein_payout_plan_new (status, TRUE, payees, REIN_PAYOUT_SPLIT, 70, 10000, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->outputs->len, ==, 2);
  g_assert_cmpint (plan->fee, ==, 6760);
  g_assert_cmpint (output_amount (plan, REIN_ROLE_CREATOR, &address), ==, 300000 - 2028);
  g_assert_cmpstr (address, ==, w->creator_payout);
  g_assert_cmpint (output_amount (plan, REIN_ROLE_WORKER, NULL), ==, 700000 - 4732);
  assert_balanced (plan);
  g_clear_pointer (&plan, rein_payout_plan_free);

  /* a refund, and the ends of a split */
  plan = rein_payout_plan_new (status, TRUE, payees, REIN_PAYOUT_REFUND, 90, 10000, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (output_amount (plan, REIN_ROLE_CREATOR, NULL), ==, 1000000 - 6420);
  g_assert_cmpint (output_amount (plan, REIN_ROLE_WORKER, NULL), ==, -1);
  g_clear_pointer (&plan, rein_payout_plan_free);
  plan = rein_payout_plan_new (status, TRUE, payees, REIN_PAYOUT_SPLIT, 100, 10000, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->outputs->len, ==, 1);
  g_assert_cmpint (output_amount (plan, REIN_ROLE_WORKER, NULL), ==, 1000000 - 6420);
  g_clear_pointer (&plan, rein_payout_plan_free);

  /* a cap below the fee, and rates no node takes */
  plan = rein_payout_plan_new (status, TRUE, payees, REIN_PAYOUT_ACCEPT, 0, 10000, 5000, &error);
  g_assert_null (plan);
  g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "cap"));
  g_clear_error (&error);
  plan = rein_payout_plan_new (status, TRUE, payees, REIN_PAYOUT_ACCEPT, 0, 999, 0, &error);
  g_assert_null (plan);
  g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* a fee that would take all of the mediator's 10,000 sat */
  plan = rein_payout_plan_new (status, FALSE, payees, REIN_PAYOUT_ACCEPT, 0, 30000, 0, &error);
  g_assert_null (plan);
  g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "take all"));
  world_free (w);
}

/* A share too small to be an output is left to the fee. */
static void
test_dust (void)
{
  World *w = world_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPayees) payees = rein_payees_new (w->job, FALSE, &error);
  g_autoptr (ReinEscrowStatus) status = rein_escrow_status_new (w->job, FALSE, &error);
  g_autoptr (ReinPayoutPlan) plan = NULL;
  const gint64 coins[] = { 50000, 0 };

  g_assert_no_error (error);
  fund (status, TRUE, coins);
  /* 1% of 50,000 is 500 sat, under the dust limit */
  plan = rein_payout_plan_new (status, TRUE, payees, REIN_PAYOUT_SPLIT, 1, 1000, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->outputs->len, ==, 1);
  g_assert_cmpint (plan->dust_to_fee, ==, 500);
  g_assert_cmpuint (plan->vsize, ==, 343);
  g_assert_cmpint (plan->fee, ==, 343 + 500);
  g_assert_cmpint (output_amount (plan, REIN_ROLE_CREATOR, NULL), ==, 49500 - 343);
  assert_balanced (plan);
  world_free (w);
}

/* rein_payout_least_payable(): an escrow holding that much is paid out
 * at the lowest fee rate, to one output at the dust limit; one satoshi
 * less, and no plan can be made. For both escrows. */
static void
test_least_payable (void)
{
  g_assert_cmpint (rein_payout_least_payable (TRUE), ==, 343 + REIN_DUST_LIMIT);
  g_assert_cmpint (rein_payout_least_payable (FALSE), ==, 344 + REIN_DUST_LIMIT);
  for (guint p = 0; p < 2; p++)
    {
      gboolean primary = p == 0;
      gint64 least = rein_payout_least_payable (primary);

      for (gint64 less = 0; less <= 1; less++)
        {
          World *w = world_new ();
          g_autoptr (GError) error = NULL;
          g_autoptr (ReinPayees) payees = rein_payees_new (w->job, FALSE, &error);
          g_autoptr (ReinEscrowStatus) status = rein_escrow_status_new (w->job, FALSE, &error);
          g_autoptr (ReinPayoutPlan) plan = NULL;
          const gint64 coins[] = { least - less, 0 };

          g_assert_no_error (error);
          fund (status, primary, coins);
          plan = rein_payout_plan_new (status, primary, payees, REIN_PAYOUT_ACCEPT, 0, 1000, 0,
                                       &error);
          if (less == 0)
            {
              g_assert_no_error (error);
              g_assert_cmpuint (plan->outputs->len, ==, 1);
              g_assert_cmpint (plan->fee, ==, least - REIN_DUST_LIMIT);
              g_assert_cmpint (((ReinPayoutOutput *) g_ptr_array_index (plan->outputs, 0))->amount,
                               ==, REIN_DUST_LIMIT);
              assert_balanced (plan);
            }
          else
            g_assert_null (plan);
          world_free (w);
        }
    }
}

/* ---- the whole payment, through the test chain ---- */

static void
result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* The previous transaction of every input of @plan, from the backend. */
static GPtrArray *
fetch_prev_txs (ReinChain *chain, ReinPayoutPlan *plan)
{
  GPtrArray *txs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < plan->inputs->len; i++)
    {
      ReinUtxo *coin = g_ptr_array_index (plan->inputs, i);
      g_autoptr (GAsyncResult) result = NULL;
      g_autoptr (GError) error = NULL;
      GBytes *raw;

      rein_chain_get_tx_async (chain, coin->txid, NULL, result_cb, &result);
      raw = rein_chain_get_tx_finish (chain, wait_result (&result), &error);
      g_assert_no_error (error);
      g_ptr_array_add (txs, raw);
    }
  return txs;
}

/* Signs every input of the PSBT in @base64 with @key, as the party who
 * received it: parse, check, sign; returns the new base64. */
static gchar *
cosign (const gchar *base64, ReinEscrowStatus *status, gboolean primary, ReinPayees *payees,
        ReinPayoutKind kind, const ReinPrivateKey *key)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPsbt) psbt = rein_psbt_parse_base64 (base64, &error);

  g_assert_no_error (error);
  g_assert_true (rein_payout_check_psbt (psbt, status, primary, payees, kind, 100000, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < rein_psbt_get_n_inputs (psbt); i++)
    {
      g_assert_true (rein_psbt_sign_input (psbt, i, key, &error));
      g_assert_no_error (error);
    }
  return rein_psbt_to_base64 (psbt);
}

static gchar *
finalize_and_broadcast (ReinChain *chain, const gchar *base64, GError **error)
{
  g_autoptr (ReinPsbt) psbt = rein_psbt_parse_base64 (base64, error);
  g_autoptr (ReinTx) tx = NULL;
  g_autoptr (GByteArray) raw = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GAsyncResult) result = NULL;

  if (psbt == NULL || !rein_psbt_finalize (psbt, error)
      || (tx = rein_psbt_extract (psbt, error)) == NULL)
    return NULL;
  raw = rein_tx_serialize (tx, FALSE);
  bytes = g_bytes_new (raw->data, raw->len);
  rein_chain_broadcast_async (chain, bytes, NULL, result_cb, &result);
  return rein_chain_broadcast_finish (chain, wait_result (&result), error);
}

/* The creator accepts: she builds and signs both payments, the worker and
 * the mediator check them, add their signatures and broadcast; the test
 * chain takes them only if python-bitcoinlib's VerifyScript does. */
static void
test_psbt_broadcast (void)
{
  World *w = world_new ();
  g_autoptr (TestChain) backend = test_chain_start ("mainnet");
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinChain) chain = rein_chain_new (backend->url, &error);
  g_autoptr (ReinPayees) payees = rein_payees_new (w->job, FALSE, &error);
  g_autoptr (ReinEscrowStatus) status = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (ReinPayoutPlan) plan = NULL;
  g_autoptr (ReinPayoutPlan) refund = NULL;
  g_autoptr (ReinPayoutPlan) fee_plan = NULL;
  g_autoptr (GPtrArray) prev = NULL;
  g_autoptr (GPtrArray) fee_prev = NULL;
  g_autoptr (ReinPsbt) psbt = NULL;
  g_autoptr (ReinPsbt) wrong = NULL;
  g_autoptr (ReinPsbt) fee_psbt = NULL;
  g_autofree gchar *creator_signed = NULL;
  g_autofree gchar *both_signed = NULL;
  g_autofree gchar *fee_creator = NULL;
  g_autofree gchar *fee_worker = NULL;
  g_autofree gchar *fee_both = NULL;
  g_autofree gchar *txid = NULL;
  g_autofree gchar *fee_txid = NULL;
  g_autofree gchar *sent = NULL;
  g_autofree gchar *escrow_primary = NULL;

  g_assert_no_error (error);
  {
    g_autoptr (ReinEscrowStatus) terms = rein_escrow_status_new (w->job, FALSE, &error);

    g_assert_no_error (error);
    escrow_primary = g_strdup (terms->primary.address);
    g_free (test_chain_fund (backend, terms->primary.address, 700000, 3));
    /* one coin from a segwit wallet: its txid is not the hash of its hex */
    g_free (test_chain_fund_segwit (backend, terms->primary.address, 300000, 1));
    g_free (test_chain_fund (backend, terms->mediator.address, 10000, 2));
  }
  rein_escrow_status_lookup_async (chain, w->job, FALSE, NULL, result_cb, &result);
  status = rein_escrow_status_lookup_finish (wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (rein_escrow_account_get_funding (&status->primary), ==, REIN_FUNDING_FUNDED);
  g_assert_cmpuint (status->primary.confirmations, ==, 1);

  /* the primary escrow to the worker, at the backend's estimate for 6
   * blocks (8.25 sat/vB) */
  {
    g_autoptr (GAsyncResult) prepared = NULL;
    g_autoptr (ReinPayment) payment = NULL;

    rein_payment_prepare_async (chain, status, TRUE, payees, REIN_PAYOUT_ACCEPT, 0, 6, 0, 50000,
                                NULL, result_cb, &prepared);
    payment = rein_payment_prepare_finish (wait_result (&prepared), &error);
    g_assert_no_error (error);
    g_assert_cmpint (payment->plan->fee_rate, ==, 8250);
    plan = g_steal_pointer (&payment->plan);
    psbt = g_steal_pointer (&payment->psbt);
  }
  prev = fetch_prev_txs (chain, plan);
  g_assert_cmpuint (rein_psbt_get_n_inputs (psbt), ==, 2);
  {
    guint64 fee = 0;

    g_assert_true (rein_psbt_get_fee (psbt, &fee, &error));
    g_assert_cmpint ((gint64) fee, ==, plan->fee);
  }

  /* what an accept pays is not a refund */
  g_assert_false (rein_payout_check_psbt (psbt, status, TRUE, payees, REIN_PAYOUT_REFUND, 0,
                                          &error));
  g_assert_nonnull (strstr (error->message, "may not pay"));
  g_clear_error (&error);

  /* a backend that understates a coin: the previous transaction says
   * otherwise, and no PSBT is made */
  {
    g_autoptr (ReinEscrowStatus) lying = rein_escrow_status_copy (status);
    g_autoptr (ReinPayoutPlan) lie = NULL;
    g_autoptr (ReinPsbt) none = NULL;

    ((ReinUtxo *) g_ptr_array_index (lying->primary.coins, 0))->value -= 100000;
    lie = rein_payout_plan_new (lying, TRUE, payees, REIN_PAYOUT_ACCEPT, 0, 2000, 0, &error);
    g_assert_no_error (error);
    none = rein_payout_plan_build_psbt (lie, prev, FALSE, &error);
    g_assert_null (none);
    g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED);
    g_assert_nonnull (strstr (error->message, "not worth"));
    g_clear_error (&error);
  }

  /* a refund is not what an accept may pay */
  refund = rein_payout_plan_new (status, TRUE, payees, REIN_PAYOUT_REFUND, 0, 2000, 0, &error);
  g_assert_no_error (error);
  wrong = rein_payout_plan_build_psbt (refund, prev, FALSE, &error);
  g_assert_no_error (error);
  g_assert_false (rein_payout_check_psbt (wrong, status, TRUE, payees, REIN_PAYOUT_ACCEPT, 0,
                                          &error));
  g_assert_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "may not pay"));
  g_clear_error (&error);
  /* nor is a payment out of the other escrow */
  g_assert_false (rein_payout_check_psbt (psbt, status, FALSE, payees, REIN_PAYOUT_ACCEPT, 0,
                                          &error));
  g_assert_nonnull (strstr (error->message, "does not spend"));
  g_clear_error (&error);
  /* nor a fee above the cap */
  g_assert_false (rein_payout_check_psbt (psbt, status, TRUE, payees, REIN_PAYOUT_ACCEPT, 100,
                                          &error));
  g_assert_nonnull (strstr (error->message, "cap"));
  g_clear_error (&error);

  /* creator, then worker; one signature is not enough */
  {
    g_autofree gchar *unsigned64 = rein_psbt_to_base64 (psbt);

    creator_signed = cosign (unsigned64, status, TRUE, payees, REIN_PAYOUT_ACCEPT,
                             w->creator->delegate);
  }
  txid = finalize_and_broadcast (chain, creator_signed, &error);
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INCOMPLETE);
  g_assert_null (txid);
  g_clear_error (&error);
  both_signed = cosign (creator_signed, status, TRUE, payees, REIN_PAYOUT_ACCEPT,
                        w->worker->delegate);
  txid = finalize_and_broadcast (chain, both_signed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (txid);
  sent = test_chain_dup_broadcasts (backend);
  g_assert_nonnull (strstr (sent, txid));

  /* the mediator escrow: creator and worker may not spend it without the
   * mediator; creator and mediator may */
  fee_plan = rein_payout_plan_new (status, FALSE, payees, REIN_PAYOUT_ACCEPT, 0, 1000, 5000,
                                   &error);
  g_assert_no_error (error);
  fee_prev = fetch_prev_txs (chain, fee_plan);
  fee_psbt = rein_payout_plan_build_psbt (fee_plan, fee_prev, FALSE, &error);
  g_assert_no_error (error);
  {
    g_autoptr (ReinPayoutPlan) greedy = rein_payout_plan_new (status, FALSE, payees,
                                                               REIN_PAYOUT_ACCEPT, 0, 15000, 0,
                                                               &error);
    g_autoptr (ReinPsbt) greedy_psbt = NULL;

    g_assert_no_error (error);
    g_assert_true (greedy->fee_warning);
    greedy_psbt = rein_payout_plan_build_psbt (greedy, fee_prev, FALSE, &error);
    g_assert_no_error (error);
    /* without a cap a co-signer still refuses a fee of more than half */
    g_assert_false (rein_payout_check_psbt (greedy_psbt, status, FALSE, payees,
                                            REIN_PAYOUT_ACCEPT, 0, &error));
    g_assert_nonnull (strstr (error->message, "more than half"));
    g_clear_error (&error);
  }
  {
    g_autofree gchar *unsigned64 = rein_psbt_to_base64 (fee_psbt);

    fee_creator = cosign (unsigned64, status, FALSE, payees, REIN_PAYOUT_ACCEPT,
                          w->creator->delegate);
  }
  fee_worker = cosign (fee_creator, status, FALSE, payees, REIN_PAYOUT_ACCEPT,
                       w->worker->delegate);
  fee_txid = finalize_and_broadcast (chain, fee_worker, &error);
  g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INCOMPLETE);
  g_clear_error (&error);
  fee_both = cosign (fee_creator, status, FALSE, payees, REIN_PAYOUT_ACCEPT,
                     w->mediator->delegate);
  fee_txid = finalize_and_broadcast (chain, fee_both, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fee_txid);

  /* the escrows are empty now */
  {
    g_autoptr (GAsyncResult) again = NULL;
    g_autoptr (ReinEscrowStatus) after = NULL;

    rein_escrow_status_lookup_async (chain, w->job, FALSE, NULL, result_cb, &again);
    after = rein_escrow_status_lookup_finish (wait_result (&again), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (after->primary.coins->len, ==, 0);
    g_assert_cmpuint (after->mediator.coins->len, ==, 0);
    g_assert_cmpstr (after->primary.address, ==, escrow_primary);
  }
  world_free (w);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  rein_crypto_init ();

  g_test_add_func ("/payout/payees", test_payees);
  g_test_add_func ("/payout/plans", test_plans);
  g_test_add_func ("/payout/dust", test_dust);
  g_test_add_func ("/payout/least-payable", test_least_payable);
  g_test_add_func ("/payout/psbt-broadcast", test_psbt_broadcast);
  return g_test_run ();
}
