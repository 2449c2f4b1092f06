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
/* PostgreSQL: connections (and threads) for reads, per process. */
#define REIN_SERVER_DEFAULT_DATABASE_CONNECTIONS 4
#define REIN_SERVER_MAX_DATABASE_CONNECTIONS 1000
/* Bytes of large answers waiting for their readers, in all. */
#define REIN_SERVER_DEFAULT_MAX_ANSWER_MEMORY (64 * 1024 * 1024)

#define REIN_TYPE_SERVER (rein_server_get_type ())
G_DECLARE_FINAL_TYPE (ReinServer, rein_server, REIN, SERVER, GObject)

/* Opens (or creates) the database at @database_path and checks it
 * (PRAGMA quick_check), failing when it is damaged. */
ReinServer *rein_server_new (const gchar *database_path, GError **error);
/* The same, with the check only when @check_integrity (it reads the whole
 * database: minutes for very large ones). */
ReinServer *rein_server_new_full (const gchar *database_path,
                                  gboolean check_integrity,
                                  GError **error);

typedef enum
{
  REIN_SERVER_OPEN_NONE = 0,
  /* PRAGMA quick_check first (SQLite; PostgreSQL: the schema's version). */
  REIN_SERVER_OPEN_CHECK_INTEGRITY = 1 << 0,
  /* A replica: no writer, no migration; /get, /query, /status and / are
   * served, /put, /nonce and /request are answered 503 with a message
   * that says so. */
  REIN_SERVER_OPEN_READ_ONLY = 1 << 1,
} ReinServerOpenFlags;

/* The same with @flags. A PostgreSQL database that only reads (a hot
 * standby, or a role with default_transaction_read_only) is served read
 * only without REIN_SERVER_OPEN_READ_ONLY too, and says so in the log. */
ReinServer *rein_server_open (const gchar *database_path,
                              ReinServerOpenFlags flags,
                              GError **error);
/* Whether the server serves reads only (asked, or found so). */
gboolean rein_server_get_read_only (ReinServer *self);

/* PostgreSQL: @n connections for reads, each with its thread; call before
 * rein_server_listen() (which opens the default otherwise), as the pool
 * only grows. Besides these the process holds one connection for
 * writes and one for /status: @n + 2 in all. Nothing for SQLite. */
gboolean rein_server_set_database_connections (ReinServer *self, guint n, GError **error);
/* Requests per second per client address beyond which requests are answered
 * 429; 0 turns the limit off. Bursts up to the same number are allowed. */
void rein_server_set_rate_limit (ReinServer *self, guint requests_per_second);
/* Concurrent connections per client address; 0 turns the limit off. */
void rein_server_set_max_connections (ReinServer *self, guint max_connections);
/* Connections in all (0: only the open-file limit); kept below the open-file
 * limit. When full, the request waiting longest to be read is dropped. */
void rein_server_set_max_total_connections (ReinServer *self, guint max_total);
/* The cap in effect. */
guint rein_server_get_max_total_connections (ReinServer *self);
/* Seconds a request (head and body) may take to arrive from accept, and
 * seconds a connection may make no progress reading or writing (0: no
 * limit), for example a client that does not read its answer. */
void rein_server_set_timeouts (ReinServer *self, guint request_timeout, guint idle_timeout);
/* Bytes of large answers (64 KiB and more) that may wait for their readers
 * at once; queries beyond are answered 503 with Retry-After. Each
 * connection carries one request, so one answer at most. */
void rein_server_set_max_answer_memory (ReinServer *self, gsize bytes);
/* The chain backend (an Esplora HTTP API) whose tip query answers give as
 * "block_info" (python-rein 0.3's post needs it), asked every @interval
 * seconds; NULL: none, "block_info" is null. FALSE, with @error, for a URL
 * that is not http(s). See rein-server-chain.h. */
gboolean rein_server_set_chain_url (ReinServer *self,
                                    const gchar *url,
                                    guint interval,
                                    GError **error);
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
