/* rein-payments.c: the two payments of an accept or a resolution, from
 * building to confirmation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "rein-bitcoin.h"
#include "rein-client-error.h"
#include "rein-legacy-payment.h"
#include "rein-payments-private.h"
#include "rein-payments.h"

#define N_ESCROWS 2
#define PRIMARY 0
#define MEDIATOR 1

typedef struct
{
  ReinPaymentState state;
  ReinPsbt *psbt;
  gchar *txid;
  gchar *hex;
  gchar *reason;
  gint64 confirmations;
  gboolean to_sign;
  ReinStoredPayout *recorded; /* what was recorded before, when sent */
  /* python-rein 0.3's plain fields: what the payment was rebuilt from */
  ReinLegacyPayment *legacy;
  /* ours, written beside the PSBT for a 0.3 reader: the transaction it
   * rebuilds from them, and my signatures of it */
  ReinTx *legacy_tx;
  GPtrArray *legacy_sigs;
} Escrow;

struct _ReinPayments
{
  GObject parent_instance;

  ReinStore *store;
  ReinIdentity *identity;
  ReinJob *job;
  ReinChain *chain; /* NULL without a backend (payments from files) */
  ReinEscrowStatus *status;
  ReinPayees *payees;
  ReinPayoutKind kind;
  guint worker_percent;
  gint64 fee_cap;
  gboolean cosigning;
  gboolean fail_legacy_signing; /* a test's */
  gchar *warning;
  Escrow escrow[N_ESCROWS];
};

G_DEFINE_FINAL_TYPE (ReinPayments, rein_payments, G_TYPE_OBJECT)

static void
rein_payments_finalize (GObject *object)
{
  ReinPayments *self = REIN_PAYMENTS (object);

  g_clear_object (&self->store);
  g_clear_object (&self->identity);
  g_clear_object (&self->job);
  g_clear_object (&self->chain);
  g_clear_pointer (&self->status, rein_escrow_status_free);
  g_clear_pointer (&self->payees, rein_payees_free);
  g_free (self->warning);
  for (guint e = 0; e < N_ESCROWS; e++)
    {
      g_clear_pointer (&self->escrow[e].psbt, rein_psbt_free);
      g_free (self->escrow[e].txid);
      g_free (self->escrow[e].hex);
      g_free (self->escrow[e].reason);
      g_clear_pointer (&self->escrow[e].recorded, rein_stored_payout_free);
      g_clear_pointer (&self->escrow[e].legacy, rein_legacy_payment_free);
      g_clear_pointer (&self->escrow[e].legacy_tx, rein_tx_free);
      g_clear_pointer (&self->escrow[e].legacy_sigs, g_ptr_array_unref);
    }
  G_OBJECT_CLASS (rein_payments_parent_class)->finalize (object);
}

static void
rein_payments_class_init (ReinPaymentsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rein_payments_finalize;
}

static void
rein_payments_init (ReinPayments *self)
{
  for (guint e = 0; e < N_ESCROWS; e++)
    self->escrow[e].confirmations = -1;
}

const gchar *
rein_payment_state_to_name (ReinPaymentState state)
{
  switch (state)
    {
    case REIN_PAYMENT_STATE_BUILT:
      return "built";
    case REIN_PAYMENT_STATE_WAITING:
      return "waiting";
    case REIN_PAYMENT_STATE_TO_SIGN:
      return "to sign";
    case REIN_PAYMENT_STATE_SIGNED:
      return "signed";
    case REIN_PAYMENT_STATE_COMPLETE:
      return "complete";
    case REIN_PAYMENT_STATE_BROADCAST:
      return "broadcast";
    case REIN_PAYMENT_STATE_PAID_ELSEWHERE:
      return "paid elsewhere";
    case REIN_PAYMENT_STATE_REFUSED:
      return "refused";
    case REIN_PAYMENT_STATE_NONE:
    default:
      return NULL;
    }
}

static const gchar *
escrow_name (guint e)
{
  return e == PRIMARY ? "primary" : "mediator";
}

static ReinNetwork
network_of (ReinPayments *self)
{
  return self->status->testnet ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET;
}

gchar *
rein_payments_format_amount (gint64 satoshis)
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

static gchar *
key_hex_of (const ReinPsbtSignature *sig)
{
  gsize len = 0;
  const guint8 *key = g_bytes_get_data (sig->pubkey, &len);

  return rein_hex_encode (key, len);
}

ReinPsbt *
rein_payments_parse_psbt (const guint8 *data, gsize len, GError **error)
{
  g_autofree gchar *text = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len >= 5 && memcmp (data, "psbt\xff", 5) == 0)
    return rein_psbt_parse (data, len, error);
  text = g_strndup ((const gchar *) data, len);
  return rein_psbt_parse_base64 (g_strstrip (text), error);
}

/* The job's terms and who is paid where; nothing looked up yet. */
static ReinPayments *
payments_new (ReinStore *store, ReinIdentity *identity, ReinChain *chain, ReinJob *job,
              GError **error)
{
  g_autoptr (ReinPayments) self = g_object_new (REIN_TYPE_PAYMENTS, NULL);
  gboolean testnet = rein_identity_get_testnet (identity);

  self->store = g_object_ref (store);
  self->identity = g_object_ref (identity);
  self->job = g_object_ref (job);
  self->chain = chain != NULL ? g_object_ref (chain) : NULL;
  self->status = rein_escrow_status_new (job, testnet, error);
  if (self->status == NULL || (self->payees = rein_payees_new (job, testnet, error)) == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

/* ---- python-rein 0.3's plain payment fields ---- */

/* Whose signatures the plain fields of @doc carry: the writer's ("...
 * payment signature": the worker of a delivery, the creator's accept
 * repeats it, the mediator of a resolution) and the creator's ("...
 * client signature" of an accept). */
static void
legacy_signers (ReinJob *job, ReinDocument *doc, const gchar **signer, const gchar **client)
{
  switch (rein_document_get_document_type (doc))
    {
    case REIN_DOCUMENT_TYPE_RESOLUTION:
      *signer = rein_job_get_mediator_key (job);
      *client = NULL;
      break;
    case REIN_DOCUMENT_TYPE_ACCEPT:
      *signer = rein_job_get_worker_key (job);
      *client = rein_job_get_creator_key (job);
      break;
    case REIN_DOCUMENT_TYPE_DELIVERY:
    default:
      *signer = rein_job_get_worker_key (job);
      *client = NULL;
      break;
    }
}

/* Reads the plain fields of both payments of @doc that have no PSBT yet.
 * FALSE with @error when they are malformed. */
static gboolean
legacy_read (ReinPayments *self, ReinDocument *doc, GError **error)
{
  for (guint e = 0; e < N_ESCROWS; e++)
    {
      GError *local_error = NULL;

      if (self->escrow[e].psbt != NULL)
        continue;
      self->escrow[e].legacy = rein_legacy_payment_read (doc, e == PRIMARY, &local_error);
      if (local_error != NULL)
        {
          g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                       e == PRIMARY
                         ? _("the python-rein payment out of the primary escrow is refused: %s")
                         : _("the python-rein payment out of the mediator escrow is refused: %s"),
                       local_error->message);
          g_error_free (local_error);
          return FALSE;
        }
    }
  return TRUE;
}

typedef struct
{
  ReinDocument *doc;   /* whose fields are read */
  guint e;             /* the escrow whose previous transactions are fetched */
  GPtrArray *prev_txs; /* ReinTx */
} LegacyFetch;

static void
legacy_fetch_free (LegacyFetch *f)
{
  g_clear_object (&f->doc);
  g_clear_pointer (&f->prev_txs, g_ptr_array_unref);
  g_free (f);
}

static void legacy_fetch_next (GTask *task);

/* Every previous transaction of payment e is there: the PSBT. */
static gboolean
legacy_build (ReinPayments *self, LegacyFetch *f, GError **error)
{
  Escrow *escrow = &self->escrow[f->e];
  const ReinEscrowAccount *account = f->e == PRIMARY ? &self->status->primary
                                                     : &self->status->mediator;
  g_autofree guint8 *redeem = NULL;
  gsize redeem_len = 0;
  const gchar *signer = NULL, *client = NULL;

  redeem = rein_hex_decode (account->redeem_script_hex, &redeem_len, error);
  if (redeem == NULL)
    return FALSE;
  legacy_signers (self->job, f->doc, &signer, &client);
  escrow->psbt = rein_legacy_payment_to_psbt (escrow->legacy, f->prev_txs, redeem, redeem_len,
                                              signer, client, error);
  return escrow->psbt != NULL;
}

static void
legacy_tx_fetched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ReinPayments *self = g_task_get_source_object (task);
  LegacyFetch *f = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (GBytes) raw = rein_chain_get_tx_finish (REIN_CHAIN (source), result, &error);
  ReinTx *tx = NULL;

  if (raw != NULL)
    tx = rein_tx_parse (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), TRUE, &error);
  if (tx == NULL)
    {
      const ReinTxIn *in = rein_tx_get_input (self->escrow[f->e].legacy->tx, f->prev_txs->len);
      g_autofree gchar *txid = txid_of_input (in);

      g_prefix_error (&error, _("the python-rein payment spends %s:%u, which cannot be "
                                "looked up: "), txid, in->prev_vout);
      g_task_return_error (task, error);
      return;
    }
  g_ptr_array_add (f->prev_txs, tx);
  legacy_fetch_next (g_steal_pointer (&task));
}

