/* test-server-api.c: rein-server's Causeway API, call by call, exact shapes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "rein-server-db.h"
#include "rein-server-json.h"
#include "server-fixture.h"

static TestServer *server;

/* Builds "query?owner=...&query=...&testnet=..." plus @extra. */
static gchar *
query_path (Identity *owner, const gchar *query, gboolean testnet, const gchar *extra)
{
  return g_strdup_printf ("query?owner=%s&query=%s&testnet=%s%s%s",
                          owner->master_address, query, testnet ? "True" : "0",
                          extra != NULL ? "&" : "", extra != NULL ? extra : "");
}

/* Runs a query and returns its documents, asserting the answer's shape. */
static GPtrArray *
run_query (Identity *owner, const gchar *query, gboolean testnet, const gchar *extra)
{
  g_autofree gchar *path = query_path (owner, query, testnet, extra);
  g_autoptr (Answer) answer = http_get (server, path);
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  JsonObject *object;
  JsonArray *array;

  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_cmpstr (answer->content_type, ==, "application/json");
  object = answer_object (answer);
  /* "cursor" is ours (the `since` to go on with): a number, as a string. */
  if (json_object_has_member (object, "cursor"))
    {
      guint64 cursor;

      g_assert_true (g_ascii_string_to_unsigned (json_object_get_string_member (object, "cursor"),
                                                 10, 0, G_MAXINT64, &cursor, NULL));
    }
  g_assert_cmpuint (json_object_get_size (object), ==,
                    json_object_has_member (object, "cursor") ? 4 : 3);
  g_assert_cmpstr (json_object_get_string_member (object, "result"), ==, "success");
  g_assert_true (json_object_has_member (object, "block_info"));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (object, "block_info")));
  array = json_object_get_array_member (object, query);
  g_assert_nonnull (array);
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (values, g_strdup (json_array_get_string_element (array, i)));
  return values;
}

/* Asserts that @values are exactly @expected (NULL-terminated), in order. */
static void
assert_documents (GPtrArray *values, ...)
{
  va_list args;
  const gchar *expected;
  guint i = 0;

  va_start (args, values);
  while ((expected = va_arg (args, const gchar *)) != NULL)
    {
      g_assert_cmpuint (i, <, values->len);
      g_assert_cmpstr (g_ptr_array_index (values, i), ==, expected);
      i++;
    }
  va_end (args);
  g_assert_cmpuint (values->len, ==, i);
}

static void
put_ok (Identity *identity, const gchar *key, const gchar *value, gboolean testnet)
{
  g_autoptr (Answer) answer = identity_put (identity, server, key, value, testnet);

  if (answer->status != 201)
    g_test_message ("put answered %u: %s", answer->status, answer->body);
  g_assert_cmpuint (answer->status, ==, 201);
  g_assert_cmpstr (answer->content_type, ==, "application/json");
  g_assert_cmpuint (json_object_get_size (answer_object (answer)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (answer_object (answer), "result"), ==,
                   "success");
}

static gchar *
put_new (Identity *identity, const gchar *value, gboolean testnet)
{
  gchar *key = random_key ();

  put_ok (identity, key, value, testnet);
  return key;
}

static void
test_help (void)
{
  const gchar *paths[] = { "", "help" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr (Answer) answer = http_get (server, paths[i]);
      JsonArray *services, *pricing;
      JsonObject *service;

      g_assert_cmpuint (answer->status, ==, 200);
      g_assert_cmpstr (answer->content_type, ==, "application/json");
      g_assert_true (JSON_NODE_HOLDS_ARRAY (answer->json));
      services = json_node_get_array (answer->json);
      g_assert_cmpuint (json_array_get_length (services), ==, 1);
      service = json_array_get_object_element (services, 0);
      g_assert_true (g_str_has_prefix (json_object_get_string_member (service, "name"),
                                       "causeway/1"));
      g_assert_cmpstr (json_object_get_string_member (service, "pricing-type"), ==, "per-mb");
      pricing = json_object_get_array_member (service, "pricing");
      g_assert_cmpuint (json_array_get_length (pricing), ==, 4);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (pricing, 0),
                                                      "rpc"), ==, "request");
      g_assert_nonnull (json_object_get_string_member (service, "description"));
    }
}

static void
test_status (void)
{
  g_autoptr (Answer) answer = http_get (server, "status");
  JsonObject *object;
  const gchar *members[] = { "uptime", "stored", "free", "price" };

  g_assert_cmpuint (answer->status, ==, 200);
  g_assert_cmpstr (answer->content_type, ==, "application/json");
  object = answer_object (answer);
  g_assert_cmpuint (json_object_get_size (object), ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      JsonNode *node = json_object_get_member (object, members[i]);
      guint64 number;

      g_assert_nonnull (node);
      g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
      g_assert_true (g_ascii_string_to_unsigned (json_node_get_string (node), 10, 0,
                                                 G_MAXUINT64, &number, NULL));
    }
}

static void
assert_bucket_shape (JsonObject *bucket)
{
  const gchar *created = json_object_get_string_member (bucket, "created");
  JsonNode *id = json_object_get_member (bucket, "id");
  JsonNode *bytes_free = json_object_get_member (bucket, "bytes_free");

  g_assert_cmpuint (json_object_get_size (bucket), ==, 3);
  g_assert_cmpint (json_node_get_value_type (id), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_value_type (bytes_free), ==, G_TYPE_STRING);
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$", created, 0, 0));
}

/* /request: up to 4 buckets, then the error shape with the buckets. */
static JsonArray *
request_buckets (Identity *identity, gboolean expect_granted, Answer **out_answer)
{
  g_autofree gchar *path = g_strdup_printf ("request?owner=%s&delegate=%s&contact=x%%40y.z",
                                            identity->master_address,
                                            identity->delegate_address);
  Answer *answer = http_get (server, path);
  JsonObject *object;

  g_assert_cmpuint (answer->status, ==, 200);
  object = answer_object (answer);
  if (expect_granted)
    {
      g_assert_cmpuint (json_object_get_size (object), ==, 2);
      g_assert_cmpstr (json_object_get_string_member (object, "result"), ==, "success");
    }
  else
    {
      g_assert_cmpuint (json_object_get_size (object), ==, 3);
      g_assert_cmpstr (json_object_get_string_member (object, "result"), ==, "error");
      g_assert_cmpstr (json_object_get_string_member (object, "message"), ==,
                       "Maximum free buckets granted");
    }
  *out_answer = answer;
  return json_object_get_array_member (object, "buckets");
}

static void
test_request (void)
{
  g_autoptr (Identity) alice = identity_new ("alice");

  for (guint i = 1; i <= 5; i++)
    {
      g_autoptr (Answer) answer = NULL;
      JsonArray *buckets = request_buckets (alice, i <= 4, &answer);

      g_assert_cmpuint (json_array_get_length (buckets), ==, MIN (i, 4));
      for (guint j = 0; j < json_array_get_length (buckets); j++)
        {
          JsonObject *bucket = json_array_get_object_element (buckets, j);

          assert_bucket_shape (bucket);
          g_assert_cmpstr (json_object_get_string_member (bucket, "bytes_free"), ==, "1048576");
        }
    }
}

static void
test_nonce (void)
{
  g_autoptr (Identity) bob = identity_new ("bob");
  g_autofree gchar *first = NULL;
  g_autofree gchar *path = NULL;

  identity_register (bob, server);
  first = g_strdup (identity_fetch_nonce (bob, server));
  g_assert_true (g_regex_match_simple ("^[0-9a-f]{32}$", first, 0, 0));
  /* The same nonce until cleared. */
  g_assert_cmpstr (identity_fetch_nonce (bob, server), ==, first);

  /* A wrong clear changes nothing. */
  path = g_strdup_printf ("nonce?address=%s&clear=%s", bob->master_address,
                          "00000000000000000000000000000000");
  {
    g_autoptr (Answer) answer = http_get (server, path);

    g_assert_cmpuint (answer->status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (answer_object (answer), "nonce"), ==, first);
  }

  g_free (path);
  path = g_strdup_printf ("nonce?address=%s&clear=%s", bob->master_address, first);
  {
    g_autoptr (Answer) answer = http_get (server, path);

    g_assert_cmpuint (answer->status, ==, 200);
    g_assert_cmpstr (answer->body, ==, "{\"nonce\":\"\"}");
  }

  g_assert_cmpstr (identity_fetch_nonce (bob, server), !=, first);

  /* Unknown owner: HTTP 500, as the original. */
  {
    g_autoptr (Identity) stranger = identity_new ("stranger");
    g_autofree gchar *unknown = g_strdup_printf ("nonce?address=%s", stranger->master_address);
    g_autoptr (Answer) answer = http_get (server, unknown);

    g_assert_cmpuint (answer->status, ==, 500);
    g_assert_true (answer_is_json_error (answer));
  }
}

