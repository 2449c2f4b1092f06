/* rein-server-entry.c: a stored document as rein-server indexes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rein-server-entry.h"

#include <string.h>

#include "rein-document-builder.h"
#include "rein-labels.h"

/* Labels of the indexed fields, current names first, then the ones older
 * clients wrote (see ../shared/vectors/signed/). */
static const gchar *const job_id_labels[] = { "Job ID", NULL };
static const gchar *const creator_labels[] = {
  "Job creator public key", "Job creator's public key", "Job creator pubkey", NULL
};
static const gchar *const worker_labels[] = {
  "Worker public key", "Worker's public key", "Worker pubkey", NULL
};
static const gchar *const mediator_labels[] = {
  "Mediator public key", "Mediator's public key", "Mediator pubkey", NULL
};
static const gchar *const willing_labels[] = { "Willing to mediate", NULL };
/* python-rein 0.3's ratings: the one rated and the rater, by SIN */
static const gchar *const rated_labels[] = { "User msin", NULL };
static const gchar *const rater_labels[] = { "Rater msin", NULL };

/* Lowercased and trimmed copy of a field, or NULL when absent or empty. */
static gchar *
index_value (ReinDocument *document, const gchar *const *labels)
{
  const gchar *value = rein_document_get_field_any (document, labels);
  g_autofree gchar *stripped = NULL;

  if (value == NULL)
    return NULL;
  stripped = g_strstrip (g_strdup (value));
  if (*stripped == '\0')
    return NULL;
  return g_ascii_strdown (stripped, -1);
}

gchar *
rein_server_address_key_hash (const gchar *address)
{
  guint8 hash[20];

  /* An address (the index and the query speak of addresses, not bare
   * public keys), of a key: rein_key_id_from_string() refuses P2SH. */
  if (address == NULL || !rein_address_validate (address, NULL, NULL, NULL, NULL)
      || !rein_key_id_from_string (address, hash))
    return NULL;
  return rein_hex_encode (hash, sizeof hash);
}

gchar *
rein_server_user_key (const gchar *prefix, const gchar *text)
{
  g_autofree gchar *stripped = NULL;
  g_autofree gchar *lowered = NULL;
  const gchar *end;

  g_return_val_if_fail (prefix != NULL, NULL);

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;
  stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0')
    return NULL;
  /* A SIN is base58: its case matters. */
  if (strcmp (prefix, "sin:") == 0)
    return g_strconcat (prefix, stripped, NULL);
  if (strlen (stripped) > REIN_SERVER_USER_KEY_MAX)
    {
      end = g_utf8_find_prev_char (stripped, stripped + REIN_SERVER_USER_KEY_MAX + 1);
      stripped[end - stripped] = '\0';
    }
  lowered = g_utf8_strdown (stripped, -1);
  return g_strconcat (prefix, lowered, NULL);
}

/* The "get_user" keys of @document, an enrollment. */
static gchar **
user_keys (ReinDocument *document)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  const gchar *master = rein_document_get_field (document, REIN_LABEL_MASTER_ADDRESS);
  g_autofree gchar *sin = master != NULL ? rein_sin_from_address (master) : NULL;
  g_autofree gchar *sin_key = rein_server_user_key ("sin:", sin);
  g_autofree gchar *stated_key = rein_server_user_key (
      "sin:", rein_document_get_field (document, REIN_LABEL_SIN));
  g_autofree gchar *user_key = rein_server_user_key (
      "user:", rein_document_get_field (document, REIN_LABEL_USER));
  g_autofree gchar *contact_key = rein_server_user_key (
      "contact:", rein_document_get_field (document, REIN_LABEL_CONTACT));

  if (sin_key != NULL)
    g_strv_builder_add (builder, sin_key);
  if (stated_key != NULL && g_strcmp0 (stated_key, sin_key) != 0)
    g_strv_builder_add (builder, stated_key);
  if (user_key != NULL)
    g_strv_builder_add (builder, user_key);
  if (contact_key != NULL)
    g_strv_builder_add (builder, contact_key);
  return g_strv_builder_end (builder);
}

static gchar *
address_key_hash (const gchar *address)
{
  return rein_server_address_key_hash (address);
}

ReinServerEntry *
rein_server_entry_new_from_document (ReinDocument *document, const gchar *value, gsize len)
{
  ReinServerEntry *entry;
  const gchar *willing;

  g_return_val_if_fail (REIN_IS_DOCUMENT (document), NULL);
  g_return_val_if_fail (value != NULL, NULL);

  entry = g_new0 (ReinServerEntry, 1);
  entry->type = rein_document_get_document_type (document);
  entry->hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) value, len);
  entry->job_id = index_value (document, job_id_labels);
  entry->creator = index_value (document, creator_labels);
  entry->worker = index_value (document, worker_labels);
  entry->mediator = index_value (document, mediator_labels);
  /* A rating names no keys: its rated user stands where a worker would,
   * its rater where a creator would (get_user_ratings' dest and source). */
  if (entry->type == REIN_DOCUMENT_TYPE_RATING)
    {
      g_free (entry->worker);
      g_free (entry->creator);
      entry->worker = index_value (document, rated_labels);
      entry->creator = index_value (document, rater_labels);
    }
  willing = rein_document_get_field_any (document, willing_labels);
  entry->willing_to_mediate = entry->type == REIN_DOCUMENT_TYPE_ENROLLMENT
                              && willing != NULL
                              && g_ascii_strncasecmp (willing, "true", 4) == 0;
  if (entry->type == REIN_DOCUMENT_TYPE_ENROLLMENT)
    {
      entry->master_key_hash = address_key_hash (
          rein_document_get_field (document, "Master signing address"));
      entry->delegate_key_hash = address_key_hash (
          rein_document_get_field (document, "Delegate signing address"));
      entry->user_keys = user_keys (document);
    }
  entry->value = g_strndup (value, len);
  entry->value_len = len;

  return entry;
}

ReinServerEntry *
rein_server_entry_new (const gchar *value, gsize len, GError **error)
{
  g_autoptr (ReinDocument) document = NULL;

  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len > REIN_DOCUMENT_MAX_SIZE)
    {
      g_set_error (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_TOO_LARGE,
                   "Document of %" G_GSIZE_FORMAT " bytes exceeds %d bytes",
                   len, REIN_DOCUMENT_MAX_SIZE);
      return NULL;
    }
  if (memchr (value, '\0', len) != NULL || !g_utf8_validate (value, len, NULL))
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_MALFORMED,
                           "Document is not valid UTF-8 text");
      return NULL;
    }

  document = rein_document_new_from_armored (value, len, error);
  if (document == NULL)
    return NULL;
  if (rein_document_get_document_type (document) == REIN_DOCUMENT_TYPE_UNKNOWN)
    {
      g_set_error_literal (error, REIN_MARKET_ERROR, REIN_MARKET_ERROR_UNKNOWN_TYPE,
                           "Not a Rein document");
      return NULL;
    }
  if (!rein_document_verify (document, error))
    return NULL;

  return rein_server_entry_new_from_document (document, value, len);
}

void
rein_server_entry_free (ReinServerEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->hash);
  g_free (entry->job_id);
  g_free (entry->creator);
  g_free (entry->worker);
  g_free (entry->mediator);
  g_free (entry->master_key_hash);
  g_free (entry->delegate_key_hash);
  g_strfreev (entry->user_keys);
  g_free (entry->value);
  g_free (entry);
}
