/* test-server-causeway.c: what python-rein 0.3 reads from rein-server
 *
 * "block_info" (the chain tip, from a chain backend given with
 * --chain-url: tests/net/esplora-server.py here), and python-rein 0.3's
 * document types, which rein-server used to refuse.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <sqlite3.h>
#include <string.h>

#include "chain-fixture.h"
#include "rein-test-util.h"
#include "rein-market.h"
#include "server-fixture.h"
#include "store-fixture.h"

/* The esplora stand-in's blocks: one every 10 minutes from the genesis
 * block's time. */
#define GENESIS_TIME 1231006505
/* What the original Causeway's get_user answers at most. */
#define REIN_SERVER_USER_LIMIT_ORIGINAL 20

typedef struct
{
  TestServer *server;
  Identity *owner;
} Fixture;

static void
fixture_start (Fixture *f, const gchar *const *args)
{
  f->server = test_server_start (NULL, args);
  f->owner = identity_new ("Olga");
  identity_register (f->owner, f->server);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->server, test_server_free);
  g_clear_pointer (&f->owner, identity_free);
}

/* The "block_info" of a "jobs" query. */
static JsonNode *
block_info (Fixture *f)
{
  g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=jobs",
                                            f->owner->master_address);
  g_autoptr (Answer) answer = http_get (f->server, path);
  JsonObject *o;

  g_assert_cmpuint (answer->status, ==, 200);
  o = answer_object (answer);
  g_assert_cmpstr (json_object_get_string_member (o, "result"), ==, "success");
  g_assert_true (json_object_has_member (o, "block_info"));
  return json_node_copy (json_object_get_member (o, "block_info"));
}

/* Waits (30 s at most) until "block_info" says @height. */
static void
wait_for_height (Fixture *f, gint64 height)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (TRUE)
    {
      g_autoptr (JsonNode) info = block_info (f);

      if (JSON_NODE_HOLDS_OBJECT (info)
          && json_object_get_int_member (json_node_get_object (info), "height") == height)
        {
          JsonObject *o = json_node_get_object (info);
          const gchar *hash = json_object_get_string_member (o, "hash");

          g_assert_cmpuint (strlen (hash), ==, 64);
          g_assert_cmpint (json_object_get_int_member (o, "time"), ==,
                           GENESIS_TIME + 600 * height);
          return;
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("block_info never said height %" G_GINT64_FORMAT, height);
      g_usleep (100 * 1000);
    }
}

/* With a chain backend, queries give its tip, and follow it. */
static void
test_block_info (Fixture *f, gconstpointer data)
{
  g_autoptr (TestChain) chain = test_chain_start ("mainnet");
  const gchar *args[] = { "--chain-url", chain->url, "--chain-interval", "1", NULL };
  g_autoptr (JsonNode) first = NULL;
  g_autoptr (JsonNode) later = NULL;

  fixture_start (f, args);
  wait_for_height (f, 100);
  first = block_info (f);
  test_chain_mine (chain, 3);
  wait_for_height (f, 103);
  later = block_info (f);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (first), "hash"), !=,
                   json_object_get_string_member (json_node_get_object (later), "hash"));

  /* A backend that answers junk, or not at all, leaves the last tip. */
  test_chain_set_mode (chain, "garbage");
  g_usleep (1500 * 1000);
  wait_for_height (f, 103);
  test_server_stop (f->server);
}

/* Without one, "block_info" stays null, as on a Causeway without Bitcoin
 * Core; a backend that never answers changes nothing either. */
static void
test_no_block_info (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) info = NULL;
  const gchar *dead[] = { "--chain-url", "http://127.0.0.1:9/", "--chain-interval", "1", NULL };

  fixture_start (f, NULL);
  info = block_info (f);
  g_assert_true (JSON_NODE_HOLDS_NULL (info));
  g_clear_pointer (&f->server, test_server_free);
  g_clear_pointer (&f->owner, identity_free);

  fixture_start (f, dead);
  g_usleep (1500 * 1000);
  g_clear_pointer (&info, json_node_unref);
  info = block_info (f);
  g_assert_true (JSON_NODE_HOLDS_NULL (info));
}

/* A chain URL that is not http(s) stops the server at start. */
static void
test_bad_chain_url (Fixture *f, gconstpointer data)
{
  const gchar *args[] = { "--chain-url", "ftp://127.0.0.1/", NULL };
  const gchar *interval[] = { "--chain-interval", "0", NULL };
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_autofree gchar *out2 = NULL;
  g_autofree gchar *err2 = NULL;

  /* a database of its own: never the default one in the user's home */
  g_autofree gchar *dir = g_dir_make_tmp ("rein-chain-url-XXXXXX", NULL);
  g_autofree gchar *database = g_build_filename (dir, "server.db", NULL);

  g_assert_cmpint (test_server_run_to_exit (database, args, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "http:// or https://"));
  g_assert_cmpint (test_server_run_to_exit (database, interval, &out2, &err2), ==, 1);
  g_assert_nonnull (strstr (err2, "--chain-interval"));
  rein_test_remove_tree (dir);
}

