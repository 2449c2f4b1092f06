/* test-client.c: ReinClient against a real rein-server, a dead address and
 * a server that answers garbage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "net-test-util.h"
#include "rein-client.h"
#include "rein-market.h"
#include "server-fixture.h"

typedef struct
{
  gboolean done;
  GAsyncResult *result;
} Waiter;

static void
done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *w = user_data;

  w->result = g_object_ref (result);
  w->done = TRUE;
}

/* Waits for the next completion; the previous result is dropped. */
static GAsyncResult *
wait_for (Waiter *w)
{
  g_clear_object (&w->result);
  net_test_wait (&w->done);
  w->done = FALSE;
  return w->result;
}

#define WAIT(w) wait_for (&(w))

static gchar *
signed_job (ReinPrivateKey *delegate, const gchar *name)
{
  g_autofree gchar *job_id = rein_job_id_generate ();
  g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: %s\nJob ID: %s\nCategory: Test\n"
                                            "Description: A test job", name, job_id);
  g_autoptr (ReinDocument) doc = rein_document_sign (text, NULL, delegate, REIN_NETWORK_MAINNET,
                                                     NULL);

  g_assert_nonnull (doc);
  return g_strdup (rein_document_get_armored (doc));
}

static void
test_whole_api (void)
{
  TestServer *server = test_server_start (NULL, NULL);
  g_autoptr (ReinClient) client = NULL;
  g_autoptr (ReinPrivateKey) master = rein_private_key_generate (TRUE);
  g_autoptr (ReinPrivateKey) delegate = rein_private_key_generate (TRUE);
  g_autofree gchar *owner = rein_private_key_get_address (master, REIN_NETWORK_MAINNET);
  g_autofree gchar *daddr = rein_private_key_get_address (delegate, REIN_NETWORK_MAINNET);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) buckets = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autofree gchar *nonce = NULL, *nonce2 = NULL, *cleared = NULL, *value = NULL;
  g_autofree gchar *key = rein_client_new_key ();
  g_autofree gchar *job = signed_job (delegate, "Logo");
  Waiter w = { 0 };

  client = rein_client_new (server->url, &error);
  g_assert_no_error (error);

  /* an owner without buckets cannot ask for a nonce */
  rein_client_nonce_async (client, owner, NULL, NULL, done_cb, &w);
  nonce = rein_client_nonce_finish (client, WAIT (w), &error);
  g_assert_null (nonce);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_REFUSED);
  g_assert_true (g_str_has_prefix (error->message, server->url));
  g_clear_error (&error);

  rein_client_request_buckets_async (client, owner, daddr, "me@example.com", NULL, done_cb, &w);
  buckets = rein_client_request_buckets_finish (client, WAIT (w), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (buckets->len, ==, 1);
  g_assert_cmpint (((ReinBucket *) buckets->pdata[0])->bytes_free, ==, 1048576);

  rein_client_nonce_async (client, owner, NULL, NULL, done_cb, &w);
  nonce = rein_client_nonce_finish (client, WAIT (w), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (nonce), ==, 32);
  rein_client_nonce_async (client, owner, NULL, NULL, done_cb, &w);
  nonce2 = rein_client_nonce_finish (client, WAIT (w), &error);
  g_assert_cmpstr (nonce, ==, nonce2);

  rein_client_put_async (client, key, job, nonce, delegate, owner, FALSE, NULL, done_cb, &w);
  g_assert_true (rein_client_put_finish (client, WAIT (w), &error));
  g_assert_no_error (error);

  rein_client_get_async (client, key, NULL, done_cb, &w);
  value = rein_client_get_finish (client, WAIT (w), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, job);

  rein_client_query_async (client, owner, "jobs", FALSE, NULL, NULL, done_cb, &w);
  jobs = rein_client_query_finish (client, WAIT (w), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_cmpstr (jobs->pdata[0], ==, job);

  /* a put signed by someone else's key is refused, with the server's reason */
  {
    g_autoptr (ReinPrivateKey) stranger = rein_private_key_generate (TRUE);
    g_autofree gchar *key2 = rein_client_new_key ();

    rein_client_put_async (client, key2, job, nonce, stranger, owner, FALSE, NULL, done_cb, &w);
    g_assert_false (rein_client_put_finish (client, WAIT (w), &error));
    g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_REFUSED);
    g_clear_error (&error);
  }

  rein_client_nonce_async (client, owner, nonce, NULL, done_cb, &w);
  cleared = rein_client_nonce_finish (client, WAIT (w), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cleared, ==, "");

  /* the old nonce is gone, and the error says so apart from other refusals */
  {
    g_autofree gchar *key3 = rein_client_new_key ();

    rein_client_put_async (client, key3, job, nonce, delegate, owner, FALSE, NULL, done_cb, &w);
    g_assert_false (rein_client_put_finish (client, WAIT (w), &error));
    g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_NONCE);
    g_clear_error (&error);
  }

  rein_client_get_async (client, "NOSUCHKEY", NULL, done_cb, &w);
  g_assert_null (rein_client_get_finish (client, WAIT (w), &error));
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_clear_object (&w.result);
  test_server_stop (server);
  test_server_free (server);
}

