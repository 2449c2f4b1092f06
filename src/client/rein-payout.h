/* rein-payout.h: who is paid what out of a job's escrows
 *
 * A payout plan is what a payment from one escrow must do, before any
 * transaction exists: which coins it spends, which outputs it makes (who,
 * where, how much), the fee and its rate. Transactions are built from it,
 * and a payment someone else signed is checked against it.
 *
 * Accept: the primary escrow pays the worker, the mediator escrow the
 * mediator. Resolution: the primary escrow refunds the creator, awards
 * the worker, or splits between them by the percentage the mediator
 * chooses; the mediator escrow pays the mediator. The fee comes out of
 * what is paid, shared in proportion; an output below the dust limit is
 * left to the fee, and the plan says so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-escrow-status.h"
#include "rein-market.h"

G_BEGIN_DECLS

typedef enum
{
  REIN_PAYOUT_ACCEPT, /* the creator accepts the delivery */
  REIN_PAYOUT_REFUND, /* the mediator gives the creator the money back */
  REIN_PAYOUT_AWARD,  /* the mediator gives the worker the money */
  REIN_PAYOUT_SPLIT,  /* the mediator splits it */
} ReinPayoutKind;

/* Where each party is paid: the "Payout address" its document names (the
 * creator's posting, the worker's delivery, the mediator's enrollment),
 * else the P2PKH address of its delegate key, in the identity's network. */
typedef struct
{
  gchar *creator;
  gchar *worker;
  gchar *mediator;
  /* TRUE when the address came from a "Payout address" field */
  gboolean creator_chosen;
  gboolean worker_chosen;
  gboolean mediator_chosen;
} ReinPayees;

void rein_payees_free (ReinPayees *payees);
ReinPayees *rein_payees_copy (const ReinPayees *payees);
/* Where each party is paid, from @job's documents
 * (rein_job_get_payout_address()). Fails when a "Payout address" is not
 * an address of the network, or a key makes none. */
ReinPayees *rein_payees_new (ReinJob *job, gboolean testnet, GError **error);

typedef struct
{
  ReinRole payee;
  gchar *address;
  gint64 amount; /* satoshis, after its share of the fee */
} ReinPayoutOutput;

typedef struct
{
  ReinPayoutKind kind;
  gboolean primary;         /* the primary escrow, else the mediator's */
  gchar *escrow_address;
  gchar *redeem_script_hex;
  GPtrArray *inputs;        /* ReinUtxo: every coin in the escrow */
  GPtrArray *outputs;       /* ReinPayoutOutput, in a fixed order: creator, worker, mediator */
  gint64 input_total;
  gint64 fee;
  gint64 fee_rate;          /* sat per 1000 vB asked for */
  guint vsize;              /* of the final transaction, signatures at their largest */
  gint64 dust_to_fee;       /* satoshis of outputs too small to make, left to the fee */
  gboolean fee_warning;     /* the fee is more than 5% of what is paid out */
} ReinPayoutPlan;

void rein_payout_plan_free (ReinPayoutPlan *plan);

/* Plans the payment out of one escrow (@primary or the mediator's) of
 * @status, which must have been looked up, for @kind; @worker_percent
 * (0 to 100) is the worker's share of a split. @fee_rate is in sat per
 * 1000 vB; a fee above @fee_cap satoshis (0: no cap) is refused. Fails
 * when the escrow holds nothing, or the fee would take everything. */
ReinPayoutPlan *rein_payout_plan_new (const ReinEscrowStatus *status,
                                      gboolean primary,
                                      const ReinPayees *payees,
                                      ReinPayoutKind kind,
                                      guint worker_percent,
                                      gint64 fee_rate,
                                      gint64 fee_cap,
                                      GError **error);

/* The largest virtual size of a legacy transaction spending @n_inputs
 * coins of the primary (2-of-3) or mediator (mandatory) escrow to
 * @n_outputs P2PKH or P2SH outputs. */
guint rein_payout_estimate_vsize (gboolean primary, guint n_inputs, guint n_outputs);

/* The least an escrow must hold to be paid out at all: one coin paid to
 * one output at the lowest fee rate relayed (1 sat/vB), leaving that
 * output at the dust limit. Less, and no payout can be made of it; at
 * busier times the fee takes more. */
gint64 rein_payout_least_payable (gboolean primary);

/* The unsigned payment of @plan as a BIP174 PSBT: every coin of the plan
 * as an input with its previous transaction (@prev_txs: GBytes, the raw
 * transaction of each input, in order) and the escrow's redeem script,
 * SIGHASH_ALL; the plan's outputs. Fails when a previous transaction is
 * not the one the coin names. */
ReinPsbt *rein_payout_plan_build_psbt (const ReinPayoutPlan *plan,
                                       GPtrArray *prev_txs,
                                       gboolean testnet,
                                       GError **error);

/* Checks a payment out of one escrow of @status before it is signed or
 * co-signed, whoever made it: what rein_payment_check_psbt() checks (each
 * input spends this escrow's P2SH output, with the previous transaction
 * and the redeem script; each output pays a party @kind may pay from this
 * escrow, at most once, not below the dust limit: accept and award the
 * worker, refund the creator, split both, the mediator escrow always the
 * mediator; the fee at most @fee_cap, or half of what is spent when
 * @fee_cap is 0), and, when @status was looked up, that every input is a
 * coin the escrow holds now. A split's proportion is the mediator's
 * choice: the co-signer reviews the amounts. Fails with
 * REIN_CLIENT_ERROR_REFUSED saying what differs. */
gboolean rein_payout_check_psbt (const ReinPsbt *psbt,
                                 const ReinEscrowStatus *status,
                                 gboolean primary,
                                 const ReinPayees *payees,
                                 ReinPayoutKind kind,
                                 gint64 fee_cap,
                                 GError **error);

/* A payment ready for review and signing: its plan and unsigned PSBT. */
typedef struct
{
  ReinPayoutPlan *plan;
  ReinPsbt *psbt;
} ReinPayment;

void rein_payment_free (ReinPayment *payment);

/* Prepares the payment out of one escrow of @status (looked up) for @kind:
 * the fee rate is @fee_rate (sat per 1000 vB) when not 0, else the
 * backend's estimate for confirmation within @fee_target blocks; then the
 * plan (rein_payout_plan_new()), the previous transaction of every coin
 * from the backend, and the unsigned PSBT. @status and @payees are
 * copied. */
void rein_payment_prepare_async (ReinChain *chain,
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
                                 gpointer user_data);
ReinPayment *rein_payment_prepare_finish (GAsyncResult *result, GError **error);

/* A spend of the identity's own address (the delegate's P2PKH address
 * payouts go to by default): every coin at @from_address to @to_address
 * (an address of the network), less the fee (@fee_rate sat per 1000 vB,
 * or the backend's estimate for @fee_target blocks when 0). The plan's
 * one output has payee REIN_ROLE_NONE. Fails when the address holds
 * nothing, or the fee would take it all. */
void rein_own_spend_prepare_async (ReinChain *chain,
                                   const gchar *from_address,
                                   const gchar *to_address,
                                   gboolean testnet,
                                   guint fee_target,
                                   gint64 fee_rate,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
ReinPayment *rein_own_spend_prepare_finish (GAsyncResult *result, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinPayment, rein_payment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinPayees, rein_payees_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinPayoutPlan, rein_payout_plan_free)

G_END_DECLS
