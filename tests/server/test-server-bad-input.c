/* test-server-bad-input.c: hostile and broken requests, each answered with a
 * 4xx and a JSON error while the server keeps serving
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "server-fixture.h"

static TestServer *server;
static guint n_checked;

/* Asserts a 4xx in [@lo, @hi] with a JSON error body, then that the server
 * still answers. */
static void
check (const gchar *what, Answer *answer, guint lo, guint hi)
{
  g_test_message ("%.100s: %u %.200s", what, answer->status, answer->body);
  if (answer->status < lo || answer->status > hi)
    g_error ("%.100s: status %u, expected %u..%u (%.200s)", what, answer->status, lo, hi, answer->body);
  g_assert_cmpuint (answer->status, >=, 400);
  g_assert_cmpuint (answer->status, <, 500);
  if (!answer_is_json_error (answer))
    g_error ("%.100s: not a JSON error: %.200s", what, answer->body);
  answer_free (answer);
  n_checked++;

  {
    g_autoptr (Answer) status = http_get (server, "status");

    g_assert_cmpuint (status->status, ==, 200);
  }
}

static void
check_get (const gchar *path, guint lo, guint hi)
{
  check (path, http_get (server, path), lo, hi);
}

static void
check_post (const gchar *what, const gchar *body, gssize len, guint lo, guint hi)
{
  check (what, http_post (server, "put", body, len), lo, hi);
}

/* A put body with one member replaced by raw JSON text. */
static gchar *
body_with (const gchar *body, const gchar *member, const gchar *json_value)
{
  g_autoptr (JsonNode) root = json_from_string (body, NULL);
  JsonObject *object = json_node_get_object (root);
  g_autoptr (GString) text = g_string_new ("{");
  GList *members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const gchar *name = l->data;
      g_autofree gchar *value = NULL;

      if (strcmp (name, member) == 0)
        {
          if (json_value == NULL)
            continue;
          value = g_strdup (json_value);
        }
      else
        value = json_to_string (json_object_get_member (object, name), FALSE);
      if (text->len > 1)
        g_string_append_c (text, ',');
      g_string_append_printf (text, "\"%s\":%s", name, value);
    }
  g_list_free (members);
  g_string_append_c (text, '}');
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gchar *
quoted (const gchar *text)
{
  g_autoptr (JsonNode) node = json_node_init_string (json_node_alloc (), text);

  return json_to_string (node, FALSE);
}

/* Documents of the tests. */
static gchar *
job_document (Identity *creator, const gchar *job_id)
{
  g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: Bad input\nJob ID: %s\n"
                                            "Job creator public key: %s",
                                            job_id, creator->public_key);

  return identity_sign (creator, text);
}