static gint64
first_bucket_free (Identity *identity)
{
  g_autoptr (Answer) answer = NULL;
  JsonArray *buckets = request_buckets (identity, FALSE, &answer);
  const gchar *text = json_object_get_string_member (json_array_get_object_element (buckets, 0),
                                                     "bytes_free");

  return g_ascii_strtoll (text, NULL, 10);
}

static void
test_put_get (void)
{
  g_autoptr (Identity) carol = identity_new ("carol");
  g_autofree gchar *enrollment = identity_enrollment (carol, FALSE);
  g_autofree gchar *short_job = NULL;
  g_autofree gchar *long_job = NULL;
  g_autofree gchar *key = random_key ();
  g_autofree gchar *path = NULL;
  gint64 full = 1024 * 1024;

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr (Answer) answer = NULL;

      request_buckets (carol, TRUE, &answer);
    }

  short_job = identity_sign (carol, "Rein Job\nJob name: Short\nJob ID: aaaaaaaaaaaaaaaaaaaa");
  long_job = identity_sign (carol, "Rein Job\nJob name: A longer job name\n"
                                   "Job ID: bbbbbbbbbbbbbbbbbbbb\nDescription: more text here");

  put_ok (carol, key, enrollment, FALSE);
  g_assert_cmpint (first_bucket_free (carol), ==, full - 32 - (gint64) strlen (enrollment));

  path = g_strdup_printf ("get?key=%s", key);
  {
    g_autoptr (Answer) answer = http_get (server, path);
    JsonObject *object;

    g_assert_cmpuint (answer->status, ==, 200);
    g_assert_cmpstr (answer->content_type, ==, "application/json");
    object = answer_object (answer);
    g_assert_cmpuint (json_object_get_size (object), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (object, "key"), ==, key);
    g_assert_cmpstr (json_object_get_string_member (object, "value"), ==, enrollment);
  }

  /* Replacing counts the difference, not the sum. */
  put_ok (carol, key, short_job, FALSE);
  g_assert_cmpint (first_bucket_free (carol), ==, full - 32 - (gint64) strlen (short_job));
  put_ok (carol, key, long_job, FALSE);
  g_assert_cmpint (first_bucket_free (carol), ==, full - 32 - (gint64) strlen (long_job));
  put_ok (carol, key, long_job, FALSE);
  g_assert_cmpint (first_bucket_free (carol), ==, full - 32 - (gint64) strlen (long_job));
  {
    g_autoptr (Answer) answer = http_get (server, path);

    g_assert_cmpstr (json_object_get_string_member (answer_object (answer), "value"), ==,
                     long_job);
  }

  {
    g_autoptr (Answer) answer = http_get (server, "get?key=NOSUCHKEY");

    g_assert_cmpuint (answer->status, ==, 404);
    g_assert_cmpstr (answer->body, ==, "{\"error\":\"Key not found.\"}");
  }
}

/* Asserts @answer byte for byte: status, JSON content type and body. */
static void
assert_answer (Answer *answer, guint status, const gchar *body)
{
  if (answer->status != status || g_strcmp0 (answer->body, body) != 0)
    g_test_message ("answered %u: %s", answer->status, answer->body);
  g_assert_cmpuint (answer->status, ==, status);
  g_assert_cmpstr (answer->content_type, ==, "application/json");
  g_assert_cmpstr (answer->body, ==, body);
}

/* /put's error answers, as the original server words them. */
static void
test_put_errors (void)
{
  g_autoptr (Identity) dave = identity_new ("dave");
  g_autoptr (Identity) stranger = identity_new ("stranger");
  g_autofree gchar *key = random_key ();
  g_autofree gchar *other_key = random_key ();
  g_autofree gchar *document = NULL;

  identity_register (dave, server);
  identity_fetch_nonce (dave, server);
  document = identity_sign (dave, "Rein Job\nJob name: Errors\nJob ID: cccccccccccccccccccc");

  {
    g_autofree gchar *body = identity_put_body (dave, dave, key, document,
                                                "ffffffffffffffffffffffffffffffff", FALSE);
    g_autoptr (Answer) answer = http_post (server, "put", body, -1);

    assert_answer (answer, 401, "{\"error\":\"Bad nonce\"}");
  }
  {
    /* Signed for another key, sent under this one. */
    g_autofree gchar *signed_other = identity_put_body (dave, dave, other_key, document,
                                                        dave->nonce, FALSE);
    g_auto (GStrv) parts = g_strsplit (signed_other, other_key, -1);
    g_autofree gchar *body = NULL;
    g_autoptr (Answer) answer = NULL;

    g_assert_cmpuint (g_strv_length (parts), ==, 2);
    body = g_strjoinv (key, parts);
    answer = http_post (server, "put", body, -1);
    assert_answer (answer, 401, "{\"error\":\"Incorrect signature\"}");
  }
  {
    g_autofree gchar *body = identity_put_body (stranger, stranger, key, document,
                                                "ffffffffffffffffffffffffffffffff", FALSE);
    g_autoptr (Answer) answer = http_post (server, "put", body, -1);

    assert_answer (answer, 403, "{\"error\":\"User not found\"}");
  }
  {
    g_autoptr (Answer) answer = http_post (server, "put", "not json", -1);

    assert_answer (answer, 400, "{\"error\":\"JSON Decode failed\"}");
  }
  /* None of them stored anything; the right put does. */
  {
    g_autofree gchar *path = g_strdup_printf ("get?key=%s", key);
    g_autoptr (Answer) missing = http_get (server, path);
    g_autoptr (Answer) put = identity_put (dave, server, key, document, FALSE);
    g_autoptr (Answer) found = NULL;

    assert_answer (missing, 404, "{\"error\":\"Key not found.\"}");
    assert_answer (put, 201, "{\"result\":\"success\"}");
    found = http_get (server, path);
    g_assert_cmpuint (found->status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (answer_object (found), "value"), ==,
                     document);
  }
}

/* What signing adds to a text: the armor, the delegate address and a
 * signature of constant length. */
static gsize
signing_overhead (Identity *identity)
{
  const gchar *text = "Rein Job\nJob name: Probe\nJob ID: dddddddddddddddddddd";
  g_autofree gchar *document = identity_sign (identity, text);

  return strlen (document) - strlen (text);
}

/* A job signed by @identity whose armored text is exactly @length bytes. */
static gchar *
document_of_length (Identity *identity, gsize overhead, gsize length)
{
  g_autofree gchar *job_id = random_job_id ();
  g_autofree gchar *head = g_strdup_printf ("Rein Job\nJob name: Filler\nJob ID: %s\n"
                                            "Description: ", job_id);
  g_autofree gchar *filler = NULL;
  g_autofree gchar *text = NULL;
  gchar *document;

  g_assert_cmpuint (length, >, overhead + strlen (head));
  filler = g_strnfill (length - overhead - strlen (head), 'x');
  text = g_strconcat (head, filler, NULL);
  document = identity_sign (identity, text);
  g_assert_cmpuint (strlen (document), ==, length);
  return document;
}

/* The buckets' bytes_free, from a /request that grants one more. */
static void
assert_bytes_free (Identity *identity, guint n_buckets, const gchar *first_free)
{
  g_autoptr (Answer) answer = NULL;
  JsonArray *buckets = request_buckets (identity, TRUE, &answer);

  g_assert_cmpuint (json_array_get_length (buckets), ==, n_buckets);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (buckets, 0),
                                                  "bytes_free"), ==, first_free);
  for (guint i = 1; i < n_buckets; i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (buckets, i),
                                                    "bytes_free"), ==, "1048576");
}

/* One bucket filled to the byte (key + value bytes): a new key is refused,
 * as is growing a value; replacing with the same size or less is not, and
 * used bytes move by the difference. */
static void
test_full_bucket (void)
{
  const gchar *no_space = "{\"error\":\"Insufficient storage space.\"}";
  g_autoptr (Identity) erin = identity_new ("erin");
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  gsize overhead = signing_overhead (erin);
  gsize entry = 32 + 8192;
  gsize n_full = REIN_SERVER_BUCKET_SIZE / entry;
  gsize rest = REIN_SERVER_BUCKET_SIZE - n_full * entry;
  gchar *last_key;

  /* One /request: one bucket of 1 MiB. */
  identity_register (erin, server);
  g_assert_cmpuint (rest, >, 32 + 1000);
  for (gsize i = 0; i <= n_full; i++)
    {
      g_autofree gchar *document = document_of_length (erin, overhead,
                                                       i < n_full ? 8192 : rest - 32);

      g_ptr_array_add (keys, put_new (erin, document, FALSE));
    }
  last_key = g_ptr_array_index (keys, n_full);

  /* Full: not one byte more. */
  {
    g_autofree gchar *key = random_key ();
    g_autofree gchar *small = document_of_length (erin, overhead, 400);
    g_autoptr (Answer) answer = identity_put (erin, server, key, small, FALSE);

    assert_answer (answer, 403, no_space);
  }
  {
    g_autofree gchar *bigger = document_of_length (erin, overhead, rest - 32 + 1);
    g_autoptr (Answer) answer = identity_put (erin, server, last_key, bigger, FALSE);

    assert_answer (answer, 403, no_space);
  }
  /* Another value of the same size takes the same place. */
  {
    g_autofree gchar *same = document_of_length (erin, overhead, rest - 32);
    g_autofree gchar *path = g_strdup_printf ("get?key=%s", last_key);
    g_autoptr (Answer) found = NULL;

    put_ok (erin, last_key, same, FALSE);
    found = http_get (server, path);
    g_assert_cmpstr (json_object_get_string_member (answer_object (found), "value"), ==, same);
  }
  /* Asking again grants a second bucket and shows the first still full. */
  assert_bytes_free (erin, 2, "0");

  /* A smaller value frees the difference in the first bucket. */
  {
    g_autofree gchar *smaller = document_of_length (erin, overhead, 8192 - 192);

    put_ok (erin, g_ptr_array_index (keys, 0), smaller, FALSE);
  }
  assert_bytes_free (erin, 3, "192");
}

