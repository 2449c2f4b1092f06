/* rein-store.h: the user's local database (DESIGN.md "Data and secrets")
 *
 * One SQLite database in WAL mode per user: identities with their sealed
 * secrets, servers and buckets, documents (ours and fetched), placements,
 * orders and settings. The schema is versioned with PRAGMA user_version and
 * migrated forward on open. The connection is serialized, so the store may
 * be used from worker threads; the app calls it only from GTasks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-market.h"
#include "rein-identity.h"
#include "rein-secret.h"
#include "rein-job-summary.h"

G_BEGIN_DECLS

#define REIN_STORE_SCHEMA_VERSION 10

#define REIN_TYPE_STORE (rein_store_get_type ())
G_DECLARE_FINAL_TYPE (ReinStore, rein_store, REIN, STORE, GObject)

/* The default data directory: $REIN_DATA_DIR, else $XDG_DATA_HOME/rein. */
gchar *rein_store_default_dir (void);

/* Opens (creating when needed) @dir/rein.db, migrating it forward. */
ReinStore *rein_store_open (const gchar *dir, GError **error);
const gchar *rein_store_get_path (ReinStore *self);
/* TRUE when the data folder or its database could not be written, and the
 * store was opened for reading only: every change then fails with
 * REIN_STORE_ERROR_READ_ONLY. */
gboolean rein_store_get_read_only (ReinStore *self);
gint rein_store_get_schema_version (ReinStore *self);

/* ---- Identities ---- */

/* Derives the keys from @phrase (BIP39, validated) and @passphrase (may be
 * NULL), signs the enrollment with the master key, seals the phrase and the
 * delegate key under @password and stores the identity. */
ReinIdentity *rein_store_add_identity_from_mnemonic (ReinStore *self,
                                                     const ReinIdentityParams *params,
                                                     const gchar *phrase,
                                                     const gchar *passphrase,
                                                     const gchar *password,
                                                     GError **error);

/* The enrollment text that @master_address must sign outside Rein when
 * keys are imported. */
gchar *rein_store_enrollment_text_for_keys (const ReinIdentityParams *params,
                                            const gchar *master_address,
                                            const gchar *delegate_wif,
                                            GError **error);

/* Imports a master address and delegate WIF with the enrollment signed
 * elsewhere: @signed_enrollment must verify, be signed by @master_address
 * and be exactly the text rein_store_enrollment_text_for_keys() gives. */
ReinIdentity *rein_store_add_identity_from_keys (ReinStore *self,
                                                 const ReinIdentityParams *params,
                                                 const gchar *master_address,
                                                 const gchar *delegate_wif,
                                                 const gchar *signed_enrollment,
                                                 const gchar *password,
                                                 GError **error);

/* Imports a python-rein JSON backup (name, contact, maddr, daddr, dkey,
 * will_mediate, mediator_fee, testnet). */
ReinIdentity *rein_store_import_python_backup (ReinStore *self,
                                               const gchar *json,
                                               gsize len,
                                               const gchar *password,
                                               GError **error);

/* Gives @identity its enrollment when it has none (a python-rein backup
 * holds none): @enrollment must verify, be signed by the identity's master
 * address and name its delegate address. It becomes one of the identity's
 * own documents, so that sync pushes it. An enrollment the identity has
 * already is kept. (@identity itself is not updated: read it again.) */
gboolean rein_store_set_identity_enrollment (ReinStore *self,
                                             ReinIdentity *identity,
                                             ReinDocument *enrollment,
                                             GError **error);

/* An encrypted backup of one identity (JSON; secrets stay sealed under the
 * password, which is checked first). rein_store_import_backup() reads it. */
gchar *rein_store_export_backup (ReinStore *self,
                                 ReinIdentity *identity,
                                 const gchar *password,
                                 GError **error);
ReinIdentity *rein_store_import_backup (ReinStore *self,
                                        const gchar *json,
                                        gsize len,
                                        const gchar *password,
                                        GError **error);

/* A GListStore of ReinIdentity, in creation order. */
GListModel *rein_store_list_identities (ReinStore *self, GError **error);
/* The identity this computer calls @name (its label, else its enrolled
 * name). */
