/* rein-legacy-payment.h: the plain payment fields of python-rein 0.3
 *
 * python-rein 0.3 does not write PSBTs. Its documents describe each
 * payment out of an escrow in plain fields, and the reader rebuilds the
 * transaction from them:
 *
 *   "<Escrow> payment inputs"     txid-vout pairs, space-separated, in order
 *   "<Escrow> payment amount"     BTC, the one output
 *   "<Escrow> payment address"    where that output goes
 *   "<Escrow> payment signature"  one hex DER signature + "01" per input,
 *                                 by the document's writer (the worker in a
 *                                 delivery, the mediator in a resolution)
 *
 * A resolution's primary payment has two outputs, the worker's then the
 * creator's ("Primary worker/client payment amount/address"). An accept
 * repeats the delivery's fields and adds the creator's part: "Primary
 * payment txid", "Primary payment client signature" (one per input, the
 * creator's) and "Mediator payment client signature", the mediator payment
 * in hex with `OP_0 <creator sig> <redeem script>` in each scriptSig.
 *
 * The transaction they describe: version 1, lock time 0, the inputs in
 * the order written with sequence 0xffffffff, the outputs in the order
 * above; SIGHASH_ALL over the escrow's redeem script. Its fee is what the
 * inputs hold beyond the outputs (0.3 takes a fixed one).
 *
 * Everything here is parsed as untrusted: bounded, and refused with an
 * error saying which field is wrong.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-bitcoin.h"
#include "rein-document.h"

G_BEGIN_DECLS

#define REIN_LEGACY_LABEL_PRIMARY_INPUTS "Primary payment inputs"
#define REIN_LEGACY_LABEL_PRIMARY_AMOUNT "Primary payment amount"
#define REIN_LEGACY_LABEL_PRIMARY_ADDRESS "Primary payment address"
#define REIN_LEGACY_LABEL_PRIMARY_SIGNATURE "Primary payment signature"
#define REIN_LEGACY_LABEL_PRIMARY_TXID "Primary payment txid"
#define REIN_LEGACY_LABEL_PRIMARY_CLIENT_SIGNATURE "Primary payment client signature"
#define REIN_LEGACY_LABEL_PRIMARY_WORKER_AMOUNT "Primary worker payment amount"
#define REIN_LEGACY_LABEL_PRIMARY_WORKER_ADDRESS "Primary worker payment address"
#define REIN_LEGACY_LABEL_PRIMARY_CLIENT_AMOUNT "Primary client payment amount"
#define REIN_LEGACY_LABEL_PRIMARY_CLIENT_ADDRESS "Primary client payment address"
#define REIN_LEGACY_LABEL_MEDIATOR_INPUTS "Mediator payment inputs"
#define REIN_LEGACY_LABEL_MEDIATOR_AMOUNT "Mediator payment amount"
#define REIN_LEGACY_LABEL_MEDIATOR_ADDRESS "Mediator payment address"
#define REIN_LEGACY_LABEL_MEDIATOR_SIGNATURE "Mediator payment signature"
#define REIN_LEGACY_LABEL_MEDIATOR_CLIENT_SIGNATURE "Mediator payment client signature"

/* Inputs a payment may list: an escrow is paid in by one or a few
 * deposits, and every input listed costs a lookup of its whole previous
 * transaction before the payment can be checked, so a document may not
 * ask for more than this many. */
#define REIN_LEGACY_MAX_INPUTS 16

/* The transaction python-rein 0.3 builds. */
#define REIN_LEGACY_TX_VERSION 1
#define REIN_LEGACY_SEQUENCE 0xffffffff

typedef struct
{
  gboolean primary;
  ReinTx *tx;                   /* unsigned, as the fields describe it */
  GPtrArray *signatures;        /* GBytes (DER + sighash byte) per input, or NULL */
  GPtrArray *client_signatures; /* the creator's in an accept, per input, or NULL */
  gchar *txid;                  /* "Primary payment txid", or NULL */
} ReinLegacyPayment;

void rein_legacy_payment_free (ReinLegacyPayment *payment);

/* Whether @doc carries the plain fields of payment @primary. */
gboolean rein_legacy_payment_present (ReinDocument *doc, gboolean primary);

/* Reads payment @primary of @doc (a delivery, an accept or a resolution).
 * Returns NULL without setting @error when @doc has no such fields; with
 * %REIN_MARKET_ERROR_INCONSISTENT naming the field when one is malformed
 * or missing, or when the mediator payment of an accept is not the
 * transaction its fields describe. */
