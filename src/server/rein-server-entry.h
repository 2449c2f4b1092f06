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
  gchar *value;             /* the armored document */
  gsize value_len;
} ReinServerEntry;

/* Hex key id (rein_key_id_from_string()) of a P2PKH address of either
 * network, or NULL (P2SH addresses and bare public keys included). */
gchar *rein_server_address_key_hash (const gchar *address);

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
