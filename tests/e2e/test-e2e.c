/* test-e2e.c: the whole order flow with rein-cli against real rein-servers
 *
 * Three people, each with a data folder of their own: a job creator, a
 * worker and a mediator. They register on a server and sync; then job 1
 * goes post, bid, offer, deliver, accept and paid, and job 2 post, bid,
 * offer, creatordispute, workerdispute, resolve with a split and paid:
 * the escrows are funded on a test chain backend (tests/net/esplora-server.py,
 * which runs python-bitcoinlib's VerifyScript on every broadcast), the
 * writer of the accept or resolution builds and signs the payments, the
 * others co-sign and send them. After every step the three
 * clients' "status --json" must agree on the job's state. Refusals of the
 * state machine must fail with a clear message. A forged document on the
 * server must be kept out and shown with its reason. Then a second server
 * is added, and one sync per client must bring it every document. Once
 * both jobs are done, the three rate each other (python-rein 0.3's
 * ratings) and read each other's ratings and trust scores.
 *
 * /e2e/order-flow/causeway runs it all on a server that answers as the
 * original Causeway does (tests/server/causeway-server.py): no
 * "enrollments" query, so the clients find each other's enrollments with
 * python-rein 0.3's "get_user" and "mediators" queries.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <glib/gstdio.h>

#include "causeway-fixture.h"
#include "chain-fixture.h"
#include "cli-test-util.h"
#include "server-fixture.h"
#include "rein-bitcoin.h"
#include "rein-test-util.h"

#define PASSWORD "correct horse battery staple"

typedef struct
{
  const gchar *name;
  const gchar *role; /* what "status" must call it */
  gchar *dir;
  gchar *master;
  gchar *delegate;   /* where the payouts go: no "Payout address" is given */
  gchar *form;       /* "Name: ...\nContact: ..." */
} Client;

typedef struct
{
  TestServer *server;
  gboolean causeway; /* @server answers as the original Causeway does */
  guint ratings;     /* rating documents the clients hold */
  TestServer *second;
  TestChain *chain;
  Client creator;
  Client worker;
  Client mediator;
  guint forms;
  /* What no command may print (nor leave in a data folder): the password,
   * and each one's recovery phrase and private keys once known. */
  GPtrArray *secrets;
} Fixture;

/* Fails naming the kind of secret, never printing it. */
static void
assert_no_secret_in (Fixture *f, const gchar *what, const gchar *data, gsize len)
{
  for (guint i = 0; i < f->secrets->len; i += 2)
    {
      const gchar *secret = g_ptr_array_index (f->secrets, i + 1);

      if (memmem (data, len, secret, strlen (secret)) != NULL)
        g_error ("%s holds %s", what, (const gchar *) g_ptr_array_index (f->secrets, i));
    }
}

static void
add_secret (Fixture *f, const gchar *kind, const gchar *secret)
{
  g_assert_cmpuint (strlen (secret), >=, 8);
  g_ptr_array_add (f->secrets, g_strdup (kind));
  g_ptr_array_add (f->secrets, g_strdup (secret));
}

/* ---- Running rein-cli as one of the three ---- */

/* Runs rein-cli with --data-dir of @c (and --defaults @form when not NULL)
 * before the NULL-terminated arguments. */
static CliResult *
run_as (Fixture *f, Client *c, const gchar *form, const gchar *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  CliResult *result;
  va_list ap;

  g_ptr_array_add (args, g_strdup ("--data-dir"));
  g_ptr_array_add (args, g_strdup (c->dir));
  if (form != NULL)
    {
      g_autofree gchar *name = g_strdup_printf ("form-%u.txt", f->forms++);

      g_ptr_array_add (args, g_strdup ("--defaults"));
      g_ptr_array_add (args, cli_write_tmp (name, form, -1));
    }
  va_start (ap, first);
  for (const gchar *arg = first; arg != NULL; arg = va_arg (ap, const gchar *))
    g_ptr_array_add (args, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (args, NULL);

  result = cli_runv (NULL, -1, (const gchar *const *) args->pdata);
  g_test_message ("%s: rein-cli %s -> %d", c->name, first, result->status);
  assert_no_secret_in (f, "rein-cli's output", result->out, result->out_len);
  assert_no_secret_in (f, "rein-cli's error output", result->err, strlen (result->err));
  return result;
}

static const gchar *
json_string (JsonObject *object, const gchar *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    g_error ("JSON member “%s” is missing or not a string", member);
  return json_node_get_string (node);
}

/* A refusal: exit status 3, nothing on stdout, one line naming why. */
static void
assert_refused (CliResult *r, const gchar *because)
{
  cli_assert_status (r, 3);
  g_assert_cmpuint (r->out_len, ==, 0);
  g_assert_true (g_str_has_prefix (r->err, "rein-cli: "));
  if (strstr (r->err, because) == NULL)
    g_error ("the refusal does not say “%s”: %s", because, r->err);
}

/* ---- Checking that everyone sees the same job ---- */

static JsonNode *
job_status (Fixture *f, Client *c, const gchar *job_id)
{
  g_autoptr (CliResult) r = run_as (f, c, NULL, "status", "--jobid", job_id, "--json", NULL);

  cli_assert_status (r, 0);
  return cli_result_get_json (r);
}

static void
assert_state (Fixture *f, const gchar *job_id, const gchar *state, gboolean awarded)
{
  Client *clients[] = { &f->creator, &f->worker, &f->mediator };

  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      Client *c = clients[i];
      g_autoptr (JsonNode) detail = job_status (f, c, job_id);
      JsonObject *o = json_node_get_object (detail);
      g_autoptr (CliResult) list = run_as (f, c, NULL, "status", "--json", NULL);
      g_autoptr (JsonNode) root = NULL;
      JsonArray *jobs;
      gboolean listed = FALSE;

      g_assert_cmpstr (json_string (o, "job_id"), ==, job_id);
      if (g_strcmp0 (json_string (o, "state"), state) != 0)
        g_error ("%s sees the job %s as %s, not %s", c->name, job_id,
                 json_string (o, "state"), state);
      /* The worker is a worker once they bid. */
      if (c != &f->worker || g_strcmp0 (state, "posted") != 0)
        g_assert_cmpstr (json_string (o, "role"), ==, c->role);

      /* Escrow is known to everyone once the job is awarded, and the
       * same for everyone. */
      if (awarded)
        {
          g_assert_true (g_str_has_prefix (json_string (o, "primary_escrow_address"), "3"));
          g_assert_true (g_str_has_prefix (json_string (o, "mediator_escrow_address"), "3"));
        }

      /* The listing of my jobs agrees with the detail. */
      cli_assert_status (list, 0);
      root = cli_result_get_json (list);
      jobs = json_object_get_array_member (json_node_get_object (root), "jobs");
      for (guint j = 0; j < json_array_get_length (jobs); j++)
        {
          JsonObject *job = json_array_get_object_element (jobs, j);

          if (g_strcmp0 (json_string (job, "job_id"), job_id) == 0)
            {
              g_assert_cmpstr (json_string (job, "state"), ==, state);
              listed = TRUE;
            }
        }
      if (c != &f->worker || g_strcmp0 (state, "posted") != 0)
        g_assert_true (listed);
    }
}

