/* test-server-enrollments.c: the "enrollments" query, our extension
 *
 * A reader validating a job must bind each signer to an enrollment; the
 * original queries only return mediators' enrollments. "enrollments" takes
 * P2PKH addresses (master or delegate, either network's form) and returns
 * the enrollments naming them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "server-fixture.h"

static JsonArray *
query_enrollments (TestServer *server, Identity *asker, const gchar *addresses,
                   gboolean testnet, Answer **out)
{
  g_autofree gchar *escaped = g_uri_escape_string (addresses, NULL, TRUE);
  g_autofree gchar *path = g_strdup_printf ("query?owner=%s&query=enrollments&testnet=%d"
                                            "&addresses=%s", asker->master_address,
                                            testnet ? 1 : 0, escaped);
  Answer *answer = http_get (server, path);

  *out = answer;
  if (answer->status != 200)
    return NULL;
  return json_object_get_array_member (answer_object (answer), "enrollments");
}

static void
test_enrollments (void)
{
  TestServer *server = test_server_start (NULL, NULL);
  g_autoptr (Identity) alice = identity_new ("Alice");
  g_autoptr (Identity) bob = identity_new ("Bob");
  g_autoptr (Identity) carol = identity_new ("Carol");
  g_autofree gchar *alice_enrollment = identity_enrollment (alice, TRUE);
  g_autofree gchar *bob_enrollment = identity_enrollment (bob, FALSE);
  g_autofree gchar *k1 = random_key ();
  g_autofree gchar *k2 = random_key ();
  g_autoptr (Answer) put1 = NULL;
  g_autoptr (Answer) put2 = NULL;
  Answer *answer = NULL;
  JsonArray *found;

  identity_register (alice, server);
  identity_register (bob, server);
  identity_register (carol, server);
  put1 = identity_put (alice, server, k1, alice_enrollment, FALSE);
  g_assert_cmpuint (put1->status, ==, 201);
  put2 = identity_put (bob, server, k2, bob_enrollment, FALSE);
  g_assert_cmpuint (put2->status, ==, 201);

  /* by delegate, by master, several at once, unknown ones ignored */
  found = query_enrollments (server, carol, bob->delegate_address, FALSE, &answer);
  g_assert_nonnull (found);
  g_assert_cmpuint (json_array_get_length (found), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (found, 0), ==, bob_enrollment);
  answer_free (answer);

  {
    g_autofree gchar *both = g_strdup_printf ("%s, %s,%s", alice->master_address,
                                              bob->master_address, carol->delegate_address);

    found = query_enrollments (server, carol, both, FALSE, &answer);
    g_assert_cmpuint (json_array_get_length (found), ==, 2);
    answer_free (answer);
  }

  /* the testnet form of an address finds the same key, on its own
   * namespace only */
  {
    g_autofree gchar *testnet_form = rein_address_convert (bob->delegate_address,
                                                           REIN_NETWORK_TESTNET, NULL);

    found = query_enrollments (server, carol, testnet_form, FALSE, &answer);
    g_assert_cmpuint (json_array_get_length (found), ==, 1);
    answer_free (answer);
    found = query_enrollments (server, carol, testnet_form, TRUE, &answer);
    g_assert_cmpuint (json_array_get_length (found), ==, 0);
    answer_free (answer);
  }

  /* a script address names no key, not even with a key's hash (it used to
   * find the key's enrollment); nor does a bare public key stand for an
   * address */
  {
    g_autofree gchar *script_form = NULL;
    guint8 hash[20];

    g_assert_true (rein_key_id_from_string (bob->delegate_address, hash));
    script_form = rein_address_from_hash160 (hash, REIN_ADDRESS_P2SH, REIN_NETWORK_MAINNET);
    found = query_enrollments (server, carol, script_form, FALSE, &answer);
    g_assert_null (found);
    g_assert_cmpuint (answer->status, ==, 400);
    answer_free (answer);
    found = query_enrollments (server, carol, bob->public_key, FALSE, &answer);
    g_assert_null (found);
    g_assert_cmpuint (answer->status, ==, 400);
    answer_free (answer);
  }

  /* bad input */
  found = query_enrollments (server, carol, "not-an-address", FALSE, &answer);
  g_assert_null (found);
  g_assert_cmpuint (answer->status, ==, 400);
  g_assert_true (answer_is_json_error (answer));
  answer_free (answer);
  found = query_enrollments (server, carol, "' OR 1=1 --", FALSE, &answer);
  g_assert_cmpuint (answer->status, ==, 400);
  answer_free (answer);

  test_server_stop (server);
  test_server_free (server);
}

/* A replaced enrollment leaves the index with it, even when its row id is
 * given to the next document. */
static void
test_replaced (void)
{
  TestServer *server = test_server_start (NULL, NULL);
  g_autoptr (Identity) dave = identity_new ("Dave");
  g_autofree gchar *enrollment = identity_enrollment (dave, FALSE);
  g_autofree gchar *job = identity_sign (dave, "Rein Job\nJob name: One\nJob ID: aaaaaaaaaaaaaaaaaaaa");
  g_autofree gchar *other = identity_sign (dave, "Rein Job\nJob name: Two\nJob ID: bbbbbbbbbbbbbbbbbbbb");
  g_autofree gchar *k1 = random_key ();
  g_autofree gchar *k2 = random_key ();
  g_autofree gchar *k3 = random_key ();
  Answer *answer = NULL;
  JsonArray *found;

  identity_register (dave, server);
#define PUT(key, value) \
  G_STMT_START { \
    g_autoptr (Answer) put_ = identity_put (dave, server, key, value, FALSE); \
    g_assert_cmpuint (put_->status, ==, 201); \
  } G_STMT_END
  PUT (k1, job);
  PUT (k2, enrollment);
  /* k2 now holds the job too: the enrollment (the newest row) is dropped */
  PUT (k2, job);
  PUT (k3, other);
#undef PUT

  found = query_enrollments (server, dave, dave->delegate_address, FALSE, &answer);
  g_assert_nonnull (found);
  g_assert_cmpuint (json_array_get_length (found), ==, 0);
  answer_free (answer);

  test_server_free (server);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/query/enrollments", test_enrollments);
  g_test_add_func ("/server/query/enrollments-replaced", test_replaced);

  return g_test_run ();
}