ReinIdentity *rein_store_find_identity (ReinStore *self, const gchar *name, GError **error);
/* Calls @identity @label on this computer (rein_identity_get_label()):
 * one line of text, not blank, not another identity's name or label.
 * Its enrolled name, what others see, stays. (@identity itself is not
 * updated.) */
gboolean rein_store_rename_identity (ReinStore *self,
                                     ReinIdentity *identity,
                                     const gchar *label,
                                     GError **error);
gboolean rein_store_set_active_identity (ReinStore *self, ReinIdentity *identity, GError **error);
/* NULL without error when there is no identity yet. */
ReinIdentity *rein_store_get_active_identity (ReinStore *self, GError **error);

/* Deletes @identity: its sealed keys, buckets and orders (its documents
 * stay, without owner). When it was the active one, the first identity left
 * becomes active. */
gboolean rein_store_delete_identity (ReinStore *self, ReinIdentity *identity, GError **error);

/* Opens the sealed keys with @password. Free with rein_private_key_free().
 * The master key exists only for identities made from a phrase. */
ReinPrivateKey *rein_store_unlock_delegate_key (ReinStore *self,
                                                ReinIdentity *identity,
                                                const gchar *password,
                                                GError **error);
ReinPrivateKey *rein_store_unlock_master_key (ReinStore *self,
                                              ReinIdentity *identity,
                                              const gchar *password,
                                              GError **error);
/* Re-seals every secret of @identity under @new_password, atomically. */
gboolean rein_store_change_password (ReinStore *self,
                                     ReinIdentity *identity,
                                     const gchar *old_password,
                                     const gchar *new_password,
                                     GError **error);

/* ---- Settings ---- */

gchar *rein_store_get_setting (ReinStore *self, const gchar *key);
gboolean rein_store_set_setting (ReinStore *self, const gchar *key, const gchar *value, GError **error);

/* ---- Servers ---- */

gint64 rein_store_add_server (ReinStore *self, const gchar *url, GError **error);
gboolean rein_store_remove_server (ReinStore *self, gint64 server_id, GError **error);
/* Array of server URLs indexed alongside @out_ids (may be NULL). */
GStrv rein_store_list_servers (ReinStore *self, GArray **out_ids, GError **error);
/* When @server_id last synced fully (0: never), and its last error. */
gboolean rein_store_get_server_sync (ReinStore *self,
                                     gint64 server_id,
                                     gint64 *out_last_sync,
                                     gchar **out_last_error);
gboolean rein_store_record_sync (ReinStore *self,
                                 gint64 server_id,
                                 const gchar *error_message,
                                 GError **error);

/* ---- Documents ---- */

/* Stores @document (parsed and verified by the caller) unless a document
 * with the same hash is stored already. @identity_id is ours (0 for a
 * fetched one); @server_id where it came from (0 for none). Returns the row
 * id. */
gint64 rein_store_add_document (ReinStore *self,
                                ReinDocument *document,
                                gint64 identity_id,
                                gint64 server_id,
                                GError **error);
/* Armored texts of @identity_id's own documents, oldest first. */
GPtrArray *rein_store_list_own_documents (ReinStore *self, gint64 identity_id, GError **error);
guint rein_store_count_documents (ReinStore *self);
guint rein_store_count_own_documents (ReinStore *self, gint64 identity_id);

/* One of our own documents, for sync. */
typedef struct
{
  gint64 id;
  gchar *hash;
  gchar *armored;
} ReinStoredDocument;

void rein_stored_document_free (ReinStoredDocument *doc);
/* GPtrArray of ReinStoredDocument, oldest first. */
GPtrArray *rein_store_list_own_documents_full (ReinStore *self, gint64 identity_id,
                                               GError **error);

/* ---- Placements: which key holds which document on which server ---- */

/* FALSE without error when the document was never placed there. */
gboolean rein_store_get_placement (ReinStore *self,
                                   gint64 document_id,
                                   gint64 server_id,
                                   gchar **out_remote_key,
                                   gchar **out_verified_hash,
                                   GError **error);