static gchar *
job_text (const gchar *job_id, Identity *creator, Identity *mediator)
{
  return g_strdup_printf ("Rein Job\nJob name: Job %s\nJob ID: %s\nCategory: Testing\n"
                          "Description: A job\nMediator: %s\nMediator public key: %s\n"
                          "Job creator: %s\nJob creator public key: %s",
                          job_id, job_id, mediator->name, mediator->public_key,
                          creator->name, creator->public_key);
}

static gchar *
step_text (const gchar *title, const gchar *job_id, Identity *creator, Identity *worker,
           Identity *mediator)
{
  return g_strdup_printf ("%s\nJob name: Job %s\nJob ID: %s\nDescription: step\n"
                          "Job creator public key: %s\nMediator public key: %s\n"
                          "Worker public key: %s",
                          title, job_id, job_id, creator->public_key, mediator->public_key,
                          worker->public_key);
}

static void
test_queries (void)
{
  g_autoptr (Identity) creator = identity_new ("creator");
  g_autoptr (Identity) worker = identity_new ("worker");
  g_autoptr (Identity) mediator = identity_new ("mediator");
  g_autoptr (Identity) stranger = identity_new ("stranger");
  g_autofree gchar *j1 = random_job_id ();
  g_autofree gchar *j2 = random_job_id ();
  g_autofree gchar *j3 = random_job_id ();
  g_autofree gchar *text = NULL;
  g_autofree gchar *creator_enrollment = identity_enrollment (creator, FALSE);
  g_autofree gchar *mediator_enrollment = identity_enrollment (mediator, TRUE);
  g_autofree gchar *job1 = NULL, *job2 = NULL, *job3 = NULL;
  g_autofree gchar *bid1 = NULL, *offer1 = NULL, *delivery1 = NULL, *offer2 = NULL;
  g_autofree gchar *extra = NULL;
  g_autofree gchar *upper = NULL;
  g_autofree gchar *key = NULL;

  identity_register (creator, server);
  identity_register (worker, server);
  identity_register (mediator, server);

#define SIGN(var, who, expr) \
  G_STMT_START { g_autofree gchar *t_ = (expr); var = identity_sign (who, t_); } G_STMT_END
  SIGN (job1, creator, job_text (j1, creator, mediator));
  SIGN (job2, creator, job_text (j2, creator, mediator));
  SIGN (job3, creator, job_text (j3, creator, mediator));
  SIGN (bid1, worker, step_text ("Rein Bid", j1, creator, worker, mediator));
  SIGN (offer1, creator, step_text ("Rein Offer", j1, creator, worker, mediator));
  SIGN (delivery1, worker, step_text ("Rein Delivery", j1, creator, worker, mediator));
  SIGN (offer2, creator, step_text ("Rein Offer", j2, creator, worker, mediator));
#undef SIGN

  g_free (put_new (creator, creator_enrollment, FALSE));
  g_free (put_new (mediator, mediator_enrollment, FALSE));
  g_free (put_new (creator, job1, FALSE));
  g_free (put_new (worker, bid1, FALSE));
  g_free (put_new (creator, offer1, FALSE));
  g_free (put_new (worker, delivery1, FALSE));
  g_free (put_new (creator, job2, FALSE));
  g_free (put_new (creator, offer2, FALSE));
  g_free (put_new (creator, job3, TRUE));
  /* A copy hosted under another key (by another owner) appears once. */
  g_free (put_new (worker, job1, FALSE));

  {
    g_autoptr (GPtrArray) values = run_query (worker, "mediators", FALSE, NULL);

    assert_documents (values, mediator_enrollment, NULL);
  }
  {
    g_autoptr (GPtrArray) values = run_query (worker, "mediators", TRUE, NULL);

    assert_documents (values, NULL);
  }
  {
    g_autoptr (GPtrArray) values = run_query (worker, "jobs", FALSE, NULL);

    assert_documents (values, job1, job2, NULL);
  }
  {
    g_autoptr (GPtrArray) values = run_query (worker, "jobs", TRUE, NULL);

    assert_documents (values, job3, NULL);
  }
  {
    g_autoptr (GPtrArray) values = run_query (creator, "bids", FALSE, NULL);

    assert_documents (values, bid1, NULL);
  }
  {
    g_autoptr (GPtrArray) values = run_query (creator, "bids", TRUE, NULL);

    assert_documents (values, NULL);
  }

  extra = g_strdup_printf ("job_creator=%s", creator->public_key);
  {
    g_autoptr (GPtrArray) values = run_query (creator, "deliveries", FALSE, extra);

    assert_documents (values, delivery1, NULL);
  }
  upper = g_ascii_strup (creator->public_key, -1);
  g_free (extra);
  extra = g_strdup_printf ("job_creator=%s", upper);
  {
    g_autoptr (GPtrArray) values = run_query (creator, "deliveries", FALSE, extra);

    assert_documents (values, delivery1, NULL);
  }

  g_free (extra);
  extra = g_strdup_printf ("worker=%s", worker->public_key);
  {
    g_autoptr (GPtrArray) values = run_query (worker, "in-process", FALSE, extra);

    assert_documents (values, bid1, offer1, delivery1, offer2, NULL);
  }
  {
    g_autoptr (GPtrArray) values = run_query (worker, "in-process", TRUE, extra);

    assert_documents (values, NULL);
  }

  g_free (extra);
  extra = g_strdup_printf ("mediator=%s", mediator->public_key);
  {
    g_autoptr (GPtrArray) values = run_query (mediator, "review", FALSE, extra);

    assert_documents (values, mediator_enrollment, job1, bid1, offer1, delivery1, job2, offer2,
                      NULL);
  }
  {
    g_autoptr (GPtrArray) values = run_query (mediator, "review", TRUE, extra);

    assert_documents (values, job3, NULL);
  }

  g_free (extra);
  extra = g_strdup_printf ("job_ids=%s,%s", j1, j2);
  {
    g_autoptr (GPtrArray) values = run_query (creator, "by_job_id", FALSE, extra);

    assert_documents (values, job1, bid1, offer1, delivery1, job2, offer2, NULL);
  }
  {
    g_autoptr (GPtrArray) values = run_query (creator, "dispute", FALSE, extra);

    assert_documents (values, delivery1, offer2, NULL);
  }
  {
    g_autoptr (GPtrArray) values = run_query (creator, "by_job_id", TRUE, extra);

    assert_documents (values, NULL);
  }

  /* Paging: limit and offset, stable order. */
  g_free (extra);
  extra = g_strdup_printf ("job_ids=%s,%s&limit=2&offset=1", j1, j2);
  {
    g_autoptr (GPtrArray) values = run_query (creator, "by_job_id", FALSE, extra);

    assert_documents (values, bid1, offer1, NULL);
  }
  g_free (extra);
  extra = g_strdup_printf ("job_ids=%s%%2C%s&limit=1000&offset=5", j1, j2);
  {
    g_autoptr (GPtrArray) values = run_query (creator, "by_job_id", FALSE, extra);

    assert_documents (values, offer2, NULL);
  }

  /* A query this server does not know finds nothing. */
  {
    g_autoptr (GPtrArray) values = run_query (creator, "get_user_ratings", FALSE, NULL);

    assert_documents (values, NULL);
  }

  /* Owners without a bucket cannot query. */
  {
    g_autofree gchar *path = query_path (stranger, "jobs", FALSE, NULL);
    g_autoptr (Answer) answer = http_get (server, path);

    g_assert_cmpuint (answer->status, ==, 403);
    g_assert_cmpstr (answer->body, ==,
                     "{\"result\":\"error\",\"message\":\"Account required to make queries\"}");
  }

  /* Replacing a document drops it from the index. */
  key = random_key ();
  put_ok (creator, key, offer2, FALSE);
  text = job_text (j2, creator, mediator);
  put_ok (creator, key, creator_enrollment, FALSE);
  g_free (extra);
  extra = g_strdup_printf ("job_ids=%s", j2);
  {
    g_autoptr (GPtrArray) values = run_query (creator, "by_job_id", FALSE, extra);

    /* offer2 is still held under its first key */
    assert_documents (values, job2, offer2, NULL);
  }
}