/* Takes @task. */
static void
legacy_fetch_next (GTask *task)
{
  ReinPayments *self = g_task_get_source_object (task);
  LegacyFetch *f = g_task_get_task_data (task);
  GError *error = NULL;

  for (; f->e < N_ESCROWS; f->e++)
    {
      Escrow *escrow = &self->escrow[f->e];

      if (escrow->legacy == NULL || escrow->psbt != NULL)
        continue;
      if (f->prev_txs == NULL)
        f->prev_txs = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_tx_free);
      if (f->prev_txs->len < escrow->legacy->tx->inputs->len)
        {
          const ReinTxIn *in = rein_tx_get_input (escrow->legacy->tx, f->prev_txs->len);
          g_autofree gchar *txid = txid_of_input (in);

          rein_chain_get_tx_async (self->chain, txid, g_task_get_cancellable (task),
                                   legacy_tx_fetched_cb, task);
          return;
        }
      if (!legacy_build (self, f, &error))
        {
          g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                                   f->e == PRIMARY
                                     ? _("the python-rein payment out of the primary escrow "
                                         "is refused: %s")
                                     : _("the python-rein payment out of the mediator escrow "
                                         "is refused: %s"),
                                   error->message);
          g_error_free (error);
          g_object_unref (task);
          return;
        }
      g_clear_pointer (&f->prev_txs, g_ptr_array_unref);
    }
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* Rebuilds, as PSBTs, the payments read from @doc's plain fields: the
 * previous transaction of every input comes from the chain backend. */
static void
legacy_fetch_async (ReinPayments *self,
                    ReinDocument *doc,
                    GCancellable *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  LegacyFetch *f = g_new0 (LegacyFetch, 1);

  g_task_set_source_tag (task, legacy_fetch_async);
  f->doc = g_object_ref (doc);
  g_task_set_task_data (task, f, (GDestroyNotify) legacy_fetch_free);
  legacy_fetch_next (task);
}

static gboolean
legacy_fetch_finish (ReinPayments *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
has_legacy (ReinPayments *self)
{
  return self->escrow[PRIMARY].legacy != NULL || self->escrow[MEDIATOR].legacy != NULL;
}

/* ---- what the writer prepares ---- */

/* Before building: is what is due there, and mined? A payment out of a
 * half-funded escrow would complete the job with the rest unpaid, and
 * coins not mined yet can still be taken back by whoever paid them in. */
static gboolean
check_funded (ReinPayments *self, gboolean allow_unconfirmed, GError **error)
{
  for (guint e = 0; e < N_ESCROWS; e++)
    {
      const ReinEscrowAccount *account = e == PRIMARY ? &self->status->primary
                                                      : &self->status->mediator;
      g_autofree gchar *held = rein_payments_format_amount (account->confirmed + account->unconfirmed);
      g_autofree gchar *due = rein_payments_format_amount (account->due);

      if (account->confirmed + account->unconfirmed < account->due)
        {
          g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_UNFUNDED,
                       e == PRIMARY
                         ? _("the primary escrow holds %s of the %s due: nothing is paid out "
                             "before it is funded")
                         : _("the mediator escrow holds %s of the %s due: nothing is paid out "
                             "before it is funded"),
                       held, due);
          return FALSE;
        }
      if (account->unconfirmed > 0 && !allow_unconfirmed)
        {
          g_autofree gchar *waiting = rein_payments_format_amount (account->unconfirmed);

          g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_UNCONFIRMED,
                       e == PRIMARY
                         ? _("%s in the primary escrow is not mined yet: wait for a "
                             "confirmation")
                         : _("%s in the mediator escrow is not mined yet: wait for a "
                             "confirmation"),
                       waiting);
          return FALSE;
        }
    }
  return TRUE;
}

/* The plain fields an accept of a python-rein 0.3 delivery writes beside
 * the PSBTs, at most: its 0.3 worker and mediator read nothing else, so
 * they are not left out (rein_payments_add_legacy_fields()) but counted
 * before signing. Per input of either payment "txid-vout "; per primary
 * input the worker's and my signatures in hex (at most 73 bytes each);
 * the mediator payment also in hex, with my signature and the redeem
 * script in each input. */
static gsize
legacy_fields_size (ReinPsbt *const psbts[2], const ReinEscrowStatus *status)
{
  /* a DER signature and its sighash byte, in hex, and a space */
  const gsize sig_hex = 2 * REIN_SIGNATURE_MAX_LEN + 1;
  /* "txid-vout " */
  const gsize input_text = 64 + 1 + 10 + 1;
  gsize size = 0;

  for (guint e = 0; e < N_ESCROWS; e++)
    {
      const ReinEscrowAccount *account = e == PRIMARY ? &status->primary : &status->mediator;
      gsize n = rein_psbt_get_n_inputs (psbts[e]);
      gsize redeem_len = strlen (account->redeem_script_hex) / 2;

      if (e == PRIMARY)
        {
          /* six labels, the amount, the address and the txid */
          size += 300 + n * (input_text + 2 * sig_hex);
          continue;
        }
      /* four labels, the amount and the address; the transaction's
       * version, counts, output and lock time; per input its outpoint,
       * sequence and `OP_0 <sig> <redeem>` with their lengths */
      size += 160 + 2 * 44
              + n * (input_text + 2 * (36 + 4 + 3 + 1 + REIN_SIGNATURE_MAX_LEN + 1 + 3
                                       + redeem_len));
    }
  return size;
}

gsize
rein_payments_estimate_accept_size (ReinPsbt *primary,
                                    ReinPsbt *mediator,
                                    const ReinEscrowStatus *status,
                                    const gchar *job_name,
                                    gboolean legacy_fields)
{
  ReinPsbt *const psbts[N_ESCROWS] = { primary, mediator };
  /* the labels, the job's ID, the escrow scripts of an accept; its name */
  gsize size = 1200 + (job_name != NULL ? strlen (job_name) : 0);

  g_return_val_if_fail (primary != NULL && mediator != NULL && status != NULL, 0);

  for (guint e = 0; e < N_ESCROWS; e++)
    {
      g_autofree gchar *base64 = rein_psbt_to_base64 (psbts[e]);

      /* a signature adds about 110 bytes, 150 in base64 */
      size += strlen (base64) + 150 * rein_psbt_get_n_inputs (psbts[e]);
    }
  if (legacy_fields)
    size += legacy_fields_size (psbts, status);
  return size;
}

/* Will the signed payments fit in a document? Each input carries its
 * whole previous transaction; an accept of a 0.3 delivery also carries
 * 0.3's fields. Said before anything is signed. */
static gboolean
check_size (ReinPayments *self, GError **error)
{
  gboolean legacy = self->kind == REIN_PAYOUT_ACCEPT && self->escrow[PRIMARY].legacy != NULL;
  gsize size = rein_payments_estimate_accept_size (self->escrow[PRIMARY].psbt,
                                                   self->escrow[MEDIATOR].psbt, self->status,
                                                   rein_job_get_name (self->job), legacy);
  guint n_inputs = rein_psbt_get_n_inputs (self->escrow[PRIMARY].psbt)
                   + rein_psbt_get_n_inputs (self->escrow[MEDIATOR].psbt);

  if (size > REIN_DOCUMENT_MAX_SIZE && legacy)
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                   g_dngettext (NULL,
                                "the payments and the fields the python-rein 0.3 worker needs "
                                "would not fit in a Rein document (about %u bytes of the %d it "
                                "may hold): the escrows' %u coin comes with large funding "
                                "transactions. Nothing was signed.",
                                "the payments and the fields the python-rein 0.3 worker needs "
                                "would not fit in a Rein document (about %u bytes of the %d it "
                                "may hold): the worker's delivery spends too many of the "
                                "escrows' %u coins. Nothing was signed.",
                                n_inputs),
                   (guint) size, REIN_DOCUMENT_MAX_SIZE, n_inputs);
      return FALSE;
    }
  if (size > REIN_DOCUMENT_MAX_SIZE)
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
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

typedef struct
{
  ReinPayments *payments;
  guint worker_percent;
  guint fee_target;
  gint64 fee_rate;
  gboolean allow_unconfirmed;
  gboolean from_files;
  guint next; /* the escrow being built */
} Prepare;

static void
prepare_free (Prepare *p)
{
  g_clear_object (&p->payments);
  g_free (p);
}