gboolean rein_store_set_placement (ReinStore *self,
                                   gint64 document_id,
                                   gint64 server_id,
                                   const gchar *remote_key,
                                   const gchar *verified_hash,
                                   GError **error);
typedef struct
{
  gint64 document_id;
  gchar *remote_key;
  gchar *verified_hash;
  gint64 updated; /* when it was last recorded, Unix ms; ignored when writing */
} ReinPlacement;

void rein_placement_free (ReinPlacement *placement);
/* Every placement on @server_id: document id (gint64 *) -> ReinPlacement. */
GHashTable *rein_store_list_placements (ReinStore *self, gint64 server_id, GError **error);
/* Records many placements on @server_id in one transaction (one fsync):
 * the sync engine calls it from a worker thread when a server is done.
 * Each one's updated time becomes now. */
gboolean rein_store_set_placements (ReinStore *self,
                                    gint64 server_id,
                                    GPtrArray *placements,
                                    GError **error);

/* How many of @identity_id's documents are placed, verified, on @server_id. */
guint rein_store_count_placements (ReinStore *self, gint64 identity_id, gint64 server_id);

/* ---- Buckets ---- */

gboolean rein_store_has_buckets (ReinStore *self, gint64 server_id, gint64 identity_id);
gboolean rein_store_set_bucket (ReinStore *self,
                                gint64 server_id,
                                gint64 identity_id,
                                gint64 bucket,
                                gint64 bytes_free,
                                const gchar *created,
                                GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinStoredDocument, rein_stored_document_free)

/* ---- Market data: fetched documents, verdicts, jobs and orders ---- */

/* One document with the verdict of complete validation (PROTOCOL.md
 * section 3): REIN_VERIFICATION_VALID, or REIN_VERIFICATION_INVALID with
 * @reason. */
typedef struct
{
  ReinDocument *document;
  ReinVerification verification;
  const gchar *reason;
} ReinDocumentVerdict;

/* Stores every document of @verdicts that is not stored yet (as fetched,
 * from @server_id, 0 for none) with its signature check when it ran (see
 * ReinStoredVerdict), and records each verdict, replacing the one
 * stored before for the same hash (an enrollment found later can make a
 * document valid). Our own documents stay ours. A few multi-row
 * statements, each atomic. */
gboolean rein_store_save_verdicts (ReinStore *self,
                                   const ReinDocumentVerdict *verdicts,
                                   guint n_verdicts,
                                   gint64 server_id,
                                   GError **error);
/* The same, each document from the server beside it in @server_ids (0 for
 * none): one batch however many servers the documents came from. */
gboolean rein_store_save_verdicts_from (ReinStore *self,
                                        const ReinDocumentVerdict *verdicts,
                                        const gint64 *server_ids,
                                        guint n_verdicts,
                                        GError **error);

/* What the store holds of one document, by hash. */
typedef struct
{
  ReinVerification verification; /* the verdict of complete validation */
  gchar *reason;                  /* of an invalid one */
  gint64 source_server;           /* 0: none (ours, or its server removed) */
  /* The signature check alone (rein_document_verify(), which depends only
   * on the text): UNCHECKED when none was recorded. Unlike the verdict,
   * it stays true whatever enrollments are learned later. */
  ReinVerification signature;
  gint signature_code;
  gchar *signature_error;
} ReinStoredVerdict;

void rein_stored_verdict_free (ReinStoredVerdict *verdict);

/* Looks up the documents with @hashes: a GHashTable from the hash of each
 * one stored to its ReinStoredVerdict (those not stored are absent). A
 * few statements of many hashes each. */
GHashTable *rein_store_lookup_verdicts (ReinStore *self,
                                        const gchar *const *hashes,
                                        guint n_hashes,
                                        GError **error);

/* The verdict stored for the document with @hash; FALSE without error when
 * no such document is stored. */
gboolean rein_store_get_verdict (ReinStore *self,
                                 const gchar *hash,
                                 ReinVerification *out_verification,
                                 gchar **out_reason,
                                 GError **error);

