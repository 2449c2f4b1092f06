/* rein-document-builder.h: writing the nine Rein document types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every builder returns the document text (title and fields in the order of
 * PROTOCOL.md section 2, no trailing newline), unsigned, so that it can be
 * shown, signed outside the app (an imported identity's enrollment), or
 * signed here with rein_document_sign() / rein_document_new_signed().
 *
 * Documents written one step after another in a job take the previous
 * document and copy its bracketed fields, reading old label names too.
 * Builders check what they are given: missing values fail with
 * REIN_MARKET_ERROR_MISSING_FIELD, bad ones (an invalid public key or
 * address, a value on the wrong network, a newline in a one-line value)
 * with REIN_MARKET_ERROR_INVALID_VALUE, a previous document of a type that
 * the step may not follow with REIN_MARKET_ERROR_INCONSISTENT.
 */
#pragma once

#include "rein-document.h"
#include "rein-labels.h"

G_BEGIN_DECLS

#define REIN_JOB_ID_LEN 20

/* A new job ID: 20 characters of [a-z0-9] from the CSPRNG, uniform. */
gchar *rein_job_id_generate (void);
/* TRUE for exactly 20 characters of [a-z0-9]. */
gboolean rein_job_id_is_valid (const gchar *job_id);

/* The Secure Identity Number of a master address: base58check of
 * 0x0F 0x02 + RIPEMD-160(SHA-256(address as ASCII)). */
gchar *rein_sin_from_address (const gchar *master_address);

/* "1.0%" for 1.0, "0.5%" for 0.5, "2.25%" for 2.25 (as Python's str(float)
 * followed by "%"). NULL outside 0..100. */
gchar *rein_mediator_fee_format (gdouble percent);

/* ---- Enrollment ---- */

typedef struct
{
  const gchar *user;
  const gchar *contact;
  const gchar *master_address;       /* P2PKH on @testnet's network */
  const gchar *delegate_address;     /* P2PKH on @testnet's network */
  gboolean willing_to_mediate;
  /* Only for mediators: */
  const gchar *delegate_public_key;  /* compressed hex of the delegate key */
  gdouble mediator_fee_percent;      /* 0..100 */
  gboolean testnet;
} ReinEnrollmentParams;

/* User, Contact, Master signing address, Secure Identity Number (computed),
 * Delegate signing address, Willing to mediate, then for mediators
 * Mediator public key (checked against the delegate address) and Mediator
 * fee, then on testnet "Testnet: True". */
gchar *rein_document_build_enrollment (const ReinEnrollmentParams *params, GError **error);

/* ---- Job posting ---- */

typedef struct
{
  const gchar *job_name;
  const gchar *job_id;            /* NULL: a new one is generated */
  const gchar *category;
  const gchar *description;       /* may hold several lines */
  const gchar *mediator;
  const gchar *mediator_contact;
  const gchar *mediator_fee;      /* as the mediator's enrollment says, e.g. "1.0%" */
  const gchar *mediator_public_key;
  const gchar *mediator_master_address;
  const gchar *creator;
  const gchar *creator_contact;
  const gchar *creator_public_key;
  const gchar *creator_master_address;
} ReinJobParams;

/* Fills the five mediator members of @params from a mediator's enrollment
 * (which must be one, say "Willing to mediate: True" and carry a public
 * key). The pointers stay owned by @enrollment. Does not verify it. */
gboolean rein_job_params_set_mediator (ReinJobParams *params,
                                       ReinDocument *enrollment,
                                       GError **error);

gchar *rein_document_build_job_posting (const ReinJobParams *params, GError **error);

/* ---- Bid: the worker answers a job posting ---- */

typedef struct
{
  const gchar *worker;
  const gchar *worker_contact;
  const gchar *worker_master_address;
  const gchar *worker_public_key;  /* compressed hex of the worker's delegate key */
  const gchar *description;        /* may hold several lines */
  const gchar *bid_amount;         /* BTC, e.g. "0.05": digits, at most 8 decimals, > 0 */
} ReinBidParams;

/* Copies Job name, Job ID, Job creator, Job creator public key and Mediator
 * public key from @job (a job posting), and computes both escrow addresses
 * and redeem scripts from the three keys with rein_escrow_new() on
 * @network. */
gchar *rein_document_build_bid (ReinDocument *job,
                                const ReinBidParams *params,
                                ReinNetwork network,
                                GError **error);

/* ---- Offer: the creator awards a bid ---- */

/* Copies the bid's fields. The escrow is recomputed from the bid's keys
 * and must match what the bid says (REIN_MARKET_ERROR_INCONSISTENT); a bid
 * of an old client without escrow fields gets the computed ones. */
gchar *rein_document_build_offer (ReinDocument *bid, ReinNetwork network, GError **error);

/* ---- Delivery: the worker delivers on an offer ---- */

gchar *rein_document_build_delivery (ReinDocument *offer,
                                     const gchar *deliverables,
                                     GError **error);

/* ---- Accept: the creator accepts a delivery ----
 * The payments are PSBTs in base64 (or raw transaction hex). */
gchar *rein_document_build_accept (ReinDocument *delivery,
                                   const gchar *signed_primary_payment,
                                   const gchar *signed_mediator_payment,
                                   GError **error);

/* ---- Disputes ----
 * @type is REIN_DOCUMENT_TYPE_CREATOR_DISPUTE (after an offer or a
 * delivery) or REIN_DOCUMENT_TYPE_WORKER_DISPUTE (after an offer, a delivery
 * or an accept). */
gchar *rein_document_build_dispute (ReinDocument *previous,
                                    ReinDocumentType type,
                                    const gchar *dispute_detail,
                                    GError **error);

/* ---- Resolution: the mediator settles a dispute ---- */

gchar *rein_document_build_resolution (ReinDocument *dispute,
                                       const gchar *resolution,
                                       const gchar *signed_primary_payment,
                                       const gchar *signed_mediator_payment,
                                       GError **error);

/* ---- Signing ---- */

/* Signs @text with the key its type calls for: an enrollment with @master,
 * every other document with @delegate. The key not needed may be NULL. */
ReinDocument *rein_document_sign (const gchar *text,
                                  const ReinPrivateKey *master,
                                  const ReinPrivateKey *delegate,
                                  ReinNetwork network,
                                  GError **error);

G_END_DECLS