/* Both PSBTs are there: each is checked as the co-signer will check it. */
static void
prepare_check (GTask *task)
{
  Prepare *p = g_task_get_task_data (task);
  ReinPayments *self = p->payments;
  GError *error = NULL;

  for (guint e = 0; e < N_ESCROWS; e++)
    {
      if (!rein_payout_check_psbt (self->escrow[e].psbt, self->status, e == PRIMARY,
                                   self->payees, self->kind, self->fee_cap, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      self->escrow[e].state = REIN_PAYMENT_STATE_BUILT;
    }
  if (!check_size (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_object_ref (self), g_object_unref);
}

static void prepare_next (GTask *task);

static void
payment_prepared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Prepare *p = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (ReinPayment) payment = rein_payment_prepare_finish (result, &error);

  if (payment == NULL)
    {
      g_prefix_error (&error, p->next == PRIMARY
                                ? _("cannot build the payment out of the primary escrow: ")
                                : _("cannot build the payment out of the mediator escrow: "));
      g_task_return_error (task, error);
      return;
    }
  p->payments->escrow[p->next].psbt = g_steal_pointer (&payment->psbt);
  p->next++;
  prepare_next (g_steal_pointer (&task));
}

/* Takes @task. */
static void
prepare_next (GTask *task)
{
  Prepare *p = g_task_get_task_data (task);
  ReinPayments *self = p->payments;

  /* a payment rebuilt from python-rein 0.3's fields is there already */
  while (p->next < N_ESCROWS && self->escrow[p->next].psbt != NULL)
    p->next++;
  if (p->next >= N_ESCROWS)
    {
      prepare_check (task);
      g_object_unref (task);
      return;
    }
  rein_payment_prepare_async (self->chain, self->status, p->next == PRIMARY, self->payees,
                              self->kind, p->worker_percent, p->fee_target, p->fee_rate,
                              self->fee_cap, g_task_get_cancellable (task),
                              payment_prepared_cb, task);
}

static void
prepare_legacy_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!legacy_fetch_finish (REIN_PAYMENTS (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  prepare_next (g_steal_pointer (&task));
}

static void
prepare_looked_up_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Prepare *p = g_task_get_task_data (task);
  GError *error = NULL;
  ReinEscrowStatus *found = rein_escrow_status_lookup_finish (result, &error);
  ReinDocument *delivery;

  if (found == NULL)
    {
      g_prefix_error (&error, _("cannot look up the escrows: "));
      g_task_return_error (task, error);
      return;
    }
  rein_escrow_status_free (p->payments->status);
  p->payments->status = found;
  if (p->from_files)
    {
      prepare_check (task);
      return;
    }
  if (!check_funded (p->payments, p->allow_unconfirmed, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* a python-rein 0.3 worker signed the payment to itself in its
   * delivery: the accept completes that one */
  delivery = rein_job_get_document (p->payments->job, REIN_DOCUMENT_TYPE_DELIVERY);
  if (p->payments->kind == REIN_PAYOUT_ACCEPT && delivery != NULL
      && rein_legacy_payment_present (delivery, TRUE))
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      if (!legacy_read (p->payments, delivery, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      legacy_fetch_async (p->payments, delivery, cancellable, prepare_legacy_cb,
                          g_steal_pointer (&task));
      return;
    }
  prepare_next (g_steal_pointer (&task));
}

void
rein_payments_prepare_async (ReinStore *store,
                             ReinIdentity *identity,
                             ReinChain *chain,
                             ReinJob *job,
                             ReinPayoutKind kind,
                             guint worker_percent,
                             const ReinPaymentOptions *options,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;
  Prepare *p;

  g_return_if_fail (REIN_IS_STORE (store));
  g_return_if_fail (REIN_IS_IDENTITY (identity));
  g_return_if_fail (chain == NULL || REIN_IS_CHAIN (chain));
  g_return_if_fail (REIN_IS_JOB (job));
  g_return_if_fail (options != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_payments_prepare_async);
  p = g_new0 (Prepare, 1);
  g_task_set_task_data (task, p, (GDestroyNotify) prepare_free);
  p->worker_percent = MIN (worker_percent, 100);
  p->fee_target = options->fee_target > 0 ? options->fee_target
                                          : REIN_PAYMENTS_DEFAULT_FEE_TARGET;
  p->fee_rate = options->fee_rate;
  p->allow_unconfirmed = options->allow_unconfirmed;
  p->from_files = options->primary_psbt != NULL || options->mediator_psbt != NULL;

  if (p->from_files && (options->primary_psbt == NULL || options->mediator_psbt == NULL))
    {
      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT,
                               "%s", _("both payments made elsewhere are needed, or neither"));
      return;
    }
  if (p->fee_target > REIN_PAYMENTS_MAX_FEE_TARGET || options->fee_rate < 0
      || options->fee_cap < 0)
    {
      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT,
                               "%s", _("the fee target is a number of blocks from 1 to 1008"));
      return;
    }

  p->payments = payments_new (store, identity, chain, job, &error);
  if (p->payments == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (chain == NULL && !p->from_files)
    {
      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_NO_BACKEND,
                               "%s", _("no chain backend is set to look up the escrows"));
      return;
    }
  p->payments->kind = kind;
  p->payments->worker_percent = kind == REIN_PAYOUT_SPLIT ? p->worker_percent
                                : kind == REIN_PAYOUT_REFUND ? 0 : 100;
  p->payments->fee_cap = options->fee_cap;
  if (p->from_files)
    {
      p->payments->escrow[PRIMARY].psbt = rein_psbt_copy (options->primary_psbt);
      p->payments->escrow[MEDIATOR].psbt = rein_psbt_copy (options->mediator_psbt);
    }
  if (chain == NULL)
    {
      p->payments->warning = g_strdup (_("the escrows' coins cannot be checked: no chain "
                                         "backend is set"));
      prepare_check (task);
      return;
    }
  rein_escrow_status_lookup_async (chain, job, rein_identity_get_testnet (identity),
                                   cancellable, prepare_looked_up_cb, g_steal_pointer (&task));
}

ReinPayments *
rein_payments_prepare_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rein_payments_prepare_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- what the co-signer opens ---- */

/* Does @psbt's input @index carry a signature of @key_hex? */
static gboolean
has_signature_of (const ReinPsbt *psbt, guint index, const gchar *key_hex)
{
  g_autoptr (GPtrArray) sigs = rein_psbt_get_partial_signatures (psbt, index);

  for (guint s = 0; sigs != NULL && s < sigs->len; s++)
    {
      g_autofree gchar *hex = key_hex_of (g_ptr_array_index (sigs, s));

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
needs_signature_of (ReinPayments *self, guint e, const gchar *own_key)
{
  ReinRole me = rein_job_get_role (self->job, own_key);
  const ReinPsbt *psbt = self->escrow[e].psbt;

  for (guint i = 0; i < rein_psbt_get_n_inputs (psbt); i++)
    {
      g_autoptr (GPtrArray) sigs = rein_psbt_get_partial_signatures (psbt, i);
      gboolean mediator = FALSE, other = FALSE, mine = FALSE;

      if (rein_psbt_input_is_finalized (psbt, i))
        continue;
      for (guint s = 0; sigs != NULL && s < sigs->len; s++)
        {
          g_autofree gchar *hex = key_hex_of (g_ptr_array_index (sigs, s));
          ReinRole role = rein_job_get_role (self->job, hex);

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

/* What a resolution decided, from who its primary payment pays. */
static ReinPayoutKind
resolution_kind (ReinPayments *self)
{
  g_autoptr (GByteArray) creator = rein_script_from_address (self->payees->creator,
                                                             network_of (self), NULL);
  const ReinTx *tx = rein_psbt_get_tx (self->escrow[PRIMARY].psbt);
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

/* The worker's share of the primary payment's outputs, in percent. */
static guint
worker_share (ReinPayments *self)
{
  g_autoptr (GByteArray) worker = rein_script_from_address (self->payees->worker,
                                                            network_of (self), NULL);
  const ReinTx *tx = rein_psbt_get_tx (self->escrow[PRIMARY].psbt);
  guint64 to_worker = 0, total = 0;

  for (guint o = 0; o < tx->outputs->len; o++)
    {
      const ReinTxOut *out = rein_tx_get_output (tx, o);

      total += out->value;
      if (worker != NULL && worker->len == out->script_pubkey->len
          && memcmp (worker->data, out->script_pubkey->data, worker->len) == 0)
        to_worker += out->value;
    }
  return total > 0 ? (guint) ((to_worker * 100 + total / 2) / total) : 0;
}

/* The final transaction of payment @e when every input has its
 * signatures: finalizes a copy. NULL (no error) while some are missing. */
static ReinTx *
final_tx (ReinPayments *self, guint e, GError **error)
{
  g_autoptr (ReinPsbt) copy = rein_psbt_copy (self->escrow[e].psbt);
  g_autoptr (GError) local_error = NULL;

  if (!rein_psbt_finalize (copy, &local_error))
    {
      if (g_error_matches (local_error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INCOMPLETE))
        return NULL;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  e == PRIMARY
                                    ? _("cannot finalize the payment out of the primary "
                                        "escrow: ")
                                    : _("cannot finalize the payment out of the mediator "
                                        "escrow: "));
      return NULL;
    }
  return rein_psbt_extract (copy, error);
}

static void
refuse (Escrow *escrow, const gchar *why)
{
  escrow->state = REIN_PAYMENT_STATE_REFUSED;
  g_free (escrow->reason);
  escrow->reason = g_strdup (why);
}

/* Complete, waiting for another signature, or refused: where payment @e
 * stands once nobody signs it here. */
static void
settle (ReinPayments *self, guint e, ReinPaymentState incomplete)
{
  Escrow *escrow = &self->escrow[e];
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinTx) tx = final_tx (self, e, &error);

  if (tx == NULL && error != NULL)
    {
      refuse (escrow, error->message);
      return;
    }
  if (tx == NULL)
    {
      escrow->state = incomplete;
      return;
    }
  escrow->state = REIN_PAYMENT_STATE_COMPLETE;
  g_free (escrow->txid);
  g_free (escrow->hex);
  escrow->txid = rein_tx_get_txid_hex (tx);
  escrow->hex = rein_tx_to_hex (tx);
}

typedef struct
{
  ReinPayments *payments;
  guint next;          /* the escrow whose outspends are asked */
  GError *check_error[N_ESCROWS];
} Open;

static void
open_free (Open *o)
{
  g_clear_object (&o->payments);
  for (guint e = 0; e < N_ESCROWS; e++)
    g_clear_error (&o->check_error[e]);
  g_free (o);
}

static void open_next (GTask *task);

static void
outspends_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Open *o = g_task_get_task_data (task);
  Escrow *escrow = &o->payments->escrow[o->next];
  const ReinTxIn *in = rein_tx_get_input (rein_psbt_get_tx (escrow->psbt), 0);
  g_autoptr (GPtrArray) outspends = rein_chain_get_outspends_finish (REIN_CHAIN (source), result,
                                                                     NULL);
  ReinOutspend *spend = outspends != NULL && in->prev_vout < outspends->len
                          ? g_ptr_array_index (outspends, in->prev_vout)
                          : NULL;

  if (spend != NULL && spend->spent && spend->txid != NULL)
    {
      escrow->state = REIN_PAYMENT_STATE_PAID_ELSEWHERE;
      escrow->txid = g_strdup (spend->txid);
    }
  else
    refuse (escrow, o->check_error[o->next]->message);
  o->next++;
  open_next (g_steal_pointer (&task));
}

/* Each payment on its own: one that fails its checks does not keep the
 * other from being paid. Takes @task. */
static void
open_next (GTask *task)
{
  Open *o = g_task_get_task_data (task);
  ReinPayments *self = o->payments;
  const gchar *own_key = rein_identity_get_delegate_public_key (self->identity);

  for (; o->next < N_ESCROWS; o->next++)
    {
      Escrow *escrow = &self->escrow[o->next];
      guint e = o->next;

      if (escrow->state != REIN_PAYMENT_STATE_NONE)
        continue;
      if (!rein_payout_check_psbt (escrow->psbt, self->status, e == PRIMARY, self->payees,
                                   self->kind, self->fee_cap, &o->check_error[e]))
        {
          /* its coins may have been spent by the payment itself, sent by
           * someone else: then it is paid, not wrong */
          const ReinTxIn *in = rein_tx_get_input (rein_psbt_get_tx (escrow->psbt), 0);
          g_autofree gchar *txid = txid_of_input (in);

          rein_chain_get_outspends_async (self->chain, txid, g_task_get_cancellable (task),
                                          outspends_cb, task);
          return;
        }
      escrow->to_sign = needs_signature_of (self, e, own_key);
      if (escrow->to_sign)
        escrow->state = REIN_PAYMENT_STATE_TO_SIGN;
      else
        settle (self, e, REIN_PAYMENT_STATE_WAITING);
    }
  g_task_return_pointer (task, g_object_ref (self), g_object_unref);
  g_object_unref (task);
}

/* The records of what was done before, in a worker. */
static void
read_records_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Open *o = task_data;
  ReinPayments *self = o->payments;
  GError *error = NULL;
  GPtrArray *records = rein_store_list_payouts (self->store,
                                                rein_identity_get_id (self->identity),
                                                rein_job_get_id (self->job), &error);

  if (records == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, records, (GDestroyNotify) g_ptr_array_unref);
}

static void
records_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Open *o = g_task_get_task_data (task);
  ReinPayments *self = o->payments;
  g_autoptr (GPtrArray) records = g_task_propagate_pointer (G_TASK (result), NULL);

  /* What is done already: a payment recorded as sent is not signed again.
   * A record that cannot be read loses nothing: the chain says it too. */
  for (guint r = 0; records != NULL && r < records->len; r++)
    {
      ReinStoredPayout *p = g_ptr_array_index (records, r);
      guint e = g_strcmp0 (p->escrow, "primary") == 0 ? PRIMARY : MEDIATOR;
      gboolean sent = g_strcmp0 (p->state, "broadcast") == 0;

      if ((sent || g_strcmp0 (p->state, "paid elsewhere") == 0) && p->txid != NULL)
        {
          self->escrow[e].state = sent ? REIN_PAYMENT_STATE_BROADCAST
                                       : REIN_PAYMENT_STATE_PAID_ELSEWHERE;
          g_free (self->escrow[e].txid);
          self->escrow[e].txid = g_strdup (p->txid);
          self->escrow[e].confirmations = p->confirmations;
          g_clear_pointer (&self->escrow[e].recorded, rein_stored_payout_free);
          self->escrow[e].recorded = g_ptr_array_steal_index (records, r--);
        }
    }
  open_next (g_steal_pointer (&task));
}

static void
open_looked_up_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Open *o = g_task_get_task_data (task);
  ReinPayments *self = o->payments;
  GError *error = NULL;
  ReinEscrowStatus *found = rein_escrow_status_lookup_finish (result, &error);
  g_autoptr (GTask) reader = NULL;
  GCancellable *cancellable;

  if (found == NULL)
    {
      g_prefix_error (&error, _("cannot look up the escrows: "));
      g_task_return_error (task, error);
      return;
    }
  rein_escrow_status_free (self->status);
  self->status = found;
  if (rein_job_get_document (self->job, REIN_DOCUMENT_TYPE_RESOLUTION) != NULL)
    self->kind = resolution_kind (self);
  else
    self->kind = REIN_PAYOUT_ACCEPT;
  self->worker_percent = worker_share (self);

  cancellable = g_task_get_cancellable (task);
  reader = g_task_new (NULL, cancellable, records_read_cb, g_steal_pointer (&task));
  g_task_set_source_tag (reader, read_records_thread);
  /* the reader's thread only reads o->payments' store, identity and job */
  g_task_set_task_data (reader, o, NULL);
  g_task_run_in_thread (reader, read_records_thread);
}

static void
open_legacy_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ReinPayments *self = REIN_PAYMENTS (source);
  GCancellable *cancellable;
  GError *error = NULL;

  if (!legacy_fetch_finish (self, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  cancellable = g_task_get_cancellable (task);
  rein_escrow_status_lookup_async (self->chain, self->job,
                                   rein_identity_get_testnet (self->identity), cancellable,
                                   open_looked_up_cb, g_steal_pointer (&task));
}

void
rein_payments_open_async (ReinStore *store,
                          ReinIdentity *identity,
                          ReinChain *chain,
                          ReinJob *job,
                          gint64 fee_cap,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;
  ReinDocument *doc;
  Open *o;

  g_return_if_fail (REIN_IS_STORE (store));
  g_return_if_fail (REIN_IS_IDENTITY (identity));
  g_return_if_fail (chain == NULL || REIN_IS_CHAIN (chain));
  g_return_if_fail (REIN_IS_JOB (job));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_payments_open_async);
  o = g_new0 (Open, 1);
  g_task_set_task_data (task, o, (GDestroyNotify) open_free);

  doc = rein_job_get_document (job, REIN_DOCUMENT_TYPE_RESOLUTION);
  if (doc == NULL)
    doc = rein_job_get_document (job, REIN_DOCUMENT_TYPE_ACCEPT);
  if (doc == NULL)
    {
      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                               _("there is nothing to pay out yet: the job's state is “%s”, "
                                 "and payouts come with the accept or the resolution"),
                               rein_job_state_describe (rein_job_get_state (job)));
      return;
    }
  if (rein_job_get_role (job, rein_identity_get_delegate_public_key (identity)) == REIN_ROLE_NONE)
    {
      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED, "%s",
                               _("you have no part in this job's payments"));
      return;
    }
  o->payments = payments_new (store, identity, chain, job, &error);
  if (o->payments == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (chain == NULL)
    {
      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_NO_BACKEND,
                               "%s", _("no chain backend is set to look up the escrows"));
      return;
    }
  o->payments->cosigning = TRUE;
  o->payments->fee_cap = fee_cap;
  for (guint e = 0; e < N_ESCROWS; e++)
    {
      const gchar *text = rein_document_get_field (doc, e == PRIMARY
                                                          ? REIN_LABEL_SIGNED_PRIMARY_PAYMENT
                                                          : REIN_LABEL_SIGNED_MEDIATOR_PAYMENT);

      o->payments->escrow[e].psbt = rein_psbt_parse_base64 (text != NULL ? text : "", NULL);
      if (o->payments->escrow[e].psbt == NULL && text == NULL
          && rein_legacy_payment_present (doc, e == PRIMARY))
        continue; /* python-rein 0.3's plain fields, read below */
      if (o->payments->escrow[e].psbt == NULL)
        {
          g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                                   e == PRIMARY
                                     ? _("the payment out of the primary escrow is not a PSBT "
                                         "(an older client's raw transaction?): it cannot be "
                                         "co-signed here; use the wallet that made it")
                                     : _("the payment out of the mediator escrow is not a PSBT "
                                         "(an older client's raw transaction?): it cannot be "
                                         "co-signed here; use the wallet that made it"));
          return;
        }
    }
  if (!legacy_read (o->payments, doc, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (has_legacy (o->payments))
    {
      legacy_fetch_async (o->payments, doc, cancellable, open_legacy_cb,
                          g_steal_pointer (&task));
      return;
    }
  rein_escrow_status_lookup_async (chain, job, rein_identity_get_testnet (identity), cancellable,
                                   open_looked_up_cb, g_steal_pointer (&task));
}

ReinPayments *
rein_payments_open_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rein_payments_open_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- signing ---- */

/* Signs every input of @psbt, payment @e's or a copy of it, that
 * @delegate may sign and has not. */
static gboolean
sign_one (ReinPayments *self, guint e, ReinPsbt *psbt, const ReinPrivateKey *delegate,
          GError **error)
{
  const gchar *own_key = rein_identity_get_delegate_public_key (self->identity);

  for (guint i = 0; i < rein_psbt_get_n_inputs (psbt); i++)
    {
      if (has_signature_of (psbt, i, own_key))
        continue;
      if (!rein_psbt_sign_input (psbt, i, delegate, error))
        {
          g_prefix_error (error, e == PRIMARY
                                   ? _("cannot sign the payment out of the primary escrow: ")
                                   : _("cannot sign the payment out of the mediator escrow: "));
          return FALSE;
        }
    }
  return TRUE;
}

/* The transaction a python-rein 0.3 reader rebuilds from the plain fields
 * of our payment @e, @psbt (its version, sequences and output order: the
 * worker's output before the creator's), in @out_tx, signed with @key in
 * @out_sigs. */
static gboolean
legacy_sign (ReinPayments *self, guint e, const ReinPsbt *psbt, const ReinPrivateKey *key,
             ReinTx **out_tx, GPtrArray **out_sigs, GError **error)
{
  const ReinTx *tx = rein_psbt_get_tx (psbt);
  const ReinEscrowAccount *account = e == PRIMARY ? &self->status->primary
                                                  : &self->status->mediator;
  g_autoptr (GByteArray) creator = rein_script_from_address (self->payees->creator,
                                                             network_of (self), NULL);
  g_autoptr (GPtrArray) outputs = g_ptr_array_new ();
  g_autoptr (ReinTx) legacy_tx = NULL;
  g_autofree guint8 *redeem = NULL;
  gsize redeem_len = 0;

  if (self->fail_legacy_signing)
    {
      g_set_error_literal (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                           "the python-rein signature failed, as the test asked");
      return FALSE;
    }
  for (guint pass = 0; pass < 2; pass++)
    for (guint o = 0; o < tx->outputs->len; o++)
      {
        ReinTxOut *out = rein_tx_get_output (tx, o);
        gboolean to_creator = creator != NULL && creator->len == out->script_pubkey->len
                              && memcmp (creator->data, out->script_pubkey->data,
                                         creator->len) == 0;

        if (to_creator == (pass == 1))
          g_ptr_array_add (outputs, out);
      }
  redeem = rein_hex_decode (account->redeem_script_hex, &redeem_len, error);
  if (redeem == NULL)
    return FALSE;
  legacy_tx = rein_legacy_tx_new (tx, outputs);
  *out_sigs = rein_legacy_sign (legacy_tx, redeem, redeem_len, key, error);
  if (*out_sigs == NULL)
    return FALSE;
  *out_tx = g_steal_pointer (&legacy_tx);
  return TRUE;
}

/* What signing payment @e makes, kept aside until every payment is
 * signed: the signed copy of its PSBT and, for a 0.3 reader, the
 * transaction it rebuilds with my signatures. */
typedef struct
{
  ReinPsbt *psbt;
  ReinTx *legacy_tx;
  GPtrArray *legacy_sigs;
} Signed;

static void
signed_clear (Signed *signed_one)
{
  g_clear_pointer (&signed_one->psbt, rein_psbt_free);
  g_clear_pointer (&signed_one->legacy_tx, rein_tx_free);
  g_clear_pointer (&signed_one->legacy_sigs, g_ptr_array_unref);
}

/* The writer signs both payments, and for a 0.3 reader the transactions
 * its plain fields describe: all of it or, when any signature fails,
 * none (the payments stay as they were, to be signed again). */
static gboolean
sign_all (ReinPayments *self, const ReinPrivateKey *key, GError **error)
{
  Signed done[N_ESCROWS] = { { 0 } };
  gboolean ok = TRUE;

  for (guint e = 0; e < N_ESCROWS && ok; e++)
    {
      done[e].psbt = rein_psbt_copy (self->escrow[e].psbt);
      ok = sign_one (self, e, done[e].psbt, key, error)
           /* a 0.3 worker's payment gets its second signature in the
            * PSBT; ours get one for a 0.3 reader too */
           && (self->escrow[e].legacy != NULL
               || legacy_sign (self, e, done[e].psbt, key, &done[e].legacy_tx,
                               &done[e].legacy_sigs, error));
    }
  for (guint e = 0; e < N_ESCROWS; e++)
    {
      Escrow *escrow = &self->escrow[e];

      if (ok)
        {
          rein_psbt_free (escrow->psbt);
          escrow->psbt = g_steal_pointer (&done[e].psbt);
          g_clear_pointer (&escrow->legacy_tx, rein_tx_free);
          g_clear_pointer (&escrow->legacy_sigs, g_ptr_array_unref);
          escrow->legacy_tx = g_steal_pointer (&done[e].legacy_tx);
          escrow->legacy_sigs = g_steal_pointer (&done[e].legacy_sigs);
          escrow->state = REIN_PAYMENT_STATE_SIGNED;
          if (escrow->legacy != NULL)
            settle (self, e, REIN_PAYMENT_STATE_SIGNED);
        }
      signed_clear (&done[e]);
    }
  return ok;
}

static void
sign_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinPayments *self = source;
  const ReinPrivateKey *key = task_data;
  GError *error = NULL;

  if (!self->cosigning)
    {
      if (!sign_all (self, key, &error))
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      return;
    }
  for (guint e = 0; e < N_ESCROWS; e++)
    {
      Escrow *escrow = &self->escrow[e];

      if (escrow->state != REIN_PAYMENT_STATE_TO_SIGN)
        continue;
      if (!sign_one (self, e, escrow->psbt, key, &error))
        {
          refuse (escrow, error->message);
          g_clear_error (&error);
          continue;
        }
      settle (self, e, REIN_PAYMENT_STATE_SIGNED);
    }
  g_task_return_boolean (task, TRUE);
}

void
_rein_payments_set_fail_legacy_signing (ReinPayments *self, gboolean fail)
{
  g_return_if_fail (REIN_IS_PAYMENTS (self));

  self->fail_legacy_signing = fail;
}

void
rein_payments_sign_async (ReinPayments *self,
                          const ReinPrivateKey *delegate,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (REIN_IS_PAYMENTS (self));
  g_return_if_fail (delegate != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_payments_sign_async);
  /* signing is not undone halfway: the payments stay consistent */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_set_task_data (task, rein_private_key_copy (delegate),
                        (GDestroyNotify) rein_private_key_free);
  g_task_run_in_thread (task, sign_thread);
}

gboolean
rein_payments_sign_finish (ReinPayments *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  ReinPsbt *psbt;
  ReinPrivateKey *key;
} SignOne;

static void
sign_one_free (SignOne *one)
{
  rein_psbt_free (one->psbt);
  rein_private_key_free (one->key);
  g_free (one);
}

static void
sign_psbt_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SignOne *one = task_data;
  GError *error = NULL;
  ReinTx *tx;

  for (guint i = 0; i < rein_psbt_get_n_inputs (one->psbt); i++)
    if (!rein_psbt_sign_input (one->psbt, i, one->key, &error))
      {
        g_task_return_error (task, error);
        return;
      }
  if (!rein_psbt_finalize (one->psbt, &error) || (tx = rein_psbt_extract (one->psbt, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, tx, (GDestroyNotify) rein_tx_free);
}

void
rein_payments_sign_psbt_async (const ReinPsbt *psbt,
                               const ReinPrivateKey *key,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  SignOne *one;

  g_return_if_fail (psbt != NULL && key != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_payments_sign_psbt_async);
  one = g_new0 (SignOne, 1);
  one->psbt = rein_psbt_copy (psbt);
  one->key = rein_private_key_copy (key);
  g_task_set_task_data (task, one, (GDestroyNotify) sign_one_free);
  g_task_run_in_thread (task, sign_psbt_thread);
}

ReinTx *
rein_payments_sign_psbt_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rein_payments_sign_psbt_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- broadcasting ---- */

typedef struct
{
  guint next;
  GError *error; /* the first escrow the backend refused */
} Broadcast;

static void
broadcast_free (Broadcast *b)
{
  g_clear_error (&b->error);
  g_free (b);
}

static void broadcast_next (GTask *task);

static void
broadcast_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ReinPayments *self = g_task_get_source_object (task);
  Broadcast *b = g_task_get_task_data (task);
  Escrow *escrow = &self->escrow[b->next];
  GError *error = NULL;
  g_autofree gchar *sent = rein_chain_broadcast_finish (REIN_CHAIN (source), result, &error);

  if (sent == NULL)
    {
      g_free (escrow->reason);
      escrow->reason = g_strdup (error->message);
      g_prefix_error (&error, b->next == PRIMARY
                                ? _("the payment out of the primary escrow was not sent: ")
                                : _("the payment out of the mediator escrow was not sent: "));
      if (b->error == NULL)
        b->error = error;
      else
        g_error_free (error);
    }
  else
    {
      escrow->state = REIN_PAYMENT_STATE_BROADCAST;
      g_clear_pointer (&escrow->reason, g_free);
    }
  b->next++;
  broadcast_next (g_steal_pointer (&task));
}

/* Takes @task. */
static void
broadcast_next (GTask *task)
{
  ReinPayments *self = g_task_get_source_object (task);
  Broadcast *b = g_task_get_task_data (task);

  for (; b->next < N_ESCROWS; b->next++)
    {
      Escrow *escrow = &self->escrow[b->next];
      g_autoptr (GByteArray) raw = NULL;
      g_autoptr (GBytes) bytes = NULL;
      guint8 *data = NULL;
      gsize len = 0;

      if (escrow->state != REIN_PAYMENT_STATE_COMPLETE || escrow->hex == NULL)
        continue;
      data = rein_hex_decode (escrow->hex, &len, NULL);
      bytes = g_bytes_new_take (data, len);
      rein_chain_broadcast_async (self->chain, bytes, g_task_get_cancellable (task),
                                  broadcast_cb, task);
      return;
    }
  if (b->error != NULL)
    g_task_return_error (task, g_steal_pointer (&b->error));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
rein_payments_broadcast_async (ReinPayments *self,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  GTask *task;

  g_return_if_fail (REIN_IS_PAYMENTS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_payments_broadcast_async);
  g_task_set_task_data (task, g_new0 (Broadcast, 1), (GDestroyNotify) broadcast_free);
  if (self->chain == NULL)
    {
      g_task_return_new_error (task, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_INVALID_INPUT, "%s",
                               _("no chain backend is set to send the payments"));
      g_object_unref (task);
      return;
    }
  broadcast_next (task);
}

gboolean
rein_payments_broadcast_finish (ReinPayments *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- recording, and confirmations ---- */

/* Whose are the signatures on input @index of @psbt, in words: the
 * job's roles in a fixed order, then any other key. */
static gchar *
signers_of (ReinPayments *self, const ReinPsbt *psbt, guint index)
{
  static const ReinRole order[] = { REIN_ROLE_CREATOR, REIN_ROLE_MEDIATOR, REIN_ROLE_WORKER };
  g_autoptr (GPtrArray) sigs = rein_psbt_get_partial_signatures (psbt, index);
  g_autoptr (GString) names = g_string_new (NULL);
  g_autoptr (GString) others = g_string_new (NULL);
  gboolean has[G_N_ELEMENTS (order)] = { FALSE };

  for (guint s = 0; sigs != NULL && s < sigs->len; s++)
    {
      g_autofree gchar *hex = key_hex_of (g_ptr_array_index (sigs, s));
      ReinRole role = rein_job_get_role (self->job, hex);
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

typedef struct
{
  guint32 tip;
  guint next;         /* the escrow whose confirmations are asked */
  GPtrArray *records; /* ReinStoredPayout to write */
} Record;

static void
record_free (Record *r)
{
  g_clear_pointer (&r->records, g_ptr_array_unref);
  g_free (r);
}

static void
record_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReinPayments *self = source;
  Record *r = task_data;
  GError *first = NULL;

  /* a record that cannot be written loses nothing: the document and the
   * chain carry the payments; the first error is said */
  for (guint i = 0; i < r->records->len; i++)
    {
      GError *error = NULL;

      if (!rein_store_set_payout (self->store, rein_identity_get_id (self->identity),
                                  g_ptr_array_index (r->records, i), &error))
        {
          if (first == NULL)
            first = error;
          else
            g_error_free (error);
        }
    }
  if (first != NULL)
    g_task_return_error (task, first);
  else
    g_task_return_boolean (task, TRUE);
}

/* What to write for each payment, then writes it in a worker. Takes
 * @task. */
static void
record_write (GTask *task)
{
  ReinPayments *self = g_task_get_source_object (task);
  Record *r = g_task_get_task_data (task);

  r->records = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_stored_payout_free);
  for (guint e = 0; e < N_ESCROWS; e++)
    {
      Escrow *escrow = &self->escrow[e];
      ReinStoredPayout *payout;

      if (escrow->state == REIN_PAYMENT_STATE_NONE || escrow->state == REIN_PAYMENT_STATE_BUILT
          || escrow->state == REIN_PAYMENT_STATE_REFUSED
          || escrow->state == REIN_PAYMENT_STATE_WAITING
          || escrow->state == REIN_PAYMENT_STATE_TO_SIGN)
        continue;
      if (escrow->recorded != NULL)
        {
          /* done before: only its confirmations change */
          if (escrow->confirmations < 0
              || escrow->confirmations == escrow->recorded->confirmations)
            continue;
          escrow->recorded->confirmations = escrow->confirmations;
          payout = g_new0 (ReinStoredPayout, 1);
          payout->job_id = g_strdup (escrow->recorded->job_id);
          payout->escrow = g_strdup (escrow->recorded->escrow);
          payout->state = g_strdup (escrow->recorded->state);
          payout->psbt = g_strdup (escrow->recorded->psbt);
          payout->signers = g_strdup (escrow->recorded->signers);
          payout->txid = g_strdup (escrow->recorded->txid);
          payout->confirmations = escrow->confirmations;
        }
      else
        {
          payout = g_new0 (ReinStoredPayout, 1);
          payout->job_id = g_strdup (rein_job_get_id (self->job));
          payout->escrow = g_strdup (escrow_name (e));
          payout->state = g_strdup (rein_payment_state_to_name (escrow->state));
          payout->psbt = rein_psbt_to_base64 (escrow->psbt);
          payout->signers = signers_of (self, escrow->psbt, 0);
          payout->txid = self->cosigning ? g_strdup (escrow->txid) : NULL;
          payout->confirmations = escrow->confirmations;
        }
      g_ptr_array_add (r->records, payout);
    }
  g_task_run_in_thread (task, record_thread);
  g_object_unref (task);
}

static void record_next (GTask *task);

static void
tx_status_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ReinPayments *self = g_task_get_source_object (task);
  Record *r = g_task_get_task_data (task);
  g_autoptr (ReinTxStatus) status = rein_chain_get_tx_status_finish (REIN_CHAIN (source),
                                                                     result, NULL);

  if (status != NULL && r->tip > 0)
    self->escrow[r->next].confirmations = rein_chain_confirmations (status->block_height,
                                                                    r->tip);
  r->next++;
  record_next (g_steal_pointer (&task));
}

/* Takes @task. */
static void
record_next (GTask *task)
{
  ReinPayments *self = g_task_get_source_object (task);
  Record *r = g_task_get_task_data (task);

  for (; r->next < N_ESCROWS; r->next++)
    {
      Escrow *escrow = &self->escrow[r->next];

      if (escrow->txid == NULL || (escrow->state != REIN_PAYMENT_STATE_BROADCAST
                                   && escrow->state != REIN_PAYMENT_STATE_PAID_ELSEWHERE))
        continue;
      rein_chain_get_tx_status_async (self->chain, escrow->txid, g_task_get_cancellable (task),
                                      tx_status_cb, task);
      return;
    }
  record_write (task);
}

static void
record_tip_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Record *r = g_task_get_task_data (task);

  /* unknown, confirmations stay unknown: the record is still written */
  if (!rein_chain_get_tip_height_finish (REIN_CHAIN (source), result, &r->tip, NULL))
    r->tip = 0;
  record_next (task);
}

void
rein_payments_record_async (ReinPayments *self,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task;

  g_return_if_fail (REIN_IS_PAYMENTS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rein_payments_record_async);
  g_task_set_task_data (task, g_new0 (Record, 1), (GDestroyNotify) record_free);
  if (self->chain == NULL || !self->cosigning)
    {
      record_write (task);
      return;
    }
  rein_chain_get_tip_height_async (self->chain, cancellable, record_tip_cb, task);
}

gboolean
rein_payments_record_finish (ReinPayments *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- signed elsewhere ---- */

gboolean
rein_payments_import (ReinPayments *self, gboolean primary, const ReinPsbt *psbt, GError **error)
{
  guint e = primary ? PRIMARY : MEDIATOR;
  Escrow *escrow;
  g_autoptr (ReinPsbt) combined = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (REIN_IS_PAYMENTS (self), FALSE);
  g_return_val_if_fail (psbt != NULL, FALSE);

  escrow = &self->escrow[e];
  if (escrow->state == REIN_PAYMENT_STATE_BROADCAST
      || escrow->state == REIN_PAYMENT_STATE_PAID_ELSEWHERE)
    {
      g_set_error_literal (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                           _("this payment is made already"));
      return FALSE;
    }
  if (!rein_payout_check_psbt (psbt, self->status, primary, self->payees, self->kind,
                               self->fee_cap, error))
    return FALSE;
  combined = rein_psbt_copy (escrow->psbt);
  if (!rein_psbt_combine (combined, psbt, &local_error))
    {
      g_set_error (error, REIN_CLIENT_ERROR, REIN_CLIENT_ERROR_REFUSED,
                   _("it is not this payment: %s"), local_error->message);
      return FALSE;
    }
  rein_psbt_free (escrow->psbt);
  escrow->psbt = g_steal_pointer (&combined);
  g_clear_pointer (&escrow->reason, g_free);
  if (!self->cosigning)
    return TRUE;
  escrow->to_sign = needs_signature_of (self, e,
                                        rein_identity_get_delegate_public_key (self->identity));
  if (escrow->to_sign)
    escrow->state = REIN_PAYMENT_STATE_TO_SIGN;
  else
    settle (self, e, escrow->state == REIN_PAYMENT_STATE_SIGNED ? REIN_PAYMENT_STATE_SIGNED
                                                                : REIN_PAYMENT_STATE_WAITING);
  return TRUE;
}

/* ---- getters ---- */

ReinJob *
rein_payments_get_job (ReinPayments *self)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), NULL);
  return self->job;
}