static gchar *
read_vector (const gchar *name)
{
  const gchar *shared = g_getenv ("REIN_SHARED_DIR");
  g_autofree gchar *path = NULL;
  g_autoptr (GError) error = NULL;
  gchar *contents = NULL;

  path = g_build_filename (shared, "vectors", "signed", name, NULL);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_strchomp (contents);
  return contents;
}

static void
test_old_format (void)
{
  const gchar *shared = g_getenv ("REIN_SHARED_DIR");
  const gchar *names[] = {
    "enrollment-alice-mediator.txt", "enrollment-bob.txt", "enrollment-charlie.txt",
    "job-widget-old-format.txt", "job-flyer-old-format.txt", "bid-widget-old-format.txt",
  };
  g_autoptr (GPtrArray) vectors = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (Identity) host = identity_new ("host");

  if (shared == NULL || !g_file_test (shared, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("../shared is absent: no signed vectors to host");
      return;
    }

  identity_register (host, server);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_ptr_array_add (vectors, read_vector (names[i]));
      g_free (put_new (host, g_ptr_array_index (vectors, i), TRUE));
    }

  {
    g_autoptr (GPtrArray) values = run_query (host, "mediators", TRUE, NULL);

    assert_documents (values, vectors->pdata[0], NULL);
  }
  {
    g_autoptr (GPtrArray) values =
      run_query (host, "review", TRUE,
                 "mediator=029fcafbe2dced6fe79865b265ea90387c5411658ca11449999d5020a9f67bb005");

    assert_documents (values, vectors->pdata[0], vectors->pdata[3], vectors->pdata[4], NULL);
  }
  {
    g_autoptr (GPtrArray) values =
      run_query (host, "in-process", TRUE,
                 "worker=02f719f009fb8eb20ccdbfda7d38f378ed2f103ac0a6768df830740c6835c46519");

    assert_documents (values, vectors->pdata[5], NULL);
  }
  {
    g_autoptr (GPtrArray) values = run_query (host, "by_job_id", TRUE,
                                              "job_ids=fyzfrxtrttcv8o04oj53");

    assert_documents (values, vectors->pdata[3], vectors->pdata[5], NULL);
  }
  {
    g_autoptr (GPtrArray) values = run_query (host, "jobs", FALSE, NULL);

    for (guint i = 0; i < values->len; i++)
      g_assert_null (strstr (g_ptr_array_index (values, i), "Winter Picnic"));
  }
}

/* Shapes hold under a page of a hundred and the default cap. */
static void
test_cap (void)
{
  g_autoptr (Identity) poster = identity_new ("poster");
  g_autoptr (GPtrArray) posted = g_ptr_array_new_with_free_func (g_free);

  identity_register (poster, server);
  for (guint i = 0; i < 120; i++)
    {
      g_autofree gchar *id = random_job_id ();
      g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: Cap %u\nJob ID: %s", i, id);
      gchar *doc = identity_sign (poster, text);

      g_ptr_array_add (posted, doc);
      g_free (put_new (poster, doc, TRUE));
    }
  {
    g_autoptr (GPtrArray) values = run_query (poster, "jobs", TRUE, NULL);
    g_autoptr (GPtrArray) rest = run_query (poster, "jobs", TRUE, "offset=100");
    g_autoptr (GPtrArray) all = run_query (poster, "jobs", TRUE, "limit=1000");

    g_assert_cmpuint (values->len, ==, 100);
    g_assert_cmpuint (all->len, >=, 120);
    g_assert_cmpuint (rest->len, ==, all->len - 100);
    /* Stable order: the pages concatenate to the whole. */
    for (guint i = 0; i < all->len; i++)
      g_assert_cmpstr (g_ptr_array_index (all, i), ==,
                       i < 100 ? g_ptr_array_index (values, i)
                               : g_ptr_array_index (rest, i - 100));
  }
}

/* ---- since: keyset paging and what is new (src/server/README.md) ---- */

/* Runs @query with @extra and returns its documents; the answer's cursor
 * in @out_cursor. */
static GPtrArray *
run_query_since (Identity *owner, const gchar *query, const gchar *extra, gint64 *out_cursor)
{
  g_autofree gchar *path = query_path (owner, query, FALSE, extra);
  g_autoptr (Answer) answer = http_get (server, path);
  GPtrArray *values = run_query (owner, query, FALSE, extra);
  JsonObject *object = answer_object (answer);

  g_assert_true (json_object_has_member (object, "cursor"));
  *out_cursor = g_ascii_strtoll (json_object_get_string_member (object, "cursor"), NULL, 10);
  return values;
}

/* Pages of `since`, each from the cursor of the one before, concatenate to
 * the whole; the end's cursor asks for nothing until something is put. */
static void
test_since_pages (void)
{
  g_autoptr (Identity) poster = identity_new ("poster");
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) paged = g_ptr_array_new_with_free_func (g_free);
  gint64 cursor = 0, before;

  identity_register (poster, server);
  for (guint i = 0; i < 25; i++)
    {
      g_autofree gchar *id = random_job_id ();
      g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: Page %u\nJob ID: %s", i, id);
      g_autofree gchar *doc = identity_sign (poster, text);

      g_free (put_new (poster, doc, FALSE));
    }
  {
    g_autofree gchar *enrollment = identity_enrollment (poster, TRUE);

    g_free (put_new (poster, enrollment, FALSE));
  }
  all = run_query (poster, "jobs", FALSE, "limit=1000");
  g_assert_cmpuint (all->len, ==, 25);
  for (guint page = 0;; page++)
    {
      g_autofree gchar *extra = g_strdup_printf ("limit=10&since=%" G_GINT64_FORMAT, cursor);
      g_autoptr (GPtrArray) values = NULL;

      before = cursor;
      values = run_query_since (poster, "jobs", extra, &cursor);
      g_assert_cmpint (cursor, >, before);
      for (guint i = 0; i < values->len; i++)
        g_ptr_array_add (paged, g_strdup (g_ptr_array_index (values, i)));
      g_assert_cmpuint (values->len, ==, page < 2 ? 10 : 5);
      if (values->len < 10)
        break;
    }
  g_assert_cmpuint (paged->len, ==, all->len);
  for (guint i = 0; i < all->len; i++)
    g_assert_cmpstr (g_ptr_array_index (paged, i), ==, g_ptr_array_index (all, i));

  /* Nothing new: nothing, and the same cursor. */
  {
    g_autofree gchar *extra = g_strdup_printf ("since=%" G_GINT64_FORMAT, cursor);
    g_autoptr (GPtrArray) values = run_query_since (poster, "jobs", extra, &before);

    g_assert_cmpuint (values->len, ==, 0);
    g_assert_cmpint (before, ==, cursor);
  }
  /* Something new: that only. */
  {
    g_autofree gchar *id = random_job_id ();
    g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: Late\nJob ID: %s", id);
    g_autofree gchar *doc = identity_sign (poster, text);
    g_autofree gchar *extra = g_strdup_printf ("since=%" G_GINT64_FORMAT, cursor);
    g_autoptr (GPtrArray) values = NULL;

    g_free (put_new (poster, doc, FALSE));
    values = run_query_since (poster, "jobs", extra, &before);
    assert_documents (values, doc, NULL);
    g_assert_cmpint (before, >, cursor);
  }
  /* Offset still pages as before, beside since. */
  {
    g_autoptr (GPtrArray) values = run_query (poster, "jobs", FALSE, "limit=10&offset=20");

    g_assert_cmpuint (values->len, ==, 6);
    g_assert_cmpstr (g_ptr_array_index (values, 0), ==, g_ptr_array_index (all, 20));
  }
}

/* "job_documents": every document naming a job, postings to deliveries,
 * none of the enrollments, in the order they were stored; with since only
 * the later ones. */
