/* rein-document-builder.c: writing the nine Rein document types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "rein-document-builder.h"
#include "rein-market-private.h"

/* ---- Job IDs, SINs, fees ---- */

#define JOB_ID_ALPHABET "abcdefghijklmnopqrstuvwxyz0123456789"

gchar *
rein_job_id_generate (void)
{
  /* 36 divides 252: bytes from 252 up are thrown away so that every
   * character is equally likely. */
  const guint alphabet_len = sizeof JOB_ID_ALPHABET - 1;
  const guint limit = 256 - 256 % alphabet_len;
  gchar *id = g_malloc (REIN_JOB_ID_LEN + 1);
  guint n = 0;

  while (n < REIN_JOB_ID_LEN)
    {
      guint8 bytes[32];

      rein_random_bytes (bytes, sizeof bytes);
      for (guint i = 0; i < sizeof bytes && n < REIN_JOB_ID_LEN; i++)
        if (bytes[i] < limit)
          id[n++] = JOB_ID_ALPHABET[bytes[i] % alphabet_len];
      rein_memwipe (bytes, sizeof bytes);
    }
  id[n] = '\0';

  return id;
}

gboolean
rein_job_id_is_valid (const gchar *job_id)
{
  gsize i;

  if (job_id == NULL)
    return FALSE;

  for (i = 0; job_id[i] != '\0'; i++)
    if (i >= REIN_JOB_ID_LEN || !((job_id[i] >= 'a' && job_id[i] <= 'z')
                                  || (job_id[i] >= '0' && job_id[i] <= '9')))
      return FALSE;

  return i == REIN_JOB_ID_LEN;
}

gchar *
rein_sin_from_address (const gchar *master_address)
{
  guint8 payload[2 + REIN_HASH160_LEN] = { 0x0f, 0x02 };

  g_return_val_if_fail (master_address != NULL, NULL);

  rein_hash160 (master_address, strlen (master_address), payload + 2);
  return rein_base58check_encode (payload, sizeof payload);
}

gchar *
rein_mediator_fee_format (gdouble percent)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (percent) || percent < 0.0 || percent > 100.0)
    return NULL;

  /* The shortest decimal with at least one fractional digit that reads
   * back as the same double: what Python's str() printed for python-rein
   * ("1.0", "2.25"). Between 0 and 100 Python never uses an exponent. */
  for (guint places = 1; places <= 24; places++)
    {
      gchar format[8];

      g_snprintf (format, sizeof format, "%%.%uf", places);
      g_ascii_formatd (buf, sizeof buf, format, percent);
      if (g_ascii_strtod (buf, NULL) == percent)
        break;
    }

  return g_strconcat (buf, "%", NULL);
}

/* ---- Checks of builder values ---- */

static gboolean
is_blank (const gchar *value)
{
  if (value == NULL)
    return TRUE;
  for (const gchar *p = value; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

static gboolean
require_text (const gchar *value,
              const gchar *label,
              gboolean multiline,
              GError **error)
{
  if (is_blank (value))
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MISSING_FIELD,
                   "%s is required", label);
      return FALSE;
    }

  if (multiline)
    {
      g_autofree gchar *escaped = rein_field_escape (value);

      if (!_rein_is_one_line (escaped))
        {
          g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                       "%s holds control characters or invalid UTF-8", label);
          return FALSE;
        }
    }
  else if (!_rein_is_one_line (value))
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                   "%s must be one line of text", label);
      return FALSE;
    }

  return TRUE;
}

/* A compressed public key as hex; returns it in lowercase. */
static gchar *
require_public_key (const gchar *hex,
                    const gchar *label,
                    GError **error)
{
  guint8 key[65];
  gsize key_len = 0;

  if (is_blank (hex))
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MISSING_FIELD,
                   "%s is required", label);
      return NULL;
    }
  if (strlen (hex) != 2 * REIN_PUBKEY_COMPRESSED_LEN
      || !rein_public_key_parse_hex (hex, key, &key_len, NULL)
      || key_len != REIN_PUBKEY_COMPRESSED_LEN)
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                   "%s is not a compressed public key", label);
      return NULL;
    }

  return g_ascii_strdown (hex, -1);
}