ReinPayoutKind
rein_payments_get_kind (ReinPayments *self)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), REIN_PAYOUT_ACCEPT);
  return self->kind;
}

guint
rein_payments_get_worker_percent (ReinPayments *self)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), 0);
  return self->escrow[PRIMARY].psbt != NULL ? worker_share (self) : self->worker_percent;
}

const ReinEscrowStatus *
rein_payments_get_status (ReinPayments *self)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), NULL);
  return self->status;
}

const ReinPayees *
rein_payments_get_payees (ReinPayments *self)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), NULL);
  return self->payees;
}

gboolean
rein_payments_get_cosigning (ReinPayments *self)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), FALSE);
  return self->cosigning;
}

gboolean
rein_payments_get_needs_signature (ReinPayments *self)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), FALSE);
  for (guint e = 0; e < N_ESCROWS; e++)
    if (self->escrow[e].state == REIN_PAYMENT_STATE_TO_SIGN)
      return TRUE;
  return FALSE;
}

gboolean
rein_payments_get_has_complete (ReinPayments *self)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), FALSE);
  for (guint e = 0; e < N_ESCROWS; e++)
    if (self->escrow[e].state == REIN_PAYMENT_STATE_COMPLETE)
      return TRUE;
  return FALSE;
}

const gchar *
rein_payments_get_warning (ReinPayments *self)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), NULL);
  return self->warning;
}

