/* market-data.c: a large market written straight into a rein-server
 * database, for the tests and benchmarks that need thousands of jobs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "market-data.h"
#include "rein-market.h"
#include "rein-server-db.h"

/* Documents a party signs: its share fits REIN_SERVER_MAX_BUCKETS buckets. */
#define PER_PARTY 2000

static const gchar *const words[] = {
  "garden", "bridge", "violin", "canvas", "rocket", "harbor", "pepper", "silver",
  "marble", "forest", "candle", "mirror", "ticket", "basket", "copper", "lemon",
  "planet", "saddle", "window", "anchor", "butter", "cactus", "dragon", "engine",
  "falcon", "glider", "hammer", "island", "jacket", "kettle", "ladder", "magnet",
  "needle", "orchid", "parrot", "quartz", "rabbit", "salmon", "tunnel", "velvet",
};

const gchar *
market_data_word (guint i)
{
  return words[i % G_N_ELEMENTS (words)];
}

typedef struct
{
  gchar *name;
  gchar *master_address;
  gchar *delegate_address;
  gchar *public_key;
  ReinPrivateKey *delegate; /* while it signs */
  ReinDocument *enrollment;
} Party;

static void
party_free (Party *p)
{
  g_free (p->name);
  g_free (p->master_address);
  g_free (p->delegate_address);
  g_free (p->public_key);
  g_clear_pointer (&p->delegate, rein_private_key_free);
  g_clear_object (&p->enrollment);
  g_free (p);
}

/* Keys from a fast PRNG: enough for test data. */
static ReinPrivateKey *
fast_key (void)
{
  guint8 secret[32];
  ReinPrivateKey *key;

  do
    {
      for (guint i = 0; i < sizeof secret; i++)
        secret[i] = (guint8) g_random_int_range (0, 256);
      key = rein_private_key_new_from_bytes (secret, TRUE, NULL);
    }
  while (key == NULL);
  return key;
}

static Party *
party_new (const gchar *role, guint n, gboolean mediator)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPrivateKey) master = fast_key ();
  Party *p = g_new0 (Party, 1);
  g_autofree gchar *text = NULL;
  g_autofree gchar *contact = g_strdup_printf ("%s%u@example.com", role, n);
  ReinEnrollmentParams params = { 0 };

  p->delegate = fast_key ();
  p->name = g_strdup_printf ("%s %u", role, n);
  p->master_address = rein_private_key_get_address (master, REIN_NETWORK_MAINNET);
  p->delegate_address = rein_private_key_get_address (p->delegate, REIN_NETWORK_MAINNET);
  p->public_key = rein_private_key_get_public_key_hex (p->delegate);
  params.user = p->name;
  params.contact = contact;
  params.master_address = p->master_address;
  params.delegate_address = p->delegate_address;
  params.willing_to_mediate = mediator;
  params.delegate_public_key = p->public_key;
  params.mediator_fee_percent = 1.0;
  text = rein_document_build_enrollment (&params, &error);
  g_assert_no_error (error);
  p->enrollment = rein_document_sign (text, master, NULL, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  return p;
}

/* One party's documents, made and signed on every core. */
typedef struct
{
  Party *signer;
  Party *mediator;      /* for postings */
  GPtrArray *postings;  /* for bids: of ReinDocument */
  guint first;          /* the number of the first job */
  guint count;
  GPtrArray *out;       /* of ReinDocument, @count long */
  gint next;            /* atomic */
} Batch;

static gchar *
posting_text (Batch *b, guint j)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *name = g_strdup_printf ("%s %s, job %u", market_data_word (j),
                                            market_data_word (j / 7 + 3), j);
  g_autofree gchar *description = g_strdup_printf (
      "A careful piece of work with a %s and a %s, within two weeks; details by email.",
      market_data_word (j / 3 + 11), market_data_word (j / 13 + 5));
  ReinJobParams params = {
    .job_name = name,
    .category = market_data_word (j % 8),
    .description = description,
    .creator = b->signer->name,
    .creator_contact = "creator@example.com",
    .creator_public_key = b->signer->public_key,
    .creator_master_address = b->signer->master_address,
  };
  gchar *text;

  g_assert_true (rein_job_params_set_mediator (&params, b->mediator->enrollment, &error));
  text = rein_document_build_job_posting (&params, &error);
  g_assert_no_error (error);
  return text;
}

static gchar *
bid_text (Batch *b, guint i)
{
  g_autoptr (GError) error = NULL;
  /* Numbered: a worker may bid twice on a job of a small market. */
  g_autofree gchar *description = g_strdup_printf (
      "Bid %u: I can do it in ten days, with two rounds of changes.", b->first + i);
  ReinBidParams params = {
    .worker = b->signer->name,
    .worker_contact = "worker@example.com",
    .worker_master_address = b->signer->master_address,
    .worker_public_key = b->signer->public_key,
    .description = description,
    .bid_amount = "0.05",
  };
  ReinDocument *job = g_ptr_array_index (b->postings, (b->first + i) % b->postings->len);
  gchar *text = rein_document_build_bid (job, &params, REIN_NETWORK_MAINNET, &error);

  g_assert_no_error (error);
  return text;
}