/* A P2PKH address; on @network unless @network is NULL. */
static gboolean
require_address (const gchar *address,
                 const gchar *label,
                 const ReinNetwork *network,
                 GError **error)
{
  ReinNetwork address_network;
  ReinAddressType type;

  if (is_blank (address))
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MISSING_FIELD,
                   "%s is required", label);
      return FALSE;
    }
  if (!rein_address_validate (address, &address_network, &type, NULL, NULL)
      || type != REIN_ADDRESS_P2PKH)
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                   "%s is not a valid P2PKH address", label);
      return FALSE;
    }
  if (network != NULL && address_network != *network)
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                   "%s is a %s address, expected %s", label,
                   address_network == REIN_NETWORK_TESTNET ? "testnet" : "mainnet",
                   *network == REIN_NETWORK_TESTNET ? "testnet" : "mainnet");
      return FALSE;
    }
  return TRUE;
}

/* BTC amounts: digits, an optional point with 1..8 decimals, above zero,
 * not above 21 million. */
static gboolean
require_amount (const gchar *amount,
                GError **error)
{
  const gchar *p = amount;
  guint int_digits = 0;
  guint decimals = 0;
  gboolean nonzero = FALSE;

  if (is_blank (amount))
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MISSING_FIELD,
                           REIN_LABEL_BID_AMOUNT " is required");
      return FALSE;
    }

  for (; g_ascii_isdigit (*p); p++, int_digits++)
    nonzero |= *p != '0';
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++, decimals++)
      nonzero |= *p != '0';

  if (*p != '\0' || int_digits == 0 || int_digits > 8 || decimals > 8
      || (strchr (amount, '.') != NULL && decimals == 0) || !nonzero
      || g_ascii_strtod (amount, NULL) > 21e6)
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                   "“%s” is not an amount in BTC (e.g. 0.05)", amount);
      return FALSE;
    }

  return TRUE;
}

/* Signed payments: a PSBT in base64 or a raw transaction in hex. */
static gboolean
require_payment (const gchar *payment,
                 const gchar *label,
                 GError **error)
{
  if (is_blank (payment))
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MISSING_FIELD,
                   "%s is required", label);
      return FALSE;
    }
  for (const gchar *p = payment; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      {
        g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                     "%s is neither base64 nor hex", label);
        return FALSE;
      }
  return TRUE;
}

/* A value copied from the previous document of the job. */
static const gchar *
copy_from (ReinDocument *previous,
           const gchar *label,
           GError **error)
{
  const gchar *value = rein_document_lookup (previous, label);

  if (is_blank (value))
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MISSING_FIELD,
                   "The %s has no %s", rein_document_type_to_name (
                     rein_document_get_document_type (previous)), label);
      return NULL;
    }
  return value;
}

static gboolean
require_previous (ReinDocument *previous,
                  ReinDocumentType step,
                  const ReinDocumentType *allowed,
                  guint n_allowed,
                  GError **error)
{
  ReinDocumentType type = rein_document_get_document_type (previous);

  for (guint i = 0; i < n_allowed; i++)
    if (type == allowed[i])
      return TRUE;

  g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
               "A %s cannot follow a %s", rein_document_type_to_name (step),
               rein_document_type_to_name (type));
  return FALSE;
}

/* Copies the @labels (NULL-terminated) from @previous into @fields. */
static gboolean
copy_fields (GPtrArray *fields,
             ReinDocument *previous,
             const gchar *const *labels,
             GError **error)
{
  for (guint i = 0; labels[i] != NULL; i++)
    {
      const gchar *value = copy_from (previous, labels[i], error);

      if (value == NULL)
        return FALSE;
      rein_fields_add (fields, labels[i], value);
    }
  return TRUE;
}

static gchar *
finish (ReinDocumentType type,
        GPtrArray *fields,
        GError **error)
{
  return rein_document_text_build (rein_document_type_to_title (type), fields, error);
}

/* ---- Enrollment ---- */

