/* test-store-market.c: fetched documents with their verdicts, a job's
 * documents, the jobs an identity takes part in, and orders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gstdio.h>

#include "rein-store.h"
#include "rein-test-util.h"

typedef struct
{
  gchar *dir;
  ReinStore *store;
  ReinIdentity *identity;
  ReinPrivateKey *delegate;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ReinIdentityParams params = { .name = "Alice", .contact = "alice@example.com" };
  gchar *phrase = rein_bip39_generate (128);

  f->dir = g_dir_make_tmp ("rein-store-market-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = rein_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->identity = rein_store_add_identity_from_mnemonic (f->store, &params, phrase, NULL, "pw",
                                                       &error);
  rein_secure_free (phrase);
  g_assert_no_error (error);
  f->delegate = rein_store_unlock_delegate_key (f->store, f->identity, "pw", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->identity);
  g_clear_object (&f->store);
  g_clear_pointer (&f->delegate, rein_private_key_free);
  rein_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* A document of @type for @job_id signed by a fresh key (a stranger's). */
static ReinDocument *
stranger_document (const gchar *title, const gchar *job_id, guint n)
{
  g_autoptr (ReinPrivateKey) key = rein_private_key_generate (TRUE);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = g_strdup_printf ("%s\nJob name: Job %u\nJob ID: %s\nDescription: %u",
                                            title, n, job_id, n);
  ReinDocument *doc = rein_document_sign (text, NULL, key, REIN_NETWORK_MAINNET, &error);

  g_assert_no_error (error);
  return doc;
}

static ReinDocument *
own_document (Fixture *f, const gchar *job_id)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: Mine\nJob ID: %s\n"
                                            "Category: Test\nDescription: ours", job_id);
  ReinDocument *doc = rein_document_sign (text, NULL, f->delegate, REIN_NETWORK_MAINNET, &error);

  g_assert_no_error (error);
  return doc;
}