static void
test_table (void)
{
  g_autoptr (Identity) owner = identity_new ("owner");
  g_autoptr (Identity) other = identity_new ("other");
  g_autoptr (Identity) stranger = identity_new ("stranger");
  g_autofree gchar *job_id = random_job_id ();
  g_autofree gchar *document = NULL;
  g_autofree gchar *good = NULL;
  g_autofree gchar *key = random_key ();
  g_autofree gchar *old_nonce = NULL;
  const gchar *sql_like[] = { "%25", "_", "%27", "%27%20OR%201%3D1%20--", "%22", "%5C" };

  identity_register (owner, server);
  identity_register (other, server);
  identity_fetch_nonce (owner, server);
  identity_fetch_nonce (other, server);
  document = job_document (owner, job_id);
  good = identity_put_body (owner, owner, key, document, owner->nonce, FALSE);

  /* ---- /put bodies ---- */
  check_post ("not JSON", "not json at all", -1, 400, 400);
  {
    g_autofree gchar *truncated = g_strndup (good, strlen (good) / 2);

    check_post ("truncated JSON", truncated, -1, 400, 400);
  }
  check_post ("empty body", "", 0, 400, 400);
  check_post ("JSON array", "[1,2,3]", -1, 400, 400);
  check_post ("JSON string", "\"key\"", -1, 400, 400);
  check_post ("empty object", "{}", -1, 400, 400);
  {
    const gchar *members[] = { "key", "value", "nonce", "signature", "signature_address",
                               "owner" };

    for (guint i = 0; i < G_N_ELEMENTS (members); i++)
      {
        g_autofree gchar *missing = body_with (good, members[i], NULL);
        g_autofree gchar *number = body_with (good, members[i], "42");
        g_autofree gchar *null = body_with (good, members[i], "null");
        g_autofree gchar *what = g_strdup_printf ("missing %s", members[i]);

        check_post (what, missing, -1, 400, 400);
        g_free (what);
        what = g_strdup_printf ("%s as a number", members[i]);
        check_post (what, number, -1, 400, 400);
        g_free (what);
        what = g_strdup_printf ("%s as null", members[i]);
        check_post (what, null, -1, 400, 400);
      }
  }
  {
    g_autofree gchar *body = body_with (good, "testnet", "\"maybe\"");

    check_post ("testnet as a word", body, -1, 400, 400);
  }
  {
    g_autofree gchar *body = body_with (good, "testnet", "[true]");

    check_post ("testnet as an array", body, -1, 400, 400);
  }
  {
    g_autofree gchar *body = body_with (good, "key", "\"\"");

    check_post ("empty key", body, -1, 400, 400);
  }
  {
    g_autofree gchar *body = body_with (good, "key", "\"../../etc/passwd\"");

    check_post ("key with a path", body, -1, 400, 400);
  }
  {
    g_autofree gchar *body = body_with (good, "key", "\"' OR 1=1 --\"");

    check_post ("key with SQL", body, -1, 400, 400);
  }
  {
    g_autofree gchar *long_key = g_strnfill (65, 'A');
    g_autofree gchar *json = quoted (long_key);
    g_autofree gchar *body = body_with (good, "key", json);

    check_post ("oversize key", body, -1, 400, 400);
  }
  {
    /* "value" holding bytes that are not UTF-8 */
    g_autofree gchar *body = body_with (good, "value", "\"Rein Job\xff\xfe\"");

    check_post ("invalid UTF-8", body, -1, 400, 400);
  }
  {
    g_autofree gchar *big = g_strnfill (100 * 1024, ' ');

    memcpy (big, good, strlen (good));
    check_post ("oversize body", big, -1, 413, 413);
  }
  {
    g_autofree gchar *filler = g_strnfill (9000, 'x');
    g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob ID: %s\nDescription: %s",
                                              job_id, filler);
    g_autofree gchar *json = quoted (text);
    g_autofree gchar *body = body_with (good, "value", json);

    check_post ("oversize value", body, -1, 413, 413);
  }
  {
    g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob ID: %s", job_id);
    g_autofree gchar *body = identity_put_body (owner, owner, key, text, owner->nonce, FALSE);

    check_post ("unsigned document", body, -1, 400, 400);
  }
  {
    g_autofree gchar *body = identity_put_body (owner, owner, key, "hello", owner->nonce, FALSE);

    check_post ("not a document", body, -1, 400, 400);
  }
  {
    /* Change the signed text after signing. */
    g_autofree gchar *forged = g_strdup (document);
    gchar *name = strstr (forged, "Bad input");
    g_autofree gchar *body = NULL;

    name[0] = 'M';
    body = identity_put_body (owner, owner, key, forged, owner->nonce, FALSE);
    check_post ("badly signed document", body, -1, 400, 400);
  }
  {
    g_autofree gchar *text = g_strdup_printf ("Rein Cake\nJob ID: %s", job_id);
    g_autofree gchar *signed_text = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree gchar *message = NULL;
    g_autofree gchar *signature = NULL;
    g_autofree gchar *address = NULL;

    /* Signed, but not a Rein document. */
    signature = rein_message_sign (owner->delegate, text, strlen (text), &error);
    g_assert_no_error (error);
    address = g_strdup (owner->delegate_address);
    signed_text = g_strdup_printf ("-----BEGIN BITCOIN SIGNED MESSAGE-----\n%s\n"
                                   "-----BEGIN SIGNATURE-----\n%s\n%s\n"
                                   "-----END BITCOIN SIGNED MESSAGE-----",
                                   text, address, signature);
    message = identity_put_body (owner, owner, key, signed_text, owner->nonce, FALSE);
    check_post ("signed non-Rein text", message, -1, 400, 400);
  }
  {
    g_autofree gchar *body = body_with (good, "signature",
                                        "\"H3qtO/IOayLkuRdUX/ElBXQVh/yIddcWq6XmfwpHvwajPhTmsHmJTgqRczMNGNRyU5UsM5N5qJB5rI8wK4aD+/0=\"");

    check_post ("wrong put signature", body, -1, 401, 401);
  }
  {
    g_autofree gchar *body = body_with (good, "signature", "\"not base64 at all!\"");

    check_post ("garbage put signature", body, -1, 401, 401);
  }
  {
    /* Valid signature by another owner's delegate, on our owner's account. */
    g_autofree gchar *body = identity_put_body (owner, other, key, document, owner->nonce, FALSE);

    check_post ("signed by someone else's delegate", body, -1, 401, 401);
  }
  {
    g_autofree gchar *body = identity_put_body (owner, owner, key, document,
                                                "ffffffffffffffffffffffffffffffff", FALSE);

    check_post ("wrong nonce", body, -1, 401, 401);
  }
  {
    g_autofree gchar *body = identity_put_body (stranger, stranger, key, document,
                                                "ffffffffffffffffffffffffffffffff", FALSE);

    check_post ("unknown owner", body, -1, 403, 403);
  }
  {
    /* A key placed by another owner. */
    g_autofree gchar *taken = random_key ();
    g_autofree gchar *body = NULL;
    g_autoptr (Answer) answer = identity_put (other, server, taken, document, FALSE);

    g_assert_cmpuint (answer->status, ==, 201);
    body = identity_put_body (owner, owner, taken, document, owner->nonce, FALSE);
    check_post ("key of another owner", body, -1, 409, 409);
  }

  /* Old and cleared nonces. */
  old_nonce = g_strdup (owner->nonce);
  {
    g_autofree gchar *clear = g_strdup_printf ("nonce?address=%s&clear=%s",
                                               owner->master_address, old_nonce);
    g_autoptr (Answer) answer = http_get (server, clear);
    g_autofree gchar *body = identity_put_body (owner, owner, key, document, "", FALSE);
    g_autofree gchar *cleared = identity_put_body (owner, owner, key, document, old_nonce,
                                                   FALSE);

    g_assert_cmpuint (answer->status, ==, 200);
    check_post ("empty nonce after clearing", body, -1, 401, 401);
    check_post ("cleared nonce", cleared, -1, 401, 401);
  }
  identity_fetch_nonce (owner, server);
  g_assert_cmpstr (owner->nonce, !=, old_nonce);
  {
    g_autofree gchar *body = identity_put_body (owner, owner, key, document, old_nonce, FALSE);

    check_post ("old nonce", body, -1, 401, 401);
  }
  /* With the current nonce the same put works: the server still serves. */
  {
    g_autoptr (Answer) answer = identity_put (owner, server, key, document, FALSE);

    g_assert_cmpuint (answer->status, ==, 201);
  }

  /* ---- methods and paths ---- */
  check_get ("put", 405, 405);
  check ("POST /get", http_post (server, "get?key=A", "{}", -1), 405, 405);
  check_get ("no/such/path", 404, 404);

  /* ---- /get ---- */
  check_get ("get", 400, 400);
  check_get ("get?key=", 400, 400);
  for (guint i = 0; i < G_N_ELEMENTS (sql_like); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("get?key=%s", sql_like[i]);

      check_get (path, 404, 404);
    }
  {
    g_autofree gchar *long_key = g_strnfill (5000, 'A');
    g_autofree gchar *path = g_strdup_printf ("get?key=%s", long_key);

    check_get (path, 400, 400);
  }
  check_get ("get?key=%FF%FE", 400, 400);

  /* ---- /nonce, /request ---- */
  check_get ("nonce", 400, 400);
  check_get ("nonce?address=", 400, 400);
  check_get ("request", 400, 400);
  check_get ("request?owner=1HZwkjkeaoZfTSaJxDw6aKkxp45agDiEzN", 400, 400);
  for (guint i = 0; i < G_N_ELEMENTS (sql_like); i++)
    {
      g_autofree gchar *path = g_strdup_printf ("request?owner=%s&delegate=%s&contact=x",
                                                sql_like[i], owner->delegate_address);

      check_get (path, 400, 400);
    }
  {
    g_autofree gchar *path = g_strdup_printf ("request?owner=%s&delegate=not-an-address",
                                              owner->master_address);

    check_get (path, 400, 400);
  }
  {
    g_autofree gchar *contact = g_strnfill (1000, 'c');
    g_autofree gchar *path = g_strdup_printf ("request?owner=%s&delegate=%s&contact=%s",
                                              owner->master_address, owner->delegate_address,
                                              contact);

    check_get (path, 400, 400);
  }

  /* ---- /query ---- */
  check_get ("query", 400, 400);
  check_get ("query?query=jobs", 400, 400);
  {
    g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=jobs",
                                              stranger->master_address);

    check_get (path, 403, 403);
  }
  for (guint i = 0; i < G_N_ELEMENTS (sql_like); i++)
    {
      g_autofree gchar *as_owner = g_strdup_printf ("query?owner=%s&query=jobs", sql_like[i]);
      g_autofree gchar *as_query = g_strdup_printf ("query?owner=%s&query=%s",
                                                    owner->master_address, sql_like[i]);
      g_autofree gchar *as_testnet = g_strdup_printf ("query?owner=%s&query=jobs&testnet=%s",
                                                      owner->master_address, sql_like[i]);
      g_autofree gchar *as_limit = g_strdup_printf ("query?owner=%s&query=jobs&limit=%s",
                                                    owner->master_address, sql_like[i]);
      g_autofree gchar *as_offset = g_strdup_printf ("query?owner=%s&query=jobs&offset=%s",
                                                     owner->master_address, sql_like[i]);

      check_get (as_owner, 403, 403);
      /* "_" alone is a well-formed query name, which finds nothing */
      if (strcmp (sql_like[i], "_") != 0)
        check_get (as_query, 400, 400);
      check_get (as_testnet, 400, 400);
      check_get (as_limit, 400, 400);
      check_get (as_offset, 400, 400);
    }
  {
    g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=jobs&limit=5000",
                                              owner->master_address);

    check_get (path, 400, 400);
  }
  {
    g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=jobs&limit=-1",
                                              owner->master_address);

    check_get (path, 400, 400);
  }
  {
    g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=deliveries",
                                              owner->master_address);

    check_get (path, 400, 400);
  }
  {
    g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=by_job_id",
                                              owner->master_address);

    check_get (path, 400, 400);
  }
  {
    /* Thousands of job ids. */
    g_autoptr (GString) path = g_string_new (NULL);

    g_string_printf (path, "query?owner=%s&query=by_job_id&job_ids=", owner->master_address);
    for (guint i = 0; i < 3000; i++)
      g_string_append_printf (path, "%s%05u", i > 0 ? "," : "", i);
    check_get (path->str, 400, 400);
    g_string_printf (path, "query?owner=%s&query=dispute&job_ids=", owner->master_address);
    for (guint i = 0; i < 3000; i++)
      g_string_append_printf (path, "%s%05u", i > 0 ? "," : "", i);
    check_get (path->str, 400, 400);
  }
  check_get ("query?owner=%FF&query=jobs", 400, 400);

  /* ---- raw HTTP ---- */
  {
    gsize size = 10 * 1024 * 1024;
    g_autoptr (GString) request = g_string_sized_new (size + 100);
    g_autofree gchar *filler = g_strnfill (size, 'a');

    g_string_append (request, "GET /get?key=");
    g_string_append (request, filler);
    g_string_append (request, " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    check ("10 MB query string", http_raw (server, request->str, request->len), 414, 414);
  }
  {
    g_autofree gchar *filler = g_strnfill (40000, 'a');
    g_autofree gchar *request = g_strdup_printf ("GET /get?key=%s HTTP/1.1\r\nHost: x\r\n\r\n",
                                                 filler);

    check ("40 kB query string", http_raw (server, request, strlen (request)), 400, 414);
  }
  {
    const gchar *request = "POST /put HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n"
                           "Content-Type: application/json\r\n\r\n{\"key\":";

    check ("announced 50 MB body", http_raw (server, request, strlen (request)), 413, 413);
  }
  {
    const gchar *request = "POST /put HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n"
                           "Connection: close\r\n\r\n{\"key\": \"AB";

    /* The body ends early: the server answers when the client gives up. */
    Answer *answer = http_raw (server, request, strlen (request));

    g_assert_true (answer->status == 0 || (answer->status >= 400 && answer->status < 500));
    answer_free (answer);
  }

  g_test_message ("%u bad inputs checked", n_checked);
  g_assert_cmpuint (n_checked, >=, 30);
}