gchar *
rein_document_build_enrollment (const ReinEnrollmentParams *params,
                                GError **error)
{
  g_autoptr(GPtrArray) fields = NULL;
  g_autofree gchar *sin = NULL;
  ReinNetwork network;

  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  network = params->testnet ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET;

  if (!require_text (params->user, REIN_LABEL_USER, FALSE, error)
      || !require_text (params->contact, REIN_LABEL_CONTACT, FALSE, error)
      || !require_address (params->master_address, REIN_LABEL_MASTER_ADDRESS, &network, error)
      || !require_address (params->delegate_address, REIN_LABEL_DELEGATE_ADDRESS, &network,
                           error))
    return NULL;

  sin = rein_sin_from_address (params->master_address);

  fields = rein_fields_new ();
  rein_fields_add (fields, REIN_LABEL_USER, params->user);
  rein_fields_add (fields, REIN_LABEL_CONTACT, params->contact);
  rein_fields_add (fields, REIN_LABEL_MASTER_ADDRESS, params->master_address);
  rein_fields_add (fields, REIN_LABEL_SIN, sin);
  rein_fields_add (fields, REIN_LABEL_DELEGATE_ADDRESS, params->delegate_address);
  rein_fields_add (fields, REIN_LABEL_WILLING_TO_MEDIATE,
                   params->willing_to_mediate ? "True" : "False");

  if (params->willing_to_mediate)
    {
      g_autofree gchar *public_key = NULL;
      g_autofree gchar *fee = NULL;

      public_key = require_public_key (params->delegate_public_key,
                                       REIN_LABEL_MEDIATOR_PUBLIC_KEY, error);
      if (public_key == NULL)
        return NULL;

      /* The mediator key must be the delegate's. */
      if (!rein_same_key (public_key, params->delegate_address))
        {
          g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                               "The mediator public key is not the delegate signing "
                               "address's key");
          return NULL;
        }

      fee = rein_mediator_fee_format (params->mediator_fee_percent);
      if (fee == NULL)
        {
          g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                               "The mediator fee must be between 0 and 100 percent");
          return NULL;
        }

      rein_fields_add (fields, REIN_LABEL_MEDIATOR_PUBLIC_KEY, public_key);
      rein_fields_add (fields, REIN_LABEL_MEDIATOR_FEE, fee);
    }

  if (params->testnet)
    rein_fields_add (fields, REIN_LABEL_TESTNET, "True");

  return finish (REIN_DOCUMENT_TYPE_ENROLLMENT, fields, error);
}

/* ---- Job posting ---- */

gboolean
rein_job_params_set_mediator (ReinJobParams *params,
                              ReinDocument *enrollment,
                              GError **error)
{
  const gchar *name;
  const gchar *contact;
  const gchar *fee;
  const gchar *public_key;
  const gchar *master;
  const gchar *willing;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (REIN_IS_DOCUMENT (enrollment), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (rein_document_get_document_type (enrollment) != REIN_DOCUMENT_TYPE_ENROLLMENT)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
                           "A mediator is chosen from an enrollment");
      return FALSE;
    }

  willing = rein_document_lookup (enrollment, REIN_LABEL_WILLING_TO_MEDIATE);
  if (g_strcmp0 (willing, "True") != 0)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                           "This user is not willing to mediate");
      return FALSE;
    }

  if ((name = copy_from (enrollment, REIN_LABEL_USER, error)) == NULL
      || (contact = copy_from (enrollment, REIN_LABEL_CONTACT, error)) == NULL
      || (fee = copy_from (enrollment, REIN_LABEL_MEDIATOR_FEE, error)) == NULL
      || (public_key = copy_from (enrollment, REIN_LABEL_MEDIATOR_PUBLIC_KEY, error)) == NULL
      || (master = copy_from (enrollment, REIN_LABEL_MASTER_ADDRESS, error)) == NULL)
    return FALSE;

  params->mediator = name;
  params->mediator_contact = contact;
  params->mediator_fee = fee;
  params->mediator_public_key = public_key;
  params->mediator_master_address = master;
  return TRUE;
}