static Escrow *
escrow_of (ReinPayments *self, gboolean primary)
{
  return &self->escrow[primary ? PRIMARY : MEDIATOR];
}

const ReinPsbt *
rein_payments_get_psbt (ReinPayments *self, gboolean primary)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), NULL);
  return escrow_of (self, primary)->psbt;
}

/* The fields of one output of @tx. */
static void
add_output_fields (GString *text, const ReinTx *tx, guint o, ReinNetwork network,
                   const gchar *amount_label, const gchar *address_label)
{
  const ReinTxOut *out = rein_tx_get_output (tx, o);
  g_autofree gchar *amount = rein_legacy_format_amount (out->value);
  g_autofree gchar *address = rein_legacy_format_address (out->script_pubkey, network);

  rein_legacy_add_field (text, amount_label, amount);
  rein_legacy_add_field (text, address_label, address);
}

gchar *
rein_payments_dup_legacy_fields (ReinPayments *self)
{
  GString *text = g_string_new (NULL);
  gboolean resolution;
  guint8 own_key[65];
  gsize own_len = 0;

  g_return_val_if_fail (REIN_IS_PAYMENTS (self), NULL);
  g_return_val_if_fail (!self->cosigning, NULL);

  resolution = self->kind != REIN_PAYOUT_ACCEPT;
  if (!rein_public_key_parse_hex (rein_identity_get_delegate_public_key (self->identity),
                                  own_key, &own_len, NULL))
    return g_string_free (text, FALSE);
  for (guint e = 0; e < N_ESCROWS; e++)
    {
      Escrow *escrow = &self->escrow[e];
      gboolean primary = e == PRIMARY;
      const ReinTx *tx = escrow->legacy != NULL ? escrow->legacy->tx : escrow->legacy_tx;
      g_autoptr (GPtrArray) mine = NULL;
      g_autofree gchar *inputs = NULL;
      g_autofree gchar *sigs = NULL;
      g_autofree guint8 *redeem = NULL;
      gsize redeem_len = 0;

      if (tx == NULL)
        continue;
      mine = escrow->legacy != NULL ? rein_legacy_signatures_of (escrow->psbt, own_key, own_len)
                                    : g_ptr_array_ref (escrow->legacy_sigs);
      if (mine == NULL)
        continue;
      /* 0.3 rebuilds a resolution's primary payment with the worker's
       * output and the creator's: a refund or an award cannot be written */
      if (resolution && primary && tx->outputs->len != 2)
        continue;
      inputs = rein_legacy_format_inputs (tx);
      sigs = rein_legacy_format_signatures (mine);
      rein_legacy_add_field (text, primary ? REIN_LEGACY_LABEL_PRIMARY_INPUTS
                                           : REIN_LEGACY_LABEL_MEDIATOR_INPUTS, inputs);
      if (resolution && primary)
        {
          add_output_fields (text, tx, 0, network_of (self),
                             REIN_LEGACY_LABEL_PRIMARY_WORKER_AMOUNT,
                             REIN_LEGACY_LABEL_PRIMARY_WORKER_ADDRESS);
          add_output_fields (text, tx, 1, network_of (self),
                             REIN_LEGACY_LABEL_PRIMARY_CLIENT_AMOUNT,
                             REIN_LEGACY_LABEL_PRIMARY_CLIENT_ADDRESS);
        }
      else
        add_output_fields (text, tx, 0, network_of (self),
                           primary ? REIN_LEGACY_LABEL_PRIMARY_AMOUNT
                                   : REIN_LEGACY_LABEL_MEDIATOR_AMOUNT,
                           primary ? REIN_LEGACY_LABEL_PRIMARY_ADDRESS
                                   : REIN_LEGACY_LABEL_MEDIATOR_ADDRESS);
      if (resolution)
        {
          /* the mediator's signatures, which the creator or the worker completes */
          rein_legacy_add_field (text, primary ? REIN_LEGACY_LABEL_PRIMARY_SIGNATURE
                                               : REIN_LEGACY_LABEL_MEDIATOR_SIGNATURE, sigs);
          continue;
        }
      if (primary)
        {
          /* the worker's signatures when a 0.3 worker gave them, and the
           * complete transaction's txid */
          if (escrow->legacy != NULL && escrow->legacy->signatures->len > 0)
            {
              g_autofree gchar *worker = rein_legacy_format_signatures (escrow->legacy->signatures);

              rein_legacy_add_field (text, REIN_LEGACY_LABEL_PRIMARY_SIGNATURE, worker);
            }
          if (escrow->legacy != NULL && escrow->txid != NULL)
            rein_legacy_add_field (text, REIN_LEGACY_LABEL_PRIMARY_TXID, escrow->txid);
          rein_legacy_add_field (text, REIN_LEGACY_LABEL_PRIMARY_CLIENT_SIGNATURE, sigs);
          continue;
        }
      /* the mediator payment in hex, with my signature, for the mediator */
      redeem = rein_hex_decode (self->status->mediator.redeem_script_hex, &redeem_len, NULL);
      if (redeem != NULL)
        {
          g_autofree gchar *hex = rein_legacy_partial_hex (tx, mine, redeem, redeem_len);

          rein_legacy_add_field (text, REIN_LEGACY_LABEL_MEDIATOR_CLIENT_SIGNATURE, hex);
        }
    }
  return g_string_free (text, FALSE);
}

