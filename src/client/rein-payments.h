/* rein-payments.h: the two payments of an accept or a resolution, from
 * building to confirmation
 *
 * One workflow for the app and rein-cli. The writer of an accept (the
 * creator) or a resolution (the mediator) prepares both payments, the
 * primary escrow's and the mediator escrow's: built from what the escrows
 * hold (the chain backend), or made elsewhere and read from PSBTs; each is
 * checked against the job (rein_payout_check_psbt()) before anyone sees
 * it. The writer reviews them (rein_payments_review()), signs them with
 * the delegate key, puts them in the document (rein_payments_get_base64())
 * and records them once the document is published.
 *
 * The co-signer opens the payments the job's accept or resolution
 * carries: each is checked and has a state (waiting for someone else,
 * mine to sign, signed, complete, broadcast, paid elsewhere, refused with
 * the reason); signing adds my signature where it completes something,
 * broadcasting sends the complete ones, recording keeps what was done and
 * follows confirmations.
 *
 * The chain and the store are asked off the caller's thread (libsoup's
 * async calls, GTask threads), signing runs in a thread with a copy of the
 * key that is wiped when it ends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-payout.h"
#include "rein-store.h"

G_BEGIN_DECLS

/* The fee target when none is given: about an hour. */
#define REIN_PAYMENTS_DEFAULT_FEE_TARGET 6
#define REIN_PAYMENTS_MAX_FEE_TARGET 1008

typedef enum
{
  REIN_PAYMENT_STATE_NONE,           /* not opened or built yet */
  REIN_PAYMENT_STATE_BUILT,          /* prepared by the writer, not signed */
  REIN_PAYMENT_STATE_WAITING,        /* waits for someone else's signature, not mine */
  REIN_PAYMENT_STATE_TO_SIGN,        /* my signature completes it (or part of it) */
  REIN_PAYMENT_STATE_SIGNED,         /* I signed; it waits for another signature */
  REIN_PAYMENT_STATE_COMPLETE,       /* every signature, not sent */
  REIN_PAYMENT_STATE_BROADCAST,      /* sent: txid, confirmations */
  REIN_PAYMENT_STATE_PAID_ELSEWHERE, /* its coins were spent by another transaction */
  REIN_PAYMENT_STATE_REFUSED,        /* it fails the checks: the reason says why */
} ReinPaymentState;

/* Stable names, as the store and rein-cli --json keep them: "built",
 * "waiting", "to sign", "signed", "complete", "broadcast", "paid
 * elsewhere", "refused". */
const gchar *rein_payment_state_to_name (ReinPaymentState state);

/* How the writer's payments are made. */
typedef struct
{
  guint fee_target;           /* blocks (1 to 1008); 0: REIN_PAYMENTS_DEFAULT_FEE_TARGET */
  gint64 fee_rate;            /* sat per 1000 vB instead of the estimate; 0: the estimate */
  gint64 fee_cap;             /* satoshis a payment's fee may not exceed; 0: no cap */
  gboolean allow_unconfirmed; /* build from coins not mined yet */
  const ReinPsbt *primary_psbt; /* payments made elsewhere (copied), both or neither */
  const ReinPsbt *mediator_psbt;
} ReinPaymentOptions;

/* A PSBT as a file or the clipboard holds it: binary ("psbt\xff...") or
 * base64 text (blanks around it are ignored). */
ReinPsbt *rein_payments_parse_psbt (const guint8 *data, gsize len, GError **error);

#define REIN_TYPE_PAYMENTS (rein_payments_get_type ())
G_DECLARE_FINAL_TYPE (ReinPayments, rein_payments, REIN, PAYMENTS, GObject)

/* ---- the writer of the accept or resolution ---- */

/* Looks up the escrows of @job on @chain (the backend of @identity's
 * network; may be NULL only with payments from @options, then their coins
 * are not checked: rein_payments_get_warning()), refuses escrows not
 * fully funded (REIN_CLIENT_ERROR_UNFUNDED) or not mined
 * (REIN_CLIENT_ERROR_UNCONFIRMED, unless @options allow it), builds both
 * payments of @kind (@worker_percent: the worker's share of a split) or
 * takes them from @options, checks them against the job and that they fit
 * in a document. Other errors: REIN_CLIENT_ERROR_REFUSED (no escrow yet,
 * a check fails, too large), REIN_CLIENT_ERROR_INVALID_INPUT (options),
 * REIN_CLIENT_ERROR_NO_BACKEND (@chain is NULL and it is needed),
 * G_IO_ERROR / REIN_NET_ERROR from the backend. */
