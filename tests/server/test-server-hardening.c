/* test-server-hardening.c: what a hostile client can do to rein-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Issue 10, items 1 to 6: bodies nobody asked for, clients that do not
 * read, connections that never end or exhaust the open files, squatted
 * buckets, a damaged database, and lenient parsing. Malformed HTTP goes
 * over raw sockets.
 */
#include "config.h"

#include <gio/gnetworking.h>
#include <string.h>

#include "server-fixture.h"

/* ---- raw sockets ---- */

static GSocketConnection *
raw_connect (TestServer *server, guint timeout_seconds)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  GSocketConnection *connection;

  g_socket_client_set_timeout (client, timeout_seconds);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", server->port, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

static void
raw_write (GSocketConnection *connection, const gchar *text)
{
  /* The server may have answered and closed already. */
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             text, strlen (text), NULL, NULL, NULL);
}

/* Reads until the status line is in, the server closes, or the socket's
 * timeout passes: the status, 0 when none came. */
static guint
raw_read_status (GSocketConnection *connection)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  g_autoptr (GString) received = g_string_new (NULL);
  gchar buffer[1024];
  gssize n;

  while (strstr (received->str, "\r\n") == NULL
         && (n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL)) > 0)
    g_string_append_len (received, buffer, n);
  if (!g_str_has_prefix (received->str, "HTTP/1.1 ") || received->len < 12)
    return 0;
  return (guint) g_ascii_strtoull (received->str + 9, NULL, 10);
}

/* Writes @request (the client's write side stays open, as a client still
 * sending would keep it) and waits up to @seconds for the status. */
static guint
raw_status (TestServer *server, const gchar *request, guint seconds)
{
  g_autoptr (GSocketConnection) connection = raw_connect (server, seconds);

  raw_write (connection, request);
  return raw_read_status (connection);
}

/* Whether the server closes @connection within @seconds, sending a byte of
 * @trickle (when not NULL) every 200 ms meanwhile. */
static gboolean
closed_within (GSocketConnection *connection, const gchar *trickle, gdouble seconds)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  g_autoptr (GTimer) timer = g_timer_new ();
  gsize sent = 0;

  g_socket_set_blocking (socket, FALSE);
  while (g_timer_elapsed (timer, NULL) < seconds)
    {
      gchar buffer[4096];
      gssize n;

      if (trickle != NULL && trickle[sent] != '\0')
        {
          g_autoptr (GError) error = NULL;

          if (g_socket_send (socket, trickle + sent, 1, NULL, &error) < 0)
            return TRUE;
          sent++;
        }
      if (!g_socket_condition_timed_wait (socket, G_IO_IN, 200 * 1000, NULL, NULL))
        continue;
      /* An answer (a 408, say) may come before the end. */
      while ((n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL)) > 0)
        ;
      if (n == 0 || n < 0)
        {
          g_autoptr (GError) error = NULL;

          if (g_socket_receive (socket, buffer, sizeof buffer, NULL, &error) >= 0
              || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return TRUE;
        }
    }
  return FALSE;
}

/* Sends @request (when not NULL) and reads until the end: bytes read. */
static gsize
read_all (GSocketConnection *connection, const gchar *request)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  gchar buffer[65536];
  gsize total = 0;
  gssize n;

  if (request != NULL)
    raw_write (connection, request);
  while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL)) > 0)
    total += (gsize) n;
  return total;
}

/* ---- documents ---- */

static gchar *
job_document (Identity *creator, gsize padding)
{
  g_autofree gchar *job_id = random_job_id ();
  g_autofree gchar *description = g_strnfill (padding, 'x');
  g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: Hardening\nJob ID: %s\n"
                                            "Description: %s\n"
                                            "Job creator public key: %s",
                                            job_id, description, creator->public_key);

  return identity_sign (creator, text);
}

static void
put_ok (Identity *owner, TestServer *server, const gchar *value)
{
  g_autofree gchar *key = random_key ();
  g_autoptr (Answer) answer = identity_put (owner, server, key, value, FALSE);

  g_assert_cmpuint (answer->status, ==, 201);
}

/* ---- 1. bodies ---- */

/* Every request with a body it should not have, or one too large, is
 * answered at once, before the body is read. */