static gpointer
batch_thread (gpointer data)
{
  Batch *b = data;
  gint i;

  while ((i = g_atomic_int_add (&b->next, 1)) < (gint) b->count)
    {
      g_autoptr (GError) error = NULL;
      g_autofree gchar *text = b->postings == NULL ? posting_text (b, b->first + i)
                                                   : bid_text (b, i);
      g_autofree gchar *signature = rein_message_sign (b->signer->delegate, text, strlen (text),
                                                       &error);
      g_autofree gchar *armored = NULL;

      g_assert_no_error (error);
      armored = rein_armor_build (text, b->signer->delegate_address, signature);
      b->out->pdata[i] = rein_document_new_from_armored (armored, -1, &error);
      g_assert_no_error (error);
    }
  return NULL;
}

static void
batch_run (Batch *b)
{
  g_autoptr (GPtrArray) threads = g_ptr_array_new ();

  b->out = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_set_size (b->out, b->count);
  for (guint i = 1; i < g_get_num_processors (); i++)
    g_ptr_array_add (threads, g_thread_new ("market-data", batch_thread, b));
  batch_thread (b);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
}

static gchar *
random_key32 (void)
{
  static const gchar alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  gchar *key = g_new0 (gchar, 33);

  for (guint i = 0; i < 32; i++)
    key[i] = alphabet[g_random_int_range (0, 36)];
  return key;
}

static void
add_account (ReinServerDb *db, const gchar *master, const gchar *delegate)
{
  g_autoptr (GError) error = NULL;

  for (guint b = 0; b < REIN_SERVER_MAX_BUCKETS; b++)
    {
      gboolean granted = FALSE;
      GPtrArray *buckets = rein_server_db_request_bucket (db, master, delegate,
                                                          "data@example.com", &granted, &error);

      g_assert_no_error (error);
      g_ptr_array_unref (buckets);
    }
}

static void
store_all (ReinServerDb *db, Party *owner, GPtrArray *docs)
{
  for (guint i = 0; i < docs->len; i++)
    {
      g_autoptr (GError) error = NULL;
      ReinDocument *doc = g_ptr_array_index (docs, i);
      const gchar *armored = rein_document_get_armored (doc);
      g_autoptr (ReinServerEntry) entry = rein_server_entry_new_from_document (doc, armored,
                                                                                strlen (armored));
      g_autofree gchar *key = random_key32 ();

      if (!rein_server_db_store (db, owner->master_address, key, entry, FALSE, &error))
        g_error ("storing a document: %s", error->message);
    }
}

static Party *
party_add (ReinServerDb *db, GPtrArray *parties, const gchar *role, guint n, gboolean mediator)
{
  Party *p = party_new (role, n, mediator);
  g_autoptr (GPtrArray) one = g_ptr_array_new ();

  add_account (db, p->master_address, p->delegate_address);
  g_ptr_array_add (one, p->enrollment);
  store_all (db, p, one);
  g_ptr_array_add (parties, p);
  return p;
}

void
market_data_write (const gchar *path,
                   guint n_jobs,
                   guint bids_per_job,
                   const gchar *reader_master,
                   const gchar *reader_delegate)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) parties = g_ptr_array_new_with_free_func ((GDestroyNotify) party_free);
  g_autoptr (GPtrArray) postings = g_ptr_array_new_with_free_func (g_object_unref);
  Party *mediators[2];
  ReinServerDb *db = rein_server_db_open (path, TRUE, &error);
  guint n_bids = n_jobs * bids_per_job;

  g_assert_no_error (error);
  g_assert_true (rein_server_db_begin (db, &error));
  if (reader_master != NULL)
    add_account (db, reader_master, reader_delegate);
  for (guint i = 0; i < G_N_ELEMENTS (mediators); i++)
    mediators[i] = party_add (db, parties, "Mediator", i, TRUE);

  /* Postings, PER_PARTY a creator; then bids, PER_PARTY a worker, spread
   * over the jobs. */
  for (guint first = 0, c = 0; first < n_jobs; first += PER_PARTY, c++)
    {
      Party *creator = party_add (db, parties, "Creator", c, FALSE);
      Batch b = { creator, mediators[c % 2], NULL, first, MIN (PER_PARTY, n_jobs - first) };

      batch_run (&b);
      store_all (db, creator, b.out);
      g_ptr_array_extend_and_steal (postings, b.out);
      g_clear_pointer (&creator->delegate, rein_private_key_free);
      g_assert_true (rein_server_db_commit (db, &error));
      g_assert_true (rein_server_db_begin (db, &error));
    }
  for (guint first = 0, w = 0; first < n_bids; first += PER_PARTY, w++)
    {
      Party *worker = party_add (db, parties, "Worker", w, FALSE);
      Batch b = { worker, NULL, postings, first, MIN (PER_PARTY, n_bids - first) };

      batch_run (&b);
      store_all (db, worker, b.out);
      g_ptr_array_unref (b.out);
      g_clear_pointer (&worker->delegate, rein_private_key_free);
      g_assert_true (rein_server_db_commit (db, &error));
      g_assert_true (rein_server_db_begin (db, &error));
    }
  g_assert_true (rein_server_db_commit (db, &error));
  rein_server_db_close (db);
}