static void
test_unreachable (void)
{
  g_autofree gchar *url = net_test_dead_url ();
  g_autoptr (ReinClient) client = rein_client_new (url, NULL);
  g_autoptr (GError) error = NULL;
  Waiter w = { 0 };

  rein_client_get_async (client, "X", NULL, done_cb, &w);
  g_assert_null (rein_client_get_finish (client, WAIT (w), &error));
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE);
  /* the message says which server */
  g_assert_true (g_str_has_prefix (error->message, url));
  g_clear_object (&w.result);
}

static void
test_garbage (void)
{
  g_autoptr (FakeServer) html = fake_server_new (200, "<html>hello</html>", FALSE);
  g_autoptr (FakeServer) wrong_shape = fake_server_new (200, "{\"nonce\": 12}", TRUE);
  g_autoptr (FakeServer) big = NULL;
  g_autoptr (ReinClient) client = rein_client_new (html->url, NULL);
  g_autoptr (ReinClient) client2 = rein_client_new (wrong_shape->url, NULL);
  g_autoptr (ReinClient) client3 = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *huge = g_strnfill (200000, 'a');
  g_autofree gchar *huge_json = g_strdup_printf ("{\"key\": \"k\", \"value\": \"%s\"}", huge);
  Waiter w = { 0 };

  rein_client_get_async (client, "X", NULL, done_cb, &w);
  g_assert_null (rein_client_get_finish (client, WAIT (w), &error));
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER);
  g_assert_nonnull (strstr (error->message, "not JSON"));
  g_clear_error (&error);

  rein_client_nonce_async (client2, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", NULL, NULL, done_cb, &w);
  g_assert_null (rein_client_nonce_finish (client2, WAIT (w), &error));
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER);
  g_clear_error (&error);

  /* answers are bounded */
  big = fake_server_new (200, huge_json, TRUE);
  client3 = rein_client_new (big->url, NULL);
  rein_client_set_max_answer (client3, 100000);
  rein_client_get_async (client3, "k", NULL, done_cb, &w);
  g_assert_null (rein_client_get_finish (client3, WAIT (w), &error));
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER);
  g_assert_nonnull (strstr (error->message, "larger than"));
  g_clear_error (&error);
  g_clear_object (&w.result);
}

/* A query answer whose document holds \u0000 is refused whole: read as a
 * C string it would be the document before the NUL, and what follows it
 * would go unseen. */
