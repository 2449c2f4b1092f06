/* rein-session.h: what the app shows and does, over the client core
 *
 * The window binds to a session: its identities (a GListModel), the active
 * one, the servers with their health, and sync progress. Every call that
 * touches the disk, the network or scrypt runs off the UI thread (a GTask
 * in a worker thread, or the core's own async calls), so the window never
 * freezes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-store.h"
#include "rein-sync.h"

G_BEGIN_DECLS

/* ---- one server, as the preferences list shows it ---- */

/* What the last contact with a server said. */
typedef enum
{
  REIN_SERVER_HEALTH_UNKNOWN,     /* not asked in this session */
  REIN_SERVER_HEALTH_OK,          /* answered (a check, or a sync that went through) */
  REIN_SERVER_HEALTH_UNREACHABLE, /* no answer: no connection, timeout, DNS */
  REIN_SERVER_HEALTH_ERROR,       /* answered, but with an error; or a sync failed */
} ReinServerHealth;

#define REIN_TYPE_SERVER_HEALTH (rein_server_health_get_type ())
GType rein_server_health_get_type (void);

#define REIN_TYPE_SERVER_INFO (rein_server_info_get_type ())
G_DECLARE_FINAL_TYPE (ReinServerInfo, rein_server_info, REIN, SERVER_INFO, GObject)

/* Each getter is a property of the same name ("health", "latency", ...),
 * notified when it changes, for a view to bind. */
gint64 rein_server_info_get_id (ReinServerInfo *self);
const gchar *rein_server_info_get_url (ReinServerInfo *self);
ReinServerHealth rein_server_info_get_health (ReinServerInfo *self);
/* Of the last /status check, in milliseconds; -1 before one answered. */
gint rein_server_info_get_latency (ReinServerInfo *self);
/* When the active identity last synced fully there (seconds since 1970;
 * 0: never). */
gint64 rein_server_info_get_last_sync (ReinServerInfo *self);
/* How many of the active identity's documents the server holds, and how
 * many it has; -1 while not known. */
gint rein_server_info_get_documents_held (ReinServerInfo *self);
gint rein_server_info_get_documents_total (ReinServerInfo *self);
/* Why the last check or sync failed, or NULL. */
const gchar *rein_server_info_get_last_error (ReinServerInfo *self);
/* Whether the last sync to it failed: the store keeps it, so it holds
 * across restarts and identity switches until a sync there goes through
 * (a failed /status check alone does not set it). */
gboolean rein_server_info_get_sync_failed (ReinServerInfo *self);
/* While a sync runs: "syncing", and how many documents it checked of how
 * many ("sync-done", "sync-total"). */
gboolean rein_server_info_get_syncing (ReinServerInfo *self);
guint rein_server_info_get_sync_done (ReinServerInfo *self);
guint rein_server_info_get_sync_total (ReinServerInfo *self);
/* The data as one line for the user: "Reachable · 8 ms · holds 12 of our
 * 12 documents · last synced …", "Syncing: 3 of 12 documents", the error. */
gchar *rein_server_info_describe (ReinServerInfo *self);

/* One spelling per server: @url without surrounding white space, with its
 * final slash. */
gchar *rein_server_url_normalize (const gchar *url);
/* "1 bucket, 1.0 MB free", of a GPtrArray of ReinBucket. */
gchar *rein_buckets_describe (GPtrArray *buckets);

/* ---- the session ---- */

#define REIN_TYPE_SESSION (rein_session_get_type ())
G_DECLARE_FINAL_TYPE (ReinSession, rein_session, REIN, SESSION, GObject)

/* Reads the identities and servers from @store in a worker; "loaded" turns
 * TRUE (with a notify) once they are listed. */
ReinSession *rein_session_new (ReinStore *store);
ReinStore *rein_session_get_store (ReinSession *self);
gboolean rein_session_get_loaded (ReinSession *self);

/* Of ReinIdentity. */
GListModel *rein_session_get_identities (ReinSession *self);
ReinIdentity *rein_session_get_active_identity (ReinSession *self);
/* The choice is written to the store in a worker; "saving" is TRUE until
 * every such write is done (the last choice is the one stored). */
void rein_session_set_active_identity (ReinSession *self, ReinIdentity *identity);
gboolean rein_session_get_saving (ReinSession *self);