/* python-rein 0.3's ratings and accept-resolutions are stored now, and
 * "Rein Accept" is an accept. */
static void
test_python_rein_types (Fixture *f, gconstpointer data)
{
  g_autoptr (Identity) other = identity_new ("Pete");
  g_autofree gchar *rated = rein_sin_from_address (other->master_address);
  g_autofree gchar *rater = rein_sin_from_address ("1CptxARjqcfkVwGFSjR82zmPT8YtRMubub");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *rating = NULL;
  const gchar *texts[] = {
    NULL, /* the rating */
    "Rein Accept Resolution\nJob name: Logo\nJob ID: k3v9x0q2m8z1c7b5n4a6\n"
    "Primary payment txid: 00",
    "Rein Accept\nJob name: Logo\nJob ID: k3v9x0q2m8z1c7b5n4a6",
  };

  fixture_start (f, NULL);
  rating = rein_rating_build (3, rated, "k3v9x0q2m8z1c7b5n4a6", rater, "Fine", &error);
  g_assert_no_error (error);
  texts[0] = rating;
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree gchar *armored = identity_sign (f->owner, texts[i]);
      g_autofree gchar *key = random_key ();
      g_autoptr (Answer) put = NULL;
      g_autofree gchar *path = NULL;
      g_autoptr (Answer) got = NULL;

      g_clear_pointer (&f->owner->nonce, g_free);
      put = identity_put (f->owner, f->server, key, armored, FALSE);
      if (put->status != 201)
        g_error ("“%.22s” refused (HTTP %u): %s", texts[i], put->status, put->body);
      path = g_strdup_printf ("get?key=%s", key);
      got = http_get (f->server, path);
      g_assert_cmpuint (got->status, ==, 200);
      g_assert_cmpstr (json_object_get_string_member (answer_object (got), "value"), ==,
                       armored);
    }
}

/* The get_user_ratings answer for @param=@sin: {"key", "value"} objects,
 * as the original answers; returns the values. */
static GPtrArray *
ratings_query (Fixture *f, const gchar *param, const gchar *sin, guint expect_status)
{
  g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=get_user_ratings%s%s%s%s",
                                            f->owner->master_address, param ? "&" : "",
                                            param ? param : "", param ? "=" : "",
                                            sin ? sin : "");
  g_autoptr (Answer) answer = http_get (f->server, path);
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  JsonArray *list;

  g_assert_cmpuint (answer->status, ==, expect_status);
  if (expect_status != 200)
    return values;
  list = json_object_get_array_member (answer_object (answer), "get_user_ratings");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *item = json_array_get_object_element (list, i);

      g_assert_cmpuint (strlen (json_object_get_string_member (item, "key")), ==, 64);
      g_ptr_array_add (values, g_strdup (json_object_get_string_member (item, "value")));
    }
  return values;
}

/* python-rein 0.3's get_user_ratings: of a user (dest), by a user
 * (source), by SIN, on the testnet namespace apart. */
static void
test_ratings_query (Fixture *f, gconstpointer data)
{
  g_autoptr (Identity) bob = identity_new ("Bob");
  g_autoptr (Identity) cat = identity_new ("Cat");
  g_autofree gchar *olga_sin = NULL;
  g_autofree gchar *bob_sin = rein_sin_from_address (bob->master_address);
  g_autofree gchar *cat_sin = rein_sin_from_address (cat->master_address);
  g_autoptr (GPtrArray) of_bob = NULL;
  g_autoptr (GPtrArray) by_cat = NULL;
  g_autoptr (GPtrArray) of_cat = NULL;
  g_autoptr (GPtrArray) none = NULL;
  struct
  {
    Identity *rater;
    const gchar *rated_sin;
    guint value;
  } ratings[] = {
    { NULL, NULL, 4 }, /* Olga rates Bob */
    { NULL, NULL, 2 }, /* Cat rates Bob */
    { NULL, NULL, 5 }, /* Cat rates Olga */
  };
  gchar *armored[G_N_ELEMENTS (ratings)] = { NULL };

  fixture_start (f, NULL);
  olga_sin = rein_sin_from_address (f->owner->master_address);
  identity_register (cat, f->server);
  ratings[0].rater = f->owner;
  ratings[0].rated_sin = bob_sin;
  ratings[1].rater = cat;
  ratings[1].rated_sin = bob_sin;
  ratings[2].rater = cat;
  ratings[2].rated_sin = olga_sin;
  for (guint i = 0; i < G_N_ELEMENTS (ratings); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree gchar *rater_sin = rein_sin_from_address (ratings[i].rater->master_address);
      g_autofree gchar *text = rein_rating_build (ratings[i].value, ratings[i].rated_sin,
                                                  "k3v9x0q2m8z1c7b5n4a6", rater_sin, "",
                                                  &error);
      g_assert_no_error (error);
      armored[i] = identity_sign (ratings[i].rater, text);
      identity_put_ok (ratings[i].rater, f->server, armored[i]);
    }

  of_bob = ratings_query (f, "dest", bob_sin, 200);
  g_assert_cmpuint (of_bob->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (of_bob, 0), ==, armored[0]);
  g_assert_cmpstr (g_ptr_array_index (of_bob, 1), ==, armored[1]);
  by_cat = ratings_query (f, "source", cat_sin, 200);
  g_assert_cmpuint (by_cat->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (by_cat, 1), ==, armored[2]);
  of_cat = ratings_query (f, "dest", cat_sin, 200);
  g_assert_cmpuint (of_cat->len, ==, 0);
  /* Neither dest nor source: nothing */
  none = ratings_query (f, NULL, NULL, 200);
  g_assert_cmpuint (none->len, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (armored); i++)
    g_free (armored[i]);
}