static void
test_nul_in_answer (void)
{
  g_autoptr (FakeServer) fake = fake_server_new (
      200, "{\"result\": \"success\", \"jobs\": [\"text\\u0000hidden\"]}", TRUE);
  g_autoptr (ReinClient) client = rein_client_new (fake->url, NULL);
  g_autoptr (GError) error = NULL;
  Waiter w = { 0 };

  rein_client_query_async (client, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "jobs", FALSE, NULL, NULL,
                           done_cb, &w);
  g_assert_null (rein_client_query_finish (client, WAIT (w), &error));
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER);
  g_assert_nonnull (strstr (error->message, "not JSON"));
  g_clear_object (&w.result);
}

/* What a /request answer says of its buckets is bounded: free space
 * between 0 and a TiB (summed over buckets it overflowed a gint64 and
 * printed nonsense), a creation date of a few characters of text. */
static void
test_bucket_bounds (void)
{
  g_autofree gchar *long_date = g_strnfill (1000, '9');
  g_autofree gchar *answer = g_strdup_printf (
      "{\"result\": \"success\", \"buckets\": ["
      "{\"id\": 1, \"created\": \"2026-12-06 10:00:00\", \"bytes_free\": \"9223372036854775807\"},"
      "{\"id\": 2, \"created\": \"%s\", \"bytes_free\": \"9223372036854775807\"},"
      "{\"id\": 3, \"created\": 12345, \"bytes_free\": -5},"
      "{\"id\": 4, \"bytes_free\": \"1048576\"}]}",
      long_date);
  g_autoptr (FakeServer) fake = fake_server_new (200, answer, TRUE);
  g_autoptr (ReinClient) client = rein_client_new (fake->url, NULL);
  const gchar *owner = "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH";
  g_autoptr (GPtrArray) buckets = NULL;
  g_autoptr (GError) error = NULL;
  Waiter w = { 0 };
  gint64 sum = 0;

  rein_client_request_buckets_async (client, owner, owner, "me@example.com", NULL, done_cb, &w);
  buckets = rein_client_request_buckets_finish (client, WAIT (w), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (buckets->len, ==, 4);
  g_assert_cmpint (((ReinBucket *) buckets->pdata[0])->bytes_free, ==,
                   G_GINT64_CONSTANT (1) << 40);
  g_assert_cmpstr (((ReinBucket *) buckets->pdata[0])->created, ==, "2026-12-06 10:00:00");
  g_assert_null (((ReinBucket *) buckets->pdata[1])->created);
  g_assert_cmpint (((ReinBucket *) buckets->pdata[2])->bytes_free, ==, 0);
  g_assert_null (((ReinBucket *) buckets->pdata[2])->created);
  g_assert_cmpint (((ReinBucket *) buckets->pdata[3])->bytes_free, ==, 1048576);
  for (guint i = 0; i < buckets->len; i++)
    sum += ((ReinBucket *) buckets->pdata[i])->bytes_free;
  g_assert_cmpint (sum, ==, (G_GINT64_CONSTANT (1) << 41) + 1048576);
  g_clear_object (&w.result);
}

/* Every call against a server whose answer nests @depth arrays: json-glib
 * would recurse once per level and overflow the stack. */
static void
check_deep_answer (guint status, gsize depth)
{
  g_autofree gchar *body = g_strnfill (depth, '[');
  g_autoptr (FakeServer) fake = fake_server_new (status, body, TRUE);
  g_autoptr (ReinClient) client = rein_client_new (fake->url, NULL);
  g_autoptr (ReinPrivateKey) delegate = rein_private_key_generate (TRUE);
  const gchar *owner = "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH";
  g_autoptr (GError) error = NULL;
  Waiter w = { 0 };

  for (guint call = 0; call < 7; call++)
    {
      gboolean ok;

      switch (call)
        {
        case 0:
        case 1:
          rein_client_query_async (client, owner, call == 0 ? "jobs" : "mediators", FALSE, NULL,
                                   NULL, done_cb, &w);
          ok = rein_client_query_finish (client, WAIT (w), &error) != NULL;
          break;
        case 2:
          rein_client_get_async (client, "K", NULL, done_cb, &w);
          ok = rein_client_get_finish (client, WAIT (w), &error) != NULL;
          break;
        case 3:
          rein_client_nonce_async (client, owner, NULL, NULL, done_cb, &w);
          ok = rein_client_nonce_finish (client, WAIT (w), &error) != NULL;
          break;
        case 4:
          rein_client_status_async (client, NULL, done_cb, &w);
          ok = rein_client_status_finish (client, WAIT (w), &error);
          break;
        case 5:
          rein_client_put_async (client, "K", "V", "N", delegate, owner, FALSE, NULL, done_cb, &w);
          ok = rein_client_put_finish (client, WAIT (w), &error);
          break;
        default:
          rein_client_request_buckets_async (client, owner, owner, "me@example.com", NULL,
                                             done_cb, &w);
          ok = rein_client_request_buckets_finish (client, WAIT (w), &error) != NULL;
          break;
        }
      g_assert_false (ok);
      g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER);
      g_assert_nonnull (strstr (error->message, "nests more than"));
      g_clear_error (&error);
    }
  g_clear_object (&w.result);
}