static void
test_since_job_documents (void)
{
  g_autoptr (Identity) creator = identity_new ("creator");
  g_autoptr (Identity) worker = identity_new ("worker");
  g_autoptr (Identity) mediator = identity_new ("mediator");
  g_autofree gchar *j1 = random_job_id ();
  g_autofree gchar *job = NULL, *bid = NULL, *offer = NULL, *delivery = NULL;
  g_autofree gchar *text = NULL;
  gint64 cursor, again;

  identity_register (creator, server);
  identity_register (worker, server);
  identity_register (mediator, server);
  text = identity_enrollment (creator, FALSE);
  g_free (put_new (creator, text, FALSE));
  g_free (text);
  text = identity_enrollment (mediator, TRUE);
  g_free (put_new (mediator, text, FALSE));
  g_free (text);
  text = step_text ("Rein Job", j1, creator, worker, mediator);
  job = identity_sign (creator, text);
  g_free (text);
  text = step_text ("Rein Bid", j1, creator, worker, mediator);
  bid = identity_sign (worker, text);
  g_free (text);
  text = step_text ("Rein Offer", j1, creator, worker, mediator);
  offer = identity_sign (creator, text);
  g_free (text);
  text = step_text ("Rein Delivery", j1, creator, worker, mediator);
  delivery = identity_sign (worker, text);
  g_free (put_new (creator, job, FALSE));
  g_free (put_new (worker, bid, FALSE));
  {
    g_autoptr (GPtrArray) values = run_query_since (creator, "job_documents", NULL, &cursor);

    assert_documents (values, job, bid, NULL);
  }
  g_free (put_new (creator, offer, FALSE));
  g_free (put_new (worker, delivery, FALSE));
  {
    g_autofree gchar *extra = g_strdup_printf ("since=%" G_GINT64_FORMAT, cursor);
    g_autoptr (GPtrArray) values = run_query_since (creator, "job_documents", extra, &again);

    assert_documents (values, offer, delivery, NULL);
    g_assert_cmpint (again, >, cursor);
  }
  /* Testnet is another namespace. */
  {
    g_autoptr (GPtrArray) values = run_query (creator, "job_documents", TRUE, NULL);

    g_assert_cmpuint (values->len, ==, 0);
  }
}

/* A document dropped (its key put again with an older document) gives its
 * id to nobody: the next one stored still comes after a cursor that
 * passed the dropped one. */
static void
test_since_dropped (void)
{
  g_autoptr (Identity) poster = identity_new ("poster");
  g_autofree gchar *key = random_key ();
  g_autofree gchar *older = NULL, *newest = NULL, *later = NULL;
  g_autofree gchar *extra = NULL;
  gint64 cursor, again;

  identity_register (poster, server);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree gchar *id = random_job_id ();
      g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: Drop %u\nJob ID: %s", i, id);
      gchar *doc = identity_sign (poster, text);

      if (i == 0)
        older = doc;
      else if (i == 1)
        newest = doc;
      else
        later = doc;
    }
  g_free (put_new (poster, older, FALSE));
  put_ok (poster, key, newest, FALSE);
  g_ptr_array_unref (run_query_since (poster, "jobs", NULL, &cursor));
  /* The newest document goes: its key now holds the older one. */
  put_ok (poster, key, older, FALSE);
  g_free (put_new (poster, later, FALSE));
  extra = g_strdup_printf ("since=%" G_GINT64_FORMAT, cursor);
  {
    g_autoptr (GPtrArray) values = run_query_since (poster, "jobs", extra, &again);

    assert_documents (values, later, NULL);
    g_assert_cmpint (again, >, cursor);
  }
}

/* since is a number; one past every document the server holds (a client's
 * cursor from a database since replaced) is answered with nothing and a
 * cursor below it, so that the client starts over. */
static void
test_since_bad (void)
{
  g_autoptr (Identity) poster = identity_new ("poster");
  const gchar *bad[] = { "since=-1", "since=abc", "since=1.5", "since=", "since=99999999999999999999" };
  gint64 cursor;

  identity_register (poster, server);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree gchar *path = query_path (poster, "jobs", FALSE, bad[i]);
      g_autoptr (Answer) answer = http_get (server, path);

      g_assert_cmpuint (answer->status, ==, 400);
      g_assert_true (answer_is_json_error (answer));
    }
  {
    g_autoptr (GPtrArray) values = run_query_since (poster, "jobs", "since=1000000", &cursor);

    g_assert_cmpuint (values->len, ==, 0);
    g_assert_cmpint (cursor, <, 1000000);
  }
  /* Unknown queries find nothing, and have no cursor to give. */
  {
    g_autofree gchar *path = query_path (poster, "ratings", FALSE, "since=5");
    g_autoptr (Answer) answer = http_get (server, path);

    g_assert_cmpuint (answer->status, ==, 200);
    g_assert_false (json_object_has_member (answer_object (answer), "cursor"));
  }
}

/* The server's own JSON string writer round-trips through json-glib. */
static void
test_json_literals (void)
{
  const gchar *texts[] = {
    "", "plain", "quote \" and backslash \\", "lines\nand\r\nreturns\ttabs",
    "\x01\x02\x1f control \b\f", "caf\xc3\xa9 \xe2\x98\x95 \xf0\x9f\x98\x80", "</script>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      gsize len = 0;
      g_autofree gchar *literal = rein_server_json_string_new (texts[i], &len);
      g_autoptr (JsonNode) node = NULL;
      g_autoptr (GError) error = NULL;

      g_assert_cmpuint (len, ==, strlen (literal));
      node = json_from_string (literal, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_node_get_string (node), ==, texts[i]);
    }
}

/* Every query is an index lookup: no step scans the documents. */
static void
test_query_plans (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *directory = g_dir_make_tmp ("rein-server-plan-XXXXXX", &error);
  g_autofree gchar *path = NULL;
  ReinServerDb *db;

  g_assert_no_error (error);
  path = test_store_is_postgresql () ? test_store_new_database (directory)
                                     : g_build_filename (directory, "plan.db", NULL);
  db = rein_server_db_open (path, TRUE, &error);
  g_assert_no_error (error);
  for (ReinServerQuery query = REIN_SERVER_QUERY_MEDIATORS;
       query <= REIN_SERVER_QUERY_JOB_DOCUMENTS; query++)
    {
      g_autofree gchar *plan = rein_server_db_explain (db, query, &error);
      g_auto (GStrv) steps = NULL;

      g_assert_no_error (error);
      g_test_message ("%s:\n%s", rein_server_query_to_name (query), plan);
      steps = g_strsplit (plan, "\n", -1);
      /* Keyset paging over the whole table: a range of the primary key, in
       * its order, never every row of a namespace sorted. */
      if (query == REIN_SERVER_QUERY_JOB_DOCUMENTS && !test_store_is_postgresql ())
        {
          g_assert_nonnull (strstr (plan, "rowid>?"));
          g_assert_null (strstr (plan, "TEMP B-TREE"));
        }
      for (guint i = 0; steps[i] != NULL; i++)
        {
          /* PostgreSQL: no table read whole. */
          g_assert_null (strstr (steps[i], "Seq Scan"));
          if (test_store_is_postgresql ())
            continue;
          g_assert_false (g_str_has_prefix (steps[i], "SCAN documents"));
          g_assert_false (g_str_has_prefix (steps[i], "SCAN d "));
          g_assert_cmpstr (steps[i], !=, "SCAN d");
          g_assert_false (g_str_has_prefix (steps[i], "MULTI-INDEX"));
          /* documents, "d" or "e": searched by a key, never scanned */
          if (strstr (steps[i], "documents") != NULL || g_str_has_prefix (steps[i], "SEARCH d ")
              || g_str_has_prefix (steps[i], "SEARCH e "))
            g_assert_true (strstr (steps[i], "INDEX") != NULL
                           || strstr (steps[i], "PRIMARY KEY") != NULL);
        }
    }
  rein_server_db_close (db);
  {
    const gchar *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree gchar *file = g_strconcat (path, suffixes[i], NULL);

        g_remove (file);
      }
    g_rmdir (directory);
  }
}

static void
remove_database_files (const gchar *database)
{
  const gchar *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree gchar *file = g_strconcat (database, suffixes[i], NULL);

      g_remove (file);
    }
}

/* SIGINT (Ctrl+C) stops the server cleanly, and what it acknowledged is
 * there on the next start. */
static void
test_sigint (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *directory = g_dir_make_tmp ("rein-server-sigint-XXXXXX", &error);
  g_autofree gchar *database = NULL;
  g_autofree gchar *key = random_key ();
  g_autofree gchar *path = g_strdup_printf ("get?key=%s", key);
  g_autofree gchar *document = NULL;
  g_autoptr (Identity) frank = identity_new ("frank");
  TestServer *running;

  g_assert_no_error (error);
  database = test_store_new_database (directory);
  running = test_server_start (database, (const gchar *const[]) { "--rate=0", NULL });
  identity_register (frank, running);
  document = identity_sign (frank, "Rein Job\nJob name: Interrupted\nJob ID: eeeeeeeeeeeeeeeeeeee");
  {
    g_autoptr (Answer) answer = identity_put (frank, running, key, document, FALSE);

    g_assert_cmpuint (answer->status, ==, 201);
  }
  /* Asserts that it exited with status 0. */
  test_server_stop_with_signal (running, SIGINT);
  test_server_free (running);

  running = test_server_start (database, (const gchar *const[]) { "--rate=0", NULL });
  {
    g_autoptr (Answer) answer = http_get (running, path);

    g_assert_cmpuint (answer->status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (answer_object (answer), "value"), ==,
                     document);
  }
  test_server_free (running);

  remove_database_files (database);
  g_assert_cmpint (g_rmdir (directory), ==, 0);
}

/* Without --database the server keeps its data under
 * $XDG_DATA_HOME/rein-server/, in a directory of its user's only. */