/* The actions "status" offers @c on @job_id now. */
static gboolean
may (Fixture *f, Client *c, const gchar *job_id, const gchar *action)
{
  g_autoptr (JsonNode) detail = job_status (f, c, job_id);
  JsonArray *actions = json_object_get_array_member (json_node_get_object (detail), "actions");

  for (guint i = 0; i < json_array_get_length (actions); i++)
    if (g_strcmp0 (json_array_get_string_element (actions, i), action) == 0)
      return TRUE;
  return FALSE;
}

/* ---- Setting up ---- */

static void
client_init (Client *c, const gchar *name, const gchar *role, const gchar *form)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *template = g_strdup_printf ("rein-e2e-%s-XXXXXX", name);

  c->name = name;
  c->role = role;
  c->dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  c->form = g_strdup (form);
}

static void
client_clear (Client *c)
{
  rein_test_remove_tree (c->dir);
  g_free (c->dir);
  g_free (c->master);
  g_free (c->delegate);
  g_free (c->form);
}

static void
setup_client (Fixture *f, Client *c)
{
  g_autoptr (CliResult) setup = run_as (f, c, c->form, "setup", "--json", NULL);
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (CliResult) request = NULL;
  g_autoptr (CliResult) sync = NULL;
  g_auto (GStrv) words = NULL;
  JsonObject *o;

  cli_assert_status (setup, 0);
  root = cli_result_get_json (setup);
  o = json_node_get_object (root);
  g_assert_cmpstr (json_string (o, "name"), ==, c->name);
  c->master = g_strdup (json_string (o, "master_address"));
  c->delegate = g_strdup (json_string (o, "delegate_address"));
  /* The new phrase, shown once, with a warning. */
  words = g_strsplit (json_string (o, "recovery_phrase"), " ", -1);
  g_assert_cmpuint (g_strv_length (words), ==, 12);
  g_assert_nonnull (strstr (setup->err, "recovery phrase"));

  /* Shown once, here, on purpose; never again. The private keys it makes
   * are never shown at all by the commands under test. */
  {
    const gchar *phrase = json_string (o, "recovery_phrase");
    g_autoptr (CliResult) derived = cli_run (phrase, "derive", "--show-private", NULL);
    g_autoptr (JsonNode) keys = NULL;
    JsonObject *k;
    g_autofree gchar *kind = g_strdup_printf ("%s's recovery phrase", c->name);
    g_autofree gchar *master_kind = g_strdup_printf ("%s's master key", c->name);
    g_autofree gchar *delegate_kind = g_strdup_printf ("%s's delegate key", c->name);

    cli_assert_status (derived, 0);
    keys = cli_result_get_json (derived);
    k = json_node_get_object (keys);
    g_assert_cmpstr (json_string (k, "master_address"), ==, c->master);
    add_secret (f, kind, phrase);
    add_secret (f, master_kind, json_string (k, "master_private_key"));
    add_secret (f, delegate_kind, json_string (k, "delegate_private_key"));
  }

  request = run_as (f, c, NULL, "request", f->server->url, NULL);
  cli_assert_status (request, 0);
  sync = run_as (f, c, NULL, "sync", "--json", NULL);
  cli_assert_status (sync, 0);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->secrets = g_ptr_array_new_with_free_func (g_free);
  add_secret (f, "the password", PASSWORD);
  f->causeway = GPOINTER_TO_INT (data);
  f->server = f->causeway ? test_causeway_start (TEST_CAUSEWAY_MAINNET)
                          : test_server_start (NULL, NULL);
  f->chain = test_chain_start ("mainnet");
  g_setenv ("REIN_CHAIN_URL", f->chain->url, TRUE);
  client_init (&f->creator, "Carol", "creator",
               "Name: Carol\nContact: carol@example.com\n");
  client_init (&f->worker, "Walt", "worker",
               "# a worker\nName: Walt\nContact: walt@example.com\nWilling to mediate: False\n");
  client_init (&f->mediator, "Mia", "mediator",
               "Name: Mia\nContact: mia@example.com\nWilling to mediate: True\n"
               "Mediator fee: 1.5\n");
  setup_client (f, &f->creator);
  setup_client (f, &f->worker);
  setup_client (f, &f->mediator);

  /* Clients find the signers' enrollments with the "enrollments" query,
   * our extension of the Causeway API: without it nobody's documents but
   * one's own would count. The original Causeway has none (see
   * /e2e/order-flow/causeway). */
  if (!f->causeway)
  {
    g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=enrollments&addresses=%s",
                                              f->creator.master, f->worker.master);
    g_autoptr (Answer) answer = http_get (f->server, path);
    JsonArray *found;

    g_assert_cmpuint (answer->status, ==, 200);
    found = json_object_get_array_member (answer_object (answer), "enrollments");
    if (found == NULL || json_array_get_length (found) != 1)
      g_error ("rein-server does not answer the \"enrollments\" query (addresses=MASTER or "
               "DELEGATE addresses, comma-separated) with the worker's enrollment");
  }
}