gchar *
rein_payments_add_legacy_fields (ReinPayments *self, const gchar *text)
{
  g_autofree gchar *fields = NULL;

  g_return_val_if_fail (REIN_IS_PAYMENTS (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  fields = rein_payments_dup_legacy_fields (self);
  /* the PSBTs are what this document must carry: the plain fields only
   * when they fit */
  if (strlen (text) + strlen (fields) > REIN_DOCUMENT_MAX_SIZE)
    {
      g_debug ("the python-rein 0.3 payment fields do not fit in the document");
      return g_strdup (text);
    }
  return g_strconcat (text, fields, NULL);
}

gchar *
rein_payments_get_base64 (ReinPayments *self, gboolean primary)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), NULL);
  g_return_val_if_fail (escrow_of (self, primary)->psbt != NULL, NULL);
  return rein_psbt_to_base64 (escrow_of (self, primary)->psbt);
}

ReinPaymentState
rein_payments_get_state (ReinPayments *self, gboolean primary)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), REIN_PAYMENT_STATE_NONE);
  return escrow_of (self, primary)->state;
}

const gchar *
rein_payments_get_reason (ReinPayments *self, gboolean primary)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), NULL);
  return escrow_of (self, primary)->reason;
}

const gchar *
rein_payments_get_txid (ReinPayments *self, gboolean primary)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), NULL);
  return escrow_of (self, primary)->txid;
}