static void
test_deep_answer (void)
{
  /* parsed in a worker thread (200 KB), on the main thread (10 KB), and in
   * an error answer */
  check_deep_answer (200, 100000);
  check_deep_answer (200, 10000);
  check_deep_answer (500, 100000);
}

/* Brackets in strings are text, not nesting; nesting within the limit is
 * parsed as before. */
static void
test_deep_text (void)
{
  g_autofree gchar *brackets = g_strnfill (100000, '[');
  g_autofree gchar *body = g_strdup_printf ("{\"key\": \"K\", \"value\": \"\\\"%s\"}",
                                            brackets);
  g_autoptr (FakeServer) fake = fake_server_new (200, body, TRUE);
  g_autoptr (ReinClient) client = rein_client_new (fake->url, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *value = NULL;
  g_autoptr (GString) nested = g_string_new ("{\"result\": \"success\", \"jobs\": ");
  g_autoptr (FakeServer) fake2 = NULL;
  g_autoptr (ReinClient) client2 = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  Waiter w = { 0 };

  rein_client_get_async (client, "K", NULL, done_cb, &w);
  value = rein_client_get_finish (client, WAIT (w), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (value), ==, 100001);
  g_assert_cmpint (value[0], ==, '"');
  g_assert_cmpint (value[100000], ==, '[');

  /* 62 levels inside the answer's two: the list holds one list, no text */
  for (guint i = 0; i < 62; i++)
    g_string_append_c (nested, '[');
  for (guint i = 0; i < 62; i++)
    g_string_append_c (nested, ']');
  g_string_append_c (nested, '}');
  fake2 = fake_server_new (200, nested->str, TRUE);
  client2 = rein_client_new (fake2->url, NULL);
  rein_client_query_async (client2, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "jobs", FALSE, NULL,
                           NULL, done_cb, &w);
  jobs = rein_client_query_finish (client2, WAIT (w), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, 0);
  g_clear_object (&w.result);
}

static void
test_cancel (void)
{
  g_autoptr (FakeServer) fake = fake_server_new (200, "{}", TRUE);
  g_autoptr (ReinClient) client = rein_client_new (fake->url, NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  Waiter w = { 0 };

  rein_client_get_async (client, "X", cancellable, done_cb, &w);
  g_cancellable_cancel (cancellable);
  g_assert_null (rein_client_get_finish (client, WAIT (w), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&w.result);
}

typedef struct
{
  guint done;
  guint not_found;
} Burst;

static void
burst_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Burst *b = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *value = rein_client_get_finish (REIN_CLIENT (source), result, &error);

  if (g_error_matches (error, REIN_NET_ERROR, REIN_NET_ERROR_NOT_FOUND))
    b->not_found++;
  b->done++;
}

static gboolean
burst_done (gpointer data)
{
  return ((Burst *) data)->done == 8;
}

/* A server that says "too many requests" is asked again, more slowly. */
static void
test_rate_limited (void)
{
  const gchar *args[] = { "--rate", "2", NULL };
  TestServer *server = test_server_start (NULL, args);
  g_autoptr (ReinClient) client = rein_client_new (server->url, NULL);
  Burst b = { 0 };

  for (guint i = 0; i < 8; i++)
    rein_client_get_async (client, "MISSING", NULL, burst_cb, &b);
  while (!burst_done (&b))
    g_main_context_iteration (NULL, TRUE);
  /* every one got its real answer, none "too many requests" */
  g_assert_cmpuint (b.not_found, ==, 8);
  test_server_stop (server);
  test_server_free (server);
}


/* ---- a server that holds a call forever ---- */

/* Accepts connections on 127.0.0.1 and then either never says a word or
 * answers "200, 100000 bytes follow" and trickles one byte every 200 ms,
 * well inside any idle timeout. */
typedef struct
{
  GSocketService *service;
  gchar *url;
  gboolean trickle;
  GPtrArray *connections; /* of GSocketConnection, kept open */
  GPtrArray *sources;     /* of GSource, the trickles */
  guint bytes_sent;
} SlowServer;

static gboolean
trickle_cb (gpointer data)
{
  GSocketConnection *connection = data;
  SlowServer *slow = g_object_get_data (G_OBJECT (connection), "slow");
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  if (g_output_stream_write (out, " ", 1, NULL, NULL) != 1)
    return G_SOURCE_REMOVE;
  slow->bytes_sent++;
  return G_SOURCE_CONTINUE;
}

static gboolean
slow_incoming_cb (GSocketService *service,
                  GSocketConnection *connection,
                  GObject *source_object,
                  gpointer user_data)
{
  SlowServer *slow = user_data;

  g_ptr_array_add (slow->connections, g_object_ref (connection));
  if (slow->trickle)
    {
      static const gchar head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                  "Content-Length: 100000\r\n\r\n";
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
      GSource *source = g_timeout_source_new (200);

      g_assert_true (g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL));
      g_object_set_data (G_OBJECT (connection), "slow", slow);
      g_source_set_callback (source, trickle_cb, connection, NULL);
      g_source_attach (source, NULL);
      g_ptr_array_add (slow->sources, source);
    }
  return TRUE;
}

static SlowServer *
slow_server_new (gboolean trickle)
{
  SlowServer *slow = g_new0 (SlowServer, 1);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;

  slow->trickle = trickle;
  slow->connections = g_ptr_array_new_with_free_func (g_object_unref);
  slow->sources = g_ptr_array_new ();
  slow->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (slow->service), any_port,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  slow->url = g_strdup_printf ("http://127.0.0.1:%u/", g_inet_socket_address_get_port (
                                                         G_INET_SOCKET_ADDRESS (bound)));
  g_signal_connect (slow->service, "incoming", G_CALLBACK (slow_incoming_cb), slow);
  g_socket_service_start (slow->service);
  return slow;
}

static void
slow_server_free (SlowServer *slow)
{
  for (guint i = 0; i < slow->sources->len; i++)
    {
      g_source_destroy (slow->sources->pdata[i]);
      g_source_unref (slow->sources->pdata[i]);
    }
  g_ptr_array_unref (slow->sources);
  g_socket_service_stop (slow->service);
  g_socket_listener_close (G_SOCKET_LISTENER (slow->service));
  g_object_unref (slow->service);
  g_ptr_array_unref (slow->connections);
  g_free (slow->url);
  g_free (slow);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SlowServer, slow_server_free)

static void
check_deadline (gboolean trickle)
{
  g_autoptr (SlowServer) slow = slow_server_new (trickle);
  g_autoptr (ReinClient) client = rein_client_new (slow->url, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *expected = g_strdup_printf ("%s: timed out after 2 s", slow->url);
  Waiter w = { 0 };
  gint64 start;
  gdouble took;

  /* the idle timeout alone would wait 30 s of silence; the trickle never
   * lets it trip at all */
  rein_client_set_timeout (client, 30);
  rein_client_set_deadline (client, 2);
  start = g_get_monotonic_time ();
  rein_client_get_async (client, "X", NULL, done_cb, &w);
  g_assert_null (rein_client_get_finish (client, WAIT (w), &error));
  took = (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;
  g_test_message ("%s server: failed after %.2f s", trickle ? "trickling" : "silent", took);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpfloat (took, >=, 1.9);
  g_assert_cmpfloat (took, <, 5.0);
  g_assert_cmpuint (slow->connections->len, >=, 1);
  if (trickle)
    g_assert_cmpuint (slow->bytes_sent, >=, 5);
  g_clear_object (&w.result);
}

static void
test_deadline_trickle (void)
{
  check_deadline (TRUE);
}

static void
test_deadline_silent (void)
{
  check_deadline (FALSE);
}

/* The caller's cancellable still works under a deadline, and a call that
 * ends in time is not touched by it. */
/* A server that reads a request's head, answers @response byte for byte
 * and closes the connection (in a thread of its own: the client runs in
 * this one). */
typedef struct
{
  GSocketService *service;
  gchar *url;
  const gchar *response;
  gsize response_len; /* 0: up to its NUL */
} CannedServer;

static gboolean
canned_run_cb (GThreadedSocketService *service,
               GSocketConnection *connection,
               GObject *source_object,
               gpointer user_data)
{
  CannedServer *canned = user_data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr (GString) head = g_string_new (NULL);
  gchar c;

  while (!g_str_has_suffix (head->str, "\r\n\r\n") && head->len < 65536
         && g_input_stream_read (in, &c, 1, NULL, NULL) == 1)
    g_string_append_c (head, c);
  g_output_stream_write_all (out, canned->response,
                             canned->response_len > 0 ? canned->response_len
                                                      : strlen (canned->response),
                             NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static CannedServer *
canned_server_new (const gchar *response)
{
  CannedServer *canned = g_new0 (CannedServer, 1);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;

  canned->response = response;
  canned->service = g_threaded_socket_service_new (2);
  g_socket_listener_add_address (G_SOCKET_LISTENER (canned->service), any_port,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  canned->url = g_strdup_printf ("http://127.0.0.1:%u/", g_inet_socket_address_get_port (
                                                           G_INET_SOCKET_ADDRESS (bound)));
  g_signal_connect (canned->service, "run", G_CALLBACK (canned_run_cb), canned);
  g_socket_service_start (canned->service);
  return canned;
}

static void
canned_server_free (CannedServer *canned)
{
  g_socket_service_stop (canned->service);
  g_socket_listener_close (G_SOCKET_LISTENER (canned->service));
  g_object_unref (canned->service);
  g_free (canned->url);
  g_free (canned);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CannedServer, canned_server_free)

/* Asks the server of @response (@response_len bytes, 0: up to its NUL)
 * for "k" with answers bounded to @max bytes and @deadline seconds (0:
 * the default): the value, or NULL and @error. */
static gchar *
get_canned_bytes (const gchar *response,
                  gsize response_len,
                  gsize max,
                  guint deadline,
                  GError **error)
{
  g_autoptr (CannedServer) canned = canned_server_new (response);
  g_autoptr (ReinClient) client = rein_client_new (canned->url, NULL);
  Waiter w = { 0 };
  gchar *value;

  canned->response_len = response_len;
  rein_client_set_max_answer (client, max);
  if (deadline > 0)
    rein_client_set_deadline (client, deadline);
  rein_client_get_async (client, "k", NULL, done_cb, &w);
  value = rein_client_get_finish (client, WAIT (w), error);
  g_clear_object (&w.result);
  return value;
}

static gchar *
get_canned (const gchar *response, gsize max, GError **error)
{
  return get_canned_bytes (response, 0, max, 0, error);
}

/* @json, gzipped, with its compressed length declared: an answer as a
 * server that compresses sends it. */
static GByteArray *
gzipped_answer (const gchar *json)
{
  g_autoptr (GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr (GInputStream) plain = g_memory_input_stream_new_from_data (json, strlen (json),
                                                                         NULL);
  g_autoptr (GInputStream) packed = g_converter_input_stream_new (plain, G_CONVERTER (gzip));
  g_autoptr (GOutputStream) body = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *head = NULL;
  GByteArray *answer;
  gsize body_len;

  g_output_stream_splice (body, packed, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  body_len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (body));
  head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Encoding: gzip\r\nContent-Length: %zu\r\n"
                          "Connection: close\r\n\r\n", body_len);
  answer = g_byte_array_new ();
  g_byte_array_append (answer, (const guint8 *) head, strlen (head));
  g_byte_array_append (answer,
                       g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (body)),
                       body_len);
  return answer;
}

/* A compressed answer declares its compressed length: libsoup decodes it,
 * and the decoded body, far longer, is read whole, in chunks (it was read
 * a byte at a time past the declared length: 32 MiB took over a minute,
 * past the deadline), and bounded by max_answer as it is read. */
static void
test_answer_gzip (void)
{
  g_autofree gchar *value = g_strnfill (32 * 1024 * 1024, 'v');
  g_autofree gchar *json = g_strdup_printf ("{\"key\": \"k\", \"value\": \"%s\"}", value);
  g_autoptr (GByteArray) answer = gzipped_answer (json);
  g_autoptr (GError) error = NULL;
  gchar *got;

  /* 32 MiB of one letter packs into some KiB */
  g_assert_cmpuint (answer->len, <, 64 * 1024);
  got = get_canned_bytes ((const gchar *) answer->data, answer->len, 64 * 1024 * 1024, 10,
                          &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, value);
  g_free (got);

  /* a small packet that unpacks past the bound is refused */
  g_assert_null (get_canned_bytes ((const gchar *) answer->data, answer->len, 1024 * 1024, 10,
                                   &error));
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER);
  g_assert_nonnull (strstr (error->message, "larger than"));
}

/* The body is read into one buffer sized by Content-Length when there is
 * one: answers of many read chunks, with and without it, with one that
 * says less or more than is sent, all come out whole or as errors, and
 * max_answer bounds those that declare nothing. */
static void
test_answer_lengths (void)
{
  g_autofree gchar *value = g_strnfill (300000, 'v');
  g_autofree gchar *json = g_strdup_printf ("{\"key\": \"k\", \"value\": \"%s\"}", value);
  g_autofree gchar *undeclared = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: "
                                                  "application/json\r\nConnection: close\r\n"
                                                  "\r\n%s", json);
  g_autofree gchar *declared = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: "
                                                "application/json\r\nContent-Length: %zu\r\n"
                                                "Connection: close\r\n\r\n%s", strlen (json),
                                                json);
  g_autofree gchar *short_length = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: "
                                                    "application/json\r\nContent-Length: %zu\r\n"
                                                    "Connection: close\r\n\r\n%s",
                                                    strlen (json) / 2, json);
  g_autofree gchar *long_length = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: "
                                                   "application/json\r\nContent-Length: %zu\r\n"
                                                   "Connection: close\r\n\r\n%s",
                                                   strlen (json) * 2, json);
  g_autoptr (GError) error = NULL;
  gchar *got;

  got = get_canned (declared, 1000000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, value);
  g_free (got);

  got = get_canned (undeclared, 1000000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, value);
  g_free (got);

  /* Nothing declared: bounded as it is read. */
  g_assert_null (get_canned (undeclared, 100000, &error));
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER);
  g_assert_nonnull (strstr (error->message, "larger than"));
  g_clear_error (&error);

  /* Half of it declared: half of it read, which is no JSON. */
  g_assert_null (get_canned (short_length, 1000000, &error));
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER);
  g_clear_error (&error);

  /* Twice as much declared as sent, then the connection closed: the
   * buffer was sized for what was declared, what came is read whole (and
   * is JSON: what it holds is checked as any answer's is). */
  got = get_canned (long_length, 1000000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, value);
  g_free (got);

  /* Large answers' buffers are kept for the next ones: a shorter answer
   * in the buffer of a longer one is read as itself, nothing of the one
   * before left in it, and so is a longer one after it. */
  for (gsize size = 280000; size <= 320000; size += 40000)
    {
      g_autofree gchar *other = g_strnfill (size, size < 300000 ? 'w' : 'x');
      g_autofree gchar *other_json = g_strdup_printf ("{\"key\": \"k\", \"value\": \"%s\"}",
                                                      other);
      g_autofree gchar *other_declared = g_strdup_printf (
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
          "Connection: close\r\n\r\n%s", strlen (other_json), other_json);

      got = get_canned (other_declared, 1000000, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (got, ==, other);
      g_free (got);
    }
}