gchar *
rein_document_build_job_posting (const ReinJobParams *params,
                                 GError **error)
{
  g_autoptr(GPtrArray) fields = NULL;
  g_autofree gchar *job_id = NULL;
  g_autofree gchar *mediator_key = NULL;
  g_autofree gchar *creator_key = NULL;

  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (params->job_id != NULL)
    {
      if (!rein_job_id_is_valid (params->job_id))
        {
          g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                               "A job ID is 20 characters of a-z and 0-9");
          return NULL;
        }
      job_id = g_strdup (params->job_id);
    }
  else
    job_id = rein_job_id_generate ();

  if (!require_text (params->job_name, REIN_LABEL_JOB_NAME, FALSE, error)
      || !require_text (params->category, REIN_LABEL_CATEGORY, FALSE, error)
      || !require_text (params->description, REIN_LABEL_DESCRIPTION, TRUE, error)
      || !require_text (params->mediator, REIN_LABEL_MEDIATOR, FALSE, error)
      || !require_text (params->mediator_contact, REIN_LABEL_MEDIATOR_CONTACT, FALSE, error)
      || !require_text (params->mediator_fee, REIN_LABEL_MEDIATOR_FEE, FALSE, error)
      || !require_address (params->mediator_master_address,
                           REIN_LABEL_MEDIATOR_MASTER_ADDRESS, NULL, error)
      || !require_text (params->creator, REIN_LABEL_JOB_CREATOR, FALSE, error)
      || !require_text (params->creator_contact, REIN_LABEL_JOB_CREATOR_CONTACT, FALSE, error)
      || !require_address (params->creator_master_address,
                           REIN_LABEL_JOB_CREATOR_MASTER_ADDRESS, NULL, error))
    return NULL;

  mediator_key = require_public_key (params->mediator_public_key,
                                     REIN_LABEL_MEDIATOR_PUBLIC_KEY, error);
  if (mediator_key == NULL)
    return NULL;
  creator_key = require_public_key (params->creator_public_key,
                                    REIN_LABEL_JOB_CREATOR_PUBLIC_KEY, error);
  if (creator_key == NULL)
    return NULL;

  if (rein_same_key (mediator_key, creator_key)
      || rein_same_key (params->mediator_master_address, params->creator_master_address))
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                           "The job creator cannot be the job's mediator");
      return NULL;
    }

  fields = rein_fields_new ();
  rein_fields_add (fields, REIN_LABEL_JOB_NAME, params->job_name);
  rein_fields_add (fields, REIN_LABEL_JOB_ID, job_id);
  rein_fields_add (fields, REIN_LABEL_CATEGORY, params->category);
  rein_fields_add (fields, REIN_LABEL_DESCRIPTION, params->description);
  rein_fields_add (fields, REIN_LABEL_MEDIATOR, params->mediator);
  rein_fields_add (fields, REIN_LABEL_MEDIATOR_CONTACT, params->mediator_contact);
  rein_fields_add (fields, REIN_LABEL_MEDIATOR_FEE, params->mediator_fee);
  rein_fields_add (fields, REIN_LABEL_MEDIATOR_PUBLIC_KEY, mediator_key);
  rein_fields_add (fields, REIN_LABEL_MEDIATOR_MASTER_ADDRESS, params->mediator_master_address);
  rein_fields_add (fields, REIN_LABEL_JOB_CREATOR, params->creator);
  rein_fields_add (fields, REIN_LABEL_JOB_CREATOR_CONTACT, params->creator_contact);
  rein_fields_add (fields, REIN_LABEL_JOB_CREATOR_PUBLIC_KEY, creator_key);
  rein_fields_add (fields, REIN_LABEL_JOB_CREATOR_MASTER_ADDRESS, params->creator_master_address);

  return finish (REIN_DOCUMENT_TYPE_JOB_POSTING, fields, error);
}

/* ---- Bid ---- */