/* No secret in any file of the three data folders. */
static void
assert_no_secret_on_disk (Fixture *f)
{
  Client *clients[] = { &f->creator, &f->worker, &f->mediator };
  guint files = 0;

  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_autoptr (GDir) dir = g_dir_open (clients[i]->dir, 0, NULL);
      const gchar *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree gchar *path = g_build_filename (clients[i]->dir, name, NULL);
          g_autofree gchar *contents = NULL;
          g_autofree gchar *what = NULL;
          gsize len = 0;

          if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
            continue;
          g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
          what = g_strdup_printf ("%s's %s", clients[i]->name, name);
          assert_no_secret_in (f, what, contents, len);
          files++;
        }
    }
  g_assert_cmpuint (files, >=, 3);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->secrets, g_ptr_array_unref);
  g_clear_pointer (&f->server, test_server_free);
  g_clear_pointer (&f->second, test_server_free);
  g_clear_pointer (&f->chain, test_chain_stop);
  g_unsetenv ("REIN_CHAIN_URL");
  client_clear (&f->creator);
  client_clear (&f->worker);
  client_clear (&f->mediator);
  cli_test_cleanup ();
}

/* ---- Steps ---- */

static gchar *
post_job (Fixture *f, const gchar *name)
{
  g_autofree gchar *form = g_strdup_printf ("Job name: %s\nCategory: Design\n"
                                            "Description: Two versions:\n"
                                            " black and white, and colour.\n"
                                            "Mediator: Mia\n", name);
  g_autoptr (CliResult) r = run_as (f, &f->creator, form, "post", "--json", NULL);
  g_autoptr (JsonNode) root = NULL;
  JsonObject *o;
  gchar *job_id;

  cli_assert_status (r, 0);
  root = cli_result_get_json (r);
  o = json_node_get_object (root);
  job_id = g_strdup (json_string (o, "job_id"));
  g_assert_cmpuint (strlen (job_id), ==, 20);
  g_assert_cmpstr (json_string (o, "type"), ==, "job_posting");
  g_assert_cmpstr (json_string (o, "state"), ==, "posted");
  return job_id;
}

static void
bid (Fixture *f, const gchar *job_id, const gchar *amount)
{
  g_autofree gchar *form = g_strdup_printf ("Job ID: %s\nDescription: Done in a week.\\nTwo "
                                            "drafts first.\nBid amount (BTC): %s\n",
                                            job_id, amount);
  g_autoptr (CliResult) r = run_as (f, &f->worker, form, "bid", NULL);

  cli_assert_status (r, 0);
  g_assert_nonnull (strstr (r->out, job_id));
}

static void
step (Fixture *f, Client *c, const gchar *form, const gchar *command, const gchar *job_id,
      const gchar *state)
{
  g_autoptr (CliResult) r = run_as (f, c, form, command, "--jobid", job_id, "--json", NULL);
  g_autoptr (JsonNode) root = NULL;

  cli_assert_status (r, 0);
  root = cli_result_get_json (r);
  g_assert_cmpstr (json_string (json_node_get_object (root), "state"), ==, state);
}

/* ---- Escrow ---- */

/* Pays what is due into both escrows of @job_id, confirmed, and @extra
 * satoshis more into the primary one, as a second coin (as if another job
 * of the same three people shared the address); returns what is due
 * (satoshis). */
static void
fund_escrows (Fixture *f, const gchar *job_id, gint64 extra, gboolean mined,
              gint64 *out_primary, gint64 *out_mediator)
{
  g_autoptr (CliResult) r = run_as (f, &f->creator, NULL, "escrow-status", "--jobid", job_id,
                                    "--json", NULL);
  g_autoptr (JsonNode) root = NULL;
  JsonObject *primary, *mediator;

  cli_assert_status (r, 0);
  root = cli_result_get_json (r);
  primary = json_object_get_object_member (json_node_get_object (root), "primary");
  mediator = json_object_get_object_member (json_node_get_object (root), "mediator");
  g_assert_cmpstr (json_string (primary, "funding"), ==, "unfunded");
  *out_primary = json_object_get_int_member (primary, "due_sat");
  *out_mediator = json_object_get_int_member (mediator, "due_sat");
  g_free (test_chain_fund (f->chain, json_string (primary, "address"), *out_primary, mined));
  g_free (test_chain_fund (f->chain, json_string (mediator, "address"), *out_mediator, mined));
  if (extra > 0)
    g_free (test_chain_fund (f->chain, json_string (primary, "address"), extra, mined));
  if (mined)
    test_chain_mine (f->chain, 2);
}

/* "payout --json" as @c: the state of each payment, its txid and
 * transaction. */
static JsonNode *
payout (Fixture *f, Client *c, const gchar *job_id)
{
  g_autoptr (CliResult) r = run_as (f, c, NULL, "payout", "--jobid", job_id, "--yes",
                                    "--broadcast", "--json", NULL);

  if (r->status != 0)
    g_error ("%s's payout failed (%d): %s", c->name, r->status, r->err);
  return cli_result_get_json (r);
}

static JsonObject *
payment_of (JsonNode *root, const gchar *escrow)
{
  JsonArray *payments = json_object_get_array_member (json_node_get_object (root), "payments");

  for (guint i = 0; i < json_array_get_length (payments); i++)
    {
      JsonObject *p = json_array_get_object_element (payments, i);

      if (g_strcmp0 (json_string (p, "escrow"), escrow) == 0)
        return p;
    }
  g_error ("no %s payment in payout's answer", escrow);
}

