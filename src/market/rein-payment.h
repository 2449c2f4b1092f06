/* rein-payment.h: what a payment out of a job's escrow must look like
 *
 * An accept or a resolution carries one payment out of each escrow, signed
 * by its writer ("Signed primary payment", "Signed mediator payment"): a
 * BIP174 PSBT in base64, or raw transaction hex from older clients. These
 * checks need nothing but the payment and the job: every input spends the
 * escrow (its redeem script, and for a PSBT the previous transaction's
 * output), every output pays a party this payment may pay, at most once
 * and not below the dust limit, the writer signed every input, every
 * signature it carries is a valid one of a key of the script, it spends
 * at least what is due and the fee is within bounds. Whether the coins are still unspent is for the
 * chain backend to say (rein-payout.h, in the client).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-bitcoin.h"

G_BEGIN_DECLS

/* Outputs below this many satoshis are not relayed by nodes. */
#define REIN_DUST_LIMIT 546

typedef struct
{
  const gchar *who;       /* "the worker", for messages */
  const GByteArray *script; /* the scriptPubKey that pays them */
} ReinPaymentPayee;

/* What one payment must do. */
typedef struct
{
  const gchar *escrow_name;       /* "primary" or "mediator", for messages */
  const guint8 *redeem_script;    /* the escrow's */
  gsize redeem_script_len;
  const ReinPaymentPayee *payees; /* who it may pay */
  guint n_payees;
  const guint8 *signer;           /* a key that must have signed every input, or NULL */
  gsize signer_len;
  guint64 fee_cap;                /* satoshis; 0: at most half of what is spent */
  guint64 min_spent;              /* satoshis it must spend at least: what is due */
} ReinPaymentRules;

/* Checks @psbt against @rules. Errors: %REIN_MARKET_ERROR_INCONSISTENT,
 * saying what differs. */
gboolean rein_payment_check_psbt (const ReinPsbt *psbt,
                                  const ReinPaymentRules *rules,
                                  GError **error);

/* Checks a payment as a document carries it: a base64 PSBT (checked with
 * rein_payment_check_psbt()) or raw transaction hex, whose inputs must
 * carry the redeem script and the signer's signature in their scriptSig
 * (the fee of raw hex cannot be known: it is not checked). */
gboolean rein_payment_check_text (const gchar *text,
                                  const ReinPaymentRules *rules,
                                  GError **error);

G_END_DECLS
