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

  g_ptr_array_unref (w.docs);
  g_ptr_array_unref (w.reports);
  test_server_stop (a);
  test_server_free (a);
  test_server_stop (b);
  test_server_free (b);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/net/fetch/merge", test_merge);

  return g_test_run ();
}