static void
test_default_database (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *data_home = g_dir_make_tmp ("rein-server-data-XXXXXX", &error);
  g_autofree gchar *directory = NULL;
  g_autofree gchar *database = NULL;
  g_autofree gchar *key = random_key ();
  g_autofree gchar *document = NULL;
  g_autoptr (Identity) grace = identity_new ("grace");
  TestServer *running;
  GStatBuf st;

  g_assert_no_error (error);
  directory = g_build_filename (data_home, "rein-server", NULL);
  running = test_server_start_in_data_home (data_home,
                                            (const gchar *const[]) { "--rate=0", NULL });
  database = g_build_filename (directory, "rein-server.db", NULL);
  g_assert_cmpstr (running->database, ==, database);
  g_assert_true (g_file_test (database, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (g_stat (directory, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  identity_register (grace, running);
  document = identity_sign (grace, "Rein Job\nJob name: At home\nJob ID: ffffffffffffffffffff");
  {
    g_autoptr (Answer) answer = identity_put (grace, running, key, document, FALSE);

    g_assert_cmpuint (answer->status, ==, 201);
  }
  test_server_free (running);

  /* That file is the database the put went to. */
  {
    ReinServerDb *db = rein_server_db_open (database, FALSE, &error);
    g_autofree gchar *value = NULL;
    g_autofree gchar *expected = NULL;

    g_assert_no_error (error);
    value = rein_server_db_get (db, key, &error);
    g_assert_no_error (error);
    expected = rein_server_json_string_new (document, NULL);
    g_assert_cmpstr (value, ==, expected);
    rein_server_db_close (db);
  }

  remove_database_files (database);
  g_assert_cmpint (g_rmdir (directory), ==, 0);
  g_assert_cmpint (g_rmdir (data_home), ==, 0);
}

/* Puts @value under @key through both servers (each with its own nonce),
 * asserting that both answer alike. */
static void
put_both (Identity *identity, TestServer *a, TestServer *b, const gchar *key,
          const gchar *value, gboolean testnet)
{
  g_autoptr (Answer) first = NULL;
  g_autoptr (Answer) second = NULL;

  identity_fetch_nonce (identity, a);
  first = identity_put (identity, a, key, value, testnet);
  identity_fetch_nonce (identity, b);
  second = identity_put (identity, b, key, value, testnet);
  g_assert_cmpuint (first->status, ==, second->status);
  g_assert_cmpstr (first->body, ==, second->body);
}

/* A python-rein 0.3 rating, asserting it builds. */
static gchar *
same_rating (guint value, const gchar *rated_sin, const gchar *job_id, const gchar *rater_sin)
{
  g_autoptr (GError) error = NULL;
  gchar *text = rein_rating_build (value, rated_sin, job_id, rater_sin, "", &error);

  g_assert_no_error (error);
  return text;
}

/* The same requests against a server on SQLite and one on PostgreSQL:
 * the same answers, byte for byte (bodies and statuses). */
static void
test_same_answers (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Identity) creator = identity_new ("creator");
  g_autoptr (Identity) worker = identity_new ("worker");
  g_autoptr (Identity) mediator = identity_new ("mediator");
  g_autoptr (Identity) stranger = identity_new ("stranger");
  g_autoptr (Identity) nobody = identity_new ("nobody");
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *directory = NULL;
  g_autofree gchar *file = NULL;
  g_autofree gchar *j1 = random_job_id ();
  g_autofree gchar *j2 = random_job_id ();
  g_autofree gchar *enrollment = identity_enrollment (mediator, TRUE);
  g_autofree gchar *creator_enrollment = identity_enrollment (creator, FALSE);
  g_autofree gchar *job1 = NULL, *job2 = NULL, *bid = NULL, *offer = NULL, *delivery = NULL;
  g_autofree gchar *creator_sin = rein_sin_from_address (creator->master_address);
  g_autofree gchar *worker_sin = rein_sin_from_address (worker->master_address);
  g_autofree gchar *mediator_sin = rein_sin_from_address (mediator->master_address);
  gchar *ratings[3] = { NULL };
  guint stored;
  const gchar *const queries[] = { "mediators", "jobs", "bids", "job_documents" };
  TestServer *pg, *lite;

  if (!test_store_is_postgresql ())
    {
      g_test_skip ("against PostgreSQL (REIN_TEST_STORE=postgresql)");
      return;
    }
  directory = g_dir_make_tmp ("rein-server-same-XXXXXX", &error);
  g_assert_no_error (error);
  file = g_build_filename (directory, "same.db", NULL);
  pg = test_server_start (NULL, (const gchar *const[]) { "--rate=0", NULL });
  lite = test_server_start (file, (const gchar *const[]) { "--rate=0", NULL });
  g_assert_true (rein_server_db_is_uri (pg->database));

#define SIGN(var, who, expr) \
  G_STMT_START { g_autofree gchar *t_ = (expr); var = identity_sign (who, t_); } G_STMT_END
  SIGN (job1, creator, job_text (j1, creator, mediator));
  SIGN (job2, creator, job_text (j2, creator, mediator));
  SIGN (bid, worker, step_text ("Rein Bid", j1, creator, worker, mediator));
  SIGN (offer, creator, step_text ("Rein Offer", j2, creator, worker, mediator));
  SIGN (delivery, worker, step_text ("Rein Delivery", j1, creator, worker, mediator));
  /* python-rein 0.3's ratings: the worker by the creator and by the
   * mediator, the creator by the worker. */
  SIGN (ratings[0], creator, same_rating (5, worker_sin, j1, creator_sin));
  SIGN (ratings[1], worker, same_rating (4, creator_sin, j1, worker_sin));
  SIGN (ratings[2], mediator, same_rating (2, worker_sin, j2, mediator_sin));
#undef SIGN

  for (guint s = 0; s < 2; s++)
    {
      identity_register (creator, s == 0 ? pg : lite);
      identity_register (worker, s == 0 ? pg : lite);
      identity_register (mediator, s == 0 ? pg : lite);
      identity_register (stranger, s == 0 ? pg : lite);
    }
  for (guint i = 0; i < 10; i++)
    g_ptr_array_add (keys, random_key ());
  put_both (mediator, pg, lite, keys->pdata[0], enrollment, FALSE);
  put_both (creator, pg, lite, keys->pdata[6], creator_enrollment, FALSE);
  put_both (creator, pg, lite, keys->pdata[1], job1, FALSE);
  put_both (creator, pg, lite, keys->pdata[2], job2, FALSE);
  put_both (worker, pg, lite, keys->pdata[3], bid, FALSE);
  put_both (creator, pg, lite, keys->pdata[4], offer, FALSE);
  put_both (worker, pg, lite, keys->pdata[5], delivery, FALSE);
  /* A copy under another owner's key, one on testnet, a replacement, and
   * puts both refuse. */
  put_both (worker, pg, lite, "COPYOFJOBONE", job1, FALSE);
  put_both (creator, pg, lite, "TESTNETJOBTWO", job2, TRUE);
  put_both (creator, pg, lite, keys->pdata[2], offer, FALSE);
  put_both (worker, pg, lite, keys->pdata[1], bid, FALSE);
  put_both (stranger, pg, lite, keys->pdata[0], job1, FALSE);
  put_both (creator, pg, lite, keys->pdata[7], ratings[0], FALSE);
  put_both (worker, pg, lite, keys->pdata[8], ratings[1], FALSE);
  put_both (mediator, pg, lite, keys->pdata[9], ratings[2], FALSE);

  for (guint i = 0; i < keys->len; i++)
    g_ptr_array_add (paths, g_strdup_printf ("get?key=%s", (gchar *) keys->pdata[i]));
  g_ptr_array_add (paths, g_strdup ("get?key=COPYOFJOBONE"));
  g_ptr_array_add (paths, g_strdup ("get?key=NOSUCHKEY"));
  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    for (guint t = 0; t < 2; t++)
      g_ptr_array_add (paths, query_path (worker, queries[q], t == 1, NULL));
  g_ptr_array_add (paths, query_path (worker, "jobs", FALSE, "limit=1&offset=1"));
  g_ptr_array_add (paths, query_path (nobody, "jobs", FALSE, NULL));
  g_ptr_array_add (paths, query_path (worker, "deliveries", FALSE, NULL));
  {
    g_autofree gchar *extra = g_strdup_printf ("job_creator=%s", creator->public_key);

    g_ptr_array_add (paths, query_path (worker, "deliveries", FALSE, extra));
  }
  {
    g_autofree gchar *extra = g_strdup_printf ("worker=%s", worker->public_key);

    g_ptr_array_add (paths, query_path (worker, "in-process", FALSE, extra));
  }
  {
    g_autofree gchar *extra = g_strdup_printf ("mediator=%s", mediator->public_key);

    g_ptr_array_add (paths, query_path (worker, "review", FALSE, extra));
  }
  {
    g_autofree gchar *extra = g_strdup_printf ("job_ids=%s,%s,%s", j2, j1, j2);

    g_ptr_array_add (paths, query_path (worker, "by_job_id", FALSE, extra));
    g_ptr_array_add (paths, query_path (worker, "dispute", FALSE, extra));
  }
  {
    g_autofree gchar *extra = g_strdup_printf ("addresses=%s,%s", mediator->delegate_address,
                                               creator->master_address);

    g_ptr_array_add (paths, query_path (worker, "enrollments", FALSE, extra));
  }
  /* get_user_ratings: of a user (dest), by a user (source), of someone
   * unrated, on testnet, and with neither. */
  {
    const gchar *const extras[] = { "dest", worker_sin, "source", worker_sin,
                                    "dest", mediator_sin, "source", creator_sin };

    for (guint i = 0; i < G_N_ELEMENTS (extras); i += 2)
      for (guint t = 0; t < 2; t++)
        {
          g_autofree gchar *extra = g_strdup_printf ("%s=%s", extras[i], extras[i + 1]);

          g_ptr_array_add (paths, query_path (worker, "get_user_ratings", t == 1, extra));
        }
    g_ptr_array_add (paths, query_path (worker, "get_user_ratings", FALSE, NULL));
  }
  /* get_user: by SIN, master and delegate address, name (another case),
   * contact, a part of a name, nothing found, and without a search. */
  {
    g_autofree gchar *contact = g_uri_escape_string ("creator@example.com", NULL, TRUE);
    const gchar *const searches[] = { mediator_sin, creator->master_address,
                                      mediator->delegate_address, "MEDIATOR", contact,
                                      "ator", "nobody-at-all" };

    for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
      for (guint t = 0; t < 2; t++)
        {
          g_autofree gchar *extra = g_strdup_printf ("search_input=%s", searches[i]);

          g_ptr_array_add (paths, query_path (worker, "get_user", t == 1, extra));
        }
    g_ptr_array_add (paths, query_path (worker, "get_user", FALSE, NULL));
  }
  g_ptr_array_add (paths, g_strdup ("help"));

  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr (Answer) first = http_get (pg, paths->pdata[i]);
      g_autoptr (Answer) second = http_get (lite, paths->pdata[i]);

      g_test_message ("%s: %u, %" G_GSIZE_FORMAT " bytes", (gchar *) paths->pdata[i],
                      first->status, strlen (first->body));
      g_assert_cmpuint (first->status, ==, second->status);
      g_assert_cmpstr (first->body, ==, second->body);
    }
  /* Not two empty answers alike: the worker's ratings and the mediator by
   * name are found. */
  {
    g_autofree gchar *extra = g_strdup_printf ("dest=%s", worker_sin);
    g_autofree gchar *path = query_path (worker, "get_user_ratings", FALSE, extra);
    g_autoptr (Answer) answer = http_get (pg, path);
    JsonArray *list = json_object_get_array_member (answer_object (answer), "get_user_ratings");

    g_assert_cmpuint (json_array_get_length (list), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 1),
                                                    "value"), ==, ratings[2]);
  }
  {
    g_autofree gchar *path = query_path (worker, "get_user", FALSE, "search_input=MEDIATOR");
    g_autoptr (Answer) answer = http_get (pg, path);

    g_assert_nonnull (strstr (answer->body, mediator->delegate_address));
  }
  /* What a market reader does: job_documents two at a time, each page
   * from the cursor of the one before, to the end; then, after one more
   * put, from the last cursor: the same pages and cursors from both. */
  {
    g_autofree gchar *path = query_path (worker, "job_documents", FALSE, NULL);
    g_autoptr (Answer) all = http_get (lite, path);

    stored = json_array_get_length (json_object_get_array_member (answer_object (all),
                                                                  "job_documents"));
    g_assert_cmpuint (stored, >=, 4);
  }
  for (guint round = 0; round < 2; round++)
    {
      g_autofree gchar *cursor = g_strdup ("0");
      guint pages = 0, documents = 0, length;

      if (round == 1)
        {
          g_autofree gchar *id = random_job_id ();
          g_autofree gchar *text = job_text (id, creator, mediator);
          g_autofree gchar *job3 = identity_sign (creator, text);
          g_autofree gchar *key = random_key ();

          put_both (creator, pg, lite, key, job3, FALSE);
        }
      do
        {
          g_autofree gchar *extra = g_strdup_printf ("limit=2&since=%s", cursor);
          g_autofree gchar *path = query_path (worker, "job_documents", FALSE, extra);
          g_autoptr (Answer) first = http_get (pg, path);
          g_autoptr (Answer) second = http_get (lite, path);
          JsonObject *object;

          g_test_message ("%s: %u, %" G_GSIZE_FORMAT " bytes", path, first->status,
                          strlen (first->body));
          g_assert_cmpuint (first->status, ==, 200);
          g_assert_cmpuint (second->status, ==, 200);
          g_assert_cmpstr (first->body, ==, second->body);
          object = answer_object (first);
          length = json_array_get_length (json_object_get_array_member (object,
                                                                        "job_documents"));
          g_free (cursor);
          cursor = g_strdup (json_object_get_string_member (object, "cursor"));
          documents += length;
          pages++;
        }
      while (length == 2 && pages < 20);
      /* Every page, the whole list once; with the new job after the put. */
      g_assert_cmpuint (documents, ==, stored + round);
    }
  test_server_free (lite);
  test_server_free (pg);
  for (guint i = 0; i < G_N_ELEMENTS (ratings); i++)
    g_free (ratings[i]);
  {
    const gchar *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree gchar *path = g_strconcat (file, suffixes[i], NULL);

        g_remove (path);
      }
    g_rmdir (directory);
  }
}