/* The broadcast transaction of @payment pays each of @to[i] (delegate
 * addresses) @share[i] percent of @coin less the fee, the fee being
 * small and positive; it is among what the chain backend accepted (and
 * VerifyScript with it). */
static void
assert_pays (Fixture *f, JsonObject *payment, gint64 coin, Client **to, const guint *share)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinTx) tx = rein_tx_parse_hex (json_string (payment, "hex"), &error);
  g_autofree gchar *broadcasts = test_chain_dup_broadcasts (f->chain);
  g_autofree gchar *txid = NULL;
  gint64 paid = 0;
  guint n = 0;

  g_assert_no_error (error);
  g_assert_cmpstr (json_string (payment, "state"), ==, "broadcast");
  txid = rein_tx_get_txid_hex (tx);
  g_assert_cmpstr (json_string (payment, "txid"), ==, txid);
  if (strstr (broadcasts, txid) == NULL)
    g_error ("%s is not among the transactions the backend accepted: %s", txid, broadcasts);
  for (; to[n] != NULL; n++)
    ;
  g_assert_cmpuint (tx->outputs->len, ==, n);
  for (guint o = 0; o < tx->outputs->len; o++)
    paid += (gint64) rein_tx_get_output (tx, o)->value;
  g_assert_cmpint (paid, <, coin);
  g_assert_cmpint (coin - paid, <, coin / 50); /* the fee: under 2% here */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GByteArray) script = rein_script_from_address (to[i]->delegate,
                                                                REIN_NETWORK_MAINNET, &error);
      gboolean found = FALSE;

      g_assert_no_error (error);
      for (guint o = 0; o < tx->outputs->len; o++)
        {
          const ReinTxOut *out = rein_tx_get_output (tx, o);
          gint64 want = coin * share[i] / 100;

          if (out->script_pubkey->len == script->len
              && memcmp (out->script_pubkey->data, script->data, script->len) == 0)
            {
              found = TRUE;
              /* its share, less its share of the fee */
              g_assert_cmpint ((gint64) out->value, <=, want);
              g_assert_cmpint ((gint64) out->value, >, want - (coin - paid) - 1);
            }
        }
      if (!found)
        g_error ("the payment does not pay %s", to[i]->name);
    }
}

/* A bid signed by someone without an enrollment, put straight on the
 * server: everyone must keep it out and say why. */
static gchar *
forge_bid (Fixture *f, const gchar *job_id)
{
  g_autoptr (Identity) eve = identity_new ("Eve");
  g_autofree gchar *text = g_strdup_printf ("Rein Bid\nJob name: Logo\nJob ID: %s\nWorker: Eve\n"
                                            "Description: cheaper\nBid amount (BTC): 0.0001",
                                            job_id);
  g_autofree gchar *armored = identity_sign (eve, text);
  g_autofree gchar *key = random_key ();
  g_autoptr (Answer) put = NULL;
  g_autoptr (JsonNode) detail = NULL;
  JsonArray *docs;
  gboolean seen = FALSE;

  identity_register (eve, f->server);
  put = identity_put (eve, f->server, key, armored, FALSE);
  g_assert_cmpuint (put->status, ==, 201);

  detail = job_status (f, &f->creator, job_id);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_node_get_object (detail), "valid_bids")), ==, 1);
  docs = json_object_get_array_member (json_node_get_object (detail), "documents");
  for (guint i = 0; i < json_array_get_length (docs); i++)
    {
      JsonObject *doc = json_array_get_object_element (docs, i);

      if (json_object_get_boolean_member (doc, "valid"))
        continue;
      g_assert_cmpstr (json_string (doc, "type"), ==, "bid");
      g_assert_nonnull (strstr (json_string (doc, "reason"), "enrollment"));
      seen = TRUE;
    }
  g_assert_true (seen);
  return g_steal_pointer (&armored);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar *const *) a, *(const gchar *const *) b);
}

/* Every document a query answers, sorted. */
static GPtrArray *
query_values (TestServer *server, const gchar *owner, const gchar *query, const gchar *param,
              const gchar *value)
{
  g_autofree gchar *escaped = g_uri_escape_string (value, NULL, FALSE);
  g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=%s&testnet=0&limit=1000&%s=%s",
                                            owner, query, param, escaped);
  g_autoptr (Answer) answer = http_get (server, path);
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array;

  g_assert_cmpuint (answer->status, ==, 200);
  array = json_object_get_array_member (answer_object (answer), query);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const gchar *text = json_array_get_string_element (array, i);

      /* The original Causeway's text matching finds ratings too ("Job id"). */
      if (strstr (text, "\nRein Rating\n") == NULL)
        g_ptr_array_add (values, g_strdup (text));
    }
  g_ptr_array_sort (values, compare_strings);
  return values;
}

static guint
sync_to_second (Fixture *f, Client *c)
{
  g_autoptr (CliResult) request = run_as (f, c, NULL, "request", f->second->url, NULL);
  g_autoptr (CliResult) sync = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonArray *servers;
  guint documents = 0;

  cli_assert_status (request, 0);
  sync = run_as (f, c, NULL, "sync", "--json", NULL);
  cli_assert_status (sync, 0);
  root = cli_result_get_json (sync);
  servers = json_object_get_array_member (json_node_get_object (root), "servers");
  g_assert_cmpuint (json_array_get_length (servers), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *s = json_array_get_object_element (servers, i);
      gint64 total = json_object_get_int_member (s, "documents");

      g_assert_true (json_object_get_null_member (s, "error"));
      if (g_strcmp0 (json_string (s, "url"), f->second->url) == 0)
        g_assert_cmpint (json_object_get_int_member (s, "pushed"), ==, total);
      else
        g_assert_cmpint (json_object_get_int_member (s, "unchanged"), ==, total);
      documents = (guint) total;
    }
  return documents;
}