static void
test_bodies (void)
{
  g_autoptr (TestServer) server = test_server_start (NULL, NULL);
  const gchar *const requests[] = {
    "PUT /put HTTP/1.1\r\nHost: x\r\nContent-Length: 1572864000\r\n\r\n",
    "POST /get HTTP/1.1\r\nHost: x\r\nContent-Length: 1572864000\r\n\r\n",
    "POST //put HTTP/1.1\r\nHost: x\r\nContent-Length: 1572864000\r\n\r\n",
    "POST /put/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1572864000\r\n\r\n",
    "GET /status HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n",
    "GET /query?owner=x&query=jobs HTTP/1.1\r\nHost: x\r\n"
    "Transfer-Encoding: chunked\r\n\r\n5dc00000\r\n",
    "POST /put HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5dc00000\r\n",
    "POST /put HTTP/1.1\r\nHost: x\r\nContent-Length: 1572864000\r\n\r\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      guint status = raw_status (server, requests[i], 5);

      if (status != 405 && status != 411 && status != 413)
        g_error ("%s: status %u, expected 405, 411 or 413", requests[i], status);
    }
  /* and the server still answers */
  {
    g_autoptr (Answer) answer = http_get (server, "status");

    g_assert_cmpuint (answer->status, ==, 200);
  }
}

/* ---- 2. slow readers ---- */

/* Large answers waiting for clients that do not read are bounded in total
 * (beyond that: 503), and such clients are dropped after the idle timeout,
 * which frees their share. */
static void
test_slow_readers (void)
{
  g_autoptr (TestServer) server = NULL;
  g_autoptr (Identity) owner = identity_new ("reader");
  g_autoptr (GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree gchar *request = NULL;
  g_autofree gchar *document = NULL;
  guint ok = 0, busy = 0;

  server = test_server_start (NULL, (const gchar *const[]) { "--rate=0",
                                                             "--max-connections=0",
                                                             "--idle-timeout=2",
                                                             "--max-answer-memory=2",
                                                             NULL });
  identity_register (owner, server);
  /* 150 documents of 7 kB: a 1 MB answer, more than a socket holds when
   * its reader's window is small. */
  for (guint i = 0; i < 150; i++)
    {
      g_autofree gchar *value = job_document (owner, 7000);

      if (i == 130)
        identity_register (owner, server);
      put_ok (owner, server, value);
    }
  request = g_strdup_printf ("GET /query?owner=%s&query=jobs&limit=1000 HTTP/1.1\r\n"
                             "Host: x\r\n\r\n", owner->master_address);

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                                 G_SOCKET_PROTOCOL_TCP, &error);
      g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, server->port);
      GSocketConnection *connection;
      guint status;

      g_assert_no_error (error);
      /* A reader that takes almost nothing. */
      g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 2048, NULL);
      g_assert_true (g_socket_connect (socket, address, NULL, &error));
      g_socket_set_timeout (socket, 5);
      connection = g_socket_connection_factory_create_connection (socket);
      g_ptr_array_add (held, connection);
      raw_write (connection, request);
      status = raw_read_status (connection);
      if (status == 200)
        ok++;
      else if (status == 503)
        busy++;
      else
        g_error ("slow reader %u: status %u", i, status);
      if (i == 0)
        g_usleep (300 * 1000); /* the first one is being written */
    }
  /* A budget of 2 MiB holds one answer of 1.1 MB. */
  g_assert_cmpuint (ok, ==, 1);
  g_assert_cmpuint (busy, ==, 3);

  /* The one that does not read is dropped after the idle timeout, and its
   * answer's memory freed: a new reader gets all of it. */
  g_usleep (4 * G_USEC_PER_SEC);
  {
    g_autoptr (GSocketConnection) connection = raw_connect (server, 10);
    gsize full = read_all (connection, request);
    gsize cut = read_all (g_ptr_array_index (held, 0), NULL);

    g_assert_cmpuint (full, >, 1000000);
    g_assert_cmpuint (cut + 100000, <, full);
  }
}

/* ---- 3. connections without end ---- */

/* A connection that sends nothing, one whose head trickles in, and one
 * whose body trickles in are all closed after the request deadline. */