/* PostgreSQL: connections ended under the server (a database restart, a
 * pooler, an administrator) are opened again; no request after fails. */
static void
test_reconnect (void)
{
  g_autoptr (Identity) owner = identity_new ("reconnect");
  g_autofree gchar *document = NULL;
  g_autofree gchar *key = random_key ();
  g_autofree gchar *path = g_strdup_printf ("get?key=%s", key);

  if (!test_store_is_postgresql ())
    {
      g_test_skip ("PostgreSQL's connections (REIN_TEST_STORE=postgresql)");
      return;
    }
  identity_register (owner, server);
  document = identity_sign (owner, "Rein Job\nJob name: Again\nJob ID: rrrrrrrrrrrrrrrrrrrr");
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr (GPtrArray) ended = NULL;

      /* Every connection the server holds, ended. */
      ended = test_store_select (server->database,
                                 "SELECT pg_terminate_backend (pid) FROM pg_stat_activity"
                                 " WHERE application_name = 'rein-server'"
                                 " AND pid <> pg_backend_pid()", NULL);
      g_assert_cmpuint (ended->len, >=, 3);
      {
        g_autoptr (Answer) put = identity_put (owner, server, key, document, FALSE);
        g_autoptr (Answer) get = http_get (server, path);
        g_autoptr (Answer) status = http_get (server, "status");

        g_assert_cmpuint (put->status, ==, 201);
        g_assert_cmpuint (get->status, ==, 200);
        g_assert_cmpstr (json_object_get_string_member (answer_object (get), "value"), ==,
                         document);
        g_assert_cmpuint (status->status, ==, 200);
      }
    }
}

/* A PostgreSQL URI's password stays out of what the server prints, and
 * out of its errors, whichever way the URI carries it. */
static void
test_uri_password (void)
{
  const struct
  {
    const gchar *uri;
    const gchar *shown;
  } uris[] = {
    { "postgresql://rein:s3cret@db.example.org:5432/rein",
      "postgresql://rein:***@db.example.org:5432/rein" },
    { "postgres://rein:s3cret@db/rein?sslmode=require", "postgres://rein:***@db/rein?sslmode=require" },
    { "postgresql://db/rein?user=rein&password=s3cret", "postgresql://db/rein?***" },
    { "postgresql:///rein?host=/run/postgresql", "postgresql:///rein?host=/run/postgresql" },
    { "postgresql://db/a@b", "postgresql://db/a@b" },
    { "/srv/rein:s3cret@x/rein-server.db", "/srv/rein:s3cret@x/rein-server.db" },
  };
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  gint status;

  for (guint i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_autofree gchar *shown = rein_server_db_display_name (uris[i].uri);

      g_assert_cmpstr (shown, ==, uris[i].shown);
    }
  g_assert_true (rein_server_db_is_uri (uris[0].uri));
  g_assert_true (rein_server_db_is_uri (uris[1].uri));
  g_assert_false (rein_server_db_is_uri (uris[5].uri));

  /* Nothing listens on port 1 of loopback: the server cannot start, and
   * says why without the password. */
  status = test_server_run_to_exit ("postgresql://rein:s3cret@127.0.0.1:1/rein", NULL, &out, &err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "postgresql://rein:***@127.0.0.1:1/rein"));
  g_assert_null (strstr (err, "s3cret"));
  g_assert_null (strstr (out, "s3cret"));
}

/* PostgreSQL: a database one migration behind (rein_store() missing, as
 * a version 1 database has it) is brought up to date on start, and puts
 * then work; one from a newer server stops it (test-server-hardening). */