/* A second server, and one sync per client: it must then hold every
 * document (but the forged one, which nobody synced). */
static void
check_second_server (Fixture *f, const gchar *job1, const gchar *job2, const gchar *forged)
{
  g_autofree gchar *ids = g_strjoin (",", job1, job2, NULL);
  g_autofree gchar *masters = NULL;
  g_autoptr (GPtrArray) first_docs = NULL;
  g_autoptr (GPtrArray) second_docs = NULL;
  g_autoptr (GPtrArray) first_enrollments = NULL;
  g_autoptr (GPtrArray) second_enrollments = NULL;
  guint total = 0;

  f->second = test_server_start (NULL, NULL);
  total += sync_to_second (f, &f->creator);
  total += sync_to_second (f, &f->worker);
  total += sync_to_second (f, &f->mediator);
  /* 3 enrollments, 5 documents of job 1, 6 of job 2, the ratings */
  g_assert_cmpuint (total, ==, 14 + f->ratings);

  first_docs = query_values (f->server, f->creator.master, "by_job_id", "job_ids", ids);
  second_docs = query_values (f->second, f->creator.master, "by_job_id", "job_ids", ids);
  g_assert_cmpuint (first_docs->len, ==, 12);
  for (guint i = 0; i < first_docs->len; i++)
    if (g_strcmp0 (g_ptr_array_index (first_docs, i), forged) == 0)
      g_ptr_array_remove_index (first_docs, i);
  g_assert_cmpuint (second_docs->len, ==, 11);
  g_assert_cmpuint (first_docs->len, ==, 11);
  for (guint i = 0; i < first_docs->len; i++)
    g_assert_cmpstr (g_ptr_array_index (first_docs, i), ==, g_ptr_array_index (second_docs, i));

  masters = g_strjoin (",", f->creator.master, f->worker.master, f->mediator.master, NULL);
  second_enrollments = query_values (f->second, f->creator.master, "enrollments", "addresses",
                                     masters);
  g_assert_cmpuint (second_enrollments->len, ==, 3);
  if (!f->causeway)
    {
      first_enrollments = query_values (f->server, f->creator.master, "enrollments",
                                        "addresses", masters);
      g_assert_cmpuint (first_enrollments->len, ==, 3);
      for (guint i = 0; i < 3; i++)
        g_assert_cmpstr (g_ptr_array_index (first_enrollments, i), ==,
                         g_ptr_array_index (second_enrollments, i));
    }

  /* With the first server gone, the second one is enough: everyone still
   * agrees, and the first one's failure is a warning. */
  test_server_stop (f->server);
  assert_state (f, job2, "resolved", TRUE);
  {
    g_autoptr (CliResult) r = run_as (f, &f->mediator, NULL, "status", "--jobid", job1, NULL);

    cli_assert_status (r, 0);
    g_assert_nonnull (strstr (r->err, "warning"));
    g_assert_nonnull (strstr (r->out, "complete, work accepted"));
  }

  /* With no server at all, reading fails with exit status 4. */
  test_server_stop (f->second);
  {
    g_autoptr (CliResult) r = run_as (f, &f->worker, NULL, "status", "--jobid", job1, NULL);

    cli_assert_status (r, 4);
  }
}

/* "rein-cli ratings WHO --json" as @c. */
static JsonNode *
ratings_of (Fixture *f, Client *c, const gchar *who)
{
  g_autoptr (CliResult) r = run_as (f, c, NULL, "ratings", who, "--json", NULL);

  cli_assert_status (r, 0);
  return cli_result_get_json (r);
}

/* python-rein 0.3's ratings, once both jobs completed: the three rate each
 * other with "rein-cli rate", a forgery is put on the server, and "rein-cli
 * ratings" counts only the real ones, with the trust from the reader's
 * point of view. */