gchar *
rein_document_build_bid (ReinDocument *job,
                         const ReinBidParams *params,
                         ReinNetwork network,
                         GError **error)
{
  static const ReinDocumentType allowed[] = { REIN_DOCUMENT_TYPE_JOB_POSTING };
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(ReinEscrow) escrow = NULL;
  g_autofree gchar *worker_key = NULL;
  g_autofree gchar *creator_key = NULL;
  g_autofree gchar *mediator_key = NULL;
  const gchar *job_name;
  const gchar *job_id;
  const gchar *creator;
  const gchar *value;

  g_return_val_if_fail (REIN_IS_DOCUMENT (job), NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!require_previous (job, REIN_DOCUMENT_TYPE_BID, allowed, G_N_ELEMENTS (allowed), error))
    return NULL;

  if ((job_name = copy_from (job, REIN_LABEL_JOB_NAME, error)) == NULL
      || (job_id = copy_from (job, REIN_LABEL_JOB_ID, error)) == NULL
      || (creator = copy_from (job, REIN_LABEL_JOB_CREATOR, error)) == NULL)
    return NULL;
  if ((value = copy_from (job, REIN_LABEL_JOB_CREATOR_PUBLIC_KEY, error)) == NULL
      || (creator_key = require_public_key (value, REIN_LABEL_JOB_CREATOR_PUBLIC_KEY,
                                            error)) == NULL)
    return NULL;
  if ((value = copy_from (job, REIN_LABEL_MEDIATOR_PUBLIC_KEY, error)) == NULL
      || (mediator_key = require_public_key (value, REIN_LABEL_MEDIATOR_PUBLIC_KEY,
                                             error)) == NULL)
    return NULL;

  if (!require_text (params->worker, REIN_LABEL_WORKER, FALSE, error)
      || !require_text (params->worker_contact, REIN_LABEL_WORKER_CONTACT, FALSE, error)
      || !require_address (params->worker_master_address, REIN_LABEL_WORKER_MASTER_ADDRESS,
                           &network, error)
      || !require_text (params->description, REIN_LABEL_DESCRIPTION, TRUE, error)
      || !require_amount (params->bid_amount, error))
    return NULL;
  worker_key = require_public_key (params->worker_public_key, REIN_LABEL_WORKER_PUBLIC_KEY,
                                   error);
  if (worker_key == NULL)
    return NULL;

  if (rein_same_key (worker_key, creator_key) || rein_same_key (worker_key, mediator_key))
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                           "The job's creator or mediator cannot bid on it");
      return NULL;
    }

  escrow = rein_escrow_new (creator_key, mediator_key, worker_key, network, error);
  if (escrow == NULL)
    return NULL;

  fields = rein_fields_new ();
  rein_fields_add (fields, REIN_LABEL_JOB_NAME, job_name);
  rein_fields_add (fields, REIN_LABEL_WORKER, params->worker);
  rein_fields_add (fields, REIN_LABEL_WORKER_CONTACT, params->worker_contact);
  rein_fields_add (fields, REIN_LABEL_WORKER_MASTER_ADDRESS, params->worker_master_address);
  rein_fields_add (fields, REIN_LABEL_DESCRIPTION, params->description);
  rein_fields_add (fields, REIN_LABEL_BID_AMOUNT, params->bid_amount);
  rein_fields_add (fields, REIN_LABEL_PRIMARY_ESCROW_ADDRESS, escrow->primary_address);
  rein_fields_add (fields, REIN_LABEL_MEDIATOR_ESCROW_ADDRESS, escrow->mediator_address);
  rein_fields_add (fields, REIN_LABEL_JOB_ID, job_id);
  rein_fields_add (fields, REIN_LABEL_JOB_CREATOR, creator);
  rein_fields_add (fields, REIN_LABEL_JOB_CREATOR_PUBLIC_KEY, creator_key);
  rein_fields_add (fields, REIN_LABEL_MEDIATOR_PUBLIC_KEY, mediator_key);
  rein_fields_add (fields, REIN_LABEL_WORKER_PUBLIC_KEY, worker_key);
  rein_fields_add (fields, REIN_LABEL_PRIMARY_REDEEM_SCRIPT, escrow->primary_script_hex);
  rein_fields_add (fields, REIN_LABEL_MEDIATOR_REDEEM_SCRIPT, escrow->mediator_script_hex);

  return finish (REIN_DOCUMENT_TYPE_BID, fields, error);
}

/* ---- Offer ---- */

/* The bid's escrow value for @label must be absent or equal to @computed. */
static gboolean
check_escrow_value (ReinDocument *bid,
                    const gchar *label,
                    const gchar *computed,
                    gboolean is_hex,
                    GError **error)
{
  const gchar *value = rein_document_lookup (bid, label);

  if (value == NULL)
    return TRUE;
  if (is_hex ? g_ascii_strcasecmp (value, computed) == 0 : strcmp (value, computed) == 0)
    return TRUE;

  g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INCONSISTENT,
               "The bid's %s does not match its keys", label);
  return FALSE;
}