/* The server the document with @hash was first fetched from (0: none, or
 * one of ours) and when it was first stored here (unix seconds); FALSE
 * without error when no such document is stored. */
gboolean rein_store_get_document_source (ReinStore *self,
                                         const gchar *hash,
                                         gint64 *out_server_id,
                                         gint64 *out_received,
                                         GError **error);

/* Armored texts of every stored document (ours and fetched) whose Job ID is
 * @job_id, oldest first. */
GPtrArray *rein_store_list_job_documents (ReinStore *self, const gchar *job_id, GError **error);
/* rein_store_list_job_documents() of each of @job_ids, in a few queries
 * instead of one each: the texts of all, oldest first within each batch of
 * jobs (a job's documents are in one batch, in order). */
GPtrArray *rein_store_list_jobs_documents (ReinStore *self,
                                           const gchar *const *job_ids,
                                           guint n_job_ids,
                                           GError **error);
/* The armored documents of a job that were found invalid (their last
 * verdict), newest first, at most @max. */
GPtrArray *rein_store_list_invalid_job_documents (ReinStore *self, guint max, GError **error);

/* Where @identity_id's market reader read each server up to: URL -> the
 * `since` cursor the server gave (rein_market_reader_dup_cursors()). Only
 * kept once every job document before each cursor is stored and the jobs
 * they changed are indexed: the app started again goes on from there
 * (rein_market_reader_set_resume()). An empty table when there is none;
 * a server removed takes its cursor with it. */
GHashTable *rein_store_get_market_cursors (ReinStore *self, gint64 identity_id, GError **error);
/* Replaces @identity_id's cursors with @cursors (NULL or empty: none);
 * URLs of servers the store does not list are left out. The jobs noted
 * as pending go (the index has them now). */
gboolean rein_store_set_market_cursors (ReinStore *self,
                                        gint64 identity_id,
                                        GHashTable *cursors,
                                        GError **error);
/* Notes @job_ids (strings) as changed by a refresh of @identity_id's
 * market before it stores what changed them: until its cursors are kept
 * (the index has the jobs), a refresh going on from the cursors builds
 * them again. */
gboolean rein_store_add_market_pending (ReinStore *self,
                                        gint64 identity_id,
                                        GPtrArray *job_ids,
                                        GError **error);
GPtrArray *rein_store_list_market_pending (ReinStore *self, gint64 identity_id, GError **error);
/* How many jobs other than @except_job_id (may be NULL) the worker whose
 * delegate signs with @worker_address delivered and saw accepted or
 * resolved, as far as the documents stored here show (both valid); -1
 * with @error when the store cannot be read. */
gint rein_store_count_completed_jobs (ReinStore *self,
                                      const gchar *worker_address,
                                      const gchar *except_job_id,
                                      GError **error);
/* Armored texts of every stored enrollment not found invalid, oldest first. */
GPtrArray *rein_store_list_enrollments (ReinStore *self, GError **error);
/* The job IDs @identity_id takes part in: those of its own documents and of
 * its orders, sorted, without duplicates. */
GStrv rein_store_list_job_ids (ReinStore *self, gint64 identity_id, GError **error);
/* The job IDs of @identity_id's own documents that no server is known to
 * hold yet (no placement of them as they are): published while no server
 * took them. Sorted, without duplicates. */
GStrv rein_store_list_unsent_job_ids (ReinStore *self, gint64 identity_id, GError **error);

/* My role and the state of one job, as last seen. */
typedef struct
{
  gchar *job_id;
  gchar *role;   /* rein_role_to_name() */
  gchar *state;  /* rein_job_state_to_name() */
  gint64 updated; /* seconds since 1970 */
  gchar *seen_state; /* the state My Jobs last told the user about, or NULL */
} ReinStoredOrder;

void rein_stored_order_free (ReinStoredOrder *order);
/* Inserts or updates the order of @job_id for @identity_id. */
gboolean rein_store_set_order (ReinStore *self,
                               const gchar *job_id,
                               gint64 identity_id,
                               const gchar *role,
                               const gchar *state,
                               GError **error);