static void
rate_each_other (Fixture *f, const gchar *job1, const gchar *job2)
{
  const struct
  {
    Client *rater;
    const gchar *job;
    const gchar *form;
  } ratings[] = {
    { &f->creator, job1, "Rated user: Walt\nRating: 4\nComments: On time\n" },
    { &f->worker, job1, "Rated user: creator\nRating: 5\nComments: Clear brief\n" },
    { &f->mediator, job2, "Rated user: worker\nRating: 2\n" },
  };
  g_autoptr (JsonNode) walt = NULL;
  g_autoptr (JsonNode) carol = NULL;
  g_autoptr (Identity) eve = identity_new ("Eve");
  g_autofree gchar *walt_sin = NULL;
  g_autofree gchar *eve_sin = rein_sin_from_address (eve->master_address);
  g_autofree gchar *forged_text = NULL;
  g_autofree gchar *forged = NULL;
  g_autoptr (GError) error = NULL;
  JsonObject *o;
  JsonArray *list;
  guint forged_seen = 0;

  for (guint i = 0; i < G_N_ELEMENTS (ratings); i++)
    {
      g_autoptr (CliResult) r = run_as (f, ratings[i].rater, ratings[i].form, "rate", "--jobid",
                                        ratings[i].job, "--json", NULL);
      g_autoptr (JsonNode) root = NULL;

      cli_assert_status (r, 0);
      root = cli_result_get_json (r);
      g_assert_cmpstr (json_string (json_node_get_object (root), "type"), ==, "rating");
      f->ratings++;
    }
  /* Refused: rating oneself, and a party of another job. */
  {
    g_autoptr (CliResult) self = run_as (f, &f->worker, "Rated user: Walt\nRating: 5\n", "rate",
                                         "--jobid", job1, NULL);
    g_autoptr (CliResult) outsider = run_as (f, &f->creator, "Rated user: Eve\nRating: 0\n", "rate",
                                             "--jobid", job1, NULL);

    assert_refused (self, "nobody you can rate");
    assert_refused (outsider, "nobody you can rate");
  }

  /* Eve, who took no part, rates Walt 0 straight on the server. */
  walt = ratings_of (f, &f->creator, "Walt");
  o = json_node_get_object (walt);
  walt_sin = g_strdup (json_string (o, "sin"));
  forged_text = rein_rating_build (0, walt_sin, job1, eve_sin, "Bad", &error);
  g_assert_no_error (error);
  forged = identity_sign (eve, forged_text);
  identity_register (eve, f->server);
  identity_put_ok (eve, f->server, forged);
  g_clear_pointer (&walt, json_node_unref);

  /* Carol's 4 and Mia's 2 count; Eve's does not. Carol's trust in Walt
   * is her own rating (she rated neither Mia nor Eve). */
  walt = ratings_of (f, &f->creator, "Walt");
  o = json_node_get_object (walt);
  g_assert_cmpint (json_object_get_int_member (o, "count"), ==, 2);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "average"), 3.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "trust"), 4.0, 1e-9);
  g_assert_cmpint (json_object_get_int_member (o, "trust_links"), ==, 1);
  list = json_object_get_array_member (o, "ratings");
  g_assert_cmpuint (json_array_get_length (list), ==, 3);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *rating = json_array_get_object_element (list, i);

      if (g_strcmp0 (json_string (rating, "rater_sin"), eve_sin) != 0)
        {
          g_assert_true (json_object_get_boolean_member (rating, "counts"));
          continue;
        }
      g_assert_false (json_object_get_boolean_member (rating, "counts"));
      g_assert_nonnull (strstr (json_string (rating, "reason"), "enrollment"));
      forged_seen++;
    }
  g_assert_cmpuint (forged_seen, ==, 1);

  /* Walt, by his SIN, as Walt sees himself: he never rated himself nor
   * Mia; he rated Carol 5, who rated him 4: min (5, 4). */
  {
    g_autoptr (JsonNode) self = ratings_of (f, &f->worker, walt_sin);

    o = json_node_get_object (self);
    g_assert_cmpint (json_object_get_int_member (o, "count"), ==, 2);
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "trust"), 4.0, 1e-9);
  }
  carol = ratings_of (f, &f->mediator, "Carol");
  o = json_node_get_object (carol);
  g_assert_cmpint (json_object_get_int_member (o, "count"), ==, 1);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "average"), 5.0, 1e-9);
  /* Mia rated Walt 2, who rated Carol 5: min (2, 5). */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "trust"), 2.0, 1e-9);
}