gchar *
rein_document_build_offer (ReinDocument *bid,
                           ReinNetwork network,
                           GError **error)
{
  static const ReinDocumentType allowed[] = { REIN_DOCUMENT_TYPE_BID };
  static const gchar *const head[] = {
    REIN_LABEL_JOB_NAME, REIN_LABEL_WORKER, REIN_LABEL_DESCRIPTION, NULL
  };
  static const gchar *const middle[] = {
    REIN_LABEL_JOB_ID, REIN_LABEL_JOB_CREATOR, NULL
  };
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(ReinEscrow) escrow = NULL;
  g_autofree gchar *creator_key = NULL;
  g_autofree gchar *mediator_key = NULL;
  g_autofree gchar *worker_key = NULL;
  const gchar *amount;
  const gchar *value;

  g_return_val_if_fail (REIN_IS_DOCUMENT (bid), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!require_previous (bid, REIN_DOCUMENT_TYPE_OFFER, allowed, G_N_ELEMENTS (allowed), error))
    return NULL;

  if ((value = copy_from (bid, REIN_LABEL_JOB_CREATOR_PUBLIC_KEY, error)) == NULL
      || (creator_key = require_public_key (value, REIN_LABEL_JOB_CREATOR_PUBLIC_KEY,
                                            error)) == NULL
      || (value = copy_from (bid, REIN_LABEL_MEDIATOR_PUBLIC_KEY, error)) == NULL
      || (mediator_key = require_public_key (value, REIN_LABEL_MEDIATOR_PUBLIC_KEY,
                                             error)) == NULL
      || (value = copy_from (bid, REIN_LABEL_WORKER_PUBLIC_KEY, error)) == NULL
      || (worker_key = require_public_key (value, REIN_LABEL_WORKER_PUBLIC_KEY,
                                           error)) == NULL
      || (amount = copy_from (bid, REIN_LABEL_BID_AMOUNT, error)) == NULL)
    return NULL;

  escrow = rein_escrow_new (creator_key, mediator_key, worker_key, network, error);
  if (escrow == NULL)
    return NULL;
  if (!check_escrow_value (bid, REIN_LABEL_PRIMARY_ESCROW_ADDRESS, escrow->primary_address,
                           FALSE, error)
      || !check_escrow_value (bid, REIN_LABEL_MEDIATOR_ESCROW_ADDRESS, escrow->mediator_address,
                              FALSE, error)
      || !check_escrow_value (bid, REIN_LABEL_PRIMARY_REDEEM_SCRIPT, escrow->primary_script_hex,
                              TRUE, error)
      || !check_escrow_value (bid, REIN_LABEL_MEDIATOR_REDEEM_SCRIPT,
                              escrow->mediator_script_hex, TRUE, error))
    return NULL;

  fields = rein_fields_new ();
  if (!copy_fields (fields, bid, head, error))
    return NULL;
  rein_fields_add (fields, REIN_LABEL_BID_AMOUNT, amount);
  rein_fields_add (fields, REIN_LABEL_PRIMARY_ESCROW_ADDRESS, escrow->primary_address);
  rein_fields_add (fields, REIN_LABEL_MEDIATOR_ESCROW_ADDRESS, escrow->mediator_address);
  if (!copy_fields (fields, bid, middle, error))
    return NULL;
  rein_fields_add (fields, REIN_LABEL_JOB_CREATOR_PUBLIC_KEY, creator_key);
  rein_fields_add (fields, REIN_LABEL_MEDIATOR_PUBLIC_KEY, mediator_key);
  rein_fields_add (fields, REIN_LABEL_WORKER_PUBLIC_KEY, worker_key);
  rein_fields_add (fields, REIN_LABEL_PRIMARY_REDEEM_SCRIPT, escrow->primary_script_hex);
  rein_fields_add (fields, REIN_LABEL_MEDIATOR_REDEEM_SCRIPT, escrow->mediator_script_hex);

  return finish (REIN_DOCUMENT_TYPE_OFFER, fields, error);
}

/* ---- Delivery ---- */

