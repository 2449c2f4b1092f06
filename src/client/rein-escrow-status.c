/* rein-escrow-status.c: where the money of an awarded job is
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rein-escrow-status.h"

#include "rein-bitcoin.h"
#include "rein-client-error.h"

#include <string.h>

G_DEFINE_ENUM_TYPE (ReinFunding, rein_funding,
                    G_DEFINE_ENUM_VALUE (REIN_FUNDING_UNFUNDED, "unfunded"),
                    G_DEFINE_ENUM_VALUE (REIN_FUNDING_PARTLY, "partly"),
                    G_DEFINE_ENUM_VALUE (REIN_FUNDING_UNCONFIRMED, "unconfirmed"),
                    G_DEFINE_ENUM_VALUE (REIN_FUNDING_FUNDED, "funded"))

G_DEFINE_ENUM_TYPE (ReinEscrowKind, rein_escrow_kind,
                    G_DEFINE_ENUM_VALUE (REIN_ESCROW_PRIMARY, "primary"),
                    G_DEFINE_ENUM_VALUE (REIN_ESCROW_MEDIATOR, "mediator"))

const gchar *
rein_funding_to_string (ReinFunding funding)
{
  switch (funding)
    {
    case REIN_FUNDING_UNFUNDED:
      return "unfunded";
    case REIN_FUNDING_PARTLY:
      return "partly funded";
    case REIN_FUNDING_UNCONFIRMED:
      return "funded, unconfirmed";
    case REIN_FUNDING_FUNDED:
      return "funded";
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
account_clear (ReinEscrowAccount *account)
{
  g_clear_pointer (&account->address, g_free);
  g_clear_pointer (&account->redeem_script_hex, g_free);
  g_clear_pointer (&account->coins, g_ptr_array_unref);
}

void
rein_escrow_status_free (ReinEscrowStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->job_id);
  g_free (status->mediator_fee);
  account_clear (&status->primary);
  account_clear (&status->mediator);
  g_free (status);
}

static void
account_copy (ReinEscrowAccount *to, const ReinEscrowAccount *from)
{
  *to = *from;
  to->address = g_strdup (from->address);
  to->redeem_script_hex = g_strdup (from->redeem_script_hex);
  to->coins = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_utxo_free);
  for (guint i = 0; from->coins != NULL && i < from->coins->len; i++)
    {
      const ReinUtxo *coin = g_ptr_array_index (from->coins, i);
      ReinUtxo *copy = g_memdup2 (coin, sizeof *coin);

      copy->txid = g_strdup (coin->txid);
      g_ptr_array_add (to->coins, copy);
    }
}

ReinEscrowStatus *
rein_escrow_status_copy (const ReinEscrowStatus *status)
{
  ReinEscrowStatus *copy = g_memdup2 (status, sizeof *status);

  copy->job_id = g_strdup (status->job_id);
  copy->mediator_fee = g_strdup (status->mediator_fee);
  account_copy (&copy->primary, &status->primary);
  account_copy (&copy->mediator, &status->mediator);
  return copy;
}

/* Whether the document's own address (either network's form) and script
 * are the recomputed ones. */
static gboolean
document_agrees (const gchar *doc_address, const gchar *doc_script, const gchar *address,
                 const gchar *script)
{
  guint8 a[20], b[20];

  if (doc_script != NULL && g_ascii_strcasecmp (doc_script, script) != 0)
    return FALSE;
  if (doc_address == NULL)
    return TRUE;
  return rein_address_validate (doc_address, NULL, NULL, a, NULL)
         && rein_address_validate (address, NULL, NULL, b, NULL) && memcmp (a, b, 20) == 0;
}

