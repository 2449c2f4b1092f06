/* rein-client.h: the Causeway API of one microhosting server (PROTOCOL.md 6)
 *
 * Every call is asynchronous, cancellable, bounded in time and in the size
 * of the answer, and fails with a REIN_NET_ERROR whose message names the
 * server and says what went wrong. Answers are parsed defensively: nothing
 * a server says is trusted beyond its shape.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rein-bitcoin.h"

G_BEGIN_DECLS

#define REIN_NET_ERROR (rein_net_error_quark ())

typedef enum
{
  REIN_NET_ERROR_UNREACHABLE, /* no connection, timeout, DNS */
  REIN_NET_ERROR_REFUSED,     /* the server answered with an error */
  REIN_NET_ERROR_BAD_ANSWER,  /* not JSON, wrong shape, too large */
  REIN_NET_ERROR_NOT_FOUND,   /* /get of a key the server does not hold */
  REIN_NET_ERROR_INVALID,     /* bad input from the caller (URL) */
  REIN_NET_ERROR_BAD_NONCE,   /* a put's nonce is no longer the server's */
} ReinNetError;

GQuark rein_net_error_quark (void);

typedef struct
{
  gint64 id;
  gchar *created;
  gint64 bytes_free;
} ReinBucket;

void rein_bucket_free (ReinBucket *bucket);

#define REIN_TYPE_CLIENT (rein_client_get_type ())
G_DECLARE_FINAL_TYPE (ReinClient, rein_client, REIN, CLIENT, GObject)

/* @url: "http://host:port/" (a missing final slash is added). */
ReinClient *rein_client_new (const gchar *url, GError **error);
const gchar *rein_client_get_url (ReinClient *self);
/* Seconds of silence from the server before a call gives up (default 20). */
void rein_client_set_timeout (ReinClient *self, guint seconds);
/* Seconds a whole call may take, retries included, however steadily the
 * server trickles its answer (default 60; 0 for no limit). A call over it is
 * cancelled and fails with REIN_NET_ERROR_UNREACHABLE, "<server>: timed out
 * after N s". */
void rein_client_set_deadline (ReinClient *self, guint seconds);
/* Largest answer accepted, in bytes (default 16 MiB). */
void rein_client_set_max_answer (ReinClient *self, gsize bytes);

/* GET /request: registers @owner with @delegate and returns the owner's
 * buckets (GPtrArray of ReinBucket). "Maximum free buckets granted" is not
 * an error: the existing buckets are returned. */
void rein_client_request_buckets_async (ReinClient *self,
                                        const gchar *owner,
                                        const gchar *delegate,
                                        const gchar *contact,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
GPtrArray *rein_client_request_buckets_finish (ReinClient *self, GAsyncResult *result,
                                               GError **error);

/* GET /nonce; with @clear (the current nonce) empties it and yields "". */
void rein_client_nonce_async (ReinClient *self,
                              const gchar *owner,
                              const gchar *clear,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
gchar *rein_client_nonce_finish (ReinClient *self, GAsyncResult *result, GError **error);

/* POST /put, signed with @delegate_key as PROTOCOL.md says. */
void rein_client_put_async (ReinClient *self,
                            const gchar *key,
                            const gchar *value,
                            const gchar *nonce,
                            const ReinPrivateKey *delegate_key,
                            const gchar *owner,
                            gboolean testnet,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data);
gboolean rein_client_put_finish (ReinClient *self, GAsyncResult *result, GError **error);

/* GET /get: the value, or REIN_NET_ERROR_NOT_FOUND. */
void rein_client_get_async (ReinClient *self,
                            const gchar *key,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data);
gchar *rein_client_get_finish (ReinClient *self, GAsyncResult *result, GError **error);

/* GET /query: @params holds the query's extra parameters (job_ids,
 * job_creator, ...) as a NULL-terminated list of name, value pairs, may be
 * NULL. Returns the armored documents (untrusted) as a GPtrArray of
 * strings. */
void rein_client_query_async (ReinClient *self,
                              const gchar *owner,
                              const gchar *query,
                              gboolean testnet,
                              const gchar *const *params,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
GPtrArray *rein_client_query_finish (ReinClient *self, GAsyncResult *result, GError **error);
/* The same, and the answer's "cursor" in @out_cursor: the `since` that goes
 * on after this answer on servers that page by it (src/server/README.md),
 * a decimal number; NULL when the server sent none (or not a number). */
GPtrArray *rein_client_query_finish_full (ReinClient *self,
                                          GAsyncResult *result,
                                          gchar **out_cursor,
                                          GError **error);

/* GET /status: TRUE when the server answers like a Causeway server. */
void rein_client_status_async (ReinClient *self,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean rein_client_status_finish (ReinClient *self, GAsyncResult *result, GError **error);

/* 32 random characters from [A-Z0-9], a new placement key. */
gchar *rein_client_new_key (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinBucket, rein_bucket_free)

G_END_DECLS