gchar *
rein_document_build_delivery (ReinDocument *offer,
                              const gchar *deliverables,
                              GError **error)
{
  static const ReinDocumentType allowed[] = { REIN_DOCUMENT_TYPE_OFFER };
  static const gchar *const head[] = { REIN_LABEL_JOB_NAME, REIN_LABEL_JOB_ID, NULL };
  static const gchar *const tail[] = {
    REIN_LABEL_BID_AMOUNT,
    REIN_LABEL_PRIMARY_ESCROW_ADDRESS,
    REIN_LABEL_MEDIATOR_ESCROW_ADDRESS,
    REIN_LABEL_PRIMARY_REDEEM_SCRIPT,
    REIN_LABEL_MEDIATOR_REDEEM_SCRIPT,
    REIN_LABEL_WORKER_PUBLIC_KEY,
    REIN_LABEL_MEDIATOR_PUBLIC_KEY,
    REIN_LABEL_JOB_CREATOR_PUBLIC_KEY,
    NULL
  };
  g_autoptr(GPtrArray) fields = NULL;

  g_return_val_if_fail (REIN_IS_DOCUMENT (offer), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!require_previous (offer, REIN_DOCUMENT_TYPE_DELIVERY, allowed, G_N_ELEMENTS (allowed),
                         error)
      || !require_text (deliverables, REIN_LABEL_DELIVERABLES, TRUE, error))
    return NULL;

  fields = rein_fields_new ();
  if (!copy_fields (fields, offer, head, error))
    return NULL;
  rein_fields_add (fields, REIN_LABEL_DELIVERABLES, deliverables);
  if (!copy_fields (fields, offer, tail, error))
    return NULL;

  return finish (REIN_DOCUMENT_TYPE_DELIVERY, fields, error);
}

/* ---- Accept ---- */

gchar *
rein_document_build_accept (ReinDocument *delivery,
                            const gchar *signed_primary_payment,
                            const gchar *signed_mediator_payment,
                            GError **error)
{
  static const ReinDocumentType allowed[] = { REIN_DOCUMENT_TYPE_DELIVERY };
  static const gchar *const head[] = { REIN_LABEL_JOB_NAME, REIN_LABEL_JOB_ID, NULL };
  static const gchar *const tail[] = {
    REIN_LABEL_PRIMARY_REDEEM_SCRIPT, REIN_LABEL_MEDIATOR_REDEEM_SCRIPT, NULL
  };
  g_autoptr(GPtrArray) fields = NULL;

  g_return_val_if_fail (REIN_IS_DOCUMENT (delivery), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!require_previous (delivery, REIN_DOCUMENT_TYPE_ACCEPT, allowed, G_N_ELEMENTS (allowed),
                         error)
      || !require_payment (signed_primary_payment, REIN_LABEL_SIGNED_PRIMARY_PAYMENT, error)
      || !require_payment (signed_mediator_payment, REIN_LABEL_SIGNED_MEDIATOR_PAYMENT, error))
    return NULL;

  fields = rein_fields_new ();
  if (!copy_fields (fields, delivery, head, error))
    return NULL;
  rein_fields_add (fields, REIN_LABEL_SIGNED_PRIMARY_PAYMENT, signed_primary_payment);
  rein_fields_add (fields, REIN_LABEL_SIGNED_MEDIATOR_PAYMENT, signed_mediator_payment);
  if (!copy_fields (fields, delivery, tail, error))
    return NULL;

  return finish (REIN_DOCUMENT_TYPE_ACCEPT, fields, error);
}

/* ---- Disputes ---- */