ReinEscrowStatus *
rein_escrow_status_new (ReinJob *job, gboolean testnet, GError **error)
{
  g_autoptr (ReinEscrowStatus) status = g_new0 (ReinEscrowStatus, 1);
  g_autoptr (ReinEscrow) escrow = NULL;
  g_autoptr (GError) local_error = NULL;
  ReinDocument *offer, *posting;
  const gchar *amount, *fee;

  g_return_val_if_fail (REIN_IS_JOB (job), NULL);

  offer = rein_job_get_offer (job);
  posting = rein_job_get_posting (job);
  if (offer == NULL || posting == NULL)
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                   "job %s has no escrow yet: no bid has been awarded", rein_job_get_id (job));
      return NULL;
    }
  status->job_id = g_strdup (rein_job_get_id (job));
  status->testnet = testnet;

  amount = rein_document_lookup (offer, REIN_LABEL_BID_AMOUNT);
  if (!rein_amount_parse_btc (amount, &status->bid_amount, &local_error))
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_DOCUMENT,
                   "the awarded bid's amount: %s", local_error->message);
      return NULL;
    }
  fee = rein_document_lookup (posting, REIN_LABEL_MEDIATOR_FEE);
  if (!rein_amount_percent_of (status->bid_amount, fee, &status->mediator.due, &local_error))
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_DOCUMENT,
                   "the job's mediator fee: %s", local_error->message);
      return NULL;
    }
  status->mediator_fee = g_strdup (fee);
  status->primary.due = status->bid_amount;

  escrow = rein_escrow_new (rein_job_get_creator_key (job), rein_job_get_mediator_key (job),
                            rein_job_get_worker_key (job),
                            testnet ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET, &local_error);
  if (escrow == NULL)
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_DOCUMENT,
                   "the job's keys make no escrow: %s", local_error->message);
      return NULL;
    }
  status->primary.address = g_strdup (escrow->primary_address);
  status->primary.redeem_script_hex = g_strdup (escrow->primary_script_hex);
  status->primary.document_agrees =
      document_agrees (rein_document_lookup (offer, REIN_LABEL_PRIMARY_ESCROW_ADDRESS),
                       rein_document_lookup (offer, REIN_LABEL_PRIMARY_REDEEM_SCRIPT),
                       escrow->primary_address, escrow->primary_script_hex);
  status->mediator.address = g_strdup (escrow->mediator_address);
  status->mediator.redeem_script_hex = g_strdup (escrow->mediator_script_hex);
  status->mediator.document_agrees =
      document_agrees (rein_document_lookup (offer, REIN_LABEL_MEDIATOR_ESCROW_ADDRESS),
                       rein_document_lookup (offer, REIN_LABEL_MEDIATOR_REDEEM_SCRIPT),
                       escrow->mediator_address, escrow->mediator_script_hex);
  status->primary.coins = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_utxo_free);
  status->mediator.coins = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_utxo_free);
  return g_steal_pointer (&status);
}

ReinFunding
rein_escrow_account_get_funding (const ReinEscrowAccount *account)
{
  g_return_val_if_fail (account != NULL, REIN_FUNDING_UNFUNDED);

  if (account->confirmed + account->unconfirmed == 0)
    return REIN_FUNDING_UNFUNDED;
  if (account->confirmed + account->unconfirmed < account->due)
    return REIN_FUNDING_PARTLY;
  if (account->confirmed < account->due)
    return REIN_FUNDING_UNCONFIRMED;
  return REIN_FUNDING_FUNDED;
}

ReinFunding
rein_escrow_account_get_funding_for (const ReinEscrowAccount *account, guint required)
{
  ReinFunding funding = rein_escrow_account_get_funding (account);

  if (funding == REIN_FUNDING_FUNDED && account->confirmations < MAX (required, 1))
    return REIN_FUNDING_UNCONFIRMED;
  return funding;
}

gint64
rein_escrow_account_get_missing (const ReinEscrowAccount *account)
{
  g_return_val_if_fail (account != NULL, 0);

  return MAX (account->due - account->confirmed - account->unconfirmed, 0);
}

ReinEscrowAccount *
rein_escrow_status_get_account (ReinEscrowStatus *status, ReinEscrowKind kind)
{
  g_return_val_if_fail (status != NULL, NULL);

  return kind == REIN_ESCROW_MEDIATOR ? &status->mediator : &status->primary;
}

/* ---- looking it up ---- */

typedef struct
{
  ReinEscrowStatus *status;
  guint pending;
  GError *error;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  rein_escrow_status_free (lookup->status);
  g_clear_error (&lookup->error);
  g_free (lookup);
}

static void
fill_account (ReinEscrowAccount *account, GPtrArray *coins)
{
  account->confirmed = 0;
  account->unconfirmed = 0;
  g_ptr_array_set_size (account->coins, 0);
  for (guint i = 0; i < coins->len; i++)
    {
      ReinUtxo *coin = g_ptr_array_index (coins, i);

      /* each amount is within 21 million bitcoins (the backend client
       * checked); capping the sums keeps a backend listing thousands of
       * them from overflowing it */
      if (coin->confirmed)
        account->confirmed = MIN (account->confirmed + coin->value, G_MAXINT64 / 2);
      else
        account->unconfirmed = MIN (account->unconfirmed + coin->value, G_MAXINT64 / 2);
      g_ptr_array_add (account->coins, g_steal_pointer (&coins->pdata[i]));
    }
}