/* Patterns and quotes in query parameters match literally or nothing. */
static void
test_literal (void)
{
  g_autoptr (Identity) owner = identity_new ("literal");
  const gchar *weird_id = "50%_off' OR 1=1 --";
  g_autofree gchar *weird_doc = NULL;
  g_autofree gchar *plain_doc = NULL;
  g_autofree gchar *plain_id = random_job_id ();
  g_autofree gchar *escaped = g_uri_escape_string (weird_id, NULL, FALSE);
  const gchar *patterns[] = { "%25", "_", "%25%25", "%27%20OR%201%3D1%20--", "%22%29%3B", "*" };
  const gchar *params[][2] = {
    { "in-process", "worker" },
    { "review", "mediator" },
    { "deliveries", "job_creator" },
    { "by_job_id", "job_ids" },
    { "dispute", "job_ids" },
  };

  identity_register (owner, server);
  weird_doc = job_document (owner, weird_id);
  plain_doc = job_document (owner, plain_id);
  {
    g_autofree gchar *key1 = random_key ();
    g_autofree gchar *key2 = random_key ();
    g_autoptr (Answer) first = identity_put (owner, server, key1, weird_doc, FALSE);
    g_autoptr (Answer) second = identity_put (owner, server, key2, plain_doc, FALSE);

    g_assert_cmpuint (first->status, ==, 201);
    g_assert_cmpuint (second->status, ==, 201);
  }

  for (guint i = 0; i < G_N_ELEMENTS (params); i++)
    for (guint j = 0; j < G_N_ELEMENTS (patterns); j++)
      {
        g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=%s&%s=%s",
                                                  owner->master_address, params[i][0],
                                                  params[i][1], patterns[j]);
        g_autoptr (Answer) answer = http_get (server, path);
        JsonArray *found;

        g_test_message ("%.100s: %u %.200s", path, answer->status, answer->body);
        if (answer->status != 200)
          {
            g_assert_cmpuint (answer->status, >=, 400);
            g_assert_cmpuint (answer->status, <, 500);
            g_assert_true (answer_is_json_error (answer));
            continue;
          }
        found = json_object_get_array_member (answer_object (answer), params[i][0]);
        g_assert_cmpuint (json_array_get_length (found), ==, 0);
      }

  /* The literal id finds its document, and only it. */
  {
    g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=by_job_id&job_ids=%s",
                                              owner->master_address, escaped);
    g_autoptr (Answer) answer = http_get (server, path);
    JsonArray *found;

    g_assert_cmpuint (answer->status, ==, 200);
    found = json_object_get_array_member (answer_object (answer), "by_job_id");
    g_assert_cmpuint (json_array_get_length (found), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (found, 0), ==, weird_doc);
  }
}