gchar *
rein_document_build_dispute (ReinDocument *previous,
                             ReinDocumentType type,
                             const gchar *dispute_detail,
                             GError **error)
{
  static const ReinDocumentType after_creator[] = {
    REIN_DOCUMENT_TYPE_OFFER, REIN_DOCUMENT_TYPE_DELIVERY
  };
  static const ReinDocumentType after_worker[] = {
    REIN_DOCUMENT_TYPE_OFFER, REIN_DOCUMENT_TYPE_DELIVERY, REIN_DOCUMENT_TYPE_ACCEPT
  };
  static const gchar *const head[] = { REIN_LABEL_JOB_NAME, REIN_LABEL_JOB_ID, NULL };
  static const gchar *const tail[] = {
    REIN_LABEL_PRIMARY_REDEEM_SCRIPT, REIN_LABEL_MEDIATOR_REDEEM_SCRIPT, NULL
  };
  g_autoptr(GPtrArray) fields = NULL;
  gboolean allowed;

  g_return_val_if_fail (REIN_IS_DOCUMENT (previous), NULL);
  g_return_val_if_fail (type == REIN_DOCUMENT_TYPE_CREATOR_DISPUTE
                        || type == REIN_DOCUMENT_TYPE_WORKER_DISPUTE, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (type == REIN_DOCUMENT_TYPE_CREATOR_DISPUTE)
    allowed = require_previous (previous, type, after_creator, G_N_ELEMENTS (after_creator),
                                error);
  else
    allowed = require_previous (previous, type, after_worker, G_N_ELEMENTS (after_worker),
                                error);
  if (!allowed || !require_text (dispute_detail, REIN_LABEL_DISPUTE_DETAIL, TRUE, error))
    return NULL;

  fields = rein_fields_new ();
  if (!copy_fields (fields, previous, head, error))
    return NULL;
  rein_fields_add (fields, REIN_LABEL_DISPUTE_DETAIL, dispute_detail);
  if (!copy_fields (fields, previous, tail, error))
    return NULL;

  return finish (type, fields, error);
}

/* ---- Resolution ---- */

gchar *
rein_document_build_resolution (ReinDocument *dispute,
                                const gchar *resolution,
                                const gchar *signed_primary_payment,
                                const gchar *signed_mediator_payment,
                                GError **error)
{
  static const ReinDocumentType allowed[] = {
    REIN_DOCUMENT_TYPE_CREATOR_DISPUTE, REIN_DOCUMENT_TYPE_WORKER_DISPUTE
  };
  static const gchar *const head[] = { REIN_LABEL_JOB_NAME, REIN_LABEL_JOB_ID, NULL };
  g_autoptr(GPtrArray) fields = NULL;

  g_return_val_if_fail (REIN_IS_DOCUMENT (dispute), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!require_previous (dispute, REIN_DOCUMENT_TYPE_RESOLUTION, allowed,
                         G_N_ELEMENTS (allowed), error)
      || !require_text (resolution, REIN_LABEL_RESOLUTION, TRUE, error)
      || !require_payment (signed_primary_payment, REIN_LABEL_SIGNED_PRIMARY_PAYMENT, error)
      || !require_payment (signed_mediator_payment, REIN_LABEL_SIGNED_MEDIATOR_PAYMENT, error))
    return NULL;

  fields = rein_fields_new ();
  if (!copy_fields (fields, dispute, head, error))
    return NULL;
  rein_fields_add (fields, REIN_LABEL_RESOLUTION, resolution);
  rein_fields_add (fields, REIN_LABEL_SIGNED_PRIMARY_PAYMENT, signed_primary_payment);
  rein_fields_add (fields, REIN_LABEL_SIGNED_MEDIATOR_PAYMENT, signed_mediator_payment);

  return finish (REIN_DOCUMENT_TYPE_RESOLUTION, fields, error);
}

/* ---- Signing ---- */

ReinDocument *
rein_document_sign (const gchar *text,
                    const ReinPrivateKey *master,
                    const ReinPrivateKey *delegate,
                    ReinNetwork network,
                    GError **error)
{
  g_autofree gchar *title = NULL;
  const gchar *nl;
  ReinDocumentType type;
  const ReinPrivateKey *key;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  nl = strchr (text, '\n');
  title = nl != NULL ? g_strndup (text, (gsize) (nl - text)) : g_strdup (text);
  type = rein_document_type_from_title (title);
  if (type == REIN_DOCUMENT_TYPE_UNKNOWN)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_UNKNOWN_TYPE,
                           "The text does not start with a Rein document title");
      return NULL;
    }

  key = type == REIN_DOCUMENT_TYPE_ENROLLMENT ? master : delegate;
  if (key == NULL)
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_INVALID_VALUE,
                   "Signing a %s needs the %s key", rein_document_type_to_name (type),
                   type == REIN_DOCUMENT_TYPE_ENROLLMENT ? "master" : "delegate");
      return NULL;
    }

  return rein_document_new_signed (text, key, network, error);
}
