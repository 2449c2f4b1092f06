/* rein-server-entry.h: a stored document as rein-server indexes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rein-document.h"

G_BEGIN_DECLS

/* What the server keeps of a document: the armored text exactly as it was
 * put, and the fields its queries look up, parsed once. Keys and job ids are
 * lowercased so that lookups are exact and case-insensitive, as the original
 * server's ILIKE scans were. */
typedef struct
{
  ReinDocumentType type;
  gchar *hash;              /* SHA-256 hex of the value */
  gchar *job_id;            /* or NULL */
  gchar *creator;           /* job creator's public key, or NULL */
  gchar *worker;            /* worker's public key, or NULL */
  gchar *mediator;          /* mediator's public key, or NULL */
  gboolean willing_to_mediate;
  /* Enrollments only: hex key ids of the master and delegate addresses
   * (rein_server_address_key_hash()), for the "enrollments" query. */
  gchar *master_key_hash;
  gchar *delegate_key_hash;
  /* Enrollments only: what python-rein 0.3's "get_user" finds them by,
   * beside the addresses: "sin:" and the SIN (of the master address, and
   * the one the document states when it differs), "user:" and "contact:"
   * and that field, lowercased (rein_server_user_key()). NULL-terminated,
   * NULL for other types. */
  gchar **user_keys;
  gchar *value;             /* the armored document */
  gsize value_len;
} ReinServerEntry;

/* Hex key id (rein_key_id_from_string()) of a P2PKH address of either
 * network, or NULL (P2SH addresses and bare public keys included). */
gchar *rein_server_address_key_hash (const gchar *address);

/* Longest name or contact (bytes) that "get_user" searches: longer ones
 * are cut (at a character) in the index. */
#define REIN_SERVER_USER_KEY_MAX 200

/* The index key of @text as "get_user" looks for it: @prefix ("sin:",
 * "user:" or "contact:") and @text, trimmed; for names and contacts
 * lowercased and cut to REIN_SERVER_USER_KEY_MAX bytes. NULL when @text is
 * empty or not UTF-8. */
gchar *rein_server_user_key (const gchar *prefix, const gchar *text);

/* Parses and verifies @value (a signed, armored Rein document of at most
 * REIN_DOCUMENT_MAX_SIZE bytes, valid UTF-8) and extracts its index fields.
 * Errors are in REIN_MARKET_ERROR. */
ReinServerEntry *rein_server_entry_new (const gchar *value, gsize len, GError **error);

/* Builds an entry from already known parts, without verification; for the
 * database layer reading rows back and for tools that load trusted data. */
ReinServerEntry *rein_server_entry_new_from_document (ReinDocument *document,
                                                      const gchar *value,
                                                      gsize len);

void rein_server_entry_free (ReinServerEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinServerEntry, rein_server_entry_free)

G_END_DECLS
