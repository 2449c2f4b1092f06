/* rein-labels.h: the labels of Rein document fields, current and old
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Enrollment */
#define REIN_LABEL_USER "User"
#define REIN_LABEL_CONTACT "Contact"
#define REIN_LABEL_MASTER_ADDRESS "Master signing address"
#define REIN_LABEL_SIN "Secure Identity Number"
#define REIN_LABEL_DELEGATE_ADDRESS "Delegate signing address"
#define REIN_LABEL_WILLING_TO_MEDIATE "Willing to mediate"
#define REIN_LABEL_TESTNET "Testnet"

/* Shared by several types */
#define REIN_LABEL_MEDIATOR_PUBLIC_KEY "Mediator public key"
#define REIN_LABEL_MEDIATOR_FEE "Mediator fee"
#define REIN_LABEL_JOB_NAME "Job name"
#define REIN_LABEL_JOB_ID "Job ID"
#define REIN_LABEL_CATEGORY "Category"
/* python-rein 0.3 job postings carry "Tags" instead of "Category". */
#define REIN_LABEL_TAGS "Tags"
#define REIN_LABEL_DESCRIPTION "Description"
#define REIN_LABEL_MEDIATOR "Mediator"
#define REIN_LABEL_MEDIATOR_CONTACT "Mediator contact"
#define REIN_LABEL_MEDIATOR_MASTER_ADDRESS "Mediator master address"
#define REIN_LABEL_JOB_CREATOR "Job creator"
#define REIN_LABEL_JOB_CREATOR_CONTACT "Job creator contact"
#define REIN_LABEL_JOB_CREATOR_PUBLIC_KEY "Job creator public key"
#define REIN_LABEL_JOB_CREATOR_MASTER_ADDRESS "Job creator master address"
#define REIN_LABEL_WORKER "Worker"
#define REIN_LABEL_WORKER_CONTACT "Worker contact"
#define REIN_LABEL_WORKER_MASTER_ADDRESS "Worker master address"
#define REIN_LABEL_WORKER_PUBLIC_KEY "Worker public key"
#define REIN_LABEL_BID_AMOUNT "Bid amount (BTC)"
#define REIN_LABEL_PRIMARY_ESCROW_ADDRESS "Primary escrow address"
#define REIN_LABEL_MEDIATOR_ESCROW_ADDRESS "Mediator escrow address"
#define REIN_LABEL_PRIMARY_REDEEM_SCRIPT "Primary escrow redeem script"
#define REIN_LABEL_MEDIATOR_REDEEM_SCRIPT "Mediator escrow redeem script"
#define REIN_LABEL_DELIVERABLES "Deliverables"
#define REIN_LABEL_SIGNED_PRIMARY_PAYMENT "Signed primary payment"
#define REIN_LABEL_SIGNED_MEDIATOR_PAYMENT "Signed mediator payment"
#define REIN_LABEL_DISPUTE_DETAIL "Dispute detail"
#define REIN_LABEL_RESOLUTION "Resolution"
/* Optional in a posting, a delivery and an enrollment: where that party is
 * paid (default: its delegate P2PKH address). */
#define REIN_LABEL_PAYOUT_ADDRESS "Payout address"

/* All names of a current label, current name first, then the names older
 * documents used (NULL-terminated, static). NULL when @label has no older
 * names. */
const gchar *const *rein_label_aliases (const gchar *label);

/* The current name of @label ("Mediator pubkey" -> "Mediator public key"),
 * or @label itself when it has no other name. */
const gchar *rein_label_canonical (const gchar *label);

G_END_DECLS
