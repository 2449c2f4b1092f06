/* test-market-bounds.c: what one refresh takes from a hostile server
 *
 * A fake server on 127.0.0.1 answers every page of every query with 1,000
 * new documents, forever (issue 10, item 8): with junk signatures, or
 * validly signed by a key nobody enrolled. Beside it, a real rein-server
 * holds one good job. The refresh must stop reading the fake with a
 * warning, keep the good job, store none of the junk, and hold a bounded
 * number of documents.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gstdio.h>

#include "net-test-util.h"
#include "rein-client.h"
#include "rein-market-reader.h"
#include "server-fixture.h"
#include "rein-test-util.h"

#define PAGE 1000
/* Only so that a reader without bounds ends the test at all. */
#define FAKE_GIVES_UP_AFTER 40
#define MARK "JUNKMARK00000000"

typedef struct
{
  SoupServer *server;
  gchar *url;
  gchar *template;   /* a signed posting whose name holds MARK */
  Identity *signer;  /* when set, every document is signed anew (valid signatures) */
  guint pages;       /* pages served */
  GPtrArray *hashes; /* of every document served */
  gboolean repeat;   /* every page is the first page again */
  gchar *first_page; /* as served */
} Flood;

typedef struct
{
  gchar *dir;
  ReinStore *store;
  ReinIdentity *identity;
  TestServer *a;
  Identity *creator;
  Identity *mediator;
  gchar *mediator_enrollment;
  gchar *good;
  Flood flood;
  GPtrArray *warnings;
} Fixture;

static void
put_as (Identity *who, TestServer *server, const gchar *text)
{
  g_autofree gchar *key = random_key ();
  g_autoptr (Answer) put = NULL;

  g_clear_pointer (&who->nonce, g_free);
  put = identity_put (who, server, key, text, FALSE);
  g_assert_cmpuint (put->status, ==, 201);
  g_clear_pointer (&who->nonce, g_free);
}

/* A job posting by @creator naming the fixture's mediator, with a
 * description of about 6 KiB (the documents were 7 KB). */
static gchar *
posting_text (Fixture *f, Identity *creator, const gchar *job_id, const gchar *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) mediator = rein_document_new_from_armored (f->mediator_enrollment,
                                                                      -1, &error);
  g_autofree gchar *contact = g_strdup_printf ("%s@example.com", creator->name);
  g_autofree gchar *description = g_strnfill (6000, 'x');
  gchar *text;
  ReinJobParams params = {
    .job_name = name,
    .job_id = job_id,
    .category = "Test",
    .description = description,
    .creator = creator->name,
    .creator_contact = contact,
    .creator_public_key = creator->public_key,
    .creator_master_address = creator->master_address,
  };

  g_assert_no_error (error);
  g_assert_true (rein_job_params_set_mediator (&params, mediator, &error));
  g_assert_no_error (error);
  text = rein_document_build_job_posting (&params, &error);
  g_assert_no_error (error);
  return text;
}

static void
append_json_string (GString *out, const gchar *text)
{
  g_string_append_c (out, '"');
  for (const gchar *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '\r')
        g_string_append (out, "\\r");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static gchar *
hash_of (const gchar *armored)
{
  g_autoptr (ReinDocument) doc = rein_document_new_from_armored (armored, -1, NULL);

  g_assert_nonnull (doc);
  return g_strdup (rein_document_get_hash (doc));
}

/* Every query, every page: 1,000 documents never sent before. */
static void
flood_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
          gpointer user_data)
{
  Fixture *f = user_data;
  Flood *flood = &f->flood;
  const gchar *name = query != NULL ? g_hash_table_lookup (query, "query") : NULL;
  g_autoptr (GString) body = g_string_new ("{\"result\":\"success\",\"");
  guint n = flood->pages < FAKE_GIVES_UP_AFTER ? PAGE : 0;

  if (!g_str_equal (path, "/query") || name == NULL)
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  if (flood->repeat && flood->first_page != NULL && n > 0)
    {
      flood->pages++;
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        flood->first_page, strlen (flood->first_page));
      return;
    }
  g_string_append_printf (body, "%s\":[", name);
  for (guint i = 0; i < n; i++)
    {
      g_autofree gchar *unique = g_strdup_printf ("J%07u%08u", flood->pages, i);
      g_autofree gchar *doc = NULL;

      if (flood->signer != NULL)
        {
          g_autofree gchar *job_id = g_strdup_printf ("flood%07u%08u", flood->pages, i);
          g_autofree gchar *text = posting_text (f, flood->signer, job_id, unique);

          doc = identity_sign (flood->signer, text);
        }
      else
        {
          /* The signed name changed: the signature no longer verifies. */
          g_auto (GStrv) parts = g_strsplit (flood->template, MARK, 2);

          doc = g_strconcat (parts[0], unique, parts[1], NULL);
        }
      g_ptr_array_add (flood->hashes, hash_of (doc));
      if (i > 0)
        g_string_append_c (body, ',');
      append_json_string (body, doc);
    }
  g_string_append (body, "],\"block_info\":null}");
  if (flood->repeat && n > 0)
    flood->first_page = g_strdup (body->str);
  flood->pages++;
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body->str,
                                    body->len);
}

