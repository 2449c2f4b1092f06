/* rein-cli-payment.h: payments out of a job's escrows, for accept,
 * resolve and payout
 *
 * Every payment is built (or read from a file), checked against the job
 * (rein_payout_check_psbt()), shown for review (every input and output in
 * BTC and satoshis, who is paid, the fee and its rate) and confirmed
 * before it is signed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-cli-context.h"
#include "rein-payout.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean yes;        /* sign without asking */
  gint fee_target;     /* confirmation within this many blocks */
  gchar *fee_rate;     /* sat/vB, instead of the backend's estimate */
  gchar *fee_cap;      /* satoshis a payment's fee may not exceed */
  gboolean allow_unconfirmed; /* build from coins not yet mined */
  gchar *primary_file; /* payments made elsewhere */
  gchar *mediator_file;
} ReinCliPayOptions;

void rein_cli_pay_options_clear (ReinCliPayOptions *options);
/* Options --yes and --fee-cap, and when @building --fee-target,
 * --fee-rate, --allow-unconfirmed, --primary-payment-file and
 * --mediator-payment-file, appended to @entries (a GArray of
 * GOptionEntry). */
void rein_cli_pay_options_add_entries (ReinCliPayOptions *options,
                                       gboolean building,
                                       GArray *entries);

/* The two payments of an accept or a resolution, as they go from building
 * to signing. */
typedef struct _ReinCliPayments ReinCliPayments;

void rein_cli_payments_free (ReinCliPayments *payments);

/* Builds both payments of @kind for @job (the escrows' coins from the
 * chain backend, the fee from its estimate or @options), or reads them
 * from @options' files; checks them. */
ReinCliPayments *rein_cli_payments_prepare (ReinStore *store,
                                            ReinIdentity *identity,
                                            ReinJob *job,
                                            ReinPayoutKind kind,
                                            guint worker_percent,
                                            const ReinCliPayOptions *options,
                                            GError **error);
/* Prints both for review and asks whether to sign (unless @options says
 * --yes). FALSE with an error when the user says no or cannot be asked. */
gboolean rein_cli_payments_confirm (ReinCliPayments *payments,
                                    ReinCliForm *form,
                                    const ReinCliPayOptions *options,
                                    GError **error);
/* Adds @delegate's signature to every input of both. */
gboolean rein_cli_payments_sign (ReinCliPayments *payments,
                                 const ReinPrivateKey *delegate,
                                 GError **error);
/* Keeps a record of both as signed (rein_store_set_payout()), once the
 * document that carries them is published. */
void rein_cli_payments_record (ReinCliPayments *payments);
/* The signed payments, base64, for the document. */
gchar *rein_cli_payments_get_base64 (ReinCliPayments *payments, gboolean primary);
/* @text with the payments in python-rein 0.3's plain fields after its own. */
gchar *rein_cli_payments_add_legacy_fields (ReinCliPayments *payments, const gchar *text);
/* The delivery @text with the payment fields a python-rein 0.3 creator
 * needs to accept it, signed with @delegate, when the escrows can be read
 * and are funded (else @text, with a warning saying why). */
gchar *rein_cli_add_legacy_delivery_fields (ReinStore *store,
                                            ReinIdentity *identity,
                                            ReinJob *job,
                                            const ReinPrivateKey *delegate,
                                            const gchar *text);

/* Asks "Sign the payments" (from @form, else on the terminal) unless
 * @yes; FALSE with an error when the answer is not yes or nobody can be
 * asked. */
gboolean rein_cli_ask_to_sign (ReinCliForm *form,
                               gboolean yes,
                               const gchar *question,
                               GError **error);
/* Prints @psbt's inputs, outputs and fee on stderr, for review. */
void rein_cli_psbt_review (const ReinPsbt *psbt, ReinNetwork network);

/* rein-cli payout: the co-signer's side (rein-cli-market.c runs it). */
int rein_cli_payout (ReinStore *store,
                     ReinSession *session,
                     ReinIdentity *identity,
                     ReinCliForm *form,
                     ReinJob *job,
                     gboolean broadcast,
                     const ReinCliPayOptions *options);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinCliPayments, rein_cli_payments_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ReinCliPayOptions, rein_cli_pay_options_clear)

G_END_DECLS