/* An answer to a pattern: a 4xx JSON error, or a 200 whose @member array
 * (when not NULL) is empty. Then the server must still answer. */
static void
check_error_or_empty (const gchar *what, Answer *answer, const gchar *member)
{
  g_test_message ("%.100s: %u %.200s", what, answer->status, answer->body);
  if (answer->status == 200)
    {
      if (member != NULL)
        g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                            answer_object (answer), member)), ==, 0);
    }
  else
    {
      g_assert_cmpuint (answer->status, >=, 400);
      g_assert_cmpuint (answer->status, <, 500);
      if (!answer_is_json_error (answer))
        g_error ("%.100s: not a JSON error: %.200s", what, answer->body);
    }
  answer_free (answer);
  {
    g_autoptr (Answer) status = http_get (server, "status");

    g_assert_cmpuint (status->status, ==, 200);
  }
}

/* The contact stored for @owner's buckets, read from the database itself. */
static gchar *
stored_contact (const gchar *owner, gint *out_buckets)
{
  g_autoptr (GPtrArray) contacts = NULL;

  contacts = test_store_select (server->database,
                                "SELECT contact FROM buckets WHERE owner = $1 ORDER BY id", owner);
  *out_buckets = (gint) contacts->len;
  return contacts->len > 0 ? g_strdup (g_ptr_array_index (contacts, contacts->len - 1)) : NULL;
}