void rein_payments_prepare_async (ReinStore *store,
                                  ReinIdentity *identity,
                                  ReinChain *chain,
                                  ReinJob *job,
                                  ReinPayoutKind kind,
                                  guint worker_percent,
                                  const ReinPaymentOptions *options,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
ReinPayments *rein_payments_prepare_finish (GAsyncResult *result, GError **error);

/* ---- the co-signer ---- */

/* Reads the payments of @job's resolution (else its accept), looks up the
 * escrows and checks each payment (a fee above @fee_cap satoshis, 0: half
 * of what is spent, is refused); what @identity recorded as sent before
 * is not signed again; a payment whose coins were spent elsewhere says
 * so. Fails with REIN_CLIENT_ERROR_REFUSED when the job carries no
 * payments yet, or none of them are @identity's business, then with
 * REIN_CLIENT_ERROR_NO_BACKEND when @chain is NULL. */
void rein_payments_open_async (ReinStore *store,
                               ReinIdentity *identity,
                               ReinChain *chain,
                               ReinJob *job,
                               gint64 fee_cap,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
ReinPayments *rein_payments_open_finish (GAsyncResult *result, GError **error);

/* ---- both ---- */

/* Adds @delegate's signature (copied; the copy is wiped when the call
 * ends) to every input of both prepared payments, or of each opened
 * payment my signature completes; a signed payment whose signatures are
 * all there becomes complete. A payment that cannot be signed becomes
 * refused; the call fails only for the writer's payments (both must be
 * signed). */
void rein_payments_sign_async (ReinPayments *self,
                               const ReinPrivateKey *delegate,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean rein_payments_sign_finish (ReinPayments *self, GAsyncResult *result, GError **error);

/* Sends every complete payment through the chain backend: each becomes
 * broadcast. Fails, naming the escrow, when the backend refused one (the
 * others are still sent). */
void rein_payments_broadcast_async (ReinPayments *self,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean rein_payments_broadcast_finish (ReinPayments *self, GAsyncResult *result, GError **error);

/* Keeps what was done (rein_store_set_payout()): the writer's signed
 * payments once the document that carries them is published; the
 * co-signer's signed, complete, broadcast or paid elsewhere ones, with the
 * confirmations of those sent (asked of the backend now: call it again to
 * follow them). A payment recorded before only has its confirmations
 * updated. */
void rein_payments_record_async (ReinPayments *self,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean rein_payments_record_finish (ReinPayments *self, GAsyncResult *result, GError **error);

/* Takes in the signatures of @psbt, payment @primary signed elsewhere
 * (exported, signed in another wallet, imported back): it is checked as
 * the job calls for and must be the same transaction; then the payment is
 * complete, waits for another signature, or is mine to sign. Fails with
 * REIN_CLIENT_ERROR_REFUSED saying what differs. */
gboolean rein_payments_import (ReinPayments *self,
                               gboolean primary,
                               const ReinPsbt *psbt,
                               GError **error);

/* A one-key payment (rein_own_spend_prepare_async()): signs every input
 * of a copy of @psbt with @key (copied, wiped when the call ends) in a
 * thread, finalizes it and gives the transaction to broadcast. */
void rein_payments_sign_psbt_async (const ReinPsbt *psbt,
                                    const ReinPrivateKey *key,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
ReinTx *rein_payments_sign_psbt_finish (GAsyncResult *result, GError **error);

/* The writer's payments in python-rein 0.3's plain fields ("Primary
 * payment inputs", ...; rein-legacy-payment.h), once signed: lines
 * "\nLabel: value" to put after the document's own fields, so that a 0.3
 * counterparty can complete the payments. A resolution's refund or award
 * has no such form for its primary payment (0.3 always pays both). "" when
 * there is nothing to write. */
gchar *rein_payments_dup_legacy_fields (ReinPayments *self);
/* @text (an accept or a resolution built with these payments) with those
 * fields after its own, when the whole still fits in a document. */
gchar *rein_payments_add_legacy_fields (ReinPayments *self, const gchar *text);

/* About how many bytes, at most, an accept (or a resolution) carrying
 * @primary and @mediator, signed, takes: their PSBTs in base64 with a
 * signature more per input, the labels and @job_name, and with
 * @legacy_fields python-rein 0.3's fields for the same payments. */
gsize rein_payments_estimate_accept_size (ReinPsbt *primary,
                                          ReinPsbt *mediator,
                                          const ReinEscrowStatus *status,
                                          const gchar *job_name,
                                          gboolean legacy_fields);

/* ---- what they are ---- */

ReinJob *rein_payments_get_job (ReinPayments *self);
ReinPayoutKind rein_payments_get_kind (ReinPayments *self);
/* The worker's share of the primary escrow's outputs, in percent,
 * rounded (a split's decision, as the payment carries it out). */
guint rein_payments_get_worker_percent (ReinPayments *self);
const ReinEscrowStatus *rein_payments_get_status (ReinPayments *self);
const ReinPayees *rein_payments_get_payees (ReinPayments *self);
/* TRUE when opened by a co-signer, FALSE when prepared by the writer. */
gboolean rein_payments_get_cosigning (ReinPayments *self);
/* A co-signer's payment my signature completes: something to sign. */
gboolean rein_payments_get_needs_signature (ReinPayments *self);
/* Something to broadcast. */
gboolean rein_payments_get_has_complete (ReinPayments *self);
/* Why the escrows' coins could not be checked (payments from files
 * without a chain backend), else NULL. */
const gchar *rein_payments_get_warning (ReinPayments *self);

const ReinPsbt *rein_payments_get_psbt (ReinPayments *self, gboolean primary);
/* For the document: the PSBT with every signature it has, base64. */
gchar *rein_payments_get_base64 (ReinPayments *self, gboolean primary);
ReinPaymentState rein_payments_get_state (ReinPayments *self, gboolean primary);
/* Why a payment is refused, or why it could not be sent (NULL). */
const gchar *rein_payments_get_reason (ReinPayments *self, gboolean primary);
/* The transaction's ID once complete, broadcast or paid elsewhere. */
const gchar *rein_payments_get_txid (ReinPayments *self, gboolean primary);
/* The final transaction in hex once complete. */
const gchar *rein_payments_get_hex (ReinPayments *self, gboolean primary);
/* Of a sent transaction, -1 when not known. */
gint64 rein_payments_get_confirmations (ReinPayments *self, gboolean primary);

/* ---- the review before a signature ---- */

typedef struct
{
  gchar *txid;
  guint vout;
  gint64 amount;  /* satoshis, -1 when the previous transaction is missing */
  gint mined;     /* 1 mined, 0 not yet, -1 not a coin the escrow holds now */
  gchar *signers; /* "creator, mediator", "" when unsigned */
} ReinReviewInput;

typedef struct
{
  ReinRole payee;  /* REIN_ROLE_NONE: someone else */
  gchar *name;     /* the party's name, NULL for someone else */
  gchar *address;  /* NULL: a script that is no address */
  gint64 amount;   /* satoshis */
} ReinReviewOutput;

typedef struct
{
  gboolean primary;
  gchar *escrow_address;
  gint64 due;          /* the job's price, or the mediator's fee */
  GPtrArray *inputs;   /* ReinReviewInput */
  GPtrArray *outputs;  /* ReinReviewOutput */
  gint64 spent;        /* what the inputs hold */
  gint64 paid;         /* what the outputs pay */
  gint64 fee;          /* -1 when unknown */
  guint vsize;         /* the final transaction's, at most */
  guint rate_tenths;   /* the fee rate in tenths of sat/vB */
  guint share_permille; /* the fee's share of the amount */
  gboolean fee_warning; /* above 5% */
  gboolean mine_to_sign; /* the co-signer's: my signature goes on it */
} ReinPaymentReview;

void rein_payment_review_free (ReinPaymentReview *review);
/* What any @psbt does, for a review: its inputs (not known as mined,
 * unsigned names), outputs (to someone else), the fee at @vsize. */
ReinPaymentReview *rein_payment_review_new (const ReinPsbt *psbt, ReinNetwork network,
                                            guint vsize);
/* What payment @primary does, for the review. */
ReinPaymentReview *rein_payments_review (ReinPayments *self, gboolean primary);

/* "0.01 BTC (1000000 sat)" */
gchar *rein_payments_format_amount (gint64 satoshis);

/* Who @role is, in words: "the creator", "the worker", "the mediator",
 * "someone else". */
const gchar *rein_payments_describe_role (ReinRole role);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinPaymentReview, rein_payment_review_free)

G_END_DECLS