const gchar *
rein_payments_get_hex (ReinPayments *self, gboolean primary)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), NULL);
  return escrow_of (self, primary)->hex;
}

gint64
rein_payments_get_confirmations (ReinPayments *self, gboolean primary)
{
  g_return_val_if_fail (REIN_IS_PAYMENTS (self), -1);
  return escrow_of (self, primary)->confirmations;
}

/* ---- the review ---- */

const gchar *
rein_payments_describe_role (ReinRole role)
{
  switch (role)
    {
    case REIN_ROLE_CREATOR:
      return _("the creator");
    case REIN_ROLE_WORKER:
      return _("the worker");
    case REIN_ROLE_MEDIATOR:
      return _("the mediator");
    case REIN_ROLE_NONE:
    default:
      return _("someone else");
    }
}

static void
review_input_free (ReinReviewInput *input)
{
  g_free (input->txid);
  g_free (input->signers);
  g_free (input);
}

static void
review_output_free (ReinReviewOutput *output)
{
  g_free (output->name);
  g_free (output->address);
  g_free (output);
}

void
rein_payment_review_free (ReinPaymentReview *review)
{
  if (review == NULL)
    return;
  g_free (review->escrow_address);
  g_clear_pointer (&review->inputs, g_ptr_array_unref);
  g_clear_pointer (&review->outputs, g_ptr_array_unref);
  g_free (review);
}