/* The same patterns in /nonce, /request and the enrollments query: each is
 * refused with a 4xx JSON error or taken literally. */
static void
test_literal_params (void)
{
  g_autoptr (Identity) owner = identity_new ("patterns");
  g_autoptr (Identity) lookalike = identity_new ("lookalike");
  g_autofree gchar *enrollment = NULL;
  g_autofree gchar *nonce = NULL;
  const gchar *patterns[] = {
    "%25", "_", "%25%25", "%27", "%22", "%27%20OR%201%3D1%20--", "%22%20OR%20%22%22%3D%22",
    "%5C", "*",
  };

  identity_register (owner, server);
  nonce = g_strdup (identity_fetch_nonce (owner, server));
  enrollment = identity_enrollment (owner, TRUE);
  {
    g_autofree gchar *key = random_key ();
    g_autoptr (Answer) answer = identity_put (owner, server, key, enrollment, FALSE);

    g_assert_cmpuint (answer->status, ==, 201);
  }

  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    {
      g_autofree gchar *literal = g_uri_unescape_string (patterns[i], NULL);

      g_assert_nonnull (literal);

      /* /nonce?address=: no owner has that address. The original server
       * answers an unknown owner with HTTP 500 and clients rely on nothing
       * else, so this one stays a 500: the deliberate exception to "4xx". */
      {
        g_autofree gchar *path = g_strdup_printf ("nonce?address=%s", patterns[i]);
        g_autoptr (Answer) answer = http_get (server, path);

        g_assert_cmpuint (answer->status, ==, 500);
        g_assert_cmpstr (answer->body, ==, "{\"error\":\"User not found\"}");
      }

      /* /nonce&clear=: matches the nonce literally or not at all, so it
       * clears nothing. */
      {
        g_autofree gchar *path = g_strdup_printf ("nonce?address=%s&clear=%s",
                                                  owner->master_address, patterns[i]);
        g_autoptr (Answer) answer = http_get (server, path);

        g_test_message ("%.100s: %u %.200s", path, answer->status, answer->body);
        g_assert_cmpuint (answer->status, ==, 200);
        g_assert_cmpstr (json_object_get_string_member (answer_object (answer), "nonce"), ==,
                         nonce);
      }

      /* /request&delegate=: not an address. Nothing is registered. */
      {
        g_autofree gchar *path = g_strdup_printf ("request?owner=%s&delegate=%s&contact=x",
                                                  lookalike->master_address, patterns[i]);
        g_autofree gchar *unknown = g_strdup_printf ("nonce?address=%s",
                                                     lookalike->master_address);
        g_autoptr (Answer) after = NULL;

        check (path, http_get (server, path), 400, 400);
        after = http_get (server, unknown);
        g_assert_cmpuint (after->status, ==, 500);
      }

      /* /request&contact=: free text, stored as it is, for this owner only. */
      {
        g_autoptr (Identity) fresh = identity_new ("fresh");
        g_autofree gchar *path = g_strdup_printf ("request?owner=%s&delegate=%s&contact=%s",
                                                  fresh->master_address,
                                                  fresh->delegate_address, patterns[i]);
        g_autoptr (Answer) answer = http_get (server, path);
        g_autofree gchar *contact = NULL;
        g_autofree gchar *owner_contact = NULL;
        gint buckets = 0;

        g_test_message ("%.100s: %u %.200s", path, answer->status, answer->body);
        g_assert_cmpuint (answer->status, ==, 200);
        g_assert_cmpstr (json_object_get_string_member (answer_object (answer), "result"), ==,
                         "success");
        g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                            answer_object (answer), "buckets")), ==, 1);
        contact = stored_contact (fresh->master_address, &buckets);
        g_assert_cmpint (buckets, ==, 1);
        g_assert_cmpstr (contact, ==, literal);
        owner_contact = stored_contact (owner->master_address, &buckets);
        g_assert_cmpint (buckets, ==, 1);
        g_assert_cmpstr (owner_contact, ==, "patterns@example.com");
      }

      /* The enrollments query: its addresses, owner, testnet, limit and
       * offset. */
      {
        g_autofree gchar *as_addresses = g_strdup_printf (
          "query?owner=%s&query=enrollments&addresses=%s", owner->master_address, patterns[i]);
        g_autofree gchar *as_second = g_strdup_printf (
          "query?owner=%s&query=enrollments&addresses=%s,%s", owner->master_address,
          lookalike->delegate_address, patterns[i]);
        g_autofree gchar *as_suffix = g_strdup_printf (
          "query?owner=%s&query=enrollments&addresses=%s%s", owner->master_address,
          owner->master_address, patterns[i]);
        g_autofree gchar *as_owner = g_strdup_printf (
          "query?owner=%s&query=enrollments&addresses=%s", patterns[i], owner->master_address);
        g_autofree gchar *as_testnet = g_strdup_printf (
          "query?owner=%s&query=enrollments&addresses=%s&testnet=%s", owner->master_address,
          owner->master_address, patterns[i]);
        g_autofree gchar *as_limit = g_strdup_printf (
          "query?owner=%s&query=enrollments&addresses=%s&limit=%s", owner->master_address,
          owner->master_address, patterns[i]);
        g_autofree gchar *as_offset = g_strdup_printf (
          "query?owner=%s&query=enrollments&addresses=%s&offset=%s", owner->master_address,
          owner->master_address, patterns[i]);

        check_error_or_empty (as_addresses, http_get (server, as_addresses), "enrollments");
        check_error_or_empty (as_second, http_get (server, as_second), "enrollments");
        check_error_or_empty (as_suffix, http_get (server, as_suffix), "enrollments");
        check (as_owner, http_get (server, as_owner), 403, 403);
        check (as_testnet, http_get (server, as_testnet), 400, 400);
        check (as_limit, http_get (server, as_limit), 400, 400);
        check (as_offset, http_get (server, as_offset), 400, 400);
      }
    }

  /* Through all that: the nonce was never cleared, and the plain query
   * still finds the one enrollment. */
  g_assert_cmpstr (identity_fetch_nonce (owner, server), ==, nonce);
  {
    g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=enrollments&addresses=%s",
                                              owner->master_address, owner->master_address);
    g_autoptr (Answer) answer = http_get (server, path);
    JsonArray *found;

    g_assert_cmpuint (answer->status, ==, 200);
    found = json_object_get_array_member (answer_object (answer), "enrollments");
    g_assert_cmpuint (json_array_get_length (found), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (found, 0), ==, enrollment);
  }
}