ReinLegacyPayment *rein_legacy_payment_read (ReinDocument *doc, gboolean primary, GError **error);

/* What a python-rein 0.3 payment's fee may take of what is due when its
 * inputs' values are not known (a reader of the market has no chain): the
 * larger of 0.3's own fixed fee (0.001 BTC) and 5% of what is due (where
 * the payout review warns), never more than half of it. */
#define REIN_LEGACY_FEE_ALLOWANCE G_GUINT64_CONSTANT (100000)
guint64 rein_legacy_fee_allowance (guint64 due);

/* Whether @tx, a payment whose inputs' values are not known (0.3's
 * fields, or raw transaction hex from older clients), has outputs worth
 * at least @due satoshis less rein_legacy_fee_allowance(). Errors:
 * %REIN_MARKET_ERROR_INCONSISTENT, "the @what payment pays ...". */
gboolean rein_legacy_check_paid (const ReinTx *tx,
                                 guint64 due,
                                 const gchar *what,
                                 GError **error);

/* Whether @payment pays what it must: when @described (the payment a
 * 0.3 delivery's fields describe, which its worker signed) is given,
 * exactly that transaction; otherwise outputs worth at least @due
 * satoshis less rein_legacy_fee_allowance(). Who each output pays is for
 * rein_payment_check_text(). Errors: %REIN_MARKET_ERROR_INCONSISTENT,
 * naming @escrow_name ("primary" or "mediator") and what differs. */
gboolean rein_legacy_payment_check_due (const ReinLegacyPayment *payment,
                                        const ReinLegacyPayment *described,
                                        guint64 due,
                                        const gchar *escrow_name,
                                        GError **error);

/* The transaction with `OP_0 <signatures> <client signatures> <@redeem>`
 * in each scriptSig, in hex: what rein_payment_check_text() checks. */
gchar *rein_legacy_payment_to_hex (const ReinLegacyPayment *payment,
                                   const guint8 *redeem,
                                   gsize redeem_len);

/* A PSBT of @payment: @prev_txs (ReinTx, one per input, in order) as the
 * inputs' previous transactions, @redeem as their redeem script,
 * SIGHASH_ALL, and the signatures as partial signatures of
 * @signer_key_hex and @client_key_hex (NULL when it has none). The
 * signatures are not verified here: rein_payment_check_psbt() does. */
ReinPsbt *rein_legacy_payment_to_psbt (const ReinLegacyPayment *payment,
                                       GPtrArray *prev_txs,
                                       const guint8 *redeem,
                                       gsize redeem_len,
                                       const gchar *signer_key_hex,
                                       const gchar *client_key_hex,
                                       GError **error);

/* ---- writing ---- */

/* "txid-vout txid-vout" of @tx's inputs. */
gchar *rein_legacy_format_inputs (const ReinTx *tx);
/* 8 decimals, as 0.3 writes them: "0.00990000". */
gchar *rein_legacy_format_amount (guint64 satoshis);
/* The address an output script pays, in @network; NULL when it is none. */
gchar *rein_legacy_format_address (const GByteArray *script, ReinNetwork network);
/* Space-separated hex of GBytes signatures. */
gchar *rein_legacy_format_signatures (GPtrArray *signatures);
/* The signatures of @key (33 or 65 bytes) on every input of @psbt, in
 * order; NULL when an input has none. */
GPtrArray *rein_legacy_signatures_of (const ReinPsbt *psbt, const guint8 *key, gsize key_len);

/* The transaction 0.3 rebuilds from fields describing @tx's inputs and
 * @outputs (ReinTxOut, in the order written). */
ReinTx *rein_legacy_tx_new (const ReinTx *tx, GPtrArray *outputs);
/* Signs every input of @tx over @redeem with @key: GBytes (DER + 01). */
GPtrArray *rein_legacy_sign (const ReinTx *tx,
                             const guint8 *redeem,
                             gsize redeem_len,
                             const ReinPrivateKey *key,
                             GError **error);
/* @tx with `OP_0 <sig> <redeem>` in input i's scriptSig, sig being
 * @signatures[i]: a mediator payment that waits for the mediator. */
gchar *rein_legacy_partial_hex (const ReinTx *tx,
                                GPtrArray *signatures,
                                const guint8 *redeem,
                                gsize redeem_len);

/* Appends "\n@label: @value" to @text. */
void rein_legacy_add_field (GString *text, const gchar *label, const gchar *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinLegacyPayment, rein_legacy_payment_free)

G_END_DECLS