/* Of ReinServerInfo. */
GListModel *rein_session_get_servers (ReinSession *self);

gboolean rein_session_get_syncing (ReinSession *self);
/* 0..1 while syncing. */
gdouble rein_session_get_sync_fraction (ReinSession *self);
/* When any server last synced fully (seconds since 1970, 0: never), from
 * the store's per-server times ("last-sync" is notified). */
gint64 rein_session_get_last_sync (ReinSession *self);
/* "Synced 3 minutes ago", "Never synced"; "Synced with 1 of 2 servers"
 * while the last sync to some (not all) of them failed. */
gchar *rein_session_describe_last_sync (ReinSession *self);
/* The URLs of the servers whose last sync failed
 * (rein_server_info_get_sync_failed()), and how many servers are listed
 * in all (@out_total may be NULL). */
GStrv rein_session_dup_failed_servers (ReinSession *self, guint *out_total);

/* Creates (or restores) an identity from a phrase; it becomes active. */
void rein_session_add_identity_from_mnemonic_async (ReinSession *self,
                                                    const ReinIdentityParams *params,
                                                    const gchar *phrase,
                                                    const gchar *passphrase,
                                                    const gchar *password,
                                                    GCancellable *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer user_data);
void rein_session_add_identity_from_keys_async (ReinSession *self,
                                                const ReinIdentityParams *params,
                                                const gchar *master_address,
                                                const gchar *delegate_wif,
                                                const gchar *signed_enrollment,
                                                const gchar *password,
                                                GCancellable *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer user_data);