/* Requests beyond the configured rate get 429, and service resumes. */
static void
test_rate_limit (void)
{
  g_autoptr (TestServer) limited = NULL;
  g_autoptr (GTimer) timer = NULL;
  guint limited_count = 0, ok_count = 0;

  limited = test_server_start (NULL, (const gchar *const[]) { "--rate=5", NULL });
  timer = g_timer_new ();
  for (guint i = 0; i < 40; i++)
    {
      g_autoptr (Answer) answer = http_get (limited, "status");

      if (answer->status == 429)
        {
          g_assert_true (answer_is_json_error (answer));
          limited_count++;
        }
      else
        {
          g_assert_cmpuint (answer->status, ==, 200);
          ok_count++;
        }
    }
  /* A burst of 5, then 5 a second: however slow this machine is. */
  g_assert_cmpuint (ok_count, >=, 5);
  g_assert_cmpfloat (ok_count, <=, 5 + 5 * g_timer_elapsed (timer, NULL) + 1);
  g_assert_cmpuint (limited_count, >, 0);

  g_usleep (1200 * 1000);
  {
    g_autoptr (Answer) answer = http_get (limited, "status");

    g_assert_cmpuint (answer->status, ==, 200);
  }
}

/* Connections beyond the per-address limit get 429 and are closed. */
static void
test_connection_limit (void)
{
  g_autoptr (TestServer) limited = NULL;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);

  limited = test_server_start (NULL, (const gchar *const[]) { "--max-connections=3", NULL });
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (GError) error = NULL;
      GSocketConnection *connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                                       limited->port, NULL,
                                                                       &error);

      g_assert_no_error (error);
      /* A head that never ends: the server holds the connection open. */
      g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                 "GET /status HTTP/1.1\r\n", 22, NULL, NULL, &error);
      g_assert_no_error (error);
      g_ptr_array_add (held, connection);
    }
  /* The server accepts the three (they have sent something) in its own
   * time: until then a fourth may still get in. */
  for (guint attempt = 0;; attempt++)
    {
      const gchar *request = "GET /status HTTP/1.1\r\nHost: x\r\n\r\n";
      g_autoptr (Answer) answer = http_raw (limited, request, strlen (request));

      if (answer->status == 429)
        {
          g_assert_true (answer_is_json_error (answer));
          break;
        }
      g_assert_cmpuint (answer->status, ==, 200);
      g_assert_cmpuint (attempt, <, 50);
      g_usleep (100 * 1000);
    }
  /* Once they are gone, their places are free again. */
  g_ptr_array_set_size (held, 0);
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr (Answer) answer = http_get (limited, "status");

      if (answer->status == 200)
        break;
      g_assert_cmpuint (answer->status, ==, 429);
      g_assert_cmpuint (attempt, <, 50);
      g_usleep (100 * 1000);
    }
}