static void
test_order_flow (Fixture *f, gconstpointer data)
{
  g_autofree gchar *job1 = NULL;
  g_autofree gchar *job2 = NULL;
  gint64 primary_coin = 0, mediator_coin = 0;
  g_autofree gchar *bid_form = NULL;
  g_autofree gchar *forged = NULL;
  const gchar *offer_form = "Worker: Walt\n";

  /* Everyone sees the mediator; nobody sees themselves as one. */
  {
    g_autoptr (CliResult) r = run_as (f, &f->creator, NULL, "mediators", "--json", NULL);
    g_autoptr (CliResult) own = run_as (f, &f->mediator, NULL, "mediators", "--json", NULL);
    g_autoptr (JsonNode) root = NULL;
    g_autoptr (JsonNode) own_root = NULL;
    JsonArray *list;

    cli_assert_status (r, 0);
    root = cli_result_get_json (r);
    list = json_object_get_array_member (json_node_get_object (root), "mediators");
    g_assert_cmpuint (json_array_get_length (list), ==, 1);
    g_assert_cmpstr (json_string (json_array_get_object_element (list, 0), "name"), ==, "Mia");
    g_assert_cmpstr (json_string (json_array_get_object_element (list, 0), "fee"), ==, "1.5%");
    cli_assert_status (own, 0);
    own_root = cli_result_get_json (own);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                          json_node_get_object (own_root), "mediators")), ==, 0);
  }

  /* ---- Job 1: post, bid, offer, deliver, accept ---- */
  job1 = post_job (f, "Logo for a bakery");
  assert_state (f, job1, "posted", FALSE);

  /* The worker finds it on the market. */
  {
    g_autoptr (CliResult) r = run_as (f, &f->worker, NULL, "jobs", "--json", NULL);
    g_autoptr (JsonNode) root = NULL;
    JsonArray *jobs;

    cli_assert_status (r, 0);
    root = cli_result_get_json (r);
    jobs = json_object_get_array_member (json_node_get_object (root), "jobs");
    g_assert_cmpuint (json_array_get_length (jobs), ==, 1);
    g_assert_cmpstr (json_string (json_array_get_object_element (jobs, 0), "job_id"), ==, job1);
    g_assert_cmpstr (json_string (json_array_get_object_element (jobs, 0), "description"), ==,
                     "Two versions:\nblack and white, and colour.");
  }

  /* Refused: bidding on one's own job, and on a job one mediates. */
  bid_form = g_strdup_printf ("Job ID: %s\nDescription: mine\nBid amount (BTC): 1\n", job1);
  {
    g_autoptr (CliResult) own = run_as (f, &f->creator, bid_form, "bid", NULL);
    g_autoptr (CliResult) mediated = run_as (f, &f->mediator, bid_form, "bid", NULL);

    assert_refused (own, "own job");
    assert_refused (mediated, "mediator");
  }
  assert_state (f, job1, "posted", FALSE);

  bid (f, job1, "0.05");
  assert_state (f, job1, "bids", FALSE);
  forged = forge_bid (f, job1);
  assert_state (f, job1, "bids", FALSE);

  /* Refused: offering on a job that is not one's own. */
  {
    g_autoptr (CliResult) r = run_as (f, &f->worker, offer_form, "offer", "--jobid", job1, NULL);

    assert_refused (r, "not yours");
  }
  step (f, &f->creator, offer_form, "offer", job1, "awarded");
  assert_state (f, job1, "awarded", TRUE);
  g_assert_true (may (f, &f->worker, job1, "deliver"));

  /* Refused: delivering on a job one did not win. */
  {
    g_autoptr (CliResult) creator = run_as (f, &f->creator, "Deliverables: x\n", "deliver",
                                            "--jobid", job1, NULL);
    g_autoptr (CliResult) mediator = run_as (f, &f->mediator, "Deliverables: x\n", "deliver",
                                             "--jobid", job1, NULL);

    assert_refused (creator, "did not win");
    assert_refused (mediator, "did not win");
  }
  step (f, &f->worker, "Deliverables: logo.svg and logo.png at https://example.com/logo\n",
        "deliver", job1, "delivered");
  assert_state (f, job1, "delivered", TRUE);

  /* Accepting pays out of the escrows: nothing to pay before they are
   * funded; nothing signed without a yes; payments made elsewhere are
   * checked as one built here. */
  {
    g_autoptr (CliResult) empty = run_as (f, &f->creator, NULL, "accept", "--jobid", job1, "--yes",
                                          NULL);

    assert_refused (empty, "nothing is paid out before it is funded");
  }
  /* paid in, not mined yet: whoever paid could still take it back */
  fund_escrows (f, job1, 20000, FALSE, &primary_coin, &mediator_coin);
  g_assert_cmpint (primary_coin, ==, 5000000);
  g_assert_cmpint (mediator_coin, ==, 75000);
  {
    g_autoptr (CliResult) early = run_as (f, &f->creator, NULL, "accept", "--jobid", job1,
                                          "--yes", NULL);

    assert_refused (early, "is not mined yet: wait for a confirmation (or --allow-unconfirmed)");
  }
  test_chain_mine (f->chain, 2);
  {
    g_autofree gchar *bad = cli_write_tmp ("bad.psbt", "aGVsbG8gd29ybGQ=", -1);
    g_autoptr (CliResult) one_file = run_as (f, &f->creator, NULL, "accept", "--jobid", job1,
                                             "--primary-payment-file", bad, NULL);
    g_autoptr (CliResult) not_psbt = run_as (f, &f->creator, NULL, "accept", "--jobid", job1,
                                             "--primary-payment-file", bad,
                                             "--mediator-payment-file", bad, NULL);
    g_autoptr (CliResult) unasked = run_as (f, &f->creator, NULL, "accept", "--jobid", job1,
                                            NULL);
    g_autoptr (CliResult) declined = run_as (f, &f->creator, "Sign the payments: no\n",
                                             "accept", "--jobid", job1, NULL);

    cli_assert_error (one_file);
    g_assert_nonnull (strstr (one_file->err, "both"));
    cli_assert_error (not_psbt);
    g_assert_nonnull (strstr (not_psbt->err, "PSBT"));
    /* shown for review (on stderr, before the error), not signed */
    cli_assert_status (unasked, 2);
    g_assert_cmpuint (unasked->out_len, ==, 0);
    g_assert_nonnull (strstr (unasked->err, "Payment out of the primary escrow"));
    g_assert_nonnull (strstr (unasked->err, f->worker.delegate));
    g_assert_nonnull (strstr (unasked->err, "0.05 BTC (5000000 sat)"));
    g_assert_nonnull (strstr (unasked->err, "sat/vB"));
    g_assert_nonnull (strstr (unasked->err, "WARNING: it spends 0.0002 BTC (20000 sat) more "
                                            "than this job put in the escrow"));
    g_assert_nonnull (strstr (unasked->err, "rein-cli: nothing was signed: review what is "
                                             "shown above, then run again with --yes"));
    cli_assert_status (declined, 3);
    g_assert_cmpuint (declined->out_len, ==, 0);
    g_assert_true (g_str_has_suffix (declined->err, "rein-cli: nothing was signed\n"));
  }
  assert_state (f, job1, "delivered", TRUE);
  {
    g_autoptr (CliResult) r = run_as (f, &f->creator, NULL, "accept", "--jobid", job1, "--json",
                                      "--yes", "--fee-rate", "2.5", NULL);

    cli_assert_status (r, 0);
    /* the review, on stderr */
    g_assert_nonnull (strstr (r->err, "Payment out of the mediator escrow"));
    g_assert_nonnull (strstr (r->err, "2.5 sat/vB"));
  }
  assert_state (f, job1, "accepted", TRUE);

  /* The worker completes and sends the primary payment; the mediator
   * payment waits for the mediator, who completes it; the worker's
   * primary payment is then paid already for the mediator. */
  {
    g_autoptr (JsonNode) worker = payout (f, &f->worker, job1);
    g_autoptr (JsonNode) mediator = NULL;
    g_autoptr (JsonNode) again = NULL;
    JsonObject *p;

    /* both coins of the primary escrow */
    assert_pays (f, payment_of (worker, "primary"), primary_coin + 20000,
                 (Client *[]){ &f->worker, NULL }, (const guint[]){ 100 });
    /* the worker's signature would not complete it: not asked for */
    g_assert_cmpstr (json_string (payment_of (worker, "mediator"), "state"), ==, "waiting");
    mediator = payout (f, &f->mediator, job1);
    assert_pays (f, payment_of (mediator, "mediator"), mediator_coin,
                 (Client *[]){ &f->mediator, NULL }, (const guint[]){ 100 });
    p = payment_of (mediator, "primary");
    g_assert_cmpstr (json_string (p, "state"), ==, "paid elsewhere");
    g_assert_cmpstr (json_string (p, "txid"), ==,
                     json_string (payment_of (worker, "primary"), "txid"));
    /* later: mined, and the worker's record says so */
    test_chain_mine (f->chain, 1);
    again = payout (f, &f->worker, job1);
    g_assert_cmpstr (json_string (payment_of (again, "primary"), "state"), ==, "broadcast");
    g_assert_cmpint (json_object_get_int_member (payment_of (again, "primary"), "confirmations"),
                     ==, 1);
  }
  /* the worker's record of it, in escrow-status */
  {
    g_autoptr (CliResult) r = run_as (f, &f->worker, NULL, "escrow-status", "--jobid", job1,
                                      "--json", NULL);
    g_autoptr (JsonNode) root = NULL;
    JsonArray *payouts;
    JsonObject *p;

    cli_assert_status (r, 0);
    root = cli_result_get_json (r);
    payouts = json_object_get_array_member (json_node_get_object (root), "payouts");
    g_assert_cmpuint (json_array_get_length (payouts), ==, 2);
    p = json_array_get_object_element (payouts, 0);
    g_assert_cmpstr (json_string (p, "escrow"), ==, "primary");
    g_assert_cmpstr (json_string (p, "state"), ==, "broadcast");
    g_assert_cmpstr (json_string (p, "signers"), ==, "creator, worker");
    g_assert_cmpint (json_object_get_int_member (p, "confirmations"), ==, 1);
    p = json_array_get_object_element (payouts, 1);
    g_assert_cmpstr (json_string (p, "escrow"), ==, "mediator");
    g_assert_cmpstr (json_string (p, "state"), ==, "paid elsewhere");
  }

  /* ---- Job 2: post, bid, offer, creatordispute, workerdispute, resolve ---- */
  job2 = post_job (f, "Website copy");
  assert_state (f, job2, "posted", FALSE);
  bid (f, job2, "0.2");
  assert_state (f, job2, "bids", FALSE);
  /* The worker named by the other network's spelling of its master
   * address: the same key (rein_same_key()). */
  {
    ReinNetwork network;
    g_autofree gchar *other = NULL;
    g_autofree gchar *form = NULL;

    g_assert_true (rein_address_validate (f->worker.master, &network, NULL, NULL, NULL));
    other = rein_address_convert (f->worker.master,
                                  network == REIN_NETWORK_MAINNET ? REIN_NETWORK_TESTNET
                                                                  : REIN_NETWORK_MAINNET,
                                  NULL);
    form = g_strdup_printf ("Worker: %s\n", other);
    step (f, &f->creator, form, "offer", job2, "awarded");
  }
  assert_state (f, job2, "awarded", TRUE);

  fund_escrows (f, job2, 0, TRUE, &primary_coin, &mediator_coin);
  g_assert_cmpint (primary_coin, ==, 20000000);

  /* Refused: resolving what is not disputed, and when one is not the
   * mediator. */
  {
    g_autoptr (CliResult) early = run_as (f, &f->mediator, "Resolution: split\n", "resolve",
                                          "--jobid", job2, "--split", "60", "--yes", NULL);

    assert_refused (early, "not disputed");
  }
  step (f, &f->creator, "Dispute detail: Nothing was delivered\\nafter three weeks.\n",
        "creatordispute", job2, "creatordispute");
  assert_state (f, job2, "creatordispute", TRUE);
  step (f, &f->worker, "Dispute detail: The brief changed twice.\n", "workerdispute", job2,
        "workerdispute");
  assert_state (f, job2, "workerdispute", TRUE);
  {
    const gchar *form = "Resolution: The work was late but done: 60% to the worker.\n";
    g_autoptr (CliResult) worker = run_as (f, &f->worker, form, "resolve", "--jobid", job2,
                                           "--split", "60", "--yes", NULL);
    g_autoptr (CliResult) creator = run_as (f, &f->creator, form, "resolve", "--jobid", job2,
                                            "--split", "60", "--yes", NULL);
    g_autoptr (CliResult) undecided = run_as (f, &f->mediator, form, "resolve", "--jobid", job2,
                                              "--yes", NULL);
    g_autoptr (CliResult) mediator = NULL;

    assert_refused (worker, "not it");
    assert_refused (creator, "mediator");
    cli_assert_error (undecided);
    g_assert_nonnull (strstr (undecided->err, "--split"));
    mediator = run_as (f, &f->mediator, form, "resolve", "--jobid", job2, "--split", "60",
                       "--yes", NULL);
    cli_assert_status (mediator, 0);
  }
  assert_state (f, job2, "resolved", TRUE);

  /* The creator co-signs both and sends them: 60% to the worker, 40%
   * back to the creator, the fee to the mediator; the worker finds both
   * paid. */
  {
    g_autoptr (JsonNode) creator = payout (f, &f->creator, job2);
    g_autoptr (JsonNode) worker = NULL;

    assert_pays (f, payment_of (creator, "primary"), primary_coin,
                 (Client *[]){ &f->worker, &f->creator, NULL }, (const guint[]){ 60, 40 });
    assert_pays (f, payment_of (creator, "mediator"), mediator_coin,
                 (Client *[]){ &f->mediator, NULL }, (const guint[]){ 100 });
    worker = payout (f, &f->worker, job2);
    g_assert_cmpstr (json_string (payment_of (worker, "primary"), "state"), ==,
                     "paid elsewhere");
    g_assert_cmpstr (json_string (payment_of (worker, "mediator"), "state"), ==,
                     "paid elsewhere");
  }

  /* Finished jobs offer nothing more, and job 1 did not move. */
  g_assert_false (may (f, &f->mediator, job2, "resolve"));
  assert_state (f, job1, "accepted", TRUE);

  rate_each_other (f, job1, job2);
  check_second_server (f, job1, job2, forged);
  assert_no_secret_on_disk (f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* The clients read these; low scrypt cost keeps setup fast. */
  g_setenv ("REIN_PASSWORD", PASSWORD, TRUE);
  g_setenv ("REIN_TEST_SCRYPT_LOG2N", "10", TRUE);
  g_unsetenv ("REIN_DATA_DIR");

  g_test_add ("/e2e/order-flow", Fixture, GINT_TO_POINTER (FALSE), fixture_setup,
              test_order_flow, fixture_teardown);
  g_test_add ("/e2e/order-flow/causeway", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_order_flow, fixture_teardown);
  return g_test_run ();
}