/* The name @role signed into the job's offer; the mediator's is in the
 * posting only (the offer does not copy it). */
static const gchar *
name_of (ReinPayments *self, ReinRole role)
{
  ReinDocument *offer = rein_job_get_offer (self->job);
  ReinDocument *posting = rein_job_get_posting (self->job);
  const gchar *label = role == REIN_ROLE_CREATOR ? REIN_LABEL_JOB_CREATOR
                       : role == REIN_ROLE_WORKER ? REIN_LABEL_WORKER
                                                  : REIN_LABEL_MEDIATOR;
  const gchar *name = offer != NULL ? rein_document_get_field (offer, label) : NULL;

  if (name == NULL && posting != NULL)
    name = rein_document_get_field (posting, label);
  return name;
}

/* Who @script pays. */
static ReinRole
payee_of (ReinPayments *self, const GByteArray *script)
{
  const struct
  {
    const gchar *address;
    ReinRole role;
  } parties[] = {
    { self->payees->creator, REIN_ROLE_CREATOR },
    { self->payees->worker, REIN_ROLE_WORKER },
    { self->payees->mediator, REIN_ROLE_MEDIATOR },
  };

  for (guint p = 0; p < G_N_ELEMENTS (parties); p++)
    {
      g_autoptr (GByteArray) want = rein_script_from_address (parties[p].address,
                                                              network_of (self), NULL);

      if (want != NULL && want->len == script->len
          && memcmp (want->data, script->data, want->len) == 0)
        return parties[p].role;
    }
  return REIN_ROLE_NONE;
}

static gchar *
script_address (const GByteArray *script, ReinNetwork network)
{
  guint8 hash[20];

  if (rein_script_is_p2pkh (script->data, script->len, hash))
    return rein_address_from_hash160 (hash, REIN_ADDRESS_P2PKH, network);
  if (rein_script_is_p2sh (script->data, script->len, hash))
    return rein_address_from_hash160 (hash, REIN_ADDRESS_P2SH, network);
  return NULL;
}

ReinPaymentReview *
rein_payment_review_new (const ReinPsbt *psbt, ReinNetwork network, guint vsize)
{
  const ReinTx *tx;
  ReinPaymentReview *review;
  guint64 fee = 0;

  g_return_val_if_fail (psbt != NULL, NULL);

  tx = rein_psbt_get_tx (psbt);
  review = g_new0 (ReinPaymentReview, 1);
  review->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) review_input_free);
  review->outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) review_output_free);
  review->vsize = vsize;
  for (guint i = 0; i < rein_psbt_get_n_inputs (psbt); i++)
    {
      const ReinTxIn *in = rein_tx_get_input (tx, i);
      ReinReviewInput *input = g_new0 (ReinReviewInput, 1);
      guint64 value = 0;

      input->txid = txid_of_input (in);
      input->vout = in->prev_vout;
      input->amount = rein_psbt_get_input_value (psbt, i, &value, NULL) ? (gint64) value : -1;
      input->mined = -1;
      input->signers = g_strdup ("");
      review->spent += MAX (input->amount, 0);
      g_ptr_array_add (review->inputs, input);
    }
  for (guint o = 0; o < rein_psbt_get_n_outputs (psbt); o++)
    {
      const ReinTxOut *out = rein_tx_get_output (tx, o);
      ReinReviewOutput *output = g_new0 (ReinReviewOutput, 1);

      output->payee = REIN_ROLE_NONE;
      output->address = script_address (out->script_pubkey, network);
      output->amount = (gint64) out->value;
      review->paid += output->amount;
      g_ptr_array_add (review->outputs, output);
    }
  if (rein_psbt_get_fee (psbt, &fee, NULL))
    {
      review->fee = (gint64) fee;
      /* sat/vB with one decimal, from integers */
      review->rate_tenths = review->vsize > 0
                              ? (guint) ((fee * 10 + review->vsize / 2) / review->vsize)
                              : 0;
      review->share_permille = review->paid + review->fee > 0
                                 ? (guint) ((fee * 1000) / ((guint64) review->paid + fee))
                                 : 0;
      review->fee_warning = fee * 20 > (guint64) review->paid + fee;
    }
  else
    review->fee = -1;
  return review;
}

ReinPaymentReview *
rein_payments_review (ReinPayments *self, gboolean primary)
{
  guint e = primary ? PRIMARY : MEDIATOR;
  const ReinPsbt *psbt;
  const ReinEscrowAccount *account;
  ReinPaymentReview *review;

  g_return_val_if_fail (REIN_IS_PAYMENTS (self), NULL);
  g_return_val_if_fail (self->escrow[e].psbt != NULL, NULL);

  psbt = self->escrow[e].psbt;
  account = primary ? &self->status->primary : &self->status->mediator;
  review = rein_payment_review_new (psbt, network_of (self),
                                    rein_payout_estimate_vsize (primary,
                                                                rein_psbt_get_n_inputs (psbt),
                                                                rein_psbt_get_n_outputs (psbt)));
  review->primary = primary;
  review->escrow_address = g_strdup (account->address);
  review->due = account->due;
  review->mine_to_sign = self->escrow[e].state == REIN_PAYMENT_STATE_TO_SIGN
                         || self->escrow[e].state == REIN_PAYMENT_STATE_BUILT;
  for (guint i = 0; i < review->inputs->len; i++)
    {
      ReinReviewInput *input = g_ptr_array_index (review->inputs, i);

      g_free (input->signers);
      input->signers = signers_of (self, psbt, i);
      for (guint c = 0; c < account->coins->len; c++)
        {
          ReinUtxo *coin = g_ptr_array_index (account->coins, c);

          if (coin->vout == input->vout && g_ascii_strcasecmp (coin->txid, input->txid) == 0)
            input->mined = coin->confirmed ? 1 : 0;
        }
    }
  for (guint o = 0; o < review->outputs->len; o++)
    {
      ReinReviewOutput *output = g_ptr_array_index (review->outputs, o);
      const ReinTxOut *out = rein_tx_get_output (rein_psbt_get_tx (psbt), o);

      output->payee = payee_of (self, out->script_pubkey);
      output->name = output->payee != REIN_ROLE_NONE
                       ? g_strdup (name_of (self, output->payee))
                       : NULL;
    }
  return review;
}