/* Reads @file (at most 64 KiB) and imports it (ours or python-rein's). */
void rein_session_import_backup_async (ReinSession *self,
                                       GFile *file,
                                       const gchar *password,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
/* The same with the backup's text in @backup, already read (at most
 * 64 KiB; the copy the worker keeps is wiped after use). */
void rein_session_import_backup_bytes_async (ReinSession *self,
                                             GBytes *backup,
                                             const gchar *password,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
ReinIdentity *rein_session_add_identity_finish (ReinSession *self,
                                                GAsyncResult *result,
                                                GError **error);

/* Restoring from a phrase: the identity's own enrollments on the servers
 * (rein-session-restore.c). Derives the keys of @phrase and @passphrase
 * (may be NULL) in a worker, then asks every server listed in the store
 * and @extra_urls (may be NULL: the suggested ones, say) at once for
 * enrollments of the identity's master address, on mainnet and testnet,
 * without registering anything. Each must verify, be signed by that
 * master key and name the phrase's delegate. The result is a GPtrArray of
 * ReinDocument, newest first (empty when none was found); @out_asked is
 * the number of servers asked, @out_failed of those that did not answer.
 * Fails only for a phrase that is not valid, or when cancelled. */
void rein_session_find_enrollments_async (ReinSession *self,
                                          const gchar *phrase,
                                          const gchar *passphrase,
                                          const gchar *const *extra_urls,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
GPtrArray *rein_session_find_enrollments_finish (ReinSession *self,
                                                 GAsyncResult *result,
                                                 guint *out_asked,
                                                 guint *out_failed,
                                                 GError **error);
/* @params as the enrollment says (its strings point into @enrollment);
 * FALSE when it lacks a name or contact. Rebuilt from these, the same
 * keys sign the same text, byte for byte, for an enrollment Rein wrote. */
gboolean rein_enrollment_to_params (ReinDocument *enrollment, ReinIdentityParams *params);

/* Opens the active identity's delegate key (scrypt, in a thread). With
 * @keep the session keeps a copy for automatic sync (see below); without,
 * only the caller gets the key, for one operation, and the session stays
 * locked. */
void rein_session_unlock_async (ReinSession *self,
                                const gchar *password,
                                gboolean keep,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
ReinPrivateKey *rein_session_unlock_finish (ReinSession *self, GAsyncResult *result,
                                            GError **error);
/* After a successful unlock with @keep the session keeps a copy of the
 * delegate key, in libgcrypt secure memory, for this session only:
 * "unlocked" is TRUE until rein_session_lock(), a switch of identity, or
 * the session's end wipes it. */
gboolean rein_session_get_unlocked (ReinSession *self);
/* A copy of the kept delegate key for one signature (free it with
 * rein_private_key_free() as soon as it is used), or NULL while locked. */
ReinPrivateKey *rein_session_dup_unlocked_key (ReinSession *self);
void rein_session_lock (ReinSession *self);

/* Writes an encrypted backup of @identity to @file (readable by its owner
 * only), once @password opened its keys; in a worker. */
void rein_session_export_backup_async (ReinSession *self,
                                       ReinIdentity *identity,
                                       const gchar *password,
                                       GFile *file,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean rein_session_export_backup_finish (ReinSession *self, GAsyncResult *result,
                                            GError **error);
/* Deletes @identity and its keys from the store (rein_store_delete_identity());
 * when it was active, the first identity left becomes active, or none. */
void rein_session_delete_identity_async (ReinSession *self,
                                         ReinIdentity *identity,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean rein_session_delete_identity_finish (ReinSession *self, GAsyncResult *result,
                                              GError **error);
/* Calls @identity @label on this computer (rein_store_rename_identity(),
 * in a worker); the session's objects for it then notify "label". */
void rein_session_rename_identity_async (ReinSession *self,
                                         ReinIdentity *identity,
                                         const gchar *label,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean rein_session_rename_identity_finish (ReinSession *self, GAsyncResult *result,
                                              GError **error);

typedef enum
{
  REIN_ADD_SERVER_NONE = 0,
  /* A server that was not listed before is listed (stored) only once it
   * granted buckets: one that refuses or does not answer, or an add that
   * is cancelled or interrupted, leaves nothing (the app, rein-cli).
   * Without it, a new server is listed before it is asked and stays
   * listed with its error, for the user to see and remove. */
  REIN_ADD_SERVER_FORGET_UNANSWERED = 1 << 0,
  /* Only lists the server, without asking it (one that is offline now,
   * added anyway): the result is an empty array; sync asks it later. */
  REIN_ADD_SERVER_LIST_ONLY = 1 << 1,
} ReinAddServerFlags;

/* Lists the server at @url (rein_server_url_normalize()), unless it is
 * listed already, and asks it for buckets for the active identity, which
 * are stored. A server that fails to answer fails with its REIN_NET_ERROR;
 * a @url that is no server address with REIN_NET_ERROR_INVALID. */
void rein_session_add_server_async (ReinSession *self,
                                    const gchar *url,
                                    ReinAddServerFlags flags,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
/* The buckets granted (GPtrArray of ReinBucket); see rein_buckets_describe(). */
GPtrArray *rein_session_add_server_finish (ReinSession *self, GAsyncResult *result,
                                           GError **error);
void rein_session_remove_server_async (ReinSession *self,
                                       ReinServerInfo *server,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean rein_session_remove_server_finish (ReinSession *self, GAsyncResult *result,
                                            GError **error);

/* Asks every server for its /status and updates each one's health:
 * reachable or why not, latency, when it last synced, and how many of the
 * active identity's documents it holds. No keys needed. */
void rein_session_check_servers (ReinSession *self);

/* Syncs the active identity with every server, updating each server's
 * health, then emits "sync-finished" with the number of servers that
 * failed and the first error (or NULL). The result is one ReinSyncResult
 * per server (GPtrArray), with the servers' list read again from the
 * store; a server that fails does not fail the call. Fails with
 * G_IO_ERROR_PENDING while a sync runs, REIN_STORE_ERROR_NOT_FOUND without
 * an active identity. */
void rein_session_sync_async (ReinSession *self,
                              const ReinPrivateKey *delegate_key,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
GPtrArray *rein_session_sync_finish (ReinSession *self, GAsyncResult *result, GError **error);
/* The same, for a window that watches "syncing" and "sync-finished": does
 * nothing while a sync runs or without an active identity. */
void rein_session_sync (ReinSession *self, const ReinPrivateKey *delegate_key);
/* Syncs with the key kept since the user unlocked; FALSE, doing nothing,
 * while the keys are locked. */
gboolean rein_session_sync_unlocked (ReinSession *self);
void rein_session_cancel_sync (ReinSession *self);

/* Every @seconds (0: never) the session syncs on its own when the keys are
 * unlocked, and only checks the servers while they are locked (then it
 * emits "read-due": what the servers hold is due to be read again). */
void rein_session_set_auto_sync_interval (ReinSession *self, guint seconds);
guint rein_session_get_auto_sync_interval (ReinSession *self);

G_END_DECLS