typedef struct
{
  guint depth;
  gint64 value;
} Coin;

static gint
deepest_first (gconstpointer a, gconstpointer b)
{
  guint x = ((const Coin *) a)->depth, y = ((const Coin *) b)->depth;

  return x < y ? 1 : x > y ? -1 : 0;
}

/* The confirmations of @account's money: its confirmed coins, deepest
 * first, until they make what is due; the last one taken says it (all of
 * them when they do not make it). A small coin sent later does not make
 * money that was there before younger. */
static guint
funded_depth (const ReinEscrowAccount *account, guint32 tip_height)
{
  g_autoptr (GArray) coins = g_array_new (FALSE, FALSE, sizeof (Coin));
  gint64 sum = 0;
  guint depth = 0;

  for (guint i = 0; i < account->coins->len; i++)
    {
      ReinUtxo *utxo = g_ptr_array_index (account->coins, i);
      /* a coin mined above the tip the backend gave (asked at the same
       * time) has one confirmation */
      Coin coin = { MAX (rein_chain_confirmations (utxo->block_height, tip_height), 1),
                    utxo->value };

      if (utxo->confirmed)
        g_array_append_val (coins, coin);
    }
  g_array_sort (coins, deepest_first);
  for (guint i = 0; i < coins->len && (i == 0 || sum < account->due); i++)
    {
      Coin *coin = &g_array_index (coins, Coin, i);

      sum += coin->value;
      depth = coin->depth;
    }
  return depth;
}

static void
lookup_step_done (GTask *task)
{
  Lookup *lookup = g_task_get_task_data (task);
  ReinEscrowStatus *status = lookup->status;

  if (--lookup->pending > 0)
    return;
  if (lookup->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&lookup->error));
      return;
    }
  for (guint a = 0; a < 2; a++)
    {
      ReinEscrowAccount *account = a == 0 ? &status->primary : &status->mediator;

      account->confirmations = funded_depth (account, status->tip_height);
    }
  status->looked_up = TRUE;
  g_task_return_pointer (task, g_steal_pointer (&lookup->status),
                         (GDestroyNotify) rein_escrow_status_free);
}

static void
keep_error (Lookup *lookup, GError *error)
{
  if (lookup->error == NULL)
    lookup->error = error;
  else
    g_error_free (error);
}

static void
coins_done (GTask *task, gboolean primary, GObject *source, GAsyncResult *result)
{
  Lookup *lookup = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (GPtrArray) coins = rein_chain_get_utxos_finish (REIN_CHAIN (source), result, &error);

  if (coins == NULL)
    keep_error (lookup, error);
  else
    fill_account (primary ? &lookup->status->primary : &lookup->status->mediator, coins);
  lookup_step_done (task);
}

static void
primary_coins_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;

  coins_done (task, TRUE, source, result);
}

static void
mediator_coins_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;

  coins_done (task, FALSE, source, result);
}

static void
tip_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  GError *error = NULL;

  if (!rein_chain_get_tip_height_finish (REIN_CHAIN (source), result, &lookup->status->tip_height,
                                         &error))
    keep_error (lookup, error);
  lookup_step_done (task);
}

void
rein_escrow_status_lookup_async (ReinChain *chain,
                                 ReinJob *job,
                                 gboolean testnet,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;
  Lookup *lookup;

  g_return_if_fail (REIN_IS_CHAIN (chain));
  g_return_if_fail (REIN_IS_JOB (job));

  task = g_task_new (chain, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_escrow_status_lookup_async);
  lookup = g_new0 (Lookup, 1);
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);
  lookup->status = rein_escrow_status_new (job, testnet, &error);
  if (lookup->status == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  lookup->pending = 3;
  rein_chain_get_utxos_async (chain, lookup->status->primary.address, cancellable,
                              primary_coins_cb, g_object_ref (task));
  rein_chain_get_utxos_async (chain, lookup->status->mediator.address, cancellable,
                              mediator_coins_cb, g_object_ref (task));
  rein_chain_get_tip_height_async (chain, cancellable, tip_cb, g_object_ref (task));
}

ReinEscrowStatus *
rein_escrow_status_lookup_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rein_escrow_status_lookup_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
