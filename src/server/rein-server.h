/* rein-server.h: a Causeway-compatible microhosting server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Defaults of the bounds; each has a setter below. */
#define REIN_SERVER_DEFAULT_RATE 200            /* requests/s per client address */
#define REIN_SERVER_DEFAULT_MAX_CONNECTIONS 64  /* per client address */
#define REIN_SERVER_MAX_BODY (64 * 1024)        /* bytes of a /put body */
#define REIN_SERVER_MAX_URI (32 * 1024)         /* bytes of path and query */
#define REIN_SERVER_MAX_JOB_IDS 500             /* per by_job_id or dispute query */
#define REIN_SERVER_DEFAULT_LIMIT 100           /* documents per query */
#define REIN_SERVER_MAX_LIMIT 1000

#define REIN_TYPE_SERVER (rein_server_get_type ())
G_DECLARE_FINAL_TYPE (ReinServer, rein_server, REIN, SERVER, GObject)

/* Opens (or creates) the database at @database_path. */
ReinServer *rein_server_new (const gchar *database_path, GError **error);

/* Requests per second per client address beyond which requests are answered
 * 429; 0 turns the limit off. Bursts up to the same number are allowed. */
void rein_server_set_rate_limit (ReinServer *self, guint requests_per_second);
/* Concurrent connections per client address; 0 turns the limit off. */
void rein_server_set_max_connections (ReinServer *self, guint max_connections);
/* Log each request with g_message(). */
void rein_server_set_log_requests (ReinServer *self, gboolean log_requests);

/* Listens on @address (an IP address) and @port (0: a free one). */
gboolean rein_server_listen (ReinServer *self, const gchar *address, guint port, GError **error);
/* The URI the server listens on, like "http://127.0.0.1:2016/". */
gchar *rein_server_get_uri (ReinServer *self);
guint rein_server_get_port (ReinServer *self);

/* Stops listening, answers what is in flight, and closes the database.
 * Iterates the thread-default main context while it waits. */
void rein_server_shutdown (ReinServer *self);

G_END_DECLS