static void
test_deadlines (void)
{
  g_autoptr (TestServer) server = test_server_start (NULL, (const gchar *const[]) {
                                                       "--request-timeout=1",
                                                       "--idle-timeout=10", NULL });
  g_autoptr (GSocketConnection) silent = raw_connect (server, 10);
  g_autoptr (GSocketConnection) head = raw_connect (server, 10);
  g_autoptr (GSocketConnection) body = raw_connect (server, 10);
  g_autofree gchar *slow_head = g_strnfill (100, 'a');
  g_autofree gchar *slow_body = g_strnfill (100, 'b');

  raw_write (head, "GET /status?");
  raw_write (body, "POST /put HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n");
  g_assert_true (closed_within (head, slow_head, 4));
  g_assert_true (closed_within (body, slow_body, 4));
  /* The kernel holds a silent one (TCP_DEFER_ACCEPT) for some seconds
   * before the server sees it. */
  g_assert_true (closed_within (silent, NULL, 15));

  {
    g_autoptr (Answer) answer = http_get (server, "status");

    g_assert_cmpuint (answer->status, ==, 200);
  }
}

/* With few open files and more unfinished connections than they allow,
 * normal requests are still answered, and the condition is logged once
 * rather than once per attempt. */
static void
test_open_files (void)
{
  g_autoptr (TestServer) server = NULL;
  g_autoptr (GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree gchar *log = NULL;
  g_auto (GStrv) lines = NULL;

  server = test_server_start_full (NULL, (const gchar *const[]) { "--rate=0",
                                                                  "--max-connections=0",
                                                                  NULL },
                                   64, TRUE);
  for (guint i = 0; i < 100; i++)
    {
      GSocketConnection *connection = raw_connect (server, 5);

      raw_write (connection, "GET /status HTTP/1.1\r\n");
      g_ptr_array_add (held, connection);
    }
  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (raw_status (server, "GET /status HTTP/1.1\r\nHost: x\r\n\r\n", 5), ==, 200);

  g_ptr_array_set_size (held, 0);
  test_server_stop (server);
  log = test_server_get_stderr (server);
  lines = g_strsplit (log, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), <=, 6);
  g_assert_null (strstr (log, "Too many open files"));
}

/* ---- 4. squatting ---- */

/* Someone registers himself as the delegate of an owner before the owner
 * does: the owner's master-signed enrollment outweighs that registration,
 * from the put that carries it on, and the squatter loses the buckets. */
static void
test_squatting (void)
{
  g_autoptr (TestServer) server = test_server_start (NULL, (const gchar *const[]) { "--rate=0",
                                                                                    NULL });
  g_autoptr (Identity) owner = identity_new ("owner");
  g_autoptr (Identity) squatter = identity_new ("squatter");
  g_autoptr (Identity) stranger = identity_new ("stranger");
  g_autofree gchar *path = NULL;
  g_autofree gchar *enrollment = identity_enrollment (owner, FALSE);
  g_autofree gchar *document = job_document (owner, 10);
  g_autofree gchar *foreign = identity_enrollment (stranger, FALSE);

  path = g_strdup_printf ("request?owner=%s&delegate=%s", owner->master_address,
                          squatter->delegate_address);
  {
    g_autoptr (Answer) answer = http_get (server, path);

    g_assert_cmpuint (answer->status, ==, 200);
  }
  identity_register (owner, server);

  /* Without the enrollment the registered delegate is the squatter's. */
  {
    g_autofree gchar *key = random_key ();
    g_autoptr (Answer) answer = identity_put (owner, server, key, document, FALSE);

    g_assert_cmpuint (answer->status, ==, 401);
  }
  /* Someone else's enrollment proves nothing about this owner. */
  {
    g_autofree gchar *key = random_key ();
    g_autoptr (Answer) answer = identity_put (owner, server, key, foreign, FALSE);

    g_assert_cmpuint (answer->status, ==, 401);
  }
  /* The owner's own does, and so on. */
  put_ok (owner, server, enrollment);
  put_ok (owner, server, document);

  /* The squatter is out. */
  {
    g_autofree gchar *key = random_key ();
    g_autofree gchar *nonce = g_strdup (identity_fetch_nonce (owner, server));
    g_autofree gchar *body = identity_put_body (owner, squatter, key, document, nonce, FALSE);
    g_autoptr (Answer) answer = http_post (server, "put", body, -1);

    g_assert_cmpuint (answer->status, ==, 401);
  }
}

/* ---- 5. a damaged database ---- */