static void
test_migration (void)
{
  g_autoptr (Identity) owner = identity_new ("migrated");
  g_autoptr (GPtrArray) versions = NULL;
  g_autofree gchar *document = NULL;
  TestServer *running;

  if (!test_store_is_postgresql ())
    {
      g_test_skip ("PostgreSQL's migrations (REIN_TEST_STORE=postgresql)");
      return;
    }
  running = test_server_start (NULL, (const gchar *const[]) { "--rate=0", NULL });
  test_server_stop (running);
  /* Back to version 1: without migration 2's function and its row. */
  g_ptr_array_unref (test_store_select (running->database, "DROP FUNCTION rein_store", NULL));
  g_ptr_array_unref (test_store_select (running->database,
                                        "DELETE FROM rein_schema WHERE version > 1", NULL));

  {
    TestServer *again = test_server_start (running->database,
                                           (const gchar *const[]) { "--rate=0", NULL });

    identity_register (owner, again);
    document = identity_sign (owner, "Rein Job\nJob name: Migrated\nJob ID: mmmmmmmmmmmmmmmmmmmm");
    {
      g_autofree gchar *key = random_key ();
      g_autoptr (Answer) answer = identity_put (owner, again, key, document, FALSE);

      g_assert_cmpuint (answer->status, ==, 201);
    }
    test_server_free (again);
  }
  versions = test_store_select (running->database,
                                "SELECT string_agg(version::text, ',' ORDER BY version)"
                                " FROM rein_schema", NULL);
  g_assert_cmpstr (g_ptr_array_index (versions, 0), ==, "1,2,3");
  test_server_free (running);
}

/* PostgreSQL: a put is committed with synchronous_commit on even where
 * the server's connections default to off (a role's or database's
 * setting, or a pooler's): a trigger records the setting the writer's
 * transaction runs with. */
static void
test_synchronous_commit (void)
{
  g_autoptr (Identity) owner = identity_new ("durable");
  g_autoptr (GPtrArray) modes = NULL;
  g_autofree gchar *database = NULL;
  g_autofree gchar *uri = NULL;
  g_autofree gchar *document = NULL;
  TestServer *durable;

  if (!test_store_is_postgresql ())
    {
      g_test_skip ("PostgreSQL's synchronous_commit (REIN_TEST_STORE=postgresql)");
      return;
    }
  /* The cluster ignores the directory. The URI ends with its options
   * (-csearch_path=...): one more, the default off. */
  database = test_store_new_database (g_get_tmp_dir ());
  g_assert_nonnull (strstr (database, "&options="));
  uri = g_strconcat (database, "%20-csynchronous_commit%3Doff", NULL);
  durable = test_server_start (uri, (const gchar *const[]) { "--rate=0", NULL });
  {
    g_autoptr (GPtrArray) shown = test_store_select (uri, "SHOW synchronous_commit", NULL);

    g_assert_cmpstr (g_ptr_array_index (shown, 0), ==, "off");
  }
  test_store_exec (database, "CREATE TABLE commit_modes (mode text NOT NULL)");
  test_store_exec (database,
                   "CREATE FUNCTION record_commit_mode () RETURNS trigger LANGUAGE plpgsql AS"
                   " $$BEGIN INSERT INTO commit_modes"
                   " VALUES (current_setting ('synchronous_commit')); RETURN NEW; END$$");
  test_store_exec (database,
                   "CREATE TRIGGER record_commit_mode BEFORE INSERT ON documents"
                   " FOR EACH ROW EXECUTE FUNCTION record_commit_mode ()");

  identity_register (owner, durable);
  document = identity_sign (owner, "Rein Job\nJob name: Durable\nJob ID: dddddddddddddddddddd");
  identity_put_ok (owner, durable, document);
  modes = test_store_select (database, "SELECT mode FROM commit_modes", NULL);
  g_assert_cmpuint (modes->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (modes, 0), ==, "on");
  test_server_free (durable);
}

/* A database error is answered 500 with a generic message on each path
 * (get, query, put): its text, which may name the database's host or
 * schema, goes to the server's log only. Mended, the server answers again. */
static void
test_database_error (void)
{
  g_autoptr (Identity) owner = identity_new ("broken");
  g_autofree gchar *key = random_key ();
  g_autofree gchar *get = g_strdup_printf ("get?key=%s", key);
  g_autofree gchar *query = query_path (owner, "jobs", FALSE, NULL);
  g_autofree gchar *document = NULL;
  g_autofree gchar *log = NULL;
  g_autofree gchar *debug = g_strdup (g_getenv ("G_DEBUG"));
  TestServer *broken;

  /* The server logs these failures as warnings: not fatal there. */
  g_unsetenv ("G_DEBUG");
  broken = test_server_start_full (NULL, (const gchar *const[]) { "--rate=0", NULL }, 0, TRUE);
  if (debug != NULL)
    g_setenv ("G_DEBUG", debug, TRUE);
  identity_register (owner, broken);
  document = identity_sign (owner, "Rein Job\nJob name: Broken\nJob ID: bbbbbbbbbbbbbbbbbbbb");
  {
    g_autoptr (Answer) answer = identity_put (owner, broken, key, document, FALSE);

    g_assert_cmpuint (answer->status, ==, 201);
  }

  test_store_exec (broken->database, "ALTER TABLE documents RENAME TO documents_away");
  {
    g_autoptr (Answer) answer = http_get (broken, get);

    g_assert_cmpuint (answer->status, ==, 500);
    g_assert_cmpstr (answer->body, ==,
                     "{\"error\":\"" REIN_SERVER_INTERNAL_ERROR_MESSAGE "\"}");
  }
  {
    g_autoptr (Answer) answer = http_get (broken, query);

    g_assert_cmpuint (answer->status, ==, 500);
    g_assert_cmpstr (answer->body, ==,
                     "{\"result\":\"error\",\"message\":\""
                     REIN_SERVER_INTERNAL_ERROR_MESSAGE "\"}");
  }
  {
    g_autofree gchar *other = random_key ();
    g_autoptr (Answer) answer = identity_put (owner, broken, other, document, FALSE);

    g_assert_cmpuint (answer->status, ==, 500);
    g_assert_cmpstr (answer->body, ==,
                     "{\"error\":\"" REIN_SERVER_INTERNAL_ERROR_MESSAGE "\"}");
  }
  /* The detail (SQLite: no such table: documents; PostgreSQL: relation
   * "documents" does not exist), in the log. */
  log = test_server_get_stderr (broken);
  g_test_message ("the server's log: %s", log);
  g_assert_nonnull (strstr (log, "Get failed: "));
  g_assert_nonnull (strstr (log, "Query failed: "));
  g_assert_nonnull (strstr (log, "Write failed: "));
  g_assert_nonnull (strstr (log, "documents"));

  test_store_exec (broken->database, "ALTER TABLE documents_away RENAME TO documents");
  {
    g_autoptr (Answer) answer = http_get (broken, get);

    g_assert_cmpuint (answer->status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (answer_object (answer), "value"), ==,
                     document);
  }
  test_server_free (broken);
}

/* Each test gets its own server and database. */
static void
setup (gpointer fixture, gconstpointer data)
{
  server = test_server_start (NULL, (const gchar *const[]) { "--rate=0", NULL });
}

static void
teardown (gpointer fixture, gconstpointer data)
{
  g_clear_pointer (&server, test_server_free);
}

static void
add (const gchar *path, void (*func) (void))
{
  g_test_add_vtable (path, 0, NULL, setup, (GTestFixtureFunc) (void (*) (void)) func, teardown);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/api/json-literals", test_json_literals);
  g_test_add_func ("/server/api/query-plans", test_query_plans);
  add ("/server/api/help", test_help);
  add ("/server/api/status", test_status);
  add ("/server/api/request", test_request);
  add ("/server/api/nonce", test_nonce);
  add ("/server/api/put-get", test_put_get);
  add ("/server/api/put-errors", test_put_errors);
  add ("/server/api/full-bucket", test_full_bucket);
  add ("/server/api/queries", test_queries);
  add ("/server/api/old-format", test_old_format);
  add ("/server/api/cap", test_cap);
  add ("/server/api/since-pages", test_since_pages);
  add ("/server/api/since-job-documents", test_since_job_documents);
  add ("/server/api/since-dropped", test_since_dropped);
  add ("/server/api/since-bad", test_since_bad);
  add ("/server/api/reconnect", test_reconnect);
  g_test_add_func ("/server/api/sigint", test_sigint);
  g_test_add_func ("/server/api/default-database", test_default_database);
  g_test_add_func ("/server/api/migration", test_migration);
  g_test_add_func ("/server/api/uri-password", test_uri_password);
  g_test_add_func ("/server/api/same-answers", test_same_answers);
  g_test_add_func ("/server/api/database-error", test_database_error);
  g_test_add_func ("/server/api/synchronous-commit", test_synchronous_commit);

  return g_test_run ();
}
