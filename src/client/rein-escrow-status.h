/* rein-escrow-status.h: where the money of an awarded job is
 *
 * The terms come from the job's offer, as every reader validated it: the
 * bid amount is due in the primary escrow and the mediator's fee (the
 * posting's percentage of it) in the mediator escrow. The addresses are
 * recomputed from the job's three keys for the identity's network (old
 * testnet documents wrote mainnet-form addresses; the script is what
 * counts). What is there comes from the chain backend.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-chain.h"
#include "rein-market.h"

G_BEGIN_DECLS

typedef enum
{
  REIN_FUNDING_UNFUNDED,    /* nothing has been paid in */
  REIN_FUNDING_PARTLY,      /* less than is due, counting unconfirmed coins */
  REIN_FUNDING_UNCONFIRMED, /* enough, but not all of it confirmed */
  REIN_FUNDING_FUNDED,      /* enough, confirmed */
} ReinFunding;

#define REIN_TYPE_FUNDING (rein_funding_get_type ())
GType rein_funding_get_type (void);

/* "unfunded", "partly funded", "funded, unconfirmed", "funded" */
const gchar *rein_funding_to_string (ReinFunding funding);

/* The two escrows of a job. */
typedef enum
{
  REIN_ESCROW_PRIMARY,  /* the bid amount */
  REIN_ESCROW_MEDIATOR, /* the mediator's fee */
} ReinEscrowKind;

#define REIN_TYPE_ESCROW_KIND (rein_escrow_kind_get_type ())
GType rein_escrow_kind_get_type (void);

typedef struct
{
  gchar *address;           /* P2SH, in the identity's network */
  gchar *redeem_script_hex;
  gboolean document_agrees; /* the offer's own address and script are these */
  gint64 due;               /* satoshis */
  gint64 confirmed;         /* satoshis in confirmed coins */
  gint64 unconfirmed;       /* satoshis in coins not yet mined */
  guint confirmations;      /* of the least confirmed of the deepest confirmed coins
                             * that together make what is due (of all confirmed
                             * coins when they do not), 0 when none is confirmed */
  GPtrArray *coins;         /* ReinUtxo, empty before a lookup */
} ReinEscrowAccount;

typedef struct
{
  gchar *job_id;
  gboolean testnet;
  gint64 bid_amount;        /* satoshis */
  gchar *mediator_fee;      /* as the posting says it, "1.0%" */
  ReinEscrowAccount primary;
  ReinEscrowAccount mediator;
  gboolean looked_up;       /* the chain was asked */
  guint32 tip_height;       /* when looked up */
} ReinEscrowStatus;

void rein_escrow_status_free (ReinEscrowStatus *status);
ReinEscrowStatus *rein_escrow_status_copy (const ReinEscrowStatus *status);

/* The terms of @job's escrow (nothing looked up yet). Fails with
 * REIN_CLIENT_ERROR_REFUSED when the job has no valid offer (no escrow
 * yet), REIN_CLIENT_ERROR_INVALID_DOCUMENT when its amounts or keys do not
 * make one. */
ReinEscrowStatus *rein_escrow_status_new (ReinJob *job, gboolean testnet, GError **error);

/* How far @account is funded. */
ReinFunding rein_escrow_account_get_funding (const ReinEscrowAccount *account);
/* The same, where funded takes @required confirmations (at least 1):
 * enough money with fewer is REIN_FUNDING_UNCONFIRMED. */
ReinFunding rein_escrow_account_get_funding_for (const ReinEscrowAccount *account,
                                                 guint required);
/* Satoshis still to pay in (0 when enough is there, confirmed or not). */
gint64 rein_escrow_account_get_missing (const ReinEscrowAccount *account);
/* @status's account of @kind. */
ReinEscrowAccount *rein_escrow_status_get_account (ReinEscrowStatus *status, ReinEscrowKind kind);

/* The terms of @job, and what the backend says is in both addresses and
 * the tip's height (three requests at once). */
void rein_escrow_status_lookup_async (ReinChain *chain,
                                      ReinJob *job,
                                      gboolean testnet,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
ReinEscrowStatus *rein_escrow_status_lookup_finish (GAsyncResult *result, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinEscrowStatus, rein_escrow_status_free)

G_END_DECLS