/* Records that My Jobs told the user about @state of the order (an order
 * that does not exist is left alone). */
gboolean rein_store_set_order_seen (ReinStore *self,
                                    const gchar *job_id,
                                    gint64 identity_id,
                                    const gchar *state,
                                    GError **error);
/* GPtrArray of ReinStoredOrder of @identity_id, by job ID. */
GPtrArray *rein_store_list_orders (ReinStore *self, gint64 identity_id, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinStoredOrder, rein_stored_order_free)

/* A payment out of one of a job's escrows that an identity signed or
 * co-signed. */
typedef struct
{
  gchar *job_id;
  gchar *escrow;        /* "primary" or "mediator" */
  gchar *state;         /* "signed" (by us, waiting for the other signature),
                         * "complete" (both, not sent), "broadcast" */
  gchar *psbt;          /* base64, with every signature we have */
  gchar *signers;       /* who signed it, as shown to users, or NULL */
  gchar *txid;          /* once complete (a legacy txid covers the signatures) */
  gint64 confirmations; /* -1: not known */
  gint64 updated;       /* seconds since 1970 */
} ReinStoredPayout;

void rein_stored_payout_free (ReinStoredPayout *payout);
/* Inserts or replaces what @identity_id knows of the payout of
 * @payout->escrow of @payout->job_id. */
gboolean rein_store_set_payout (ReinStore *self,
                                gint64 identity_id,
                                const ReinStoredPayout *payout,
                                GError **error);
/* GPtrArray of ReinStoredPayout of @identity_id, of @job_id (all jobs
 * when NULL), primary escrow first. */
GPtrArray *rein_store_list_payouts (ReinStore *self,
                                    gint64 identity_id,
                                    const gchar *job_id,
                                    GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinStoredPayout, rein_stored_payout_free)

/* ---- Market index: a summary row per job, searchable (rein-store-index.c) ---- */

/* Inserts or updates the summaries (GPtrArray of ReinJobSummary) of jobs
 * read from the servers, in transactions of 5000 (a failure keeps the
 * chunks saved before it). A job keeps the time it was
 * first seen. */
gboolean rein_store_save_job_summaries (ReinStore *self, GPtrArray *summaries, GError **error);
/* Summarizes the jobs among @jobs (GPtrArray of ReinJob, validated) that
 * have a posting, with the enrollments of @directory, and saves them as
 * rein_store_save_job_summaries() does: what a refresh of the market puts
 * in the index, in the app and in rein-cli alike. Returns the summaries
 * (GPtrArray of ReinJobSummary), or NULL with @error. */
GPtrArray *rein_store_index_jobs (ReinStore *self,
                                  GPtrArray *jobs,
                                  ReinDirectory *directory,
                                  gboolean testnet,
                                  GError **error);
/* Every summary of @testnet's market (GPtrArray of ReinJobSummary, with
 * their row ids), newest first. */
GPtrArray *rein_store_list_job_summaries (ReinStore *self, gboolean testnet, GError **error);
/* The first @limit of those (the newest), to show before the rest is read. */
GPtrArray *rein_store_list_job_summaries_first (ReinStore *self,
                                                gboolean testnet,
                                                guint limit,
                                                GError **error);
/* The summary of one job, or NULL (without error when there is none). */
ReinJobSummary *rein_store_get_job_summary (ReinStore *self,
                                            const gchar *job_id,
                                            const gchar *creator_key,
                                            GError **error);
/* The row ids (gint64 keys, g_int64_hash) of the summaries that match
 * @text: every word of it, as a word prefix, in the name, description,
 * category or creator, accents and case ignored. Punctuation is ignored;
 * text without letters or digits matches nothing. */
GHashTable *rein_store_search_jobs (ReinStore *self, const gchar *text, GError **error);
/* The same, as a GArray of gint64 in ascending order (no allocation per
 * match: the market searches as the user types). */
GArray *rein_store_search_job_ids (ReinStore *self, const gchar *text, GError **error);
/* The categories in use in @testnet's market, most used first. */
GStrv rein_store_list_job_categories (ReinStore *self, gboolean testnet, GError **error);

G_END_DECLS