static void
test_deadline_cancel (void)
{
  g_autoptr (SlowServer) slow = slow_server_new (TRUE);
  g_autoptr (FakeServer) fake = fake_server_new (404, "{\"error\": \"nope\"}", TRUE);
  g_autoptr (ReinClient) client = rein_client_new (slow->url, NULL);
  g_autoptr (ReinClient) quick = rein_client_new (fake->url, NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  Waiter w = { 0 };

  rein_client_set_deadline (client, 30);
  rein_client_get_async (client, "X", cancellable, done_cb, &w);
  g_timeout_add_once (300, (GSourceOnceFunc) g_cancellable_cancel, cancellable);
  g_assert_null (rein_client_get_finish (client, WAIT (w), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* a deadline far from anything a loaded machine could take */
  rein_client_set_deadline (quick, 20);
  rein_client_get_async (quick, "X", NULL, done_cb, &w);
  g_assert_null (rein_client_get_finish (quick, WAIT (w), &error));
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_NOT_FOUND);
  g_clear_object (&w.result);
}

static void
test_bad_urls (void)
{
  static const gchar *const bad[] = { "", "ftp://x/", "http://", "no url", "http://h/?q=1",
                                      "http://user:secret@h/" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (ReinClient) client = rein_client_new (bad[i], &error);

      g_assert_null (client);
      g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_INVALID);
    }
  {
    g_autoptr (ReinClient) client = rein_client_new ("http://127.0.0.1:2016", NULL);
    g_autofree gchar *key = rein_client_new_key ();

    g_assert_cmpstr (rein_client_get_url (client), ==, "http://127.0.0.1:2016/");
    g_assert_cmpuint (strlen (key), ==, 32);
    for (gsize i = 0; i < 32; i++)
      g_assert_true (g_ascii_isupper (key[i]) || g_ascii_isdigit (key[i]));
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/net/client/whole-api", test_whole_api);
  g_test_add_func ("/net/client/unreachable", test_unreachable);
  g_test_add_func ("/net/client/garbage", test_garbage);
  g_test_add_func ("/net/client/nul-in-answer", test_nul_in_answer);
  g_test_add_func ("/net/client/bucket-bounds", test_bucket_bounds);
  g_test_add_func ("/net/client/deep-answer", test_deep_answer);
  g_test_add_func ("/net/client/deep-text", test_deep_text);
  g_test_add_func ("/net/client/cancel", test_cancel);
  g_test_add_func ("/net/client/bad-urls", test_bad_urls);
  g_test_add_func ("/net/client/rate-limited", test_rate_limited);
  g_test_add_func ("/net/client/deadline-trickle", test_deadline_trickle);
  g_test_add_func ("/net/client/deadline-silent", test_deadline_silent);
  g_test_add_func ("/net/client/deadline-cancel", test_deadline_cancel);
  g_test_add_func ("/net/client/answer-lengths", test_answer_lengths);
  g_test_add_func ("/net/client/answer-gzip", test_answer_gzip);

  return g_test_run ();
}