static void
test_verdicts (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) a = stranger_document ("Rein Job", "aaaaaaaaaaaaaaaaaaaa", 1);
  g_autoptr (ReinDocument) b = stranger_document ("Rein Bid", "aaaaaaaaaaaaaaaaaaaa", 2);
  g_autofree gchar *reason = NULL;
  ReinVerification verification = REIN_VERIFICATION_UNCHECKED;
  guint before = rein_store_count_documents (f->store);
  ReinDocumentVerdict verdicts[] = {
    { a, REIN_VERIFICATION_VALID, NULL },
    { b, REIN_VERIFICATION_INVALID, "its signer has no valid enrollment naming it as delegate" },
  };

  g_assert_false (rein_store_get_verdict (f->store, rein_document_get_hash (a), &verification,
                                          NULL, &error));
  g_assert_no_error (error);

  g_assert_true (rein_store_save_verdicts (f->store, verdicts, 2, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rein_store_count_documents (f->store), ==, before + 2);

  g_assert_true (rein_store_get_verdict (f->store, rein_document_get_hash (a), &verification,
                                         &reason, &error));
  g_assert_cmpint (verification, ==, REIN_VERIFICATION_VALID);
  g_assert_null (reason);
  g_assert_true (rein_store_get_verdict (f->store, rein_document_get_hash (b), &verification,
                                         &reason, &error));
  g_assert_cmpint (verification, ==, REIN_VERIFICATION_INVALID);
  g_assert_cmpstr (reason, ==, "its signer has no valid enrollment naming it as delegate");
  g_clear_pointer (&reason, g_free);

  /* A later verdict replaces the earlier one (the enrollment was found),
   * without a second copy of the document. */
  verdicts[1].verification = REIN_VERIFICATION_VALID;
  verdicts[1].reason = NULL;
  g_assert_true (rein_store_save_verdicts (f->store, &verdicts[1], 1, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rein_store_count_documents (f->store), ==, before + 2);
  g_assert_true (rein_store_get_verdict (f->store, rein_document_get_hash (b), &verification,
                                         &reason, &error));
  g_assert_cmpint (verification, ==, REIN_VERIFICATION_VALID);
  g_assert_null (reason);

  /* The same document twice in one call is stored once. */
  {
    ReinDocumentVerdict twice[] = {
      { a, REIN_VERIFICATION_INVALID, "first" },
      { a, REIN_VERIFICATION_VALID, NULL },
    };

    g_assert_true (rein_store_save_verdicts (f->store, twice, 2, 0, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (rein_store_count_documents (f->store), ==, before + 2);
    g_assert_true (rein_store_get_verdict (f->store, rein_document_get_hash (a), &verification,
                                           NULL, &error));
    g_assert_cmpint (verification, ==, REIN_VERIFICATION_VALID);
  }

  /* Nothing to do is fine. */
  g_assert_true (rein_store_save_verdicts (f->store, NULL, 0, 0, &error));
  g_assert_no_error (error);
}

static void
test_own_stay_own (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) mine = own_document (f, "bbbbbbbbbbbbbbbbbbbb");
  g_autoptr (GPtrArray) own_before = NULL;
  g_autoptr (GPtrArray) own_after = NULL;
  ReinDocumentVerdict verdict = { mine, REIN_VERIFICATION_INVALID, "not yet" };
  gint64 id = rein_identity_get_id (f->identity);

  g_assert_cmpint (rein_store_add_document (f->store, mine, id, 0, &error), >, 0);
  own_before = rein_store_list_own_documents (f->store, id, &error);
  g_assert_true (rein_store_save_verdicts (f->store, &verdict, 1, 0, &error));
  g_assert_no_error (error);
  own_after = rein_store_list_own_documents (f->store, id, &error);
  g_assert_cmpuint (own_after->len, ==, own_before->len);
}

/* Many verdicts: more than one multi-row statement. */
static void
test_many (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) docs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GArray) verdicts = g_array_new (FALSE, TRUE, sizeof (ReinDocumentVerdict));
  g_autoptr (GPtrArray) job_docs = NULL;
  guint before = rein_store_count_documents (f->store);

  for (guint i = 0; i < 600; i++)
    {
      ReinDocument *doc = stranger_document (i % 2 ? "Rein Bid" : "Rein Job",
                                             i < 10 ? "cccccccccccccccccccc"
                                                    : "dddddddddddddddddddd",
                                             i);
      ReinDocumentVerdict v = { doc, i % 3 ? REIN_VERIFICATION_VALID : REIN_VERIFICATION_INVALID,
                                i % 3 ? NULL : "bad" };

      g_ptr_array_add (docs, doc);
      g_array_append_val (verdicts, v);
    }
  g_assert_true (rein_store_save_verdicts (f->store, (ReinDocumentVerdict *) verdicts->data,
                                           verdicts->len, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rein_store_count_documents (f->store), ==, before + 600);

  job_docs = rein_store_list_job_documents (f->store, "cccccccccccccccccccc", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (job_docs->len, ==, 10);
  /* oldest first: in the order they were given */
  g_assert_cmpstr (g_ptr_array_index (job_docs, 0), ==,
                   rein_document_get_armored (g_ptr_array_index (docs, 0)));

  /* Many jobs at once (more than one statement's worth of IDs, most of
   * them unknown): each job's documents in order, batch after batch. */
  {
    g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GPtrArray) all = NULL;
    g_autoptr (GPtrArray) none = NULL;

    /* three batches: the second reuses the first's statement */
    for (guint i = 0; i < 1200; i++)
      g_ptr_array_add (ids, i == 3 ? g_strdup ("dddddddddddddddddddd")
                            : i == 750 ? g_strdup ("cccccccccccccccccccc")
                                       : g_strdup_printf ("x%019u", i));
    all = rein_store_list_jobs_documents (f->store, (const gchar *const *) ids->pdata, ids->len,
                                          &error);
    g_assert_no_error (error);
    g_assert_cmpuint (all->len, ==, 600);
    g_assert_cmpstr (g_ptr_array_index (all, 0), ==,
                     rein_document_get_armored (g_ptr_array_index (docs, 10)));
    g_assert_cmpstr (g_ptr_array_index (all, 589), ==,
                     rein_document_get_armored (g_ptr_array_index (docs, 599)));
    for (guint i = 0; i < 10; i++)
      g_assert_cmpstr (g_ptr_array_index (all, 590 + i), ==,
                       rein_document_get_armored (g_ptr_array_index (docs, i)));
    none = rein_store_list_jobs_documents (f->store, NULL, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (none->len, ==, 0);
  }
}

/* Documents from several servers saved in one call: each keeps its own
 * server, the order they were given is kept, and a later save from
 * another server leaves a first source in place (and gives one to those
 * that had none). */
static void
test_many_sources (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) docs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GArray) verdicts = g_array_new (FALSE, TRUE, sizeof (ReinDocumentVerdict));
  g_autoptr (GArray) sources = g_array_new (FALSE, TRUE, sizeof (gint64));
  g_autoptr (GPtrArray) hashes = g_ptr_array_new ();
  g_autoptr (GHashTable) found = NULL;
  g_autoptr (GPtrArray) job_docs = NULL;
  gint64 servers[3] = { 0 };
  guint before = rein_store_count_documents (f->store);
  ReinStoredVerdict *stored;

  servers[1] = rein_store_add_server (f->store, "http://127.0.0.1:1/", &error);
  g_assert_no_error (error);
  servers[2] = rein_store_add_server (f->store, "http://127.0.0.1:2/", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 300; i++)
    {
      ReinDocument *doc = stranger_document ("Rein Bid", "gggggggggggggggggggg", i);
      ReinDocumentVerdict v = { doc, i % 5 ? REIN_VERIFICATION_VALID : REIN_VERIFICATION_INVALID,
                                i % 5 ? NULL : "bad" };

      g_ptr_array_add (docs, doc);
      g_ptr_array_add (hashes, (gpointer) rein_document_get_hash (doc));
      g_array_append_val (verdicts, v);
      g_array_append_val (sources, servers[i % 3]);
    }
  g_assert_true (rein_store_save_verdicts_from (f->store, (ReinDocumentVerdict *) verdicts->data,
                                                (gint64 *) sources->data, verdicts->len,
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rein_store_count_documents (f->store), ==, before + 300);
  /* Saved again as from the first server: the sources stay. */
  g_array_set_size (sources, 0);
  for (guint i = 0; i < verdicts->len; i++)
    g_array_append_val (sources, servers[1]);
  g_assert_true (rein_store_save_verdicts_from (f->store, (ReinDocumentVerdict *) verdicts->data,
                                                (gint64 *) sources->data, verdicts->len,
                                                &error));
  g_assert_no_error (error);

  found = rein_store_lookup_verdicts (f->store, (const gchar *const *) hashes->pdata, hashes->len,
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (found), ==, 300);
  for (guint i = 0; i < hashes->len; i++)
    {
      stored = g_hash_table_lookup (found, g_ptr_array_index (hashes, i));
      g_assert_nonnull (stored);
      /* Those without a source take the later one's. */
      g_assert_cmpint (stored->source_server, ==, (i % 3 == 0 ? servers[1] : servers[i % 3]));
      g_assert_cmpint (stored->verification, ==,
                       i % 5 ? REIN_VERIFICATION_VALID : REIN_VERIFICATION_INVALID);
    }
  job_docs = rein_store_list_job_documents (f->store, "gggggggggggggggggggg", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (job_docs->len, ==, 300);
  for (guint i = 0; i < job_docs->len; i++)
    g_assert_cmpstr (g_ptr_array_index (job_docs, i), ==,
                     rein_document_get_armored (g_ptr_array_index (docs, i)));
}

/* Saved with a source server that is gone: stored without one, as its
 * removal would have left it; and the foreign keys work again after a
 * save (they are off during it): a server removed later leaves its
 * documents without a source. */
static void
test_gone_source (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) a = stranger_document ("Rein Bid", "hhhhhhhhhhhhhhhhhhhh", 1);
  g_autoptr (ReinDocument) b = stranger_document ("Rein Bid", "hhhhhhhhhhhhhhhhhhhh", 2);
  ReinDocumentVerdict verdicts[] = {
    { a, REIN_VERIFICATION_VALID, NULL },
    { b, REIN_VERIFICATION_VALID, NULL },
  };
  gint64 gone = rein_store_add_server (f->store, "http://127.0.0.1:3/", &error);
  gint64 kept = rein_store_add_server (f->store, "http://127.0.0.1:4/", &error);
  gint64 sources[2];
  const gchar *hashes[] = { rein_document_get_hash (a), rein_document_get_hash (b) };
  g_autoptr (GHashTable) found = NULL;

  g_assert_no_error (error);
  g_assert_true (rein_store_remove_server (f->store, gone, &error));
  g_assert_no_error (error);
  sources[0] = gone;
  sources[1] = kept;
  g_assert_true (rein_store_save_verdicts_from (f->store, verdicts, sources, 2, &error));
  g_assert_no_error (error);
  found = rein_store_lookup_verdicts (f->store, hashes, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((ReinStoredVerdict *) g_hash_table_lookup (found, hashes[0]))->source_server,
                   ==, 0);
  g_assert_cmpint (((ReinStoredVerdict *) g_hash_table_lookup (found, hashes[1]))->source_server,
                   ==, kept);
  g_clear_pointer (&found, g_hash_table_unref);

  g_assert_true (rein_store_remove_server (f->store, kept, &error));
  g_assert_no_error (error);
  found = rein_store_lookup_verdicts (f->store, hashes, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((ReinStoredVerdict *) g_hash_table_lookup (found, hashes[1]))->source_server,
                   ==, 0);
}

static void
test_job_documents_and_enrollments (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) fetched = stranger_document ("Rein Bid", "eeeeeeeeeeeeeeeeeeee", 1);
  g_autoptr (ReinDocument) other = stranger_document ("Rein Bid", "ffffffffffffffffffff", 2);
  g_autoptr (ReinDocument) mine = own_document (f, "eeeeeeeeeeeeeeeeeeee");
  g_autoptr (GPtrArray) texts = NULL;
  g_autoptr (GPtrArray) enrollments = NULL;
  ReinDocumentVerdict verdicts[] = {
    { fetched, REIN_VERIFICATION_VALID, NULL },
    { other, REIN_VERIFICATION_VALID, NULL },
  };

  g_assert_cmpint (rein_store_add_document (f->store, mine, rein_identity_get_id (f->identity),
                                            0, &error), >, 0);
  g_assert_true (rein_store_save_verdicts (f->store, verdicts, 2, 0, &error));
  texts = rein_store_list_job_documents (f->store, "eeeeeeeeeeeeeeeeeeee", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (texts->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (texts, 0), ==, rein_document_get_armored (mine));
  g_assert_cmpstr (g_ptr_array_index (texts, 1), ==, rein_document_get_armored (fetched));
  g_clear_pointer (&texts, g_ptr_array_unref);
  texts = rein_store_list_job_documents (f->store, "gggggggggggggggggggg", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (texts->len, ==, 0);

  /* Our own enrollment is there; one found invalid is left out. */
  enrollments = rein_store_list_enrollments (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (enrollments->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (enrollments, 0), ==,
                   rein_identity_get_enrollment (f->identity));
  {
    g_autoptr (ReinDocument) enrollment = rein_document_new_from_armored (
        rein_identity_get_enrollment (f->identity), -1, &error);
    ReinDocumentVerdict bad = { enrollment, REIN_VERIFICATION_INVALID, "revoked" };

    g_assert_no_error (error);
    g_assert_true (rein_store_save_verdicts (f->store, &bad, 1, 0, &error));
    g_clear_pointer (&enrollments, g_ptr_array_unref);
    enrollments = rein_store_list_enrollments (f->store, &error);
    g_assert_cmpuint (enrollments->len, ==, 0);
  }
}

/* rein_store_list_unsent_job_ids(): my documents that no server is known
 * to hold as they are. */
static void
test_unsent (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 id = rein_identity_get_id (f->identity);
  gint64 server = rein_store_add_server (f->store, "http://127.0.0.1:1/", &error);
  g_autoptr (ReinDocument) kept = own_document (f, "jjjjjjjjjjjjjjjjjjjj");     /* no placement */
  g_autoptr (ReinDocument) placed = own_document (f, "kkkkkkkkkkkkkkkkkkkk");   /* checked */
  g_autoptr (ReinDocument) unchecked = own_document (f, "llllllllllllllllllll"); /* other hash */
  g_autoptr (ReinDocument) fetched = own_document (f, "mmmmmmmmmmmmmmmmmmmm");  /* from a server */
  g_autoptr (ReinDocument) theirs = stranger_document ("Rein Job", "nnnnnnnnnnnnnnnnnnnn", 1);
  g_auto (GStrv) ids = NULL;
  gint64 row;

  g_assert_no_error (error);
  g_assert_cmpint (rein_store_add_document (f->store, kept, id, 0, &error), >, 0);
  row = rein_store_add_document (f->store, placed, id, 0, &error);
  g_assert_true (rein_store_set_placement (f->store, row, server, "KEY1",
                                           rein_document_get_hash (placed), &error));
  row = rein_store_add_document (f->store, unchecked, id, 0, &error);
  g_assert_true (rein_store_set_placement (f->store, row, server, "KEY2",
                                           rein_document_get_hash (kept), &error));
  g_assert_cmpint (rein_store_add_document (f->store, fetched, id, server, &error), >, 0);
  g_assert_cmpint (rein_store_add_document (f->store, theirs, 0, 0, &error), >, 0);
  g_assert_no_error (error);

  ids = rein_store_list_unsent_job_ids (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (ids), ==, 2);
  g_assert_cmpstr (ids[0], ==, "jjjjjjjjjjjjjjjjjjjj");
  g_assert_cmpstr (ids[1], ==, "llllllllllllllllllll");
  g_clear_pointer (&ids, g_strfreev);
  /* another identity has none */
  ids = rein_store_list_unsent_job_ids (f->store, id + 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (ids), ==, 0);
}

static void
test_orders_and_job_ids (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) mine = own_document (f, "hhhhhhhhhhhhhhhhhhhh");
  g_autoptr (GPtrArray) orders = NULL;
  g_auto (GStrv) ids = NULL;
  gint64 id = rein_identity_get_id (f->identity);
  ReinStoredOrder *order;

  ids = rein_store_list_job_ids (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (ids), ==, 0);
  g_clear_pointer (&ids, g_strfreev);

  g_assert_cmpint (rein_store_add_document (f->store, mine, id, 0, &error), >, 0);
  g_assert_true (rein_store_set_order (f->store, "iiiiiiiiiiiiiiiiiiii", id, "mediator", "posted",
                                       &error));
  g_assert_true (rein_store_set_order (f->store, "hhhhhhhhhhhhhhhhhhhh", id, "creator", "posted",
                                       &error));
  g_assert_no_error (error);

  /* both sources, sorted, once each; the enrollment has no job */
  ids = rein_store_list_job_ids (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (ids), ==, 2);
  g_assert_cmpstr (ids[0], ==, "hhhhhhhhhhhhhhhhhhhh");
  g_assert_cmpstr (ids[1], ==, "iiiiiiiiiiiiiiiiiiii");

  /* an update replaces the role and state */
  g_assert_true (rein_store_set_order (f->store, "hhhhhhhhhhhhhhhhhhhh", id, "creator", "bids",
                                       &error));
  orders = rein_store_list_orders (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (orders->len, ==, 2);
  order = g_ptr_array_index (orders, 0);
  g_assert_cmpstr (order->job_id, ==, "hhhhhhhhhhhhhhhhhhhh");
  g_assert_cmpstr (order->role, ==, "creator");
  g_assert_cmpstr (order->state, ==, "bids");
  g_assert_cmpint (order->updated, >, 0);
  order = g_ptr_array_index (orders, 1);
  g_assert_cmpstr (order->role, ==, "mediator");

  /* other identities' orders are theirs */
  g_clear_pointer (&orders, g_ptr_array_unref);
  orders = rein_store_list_orders (f->store, id + 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (orders->len, ==, 0);

  /* an order needs an identity */
  g_assert_false (rein_store_set_order (f->store, "jjjjjjjjjjjjjjjjjjjj", id + 100, "creator",
                                        "posted", &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND);
}

/* What an identity signed out of a job's escrows, and what became of it,
 * survives reopening; a later state replaces an earlier one. */
static void
test_payouts (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) payouts = NULL;
  g_autoptr (ReinStore) again = NULL;
  gint64 id = rein_identity_get_id (f->identity);
  ReinStoredPayout signed_payout = {
    .job_id = "hhhhhhhhhhhhhhhhhhhh", .escrow = "primary", .state = "signed",
    .psbt = "cHNidP8BAA==", .signers = "Carol", .txid = NULL, .confirmations = -1,
  };
  ReinStoredPayout mediator = signed_payout;
  ReinStoredPayout *p;

  mediator.escrow = "mediator";
  g_assert_true (rein_store_set_payout (f->store, id, &mediator, &error));
  g_assert_true (rein_store_set_payout (f->store, id, &signed_payout, &error));
  g_assert_no_error (error);
  /* the worker adds their signature and sends it */
  signed_payout.state = "broadcast";
  signed_payout.signers = "Carol, Walt";
  signed_payout.txid = "ab01";
  signed_payout.confirmations = 0;
  g_assert_true (rein_store_set_payout (f->store, id, &signed_payout, &error));
  g_assert_no_error (error);

  again = rein_store_open (f->dir, &error);
  g_assert_no_error (error);
  payouts = rein_store_list_payouts (again, id, "hhhhhhhhhhhhhhhhhhhh", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (payouts->len, ==, 2);
  p = g_ptr_array_index (payouts, 0);
  g_assert_cmpstr (p->escrow, ==, "primary");
  g_assert_cmpstr (p->state, ==, "broadcast");
  g_assert_cmpstr (p->signers, ==, "Carol, Walt");
  g_assert_cmpstr (p->txid, ==, "ab01");
  g_assert_cmpint (p->confirmations, ==, 0);
  p = g_ptr_array_index (payouts, 1);
  g_assert_cmpstr (p->escrow, ==, "mediator");
  g_assert_cmpstr (p->state, ==, "signed");
  g_assert_null (p->txid);
  g_assert_cmpint (p->confirmations, ==, -1);
  g_clear_pointer (&payouts, g_ptr_array_unref);

  /* another job's, another identity's: none */
  payouts = rein_store_list_payouts (again, id, "iiiiiiiiiiiiiiiiiiii", &error);
  g_assert_cmpuint (payouts->len, ==, 0);
  g_clear_pointer (&payouts, g_ptr_array_unref);
  payouts = rein_store_list_payouts (again, id + 1, NULL, &error);
  g_assert_cmpuint (payouts->len, ==, 0);
  g_assert_false (rein_store_set_payout (again, id + 100, &mediator, &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND);
}

/* An enrollment of @master_address and @delegate_address signed by
 * @signer. */
static ReinDocument *
enrollment_by (ReinPrivateKey *signer, const gchar *master_address,
               const gchar *delegate_address, const gchar *contact)
{
  g_autoptr (GError) error = NULL;
  ReinEnrollmentParams params = {
    .user = "Carol",
    .contact = contact,
    .master_address = master_address,
    .delegate_address = delegate_address,
  };
  g_autofree gchar *text = rein_document_build_enrollment (&params, &error);
  ReinDocument *doc;

  g_assert_no_error (error);
  doc = rein_document_sign (text, signer, NULL, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  return doc;
}

/* A python-rein backup holds no enrollment: one found later, and only a
 * real one, becomes the identity's own. */
static void
test_identity_enrollment (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPrivateKey) master = rein_private_key_generate (TRUE);
  g_autoptr (ReinPrivateKey) delegate = rein_private_key_generate (TRUE);
  g_autoptr (ReinPrivateKey) other = rein_private_key_generate (TRUE);
  g_autofree gchar *maddr = rein_private_key_get_address (master, REIN_NETWORK_MAINNET);
  g_autofree gchar *daddr = rein_private_key_get_address (delegate, REIN_NETWORK_MAINNET);
  g_autofree gchar *oaddr = rein_private_key_get_address (other, REIN_NETWORK_MAINNET);
  gchar *wif = rein_private_key_to_wif (delegate, REIN_NETWORK_MAINNET);
  g_autofree gchar *json = g_strdup_printf (
      "{\"name\": \"Carol\", \"contact\": \"carol@example.com\", \"maddr\": \"%s\", "
      "\"daddr\": \"%s\", \"dkey\": \"%s\", \"will_mediate\": false, "
      "\"mediator_fee\": \"1\", \"testnet\": false}", maddr, daddr, wif);
  g_autoptr (ReinIdentity) carol = NULL;
  g_autoptr (ReinIdentity) again = NULL;
  g_autoptr (ReinDocument) good = enrollment_by (master, maddr, daddr, "carol@example.com");
  g_autoptr (ReinDocument) later = enrollment_by (master, maddr, daddr, "new@example.com");
  /* Someone else claiming our delegate. */
  g_autoptr (ReinDocument) forged = enrollment_by (other, oaddr, daddr, "carol@example.com");
  g_autoptr (ReinDocument) wrong_delegate = enrollment_by (master, maddr, oaddr,
                                                           "carol@example.com");
  g_autoptr (ReinDocument) not_enrollment = own_document (f, "aaaaaaaaaaaaaaaaaaaa");
  g_autoptr (GPtrArray) own = NULL;
  ReinDocumentVerdict fetched = { good, REIN_VERIFICATION_VALID, NULL };
  gint64 carol_id;

  rein_secure_free (wif);
  carol = rein_store_import_python_backup (f->store, json, strlen (json), "pw", &error);
  g_assert_no_error (error);
  carol_id = rein_identity_get_id (carol);
  g_assert_null (rein_identity_get_enrollment (carol));
  g_assert_cmpuint (rein_store_count_own_documents (f->store, carol_id), ==, 0);

  /* Fetched first, as anyone's document. */
  g_assert_true (rein_store_save_verdicts (f->store, &fetched, 1, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rein_store_count_own_documents (f->store, carol_id), ==, 0);

  for (ReinDocument **bad = (ReinDocument *[]){ forged, wrong_delegate, not_enrollment, NULL };
       *bad; bad++)
    {
      g_assert_false (rein_store_set_identity_enrollment (f->store, carol, *bad, &error));
      g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
      g_clear_error (&error);
    }
  again = rein_store_find_identity (f->store, "Carol", &error);
  g_assert_no_error (error);
  g_assert_null (rein_identity_get_enrollment (again));
  g_clear_object (&again);

  g_assert_true (rein_store_set_identity_enrollment (f->store, carol, good, &error));
  g_assert_no_error (error);
  again = rein_store_find_identity (f->store, "Carol", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rein_identity_get_enrollment (again), ==, rein_document_get_armored (good));
  g_clear_object (&again);
  /* Now ours: sync pushes it. */
  own = rein_store_list_own_documents (f->store, carol_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (own->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (own, 0), ==, rein_document_get_armored (good));

  /* The identity's enrollment is never replaced. */
  g_assert_true (rein_store_set_identity_enrollment (f->store, carol, later, &error));
  g_assert_no_error (error);
  again = rein_store_find_identity (f->store, "Carol", &error);
  g_assert_cmpstr (rein_identity_get_enrollment (again), ==, rein_document_get_armored (good));
  g_assert_cmpuint (rein_store_count_own_documents (f->store, carol_id), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  rein_crypto_init ();
  rein_secret_set_scrypt_cost (10);

  g_test_add ("/store/market/identity-enrollment", Fixture, NULL, fixture_setup,
              test_identity_enrollment, fixture_teardown);
  g_test_add ("/store/market/verdicts", Fixture, NULL, fixture_setup, test_verdicts,
              fixture_teardown);
  g_test_add ("/store/market/own-stay-own", Fixture, NULL, fixture_setup, test_own_stay_own,
              fixture_teardown);
  g_test_add ("/store/market/many", Fixture, NULL, fixture_setup, test_many, fixture_teardown);
  g_test_add ("/store/market/many-sources", Fixture, NULL, fixture_setup, test_many_sources,
              fixture_teardown);
  g_test_add ("/store/market/gone-source", Fixture, NULL, fixture_setup, test_gone_source,
              fixture_teardown);
  g_test_add ("/store/market/job-documents", Fixture, NULL, fixture_setup,
              test_job_documents_and_enrollments, fixture_teardown);
  g_test_add ("/store/market/payouts", Fixture, NULL, fixture_setup, test_payouts,
              fixture_teardown);
  g_test_add ("/store/market/unsent", Fixture, NULL, fixture_setup, test_unsent,
              fixture_teardown);
  g_test_add ("/store/market/orders", Fixture, NULL, fixture_setup, test_orders_and_job_ids,
              fixture_teardown);
  return g_test_run ();
}
