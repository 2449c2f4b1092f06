/* test-fetch.c: one query to several servers, merged and deduplicated
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "net-test-util.h"
#include "rein-fetch.h"
#include "server-fixture.h"

typedef struct
{
  gboolean done;
  GPtrArray *docs;
  GPtrArray *reports;
  GError *error;
} FetchWait;

static void
fetch_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FetchWait *w = user_data;

  w->docs = rein_fetch_finish (result, &w->reports, &w->error);
  w->done = TRUE;
}

static ReinFetchReport *
report_for (GPtrArray *reports, const gchar *url)
{
  for (guint i = 0; i < reports->len; i++)
    if (g_strcmp0 (((ReinFetchReport *) reports->pdata[i])->url, url) == 0)
      return reports->pdata[i];
  g_assert_not_reached ();
}

static void
finish (FetchWait *w, TestServer *a, TestServer *b)
{
  g_ptr_array_unref (w->docs);
  g_ptr_array_unref (w->reports);
  for (TestServer **s = (TestServer *[]){ a, b, NULL }; *s; s++)
    {
      test_server_stop (*s);
      test_server_free (*s);
    }
}

static void
test_merge (void)
{
  TestServer *a = test_server_start (NULL, NULL);
  TestServer *b = test_server_start (NULL, NULL);
  g_autoptr (FakeServer) garbage = fake_server_new (
      200, "{\"result\": \"success\", \"jobs\": [\"not a document\", 7, \"-----BEGIN\"]}", TRUE);
  g_autofree gchar *dead = net_test_dead_url ();
  g_autoptr (Identity) alice = identity_new ("Alice");
  g_autofree gchar *shared = NULL, *only_a = NULL, *only_b = NULL;
  const gchar *urls[] = { a->url, b->url, garbage->url, dead, NULL };
  FetchWait w = { 0 };

  shared = identity_sign (alice, "Rein Job\nJob name: Shared\nJob ID: aaaaaaaaaaaaaaaaaaaa");
  only_a = identity_sign (alice, "Rein Job\nJob name: A\nJob ID: bbbbbbbbbbbbbbbbbbbb");
  only_b = identity_sign (alice, "Rein Job\nJob name: B\nJob ID: cccccccccccccccccccc");

  for (TestServer **s = (TestServer *[]){ a, b, NULL }; *s; s++)
    {
      g_autofree gchar *k1 = random_key ();
      g_autofree gchar *k2 = random_key ();
      g_autoptr (Answer) put1 = NULL;
      g_autoptr (Answer) put2 = NULL;

      identity_register (alice, *s);
      g_clear_pointer (&alice->nonce, g_free);
      put1 = identity_put (alice, *s, k1, shared, FALSE);
      put2 = identity_put (alice, *s, k2, *s == a ? only_a : only_b, FALSE);
      g_assert_cmpuint (put1->status, ==, 201);
      g_assert_cmpuint (put2->status, ==, 201);
      g_clear_pointer (&alice->nonce, g_free);
    }

  rein_fetch_async (urls, alice->master_address, "jobs", FALSE, NULL, NULL, fetch_cb, &w);
  net_test_wait (&w.done);
  g_assert_no_error (w.error);

  /* three distinct documents, the shared one once */
  g_assert_cmpuint (w.docs->len, ==, 3);
  for (guint i = 1; i < w.docs->len; i++)
    g_assert_cmpstr (rein_document_get_hash (w.docs->pdata[i - 1]), <,
                     rein_document_get_hash (w.docs->pdata[i]));

  g_assert_cmpuint (w.reports->len, ==, 4);
  g_assert_null (report_for (w.reports, a->url)->error);
  g_assert_cmpuint (report_for (w.reports, a->url)->received, ==, 2);
  g_assert_cmpuint (report_for (w.reports, garbage->url)->received, ==, 2);
  g_assert_cmpuint (report_for (w.reports, garbage->url)->malformed, ==, 2);
  g_assert_nonnull (strstr (report_for (w.reports, dead)->error, "unreachable"));

  finish (&w, a, b);
}