static void
test_damaged (void)
{
  g_autoptr (TestServer) server = test_server_start (NULL, (const gchar *const[]) { "--rate=0",
                                                                                    NULL });
  g_autoptr (Identity) owner = identity_new ("damaged");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *contents = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  gsize len;
  gint status;

  identity_register (owner, server);
  for (guint i = 0; i < 40; i++)
    {
      g_autofree gchar *value = job_document (owner, 3000);

      put_ok (owner, server, value);
    }
  test_server_stop (server);

  /* PostgreSQL checks its own pages; what the server refuses there is a
   * schema it does not know, one from a newer server. */
  if (test_store_is_postgresql ())
    {
      g_autoptr (GPtrArray) rows = test_store_select (server->database,
                                                      "UPDATE rein_schema SET version = 99"
                                                      " WHERE version = (SELECT max(version)"
                                                      " FROM rein_schema) RETURNING version",
                                                      NULL);

      g_assert_cmpuint (rows->len, ==, 1);
      status = test_server_run_to_exit (server->database, NULL, &out, &err);
      g_assert_cmpint (status, ==, 1);
      g_assert_null (strstr (out, "listening"));
      g_assert_nonnull (strstr (err, "Database schema 99 is newer than this server"));
      return;
    }

  /* Every page but the header's becomes garbage. */
  g_file_get_contents (server->database, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 16 * 4096);
  memset (contents + 4096, 0x5a, len - 4096);
  g_file_set_contents (server->database, contents, (gssize) len, &error);
  g_assert_no_error (error);

  status = test_server_run_to_exit (server->database, NULL, &out, &err);
  g_assert_cmpint (status, ==, 1);
  g_assert_null (strstr (out, "listening"));
  g_assert_nonnull (strstr (err, "damaged"));
  g_assert_nonnull (strstr (err, ".recover"));
  g_assert_nonnull (strstr (err, "--skip-integrity-check"));

  /* Told to, it starts anyway. */
  {
    g_autoptr (TestServer) anyway = test_server_start (server->database, (const gchar *const[]) {
                                                         "--skip-integrity-check", NULL });
    g_autoptr (Answer) answer = http_get (anyway, "status");

    g_assert_cmpuint (answer->status, ==, 200);
  }
}

/* ---- 6. lenient parsing ---- */

static void
test_lenient (void)
{
  g_autoptr (TestServer) server = test_server_start (NULL, (const gchar *const[]) { "--rate=0",
                                                                                    NULL });
  g_autoptr (Identity) owner = identity_new ("lenient");
  g_autofree gchar *key = random_key ();
  g_autofree gchar *document = job_document (owner, 10);
  g_autofree gchar *body = NULL;
  g_autofree gchar *needle = NULL;
  g_autofree gchar *get = NULL;
  g_autoptr (GString) escaped = NULL;
  /* (libsoup itself refuses "12abc" or "1, 2", and leaks 10 bytes each
   * time under LeakSanitizer: not tried here.) */
  const gchar *const lengths[] = { "18446744073709551616", "9223372036854775808",
                                   "18446744073709551615", "-1" };

  identity_register (owner, server);
  identity_fetch_nonce (owner, server);
  /* Signed for the key as it would be cut at the NUL. */
  body = identity_put_body (owner, owner, key, document, owner->nonce, FALSE);
  needle = g_strdup_printf ("\"%s\"", key);
  escaped = g_string_new (body);
  g_assert_nonnull (strstr (escaped->str, needle));
  {
    g_autofree gchar *with_nul = g_strdup_printf ("\"%s\\u0000X\"", key);

    g_assert_cmpuint (g_string_replace (escaped, needle, with_nul, 1), ==, 1);
  }
  {
    g_autoptr (Answer) answer = http_post (server, "put", escaped->str, -1);

    g_assert_cmpuint (answer->status, ==, 400);
    g_assert_true (answer_is_json_error (answer));
  }
  get = g_strdup_printf ("get?key=%s", key);
  {
    g_autoptr (Answer) answer = http_get (server, get);

    g_assert_cmpuint (answer->status, ==, 404);
  }

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autofree gchar *request = g_strdup_printf ("POST /put HTTP/1.1\r\nHost: x\r\n"
                                                   "Content-Length: %s\r\n\r\n{}",
                                                   lengths[i]);
      guint status = raw_status (server, request, 5);

      if (status != 400 && status != 413)
        g_error ("Content-Length: %s: status %u, expected 400 or 413", lengths[i], status);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/hardening/bodies", test_bodies);
  g_test_add_func ("/server/hardening/slow-readers", test_slow_readers);
  g_test_add_func ("/server/hardening/deadlines", test_deadlines);
  g_test_add_func ("/server/hardening/open-files", test_open_files);
  g_test_add_func ("/server/hardening/squatting", test_squatting);
  g_test_add_func ("/server/hardening/damaged", test_damaged);
  g_test_add_func ("/server/hardening/lenient", test_lenient);

  return g_test_run ();
}