/* The get_user answer for @search (escaped here; NULL: none given). */
static GPtrArray *
get_user (Fixture *f, const gchar *search)
{
  g_autofree gchar *escaped = search != NULL ? g_uri_escape_string (search, NULL, TRUE) : NULL;
  g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=get_user%s%s",
                                            f->owner->master_address,
                                            escaped != NULL ? "&search_input=" : "",
                                            escaped != NULL ? escaped : "");
  g_autoptr (Answer) answer = http_get (f->server, path);
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  JsonObject *o;
  JsonArray *list;

  g_assert_cmpuint (answer->status, ==, 200);
  o = answer_object (answer);
  /* at most 20, and no cursor to page on, as the original */
  g_assert_false (json_object_has_member (o, "cursor"));
  list = json_object_get_array_member (o, "get_user");
  for (guint i = 0; i < json_array_get_length (list); i++)
    g_ptr_array_add (values, g_strdup (json_array_get_string_element (list, i)));
  return values;
}

/* Enrolls @name on the server (registered, the enrollment put). */
static Identity *
enroll (Fixture *f, const gchar *name, gchar **out_enrollment)
{
  Identity *identity = identity_new (name);
  g_autofree gchar *enrollment = identity_enrollment (identity, FALSE);

  identity_register (identity, f->server);
  identity_put_ok (identity, f->server, enrollment);
  if (out_enrollment != NULL)
    *out_enrollment = g_steal_pointer (&enrollment);
  return identity;
}

/* The one enrollment @search finds is @expected. */
static void
assert_finds (Fixture *f, const gchar *search, const gchar *expected)
{
  g_autoptr (GPtrArray) values = get_user (f, search);

  g_test_message ("get_user %s: %u found", search, values->len);
  g_assert_cmpuint (values->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (values, 0), ==, expected);
}

/* python-rein 0.3's get_user, as the original Causeway searches: by SIN,
 * master or delegate address (exactly); when none match, by a part of the
 * name (any case); when none, by a part of the contact; 20 at most. */