/* Each server's end is told in the caller's thread, in its main loop. */
static void
server_done_cb (const ReinFetchReport *report, gpointer data)
{
  guint *in_callers_loop = data;

  if (g_main_context_is_owner (g_main_context_default ()))
    (*in_callers_loop)++;
}

static gboolean
too_long (gpointer data)
{
  g_error ("the fetch took over 30 s");
  return G_SOURCE_REMOVE;
}

/* The servers are asked and read off the caller's thread: its main loop
 * only hands back each server's part, then the result. (Reading a
 * market's pages in it kept a window from drawing.) */
static void
test_off_the_callers_loop (void)
{
  TestServer *a = test_server_start (NULL, NULL);
  TestServer *b = test_server_start (NULL, NULL);
  g_autoptr (Identity) alice = identity_new ("Alice");
  const gchar *urls[] = { a->url, b->url, NULL };
  FetchWait w = { 0 };
  guint dispatched = 0;
  guint in_callers_loop = 0;
  guint id;

  identity_register (alice, a);
  for (guint i = 0; i < 40; i++)
    {
      g_autofree gchar *key = random_key ();
      g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: Job %u\n"
                                                "Job ID: %020u", i, i);
      g_autofree gchar *signed_text = identity_sign (alice, text);
      g_autoptr (Answer) put = identity_put (alice, a, key, signed_text, FALSE);

      g_assert_cmpuint (put->status, ==, 201);
    }

  rein_fetch_async_full (urls, alice->master_address, "jobs", FALSE, NULL, NULL, NULL,
                         server_done_cb, &in_callers_loop, NULL, fetch_cb, &w);
  id = g_timeout_add_seconds (30, too_long, NULL);
  while (!w.done)
    if (g_main_context_iteration (NULL, TRUE))
      dispatched++;
  g_source_remove (id);
  g_assert_no_error (w.error);
  g_assert_cmpuint (w.docs->len, ==, 40);
  /* one dispatch per server, and at most one for the result: connecting,
   * sending and reading an answer in this loop take several each */
  g_assert_cmpuint (dispatched, <=, G_N_ELEMENTS (urls) - 1 + 1);
  g_assert_cmpuint (in_callers_loop, ==, G_N_ELEMENTS (urls) - 1);

  finish (&w, a, b);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* A server that takes the request and never answers: cancelling the
 * caller's cancellable ends the fetch at once, although the request is
 * in another thread. */
static void
test_cancel_silent_server (void)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *url = NULL;
  FetchWait w = { 0 };
  gint64 start;

  /* listening, never accepting: the kernel takes the connection */
  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u/",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  start = g_get_monotonic_time ();
  rein_fetch_async ((const gchar *[]){ url, NULL }, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "jobs",
                    FALSE, NULL, cancellable, fetch_cb, &w);
  g_timeout_add (200, cancel_cb, cancellable);
  net_test_wait (&w.done);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (w.docs);
  /* well before the client's own timeout */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_clear_pointer (&w.reports, g_ptr_array_unref);
  g_clear_error (&w.error);

  /* cancelled before it starts: the same, as soon */
  w = (FetchWait){ 0 };
  start = g_get_monotonic_time ();
  rein_fetch_async ((const gchar *[]){ url, NULL }, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "jobs",
                    FALSE, NULL, cancellable, fetch_cb, &w);
  net_test_wait (&w.done);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_clear_pointer (&w.reports, g_ptr_array_unref);
  g_clear_error (&w.error);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/net/fetch/merge", test_merge);
  g_test_add_func ("/net/fetch/off-the-callers-loop", test_off_the_callers_loop);
  g_test_add_func ("/net/fetch/cancel-silent-server", test_cancel_silent_server);

  return g_test_run ();
}