/* Clients that hang up while their put waits for the writer or their query
 * is answered: the server notices, drops the answer and keeps serving. */
static void
test_hang_ups (void)
{
  g_autoptr (Identity) owner = identity_new ("hangup");
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autofree gchar *job_id = random_job_id ();
  g_autofree gchar *document = NULL;

  identity_register (owner, server);
  identity_fetch_nonce (owner, server);
  document = job_document (owner, job_id);

  for (guint i = 0; i < 60; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSocketConnection) connection = NULL;
      g_autofree gchar *key = random_key ();
      g_autofree gchar *body = identity_put_body (owner, owner, key, document, owner->nonce,
                                                  FALSE);
      g_autofree gchar *request = NULL;

      if (i % 3 == 0)
        request = g_strdup_printf ("POST /put HTTP/1.1\r\nHost: x\r\nContent-Length: %"
                                   G_GSIZE_FORMAT "\r\n\r\n%s", strlen (body), body);
      else if (i % 3 == 1)
        request = g_strdup_printf ("GET /nonce?address=%s HTTP/1.1\r\nHost: x\r\n\r\n",
                                   owner->master_address);
      else
        request = g_strdup_printf ("GET /query?owner=%s&query=jobs HTTP/1.1\r\nHost: x\r\n\r\n",
                                   owner->master_address);
      connection = g_socket_client_connect_to_host (client, "127.0.0.1", server->port, NULL,
                                                    &error);
      g_assert_no_error (error);
      g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                 request, strlen (request), NULL, NULL, NULL);
      /* and go away without reading */
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    }

  g_usleep (300 * 1000);
  {
    g_autoptr (Answer) answer = http_get (server, "status");

    g_assert_cmpuint (answer->status, ==, 200);
  }
  /* teardown asserts the server still exits cleanly */
}

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

  add ("/server/bad-input/table", test_table);
  add ("/server/bad-input/literal", test_literal);
  add ("/server/bad-input/literal-params", test_literal_params);
  add ("/server/bad-input/rate-limit", test_rate_limit);
  add ("/server/bad-input/connection-limit", test_connection_limit);
  add ("/server/bad-input/hang-ups", test_hang_ups);

  return g_test_run ();
}
