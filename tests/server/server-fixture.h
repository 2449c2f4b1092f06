/* server-fixture.h: a real rein-server process and an HTTP client for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "rein-market.h"
#include "store-fixture.h"

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;
  gchar *directory;  /* temporary, removed by test_server_free() when owned */
  gboolean owns_directory;
  gchar *database;
  gchar *url;        /* "http://127.0.0.1:PORT/" */
  guint port;
  SoupSession *session;
  guint nofile;      /* the server's open-file limit, or 0 */
  gchar *stderr_path; /* where its stderr goes, or NULL */
} TestServer;

/* Starts $REIN_SERVER --port 0 --quiet on @database (NULL: a new temporary
 * one, test_store_new_database()) with @extra_args (NULL-terminated, may be NULL). Reads the
 * "listening on" line. */
TestServer *test_server_start (const gchar *database, const gchar *const *extra_args);
/* test_server_start() with the server's open-file limit (soft and hard)
 * set to @nofile (0: inherited), and its stderr kept in a file of the
 * server's temporary directory when @capture_stderr
 * (test_server_get_stderr()). */
TestServer *test_server_start_full (const gchar *database,
                                    const gchar *const *extra_args,
                                    guint nofile,
                                    gboolean capture_stderr);
/* What the server wrote to stderr so far (test_server_start_full()). */
gchar *test_server_get_stderr (TestServer *server);
/* Runs $REIN_SERVER --port 0 --quiet with @database and @extra_args to its
 * end (for servers that must refuse to start; one still running after 60 s
 * is stopped, status 124): its exit status, with what it printed. */
gint test_server_run_to_exit (const gchar *database,
                              const gchar *const *extra_args,
                              gchar **out_stdout,
                              gchar **out_stderr);
/* Starts $REIN_SERVER --port 0 --quiet without --database, with
 * XDG_DATA_HOME=@data_home: the server opens its default database.
 * server->database is where that should be,
 * @data_home/rein-server/rein-server.db; nothing is removed on free. */
TestServer *test_server_start_in_data_home (const gchar *data_home,
                                            const gchar *const *extra_args);
/* Reads the "listening on http://127.0.0.1:PORT/" line of @server's
 * process (spawned with its stdout piped) and sets its port, URL and
 * session. */
void test_server_wait_listening (TestServer *server);
/* SIGTERM, wait, and assert a clean exit (status 0). */
void test_server_stop (TestServer *server);
/* The same with @signum (SIGINT, SIGTERM). */
void test_server_stop_with_signal (TestServer *server, gint signum);
/* SIGKILL and wait. */
void test_server_kill (TestServer *server);
void test_server_free (TestServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestServer, test_server_free)

typedef struct
{
  guint status;
  gchar *content_type;
  gchar *body;
  JsonNode *json; /* NULL when the body is not JSON */
} Answer;

void answer_free (Answer *answer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

/* @path_and_query is appended to the server URL as is (escape values with
 * g_uri_escape_string()). */
Answer *http_get (TestServer *server, const gchar *path_and_query);
Answer *http_post (TestServer *server, const gchar *path, const gchar *body, gssize len);
/* Writes @request on a new connection and reads the answer until the server
 * closes it (or 10 s pass). Status 0 when there was no answer. */
Answer *http_raw (TestServer *server, const gchar *request, gsize len);

/* An answer's object member, asserting the shape. */
JsonObject *answer_object (Answer *answer);
/* TRUE when @answer is a JSON object saying error: {"error": ...} or
 * {"result": "error", "message": ...}. */
gboolean answer_is_json_error (Answer *answer);

typedef struct
{
  ReinPrivateKey *master;
  ReinPrivateKey *delegate;
  gchar *master_address;
  gchar *delegate_address;
  gchar *public_key; /* the delegate's, hex */
  gchar *name;
  gchar *nonce;      /* last nonce fetched */
} Identity;

Identity *identity_new (const gchar *name);
void identity_free (Identity *identity);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Identity, identity_free)

/* The enrollment, signed by the master key. */
gchar *identity_enrollment (Identity *identity, gboolean mediator);
/* "Title\nLabel: value..." signed by the delegate key, armored. */
gchar *identity_sign (Identity *identity, const gchar *text);
/* /request, asserting success. */
void identity_register (Identity *identity, TestServer *server);
/* /request for @owner with @delegate, asserting success. */
void test_server_register (TestServer *server,
                           const gchar *owner,
                           const gchar *delegate,
                           const gchar *contact);
/* /nonce, asserting a 32 hex nonce; stored in identity->nonce. */
const gchar *identity_fetch_nonce (Identity *identity, TestServer *server);
/* The JSON body of a put of @value under @key, signed by @signer's delegate
 * (normally @identity itself) with @nonce. */
gchar *identity_put_body (Identity *identity,
                          Identity *signer,
                          const gchar *key,
                          const gchar *value,
                          const gchar *nonce,
                          gboolean testnet);
/* Puts with the current nonce (fetching one when there is none). */
Answer *identity_put (Identity *identity,
                      TestServer *server,
                      const gchar *key,
                      const gchar *value,
                      gboolean testnet);

/* Puts @value under a new random key with a fresh nonce, asserting that
 * the server took it (201). */
void identity_put_ok (Identity *identity, TestServer *server, const gchar *value);
/* @worker's bid of @amount BTC on the armored job @posting, signed; the
 * contact is the lowercased name at example.com. */
gchar *identity_bid (Identity *worker,
                     const gchar *posting,
                     const gchar *amount,
                     const gchar *description);

/* 32 random [A-Z0-9], like clients choose. */
gchar *random_key (void);
/* 20 random [a-z0-9]. */
gchar *random_job_id (void);

G_END_DECLS