static void
test_get_user (Fixture *f, gconstpointer data)
{
  g_autofree gchar *enrollment = NULL;
  g_autofree gchar *zoe_enrollment = NULL;
  g_autofree gchar *example_enrollment = NULL;
  g_autofree gchar *sin = NULL;
  g_autoptr (Identity) zoe = NULL;
  g_autoptr (Identity) example = NULL;
  g_autoptr (GPtrArray) workers = g_ptr_array_new_with_free_func ((GDestroyNotify) identity_free);
  const gchar *not_by[] = { "1CptxARjqcfkVwGFSjR82zmPT8YtRMubub", "nobody", "%", "_" };

  fixture_start (f, NULL);
  enrollment = identity_enrollment (f->owner, FALSE);
  identity_put_ok (f->owner, f->server, enrollment);
  sin = rein_sin_from_address (f->owner->master_address);

  assert_finds (f, f->owner->master_address, enrollment);
  assert_finds (f, f->owner->delegate_address, enrollment);
  /* by SIN: PROTOCOL.md 2's, of the master address (the test enrollment
   * states none) */
  assert_finds (f, sin, enrollment);
  /* by name, a part of it, in any case */
  assert_finds (f, "Olga", enrollment);
  assert_finds (f, "lG", enrollment);
  /* by contact (olga@example.com), when no name holds it */
  assert_finds (f, "OLGA@EXAMPLE", enrollment);
  /* lowercased beyond ASCII */
  zoe = enroll (f, "Zoë", &zoe_enrollment);
  assert_finds (f, "ZOË", zoe_enrollment);
  /* a name that holds it hides the contacts that do: "example" is every
   * contact here, and Example Co's name */
  example = enroll (f, "Example Co", &example_enrollment);
  assert_finds (f, "example", example_enrollment);
  /* an address or SIN is no part of a name: not found, nor are LIKE's
   * wildcards anything but themselves */
  for (guint i = 0; i < G_N_ELEMENTS (not_by); i++)
    {
      g_autoptr (GPtrArray) values = get_user (f, not_by[i]);

      g_assert_cmpuint (values->len, ==, 0);
    }
  /* a search longer than any name the index holds: refused, saying why */
  {
    g_autofree gchar *long_search = g_strnfill (257, 'a');
    g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=get_user&search_input=%s",
                                              f->owner->master_address, long_search);
    g_autoptr (Answer) answer = http_get (f->server, path);

    g_assert_cmpuint (answer->status, ==, 400);
    g_assert_cmpstr (json_object_get_string_member (answer_object (answer), "message"), ==,
                     "Parameter too long: search_input");
  }
  /* no search_input: nothing, as before */
  {
    g_autoptr (GPtrArray) values = get_user (f, NULL);

    g_assert_cmpuint (values->len, ==, 0);
  }

  /* bounded: 24 workers, 20 answered, the first enrolled first */
  for (guint i = 0; i < 24; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("Worker %02u", i);

      g_ptr_array_add (workers, enroll (f, name, NULL));
    }
  {
    g_autoptr (GPtrArray) values = get_user (f, "worker");

    g_assert_cmpuint (values->len, ==, REIN_SERVER_USER_LIMIT_ORIGINAL);
    g_assert_nonnull (strstr (g_ptr_array_index (values, 0), "User: Worker 00\n"));
    g_assert_nonnull (strstr (g_ptr_array_index (values, 19), "User: Worker 19\n"));
  }
}

/* Runs @sql on the SQLite database @path, writable (test_store_select()
 * opens SQLite read-only). */
static void
sqlite_exec (const gchar *path, const gchar *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* An enrollment stored before get_user's keys were indexed is found by
 * name and SIN once the server has migrated its database. */
static void
test_get_user_migrated (Fixture *f, gconstpointer data)
{
  g_autofree gchar *enrollment = NULL;
  g_autofree gchar *sin = NULL;
  g_autoptr (TestServer) before = NULL;
  const gchar *database;

  fixture_start (f, NULL);
  enrollment = identity_enrollment (f->owner, FALSE);
  identity_put_ok (f->owner, f->server, enrollment);
  /* stopped, its database kept (until it is freed) */
  before = g_steal_pointer (&f->server);
  test_server_stop (before);
  database = before->database;

  /* Back to the schema before: no "sin:", "user:" or "contact:" keys. */
  if (test_store_is_postgresql ())
    {
      g_ptr_array_unref (test_store_select (database,
                                            "DELETE FROM enrollment_keys"
                                            " WHERE key_hash LIKE '%:%'", NULL));
      g_ptr_array_unref (test_store_select (database,
                                            "DELETE FROM rein_schema WHERE version > 2", NULL));
    }
  else
    sqlite_exec (database, "DELETE FROM enrollment_keys WHERE key_hash LIKE '%:%';"
                           "PRAGMA user_version = 4;");
  {
    g_autoptr (GPtrArray) left = test_store_select (
        database, "SELECT key_hash FROM enrollment_keys WHERE key_hash LIKE '%:%'", NULL);

    g_assert_cmpuint (left->len, ==, 0);
  }

  f->server = test_server_start (database, NULL);
  sin = rein_sin_from_address (f->owner->master_address);
  assert_finds (f, sin, enrollment);
  assert_finds (f, "olga", enrollment);
  assert_finds (f, "olga@example", enrollment);
  /* the new server goes before the database it runs on */
  g_clear_pointer (&f->server, test_server_free);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, NULL, fn, fixture_teardown)
  ADD ("/server/causeway/block-info", test_block_info);
  ADD ("/server/causeway/no-block-info", test_no_block_info);
  ADD ("/server/causeway/bad-chain-url", test_bad_chain_url);
  ADD ("/server/causeway/python-rein-types", test_python_rein_types);
  ADD ("/server/causeway/ratings-query", test_ratings_query);
  ADD ("/server/causeway/get-user", test_get_user);
  ADD ("/server/causeway/get-user-migrated", test_get_user_migrated);
#undef ADD
  return g_test_run ();
}