static void
register_reader (Fixture *f, TestServer *server)
{
  test_server_register (server, rein_identity_get_master_address (f->identity),
                        rein_identity_get_delegate_address (f->identity), "r@example.com");
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ReinIdentityParams params = { .name = "Reader", .contact = "r@example.com" };
  gchar *phrase = rein_bip39_generate (128);
  g_autofree gchar *creator_enrollment = NULL;
  g_autofree gchar *good_text = NULL;
  g_autofree gchar *template_text = NULL;
  g_autoptr (GSList) uris = NULL;

  f->dir = g_dir_make_tmp ("rein-bounds-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = rein_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->identity = rein_store_add_identity_from_mnemonic (f->store, &params, phrase, NULL, "pw",
                                                       &error);
  rein_secure_free (phrase);
  g_assert_no_error (error);

  f->a = test_server_start (NULL, NULL);
  register_reader (f, f->a);
  f->creator = identity_new ("Creator");
  f->mediator = identity_new ("Mediator");
  creator_enrollment = identity_enrollment (f->creator, FALSE);
  f->mediator_enrollment = identity_enrollment (f->mediator, TRUE);
  identity_register (f->creator, f->a);
  identity_register (f->mediator, f->a);
  put_as (f->creator, f->a, creator_enrollment);
  put_as (f->mediator, f->a, f->mediator_enrollment);
  good_text = posting_text (f, f->creator, "goodgoodgoodgoodgood", "Good");
  f->good = identity_sign (f->creator, good_text);
  put_as (f->creator, f->a, f->good);

  template_text = posting_text (f, f->creator, "junkjunkjunkjunkjunk", MARK);
  f->flood.template = identity_sign (f->creator, template_text);
  f->flood.hashes = g_ptr_array_new_with_free_func (g_free);
  f->flood.server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->flood.server, NULL, flood_cb, f, NULL);
  g_assert_true (soup_server_listen_local (f->flood.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->flood.server);
  f->flood.url = g_uri_to_string (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  f->warnings = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  test_server_stop (f->a);
  test_server_free (f->a);
  soup_server_disconnect (f->flood.server);
  g_object_unref (f->flood.server);
  g_free (f->flood.url);
  g_free (f->flood.template);
  g_ptr_array_unref (f->flood.hashes);
  g_clear_pointer (&f->flood.signer, identity_free);
  g_clear_pointer (&f->flood.first_page, g_free);
  identity_free (f->creator);
  identity_free (f->mediator);
  g_free (f->mediator_enrollment);
  g_free (f->good);
  g_ptr_array_unref (f->warnings);
  g_clear_object (&f->identity);
  g_clear_object (&f->store);
  rein_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
warning_cb (ReinMarketReader *reader, GError *error, Fixture *f)
{
  g_ptr_array_add (f->warnings, g_strdup (error->message));
}

static void
done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Refreshes the jobs from the real server and the flood; returns the
 * reader. */
static ReinMarketReader *
refresh (Fixture *f, const ReinMarketReaderLimits *limits)
{
  const gchar *servers[] = { f->a->url, f->flood.url, NULL };
  ReinMarketReader *reader = rein_market_reader_new (f->store, f->identity, servers);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  if (limits != NULL)
    rein_market_reader_set_limits (reader, limits);
  g_signal_connect (reader, "warning", G_CALLBACK (warning_cb), f);
  rein_market_reader_refresh_async (reader, REIN_MARKET_REFRESH_JOBS, NULL, NULL, done_cb,
                                    &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (rein_market_reader_refresh_finish (reader, result, &error));
  g_assert_no_error (error);
  return reader;
}

static gboolean
warned_about (Fixture *f, const gchar *url, const gchar *what)
{
  for (guint i = 0; i < f->warnings->len; i++)
    {
      const gchar *message = g_ptr_array_index (f->warnings, i);

      g_test_message ("warning: %s", message);
      if (strstr (message, url) != NULL && strstr (message, what) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* The good job came through from the real server. */
static void
assert_good_job (ReinMarketReader *reader)
{
  GListModel *jobs = rein_market_reader_get_jobs (reader);
  g_autoptr (ReinJob) job = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (jobs), ==, 1);
  job = g_list_model_get_item (jobs, 0);
  g_assert_cmpstr (rein_job_get_id (job), ==, "goodgoodgoodgoodgood");
  g_assert_cmpint (rein_job_get_state (job), ==, REIN_JOB_STATE_POSTED);
}

/* Junk signatures, 1,000 a page: the reader stops after a page or two,
 * and the store holds none of them. */
static void
test_junk (Fixture *f, gconstpointer data)
{
  g_autoptr (ReinMarketReader) reader = NULL;
  g_autoptr (GHashTable) stored = NULL;
  g_autoptr (GError) error = NULL;
  guint64 checks = rein_document_get_n_signature_checks ();
  ReinMarketReaderLimits limits;

  reader = refresh (f, NULL);
  rein_market_reader_get_limits (reader, &limits);
  g_test_message ("the flood served %u pages; %" G_GUINT64_FORMAT " signature checks",
                  f->flood.pages, rein_document_get_n_signature_checks () - checks);

  assert_good_job (reader);
  g_assert_true (warned_about (f, f->flood.url, "signatures do not verify"));
  /* Read no further once past the junk limit (a page of it): that page
   * and at most the one after it. */
  g_assert_cmpuint (f->flood.pages, <=, limits.max_junk / PAGE + 1);
  g_assert_cmpuint (f->flood.pages, <, FAKE_GIVES_UP_AFTER);
  /* Each junk document was checked once, as its page came, and dropped. */
  g_assert_cmpuint (rein_document_get_n_signature_checks () - checks, <=,
                    (guint64) f->flood.pages * PAGE + 10);
  stored = rein_store_lookup_verdicts (f->store, (const gchar *const *) f->flood.hashes->pdata,
                                       f->flood.hashes->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (stored), ==, 0);
}

/* Validly signed documents by a key nobody enrolled, 1,000 a page: the
 * reader takes no more than its limit of documents from the server. */
static void
test_flood (Fixture *f, gconstpointer data)
{
  g_autoptr (ReinMarketReader) reader = NULL;
  g_autoptr (GHashTable) stored = NULL;
  g_autoptr (GError) error = NULL;
  ReinMarketReaderLimits limits;

  f->flood.signer = identity_new ("Flood");
  /* The defaults take a big market (a million documents); a small limit
   * here, so that the test is quick. */
  reader = rein_market_reader_new (f->store, f->identity, NULL);
  rein_market_reader_get_limits (reader, &limits);
  g_assert_cmpuint (limits.max_documents, >=, 400000);
  g_assert_cmpuint (limits.max_bytes, <=, G_GUINT64_CONSTANT (1) << 30);
  g_clear_object (&reader);
  limits.max_documents = 1500;

  reader = refresh (f, &limits);
  g_test_message ("the flood served %u pages", f->flood.pages);
  assert_good_job (reader);
  g_assert_true (warned_about (f, f->flood.url, "documents"));
  g_assert_cmpuint (f->flood.pages, <=, limits.max_documents / PAGE + 1);
  /* What it sent before it was stopped is kept (each document validated on
   * its own), no more. */
  stored = rein_store_lookup_verdicts (f->store, (const gchar *const *) f->flood.hashes->pdata,
                                       f->flood.hashes->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (stored), <=, limits.max_documents + PAGE);
}

/* A limit on bytes stops a server too. */
static void
test_bytes (Fixture *f, gconstpointer data)
{
  g_autoptr (ReinMarketReader) reader = NULL;
  ReinMarketReaderLimits limits;

  f->flood.signer = identity_new ("Flood");
  reader = rein_market_reader_new (f->store, f->identity, NULL);
  rein_market_reader_get_limits (reader, &limits);
  g_clear_object (&reader);
  limits.max_bytes = 2 * 1024 * 1024; /* a page is some 7 MB */

  reader = refresh (f, &limits);
  assert_good_job (reader);
  g_assert_true (warned_about (f, f->flood.url, "MB"));
  g_assert_cmpuint (f->flood.pages, ==, 1);
}

/* The same page again and again, of documents validly signed: nothing in
 * it is new, so no limit counts it, and the server was asked for page
 * after page up to the page limit (each waiting for the slowest server).
 * A full page that brings nothing new from its server stops it. */
static void
test_repeat (Fixture *f, gconstpointer data)
{
  g_autoptr (ReinMarketReader) reader = NULL;

  f->flood.signer = identity_new ("Flood");
  f->flood.repeat = TRUE;
  reader = refresh (f, NULL);
  g_test_message ("the flood served %u pages", f->flood.pages);
  assert_good_job (reader);
  g_assert_true (warned_about (f, f->flood.url, "sent before"));
  /* the page, its repeat, and at most the one asked for meanwhile */
  g_assert_cmpuint (f->flood.pages, <=, 3);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/market-bounds/junk", Fixture, NULL, fixture_setup, test_junk, fixture_teardown);
  g_test_add ("/market-bounds/flood", Fixture, NULL, fixture_setup, test_flood,
              fixture_teardown);
  g_test_add ("/market-bounds/bytes", Fixture, NULL, fixture_setup, test_bytes,
              fixture_teardown);
  g_test_add ("/market-bounds/repeat", Fixture, NULL, fixture_setup, test_repeat,
              fixture_teardown);
  return g_test_run ();
}
