/* test-store.c: sealed secrets, the local database and identities
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "rein-json.h"
#include "rein-store.h"
#include "rein-test-util.h"

#define VECTOR_PHRASE \
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

typedef struct
{
  gchar *dir;
  ReinStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("rein-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = rein_store_open (f->dir, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  rein_test_remove_tree (f->dir);
  g_free (f->dir);
}

static const ReinIdentityParams alice = {
  .name = "Alice", .contact = "alice@example.com", .will_mediate = TRUE,
  .mediator_fee_percent = 1.5, .testnet = FALSE,
};

/* ---- sealed secrets ---- */

static void
test_secret_roundtrip (void)
{
  g_autoptr (GError) error = NULL;
  const gchar secret[] = "the quick brown fox";
  g_autoptr (GBytes) sealed = rein_secret_seal ("pw", (const guint8 *) secret, strlen (secret),
                                                "ctx", &error);
  guint8 *plain;
  gsize len = 0;

  g_assert_no_error (error);
  /* nothing of the secret shows in the sealed form */
  g_assert_null (memmem (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed), "quick", 5));

  plain = rein_secret_open ("pw", sealed, "ctx", &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (plain, len, secret, strlen (secret));
  g_assert_cmpuint (plain[len], ==, 0);
  rein_secure_free (plain);

  g_assert_null (rein_secret_open ("wrong", sealed, "ctx", &len, &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);

  /* bound to its context */
  g_assert_null (rein_secret_open ("pw", sealed, "other", &len, &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);

  /* every flipped byte is detected */
  for (gsize i = 0; i < g_bytes_get_size (sealed); i++)
    {
      g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (sealed, NULL),
                                           g_bytes_get_size (sealed));
      g_autoptr (GBytes) bad = NULL;

      copy[i] ^= 0x01;
      bad = g_bytes_new (copy, g_bytes_get_size (sealed));
      g_assert_null (rein_secret_open ("pw", bad, "ctx", &len, &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == REIN_STORE_ERROR);
      g_clear_error (&error);
    }

  /* truncated */
  {
    g_autoptr (GBytes) cut = g_bytes_new_from_bytes (sealed, 0, 20);

    g_assert_null (rein_secret_open ("pw", cut, "ctx", &len, &error));
    g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_CORRUPT);
  }
}

/* ---- database ---- */

/* The page size of the store in @dir. */
static gint
page_size (const gchar *dir)
{
  g_autofree gchar *path = g_build_filename (dir, "rein.db", NULL);
  sqlite3 *db;
  sqlite3_stmt *stmt;
  gint size;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA page_size", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  size = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return size;
}

static void
test_open_and_migrate (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinStore) again = NULL;
  sqlite3 *db;

  g_assert_cmpint (rein_store_get_schema_version (f->store), ==, REIN_STORE_SCHEMA_VERSION);
  g_clear_object (&f->store);

  /* a new store has 16 KiB pages: a refresh writes 400,000 rows of a
   * kilobyte or more, and 4 KiB pages made 4 times the writes */
  g_assert_cmpint (page_size (f->dir), ==, 16384);

  /* reopening changes nothing */
  again = rein_store_open (f->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rein_store_get_schema_version (again), ==, REIN_STORE_SCHEMA_VERSION);
  g_clear_object (&again);
  g_assert_cmpint (page_size (f->dir), ==, 16384);

  /* a store made with SQLite's 4 KiB pages (before this) opens as it is */
  {
    g_autofree gchar *old_dir = g_dir_make_tmp ("rein-store-old-XXXXXX", NULL);
    g_autofree gchar *path = g_build_filename (old_dir, "rein.db", NULL);
    g_autoptr (ReinStore) old = NULL;

    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; "
                                       "CREATE TABLE t (x);", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
    old = rein_store_open (old_dir, &error);
    g_assert_no_error (error);
    g_assert_cmpint (rein_store_get_schema_version (old), ==, REIN_STORE_SCHEMA_VERSION);
    g_clear_object (&old);
    g_assert_cmpint (page_size (old_dir), ==, 4096);
    rein_test_remove_tree (old_dir);
  }

  /* a database from the future is refused, not damaged */
  {
    g_autofree gchar *path = g_build_filename (f->dir, "rein.db", NULL);

    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==,
                     SQLITE_OK);
    sqlite3_close (db);
  }
  again = rein_store_open (f->dir, &error);
  g_assert_null (again);
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_TOO_NEW);
}

static void
test_identity_from_mnemonic (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinIdentity) id = NULL;
  g_autoptr (ReinIdentity) active = NULL;
  g_autoptr (ReinDocument) enrollment = NULL;
  g_autoptr (ReinPrivateKey) delegate = NULL;
  g_autoptr (ReinPrivateKey) master = NULL;
  g_autofree gchar *delegate_addr = NULL, *master_addr = NULL;
  g_autoptr (GPtrArray) docs = NULL;

  id = rein_store_add_identity_from_mnemonic (f->store, &alice, VECTOR_PHRASE, NULL, "pw",
                                              &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rein_identity_get_master_address (id), ==, "14MeYsuF2HsKZZ9mkUUPUQWe4VG2WqseC5");
  g_assert_cmpstr (rein_identity_get_delegate_address (id), ==,
                   "1DWmeP5Lre1K59yJTYrJ4sT4Ch3ohPukWv");
  g_assert_cmpstr (rein_identity_get_delegate_public_key (id), ==,
                   "037e34842c0a8a8833d60481f80d5c69c99290c60038f8c07a83b851e06fc60690");
  g_assert_cmpstr (rein_identity_get_mediator_fee (id), ==, "1.5%");
  g_assert_true (rein_identity_get_has_mnemonic (id));

  /* the stored enrollment verifies and is signed by the master address */
  enrollment = rein_document_new_from_armored (rein_identity_get_enrollment (id), -1, &error);
  g_assert_no_error (error);
  g_assert_true (rein_document_verify (enrollment, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (rein_document_get_signer (enrollment), ==,
                   "14MeYsuF2HsKZZ9mkUUPUQWe4VG2WqseC5");
  g_assert_cmpstr (rein_document_get_field (enrollment, "Mediator public key"), ==,
                   "037e34842c0a8a8833d60481f80d5c69c99290c60038f8c07a83b851e06fc60690");
  docs = rein_store_list_own_documents (f->store, rein_identity_get_id (id), &error);
  g_assert_cmpuint (docs->len, ==, 1);

  /* the first identity is the active one */
  active = rein_store_get_active_identity (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rein_identity_get_id (active), ==, rein_identity_get_id (id));

  delegate = rein_store_unlock_delegate_key (f->store, id, "pw", &error);
  g_assert_no_error (error);
  delegate_addr = rein_private_key_get_address (delegate, REIN_NETWORK_MAINNET);
  g_assert_cmpstr (delegate_addr, ==, "1DWmeP5Lre1K59yJTYrJ4sT4Ch3ohPukWv");
  master = rein_store_unlock_master_key (f->store, id, "pw", &error);
  g_assert_no_error (error);
  master_addr = rein_private_key_get_address (master, REIN_NETWORK_MAINNET);
  g_assert_cmpstr (master_addr, ==, "14MeYsuF2HsKZZ9mkUUPUQWe4VG2WqseC5");

  g_assert_null (rein_store_unlock_delegate_key (f->store, id, "wrong", &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_WRONG_PASSWORD);
  g_assert_cmpstr (error->message, ==, "Wrong password");
  g_clear_error (&error);

  /* same name twice */
  g_assert_null (rein_store_add_identity_from_mnemonic (f->store, &alice, VECTOR_PHRASE, NULL,
                                                        "pw", &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  /* bad phrase checksum, no password, no name */
  {
    ReinIdentityParams p = alice;

    p.name = "Other";
    g_assert_null (rein_store_add_identity_from_mnemonic (
        f->store, &p, "abandon abandon abandon abandon abandon abandon abandon abandon abandon "
                      "abandon abandon abandon", NULL, "pw", &error));
    g_assert_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_BAD_CHECKSUM);
    g_clear_error (&error);
    g_assert_null (rein_store_add_identity_from_mnemonic (f->store, &p, VECTOR_PHRASE, NULL, "",
                                                          &error));
    g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
    g_clear_error (&error);
    p.name = "  ";
    g_assert_null (rein_store_add_identity_from_mnemonic (f->store, &p, VECTOR_PHRASE, NULL, "pw",
                                                          &error));
    g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
  }
}

static void
test_testnet_identity (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ReinIdentityParams p = { .name = "T", .contact = "t@example.com", .testnet = TRUE };
  g_autoptr (ReinIdentity) id = rein_store_add_identity_from_mnemonic (f->store, &p, VECTOR_PHRASE,
                                                                       NULL, "pw", &error);
  g_autoptr (ReinDocument) enrollment = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (rein_identity_get_master_address (id), ==, "misbqvzDqKJaLfdPU3SmJKixvUrjNeYgL8");
  g_assert_cmpstr (rein_identity_get_delegate_address (id), ==,
                   "mt2iwSAKffSZrGSvB7pftnfP4geWb1znHy");
  enrollment = rein_document_new_from_armored (rein_identity_get_enrollment (id), -1, &error);
  g_assert_cmpstr (rein_document_get_field (enrollment, "Testnet"), ==, "True");
  g_assert_true (rein_document_verify (enrollment, &error));
}

static void
test_identity_from_keys (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPrivateKey) master = rein_private_key_generate (TRUE);
  g_autoptr (ReinPrivateKey) delegate = rein_private_key_generate (TRUE);
  g_autoptr (ReinPrivateKey) stranger = rein_private_key_generate (TRUE);
  g_autofree gchar *master_addr = rein_private_key_get_address (master, REIN_NETWORK_MAINNET);
  gchar *wif = rein_private_key_to_wif (delegate, REIN_NETWORK_MAINNET);
  ReinIdentityParams p = { .name = "Bob", .contact = "bob@example.com" };
  g_autofree gchar *text = NULL;
  g_autoptr (ReinDocument) good = NULL;
  g_autofree gchar *wrong_signer = NULL;
  g_autoptr (ReinDocument) wrong_text = NULL;
  g_autoptr (ReinIdentity) id = NULL;

  text = rein_store_enrollment_text_for_keys (&p, master_addr, wif, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (text, "Rein User Enrollment\nUser: Bob\n"));

  /* signed "outside", by the master key */
  good = rein_document_new_signed (text, master, REIN_NETWORK_MAINNET, &error);
  g_assert_no_error (error);
  /* Rein itself refuses to sign an enrollment with another key, so forge
   * the armor by hand, as another wallet would. */
  {
    g_autofree gchar *sig = rein_message_sign (stranger, text, strlen (text), &error);
    g_autofree gchar *addr = rein_private_key_get_address (stranger, REIN_NETWORK_MAINNET);

    g_assert_no_error (error);
    wrong_signer = rein_armor_build (text, addr, sig);
  }
  {
    g_autofree gchar *other = g_strconcat (text, "x", NULL);

    wrong_text = rein_document_new_signed (other, master, REIN_NETWORK_MAINNET, &error);
  }

  g_assert_null (rein_store_add_identity_from_keys (f->store, &p, master_addr, wif,
                                                    wrong_signer, "pw",
                                                    &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "not by the master address"));
  g_clear_error (&error);

  g_assert_null (rein_store_add_identity_from_keys (f->store, &p, master_addr, wif,
                                                    rein_document_get_armored (wrong_text), "pw",
                                                    &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "differs"));
  g_clear_error (&error);

  g_assert_null (rein_store_add_identity_from_keys (f->store, &p, master_addr, wif,
                                                    "not a signed message", "pw", &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_null (rein_store_add_identity_from_keys (f->store, &p, "1notanaddress", wif,
                                                    rein_document_get_armored (good), "pw",
                                                    &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_null (rein_store_add_identity_from_keys (f->store, &p, master_addr, "Kbadwif",
                                                    rein_document_get_armored (good), "pw",
                                                    &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
  /* never echoes the key */
  g_assert_null (strstr (error->message, "Kbadwif"));
  g_clear_error (&error);

  id = rein_store_add_identity_from_keys (f->store, &p, master_addr, wif,
                                          rein_document_get_armored (good), "pw", &error);
  g_assert_no_error (error);
  g_assert_false (rein_identity_get_has_mnemonic (id));
  g_assert_cmpstr (rein_identity_get_enrollment (id), ==, rein_document_get_armored (good));

  g_assert_null (rein_store_unlock_master_key (f->store, id, "pw", &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND);
  rein_secure_free (wif);
}

static gchar *
python_backup_json (ReinPrivateKey *delegate, const gchar *maddr, const gchar *daddr)
{
  gchar *wif = rein_private_key_to_wif (delegate, REIN_NETWORK_MAINNET);
  gchar *json = g_strdup_printf ("{\"name\": \"Carol\", \"contact\": \"carol@example.com\", "
                                 "\"maddr\": \"%s\", \"daddr\": \"%s\", \"dkey\": \"%s\", "
                                 "\"will_mediate\": false, \"mediator_fee\": \"1\", "
                                 "\"testnet\": false}", maddr, daddr, wif);

  rein_secure_free (wif);
  return json;
}

/* Old testnet documents used mainnet-format addresses: an enrollment signed
 * under the other network's spelling of the master address is the
 * master's (rein_same_key()); it used to be refused for not being the very
 * same string. A python-rein backup's delegate address may be spelled
 * either way too. */
static void
test_identity_from_keys_other_network (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPrivateKey) master = rein_private_key_generate (TRUE);
  g_autoptr (ReinPrivateKey) delegate = rein_private_key_generate (TRUE);
  g_autofree gchar *master_addr = rein_private_key_get_address (master, REIN_NETWORK_TESTNET);
  g_autofree gchar *master_main = rein_private_key_get_address (master, REIN_NETWORK_MAINNET);
  gchar *wif = rein_private_key_to_wif (delegate, REIN_NETWORK_TESTNET);
  ReinIdentityParams p = { .name = "Tess", .contact = "tess@example.com", .testnet = TRUE };
  g_autofree gchar *text = NULL;
  g_autofree gchar *sig = NULL;
  g_autofree gchar *armored = NULL;
  g_autoptr (ReinIdentity) id = NULL;

  text = rein_store_enrollment_text_for_keys (&p, master_addr, wif, &error);
  g_assert_no_error (error);
  sig = rein_message_sign (master, text, strlen (text), &error);
  g_assert_no_error (error);
  armored = rein_armor_build (text, master_main, sig);

  id = rein_store_add_identity_from_keys (f->store, &p, master_addr, wif, armored, "pw", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rein_identity_get_master_address (id), ==, master_addr);
  rein_secure_free (wif);

  {
    g_autoptr (ReinPrivateKey) other_master = rein_private_key_generate (TRUE);
    g_autoptr (ReinPrivateKey) other = rein_private_key_generate (TRUE);
    g_autofree gchar *maddr = rein_private_key_get_address (other_master, REIN_NETWORK_MAINNET);
    g_autofree gchar *daddr = rein_private_key_get_address (other, REIN_NETWORK_TESTNET);
    g_autofree gchar *json = python_backup_json (other, maddr, daddr);
    g_autoptr (ReinIdentity) restored = NULL;

    restored = rein_store_import_python_backup (f->store, json, strlen (json), "pw", &error);
    g_assert_no_error (error);
    g_assert_true (rein_same_key (rein_identity_get_delegate_address (restored), daddr));
  }
}

static void
test_python_backup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPrivateKey) master = rein_private_key_generate (TRUE);
  g_autoptr (ReinPrivateKey) delegate = rein_private_key_generate (TRUE);
  g_autofree gchar *maddr = rein_private_key_get_address (master, REIN_NETWORK_MAINNET);
  g_autofree gchar *daddr = rein_private_key_get_address (delegate, REIN_NETWORK_MAINNET);
  g_autofree gchar *json = python_backup_json (delegate, maddr, daddr);
  g_autofree gchar *mismatched = python_backup_json (delegate, maddr, maddr);
  g_autofree gchar *daddr_p2sh = NULL;
  g_autofree gchar *script_delegate = NULL;
  g_autoptr (ReinIdentity) id = NULL;
  static const gchar *const malformed[] = {
    "", "{", "[]", "null", "{\"name\": \"x\"}",
    "{\"name\": 1, \"contact\": \"c\", \"maddr\": \"m\", \"daddr\": \"d\", \"dkey\": \"k\"}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_assert_null (rein_store_import_python_backup (f->store, malformed[i],
                                                      strlen (malformed[i]), "pw", &error));
      g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
      g_clear_error (&error);
    }
  g_assert_null (rein_store_import_python_backup (f->store, mismatched, strlen (mismatched), "pw",
                                                  &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* the delegate address is compared as a key: the P2SH spelling of its
   * hash is a script, not the key (it used to pass) */
  {
    guint8 hash[20];

    g_assert_true (rein_key_id_from_string (daddr, hash));
    daddr_p2sh = rein_address_from_hash160 (hash, REIN_ADDRESS_P2SH, REIN_NETWORK_MAINNET);
  }
  script_delegate = python_backup_json (delegate, maddr, daddr_p2sh);
  g_assert_null (rein_store_import_python_backup (f->store, script_delegate,
                                                  strlen (script_delegate), "pw", &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "delegate"));
  g_clear_error (&error);

  /* rein_store_import_backup() recognises python-rein's format too */
  id = rein_store_import_backup (f->store, json, strlen (json), "pw", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rein_identity_get_name (id), ==, "Carol");
  g_assert_cmpstr (rein_identity_get_delegate_address (id), ==, daddr);
  g_assert_null (rein_identity_get_enrollment (id));
  {
    g_autoptr (ReinPrivateKey) back = rein_store_unlock_delegate_key (f->store, id, "pw", &error);

    g_assert_no_error (error);
    g_assert_cmpmem (rein_private_key_get_secret (back), 32, rein_private_key_get_secret (delegate),
                     32);
  }
}

static void
test_backup_and_password (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinIdentity) id = NULL;
  g_autoptr (ReinIdentity) restored = NULL;
  g_autoptr (ReinStore) other = NULL;
  g_autofree gchar *other_dir = g_dir_make_tmp ("rein-store-XXXXXX", NULL);
  g_autofree gchar *backup = NULL;
  g_autoptr (ReinPrivateKey) key = NULL;

  id = rein_store_add_identity_from_mnemonic (f->store, &alice, VECTOR_PHRASE, NULL, "pw",
                                              &error);
  g_assert_no_error (error);

  g_assert_null (rein_store_export_backup (f->store, id, "wrong", &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);
  backup = rein_store_export_backup (f->store, id, "pw", &error);
  g_assert_no_error (error);
  g_assert_null (strstr (backup, "abandon"));

  other = rein_store_open (other_dir, &error);
  g_assert_no_error (error);
  /* a backup edited by hand (its testnet flag flipped) is refused */
  {
    g_autoptr (GString) edited = g_string_new (backup);

    g_assert_cmpuint (g_string_replace (edited, "\"testnet\" : false", "\"testnet\" : true", 1),
                      ==, 1);
    g_assert_null (rein_store_import_backup (other, edited->str, edited->len, "pw", &error));
    g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }
  g_assert_null (rein_store_import_backup (other, backup, strlen (backup), "wrong", &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);
  restored = rein_store_import_backup (other, backup, strlen (backup), "pw", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rein_identity_get_master_address (restored), ==,
                   rein_identity_get_master_address (id));
  g_assert_true (rein_identity_get_has_mnemonic (restored));
  key = rein_store_unlock_master_key (other, restored, "pw", &error);
  g_assert_no_error (error);
  g_clear_object (&other);
  rein_test_remove_tree (other_dir);

  /* change password */
  g_assert_false (rein_store_change_password (f->store, id, "wrong", "new", &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);
  g_assert_true (rein_store_change_password (f->store, id, "pw", "new", &error));
  g_assert_no_error (error);
  g_assert_null (rein_store_unlock_delegate_key (f->store, id, "pw", &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);
  g_clear_pointer (&key, rein_private_key_free);
  key = rein_store_unlock_master_key (f->store, id, "new", &error);
  g_assert_no_error (error);
}

/* Alice (from the vector phrase) and "Second" (from a new phrase). */
static void
add_two_identities (Fixture *f, ReinIdentity **out_first, ReinIdentity **out_second)
{
  g_autoptr (GError) error = NULL;
  ReinIdentityParams p = { .name = "Second", .contact = "s@example.com" };
  gchar *phrase = rein_bip39_generate (128);

  *out_first = rein_store_add_identity_from_mnemonic (f->store, &alice, VECTOR_PHRASE, NULL, "pw",
                                                      &error);
  g_assert_no_error (error);
  *out_second = rein_store_add_identity_from_mnemonic (f->store, &p, phrase, NULL, "pw", &error);
  rein_secure_free (phrase);
  g_assert_no_error (error);
}

static void
test_several_identities (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinIdentity) first = NULL;
  g_autoptr (ReinIdentity) second = NULL;
  g_autoptr (GListModel) list = NULL;
  g_autoptr (ReinIdentity) found = NULL;
  g_autoptr (ReinIdentity) active = NULL;

  add_two_identities (f, &first, &second);
  list = rein_store_list_identities (f->store, &error);
  found = rein_store_find_identity (f->store, "Second", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  g_assert_cmpint (rein_identity_get_id (found), ==, rein_identity_get_id (second));

  g_assert_true (rein_store_set_active_identity (f->store, second, &error));
  active = rein_store_get_active_identity (f->store, &error);
  g_assert_cmpstr (rein_identity_get_name (active), ==, "Second");

  g_assert_null (rein_store_find_identity (f->store, "Nobody", &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND);
  (void) first;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar *const *) a, *(const gchar *const *) b);
}

/* @identity's market cursors as "url=cursor" pairs, sorted, joined by
 * spaces. */
static gchar *
cursors_of (Fixture *f, ReinIdentity *identity)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) got = rein_store_get_market_cursors (f->store,
                                                              rein_identity_get_id (identity),
                                                              &error);
  g_autoptr (GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer url, cursor;

  g_assert_no_error (error);
  g_hash_table_iter_init (&iter, got);
  while (g_hash_table_iter_next (&iter, &url, &cursor))
    g_ptr_array_add (pairs, g_strdup_printf ("%s=%s", (gchar *) url, (gchar *) cursor));
  g_ptr_array_sort (pairs, compare_strings);
  g_ptr_array_add (pairs, NULL);
  return g_strjoinv (" ", (gchar **) pairs->pdata);
}

/* Replaces @identity's cursors with @pairs (URL, cursor, ..., NULL; NULL
 * for none). */
static void
set_cursors (Fixture *f, ReinIdentity *identity, const gchar *const *pairs)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) set = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i += 2)
    g_hash_table_insert (set, (gpointer) pairs[i], (gpointer) pairs[i + 1]);
  g_assert_true (rein_store_set_market_cursors (f->store, rein_identity_get_id (identity),
                                                pairs != NULL ? set : NULL, &error));
  g_assert_no_error (error);
}

/* The market's cursors: per identity, replaced whole, only for the
 * store's servers, gone with their server or identity; keeping them
 * clears the jobs noted as pending. */
static void
test_market_cursors (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinIdentity) first = NULL;
  g_autoptr (ReinIdentity) second = NULL;
  g_autoptr (GPtrArray) pending = g_ptr_array_new ();
  g_autoptr (GPtrArray) listed = NULL;
  gchar *text;
  gint64 b;

  add_two_identities (f, &first, &second);
  rein_store_add_server (f->store, "http://127.0.0.1:2016/", &error);
  b = rein_store_add_server (f->store, "http://127.0.0.1:2017/", &error);
  g_assert_no_error (error);

#define ASSERT_CURSORS(identity, expected)                                                     \
  G_STMT_START                                                                                 \
  {                                                                                            \
    text = cursors_of (f, identity);                                                           \
    g_assert_cmpstr (text, ==, expected);                                                      \
    g_free (text);                                                                             \
  }                                                                                            \
  G_STMT_END

  ASSERT_CURSORS (first, "");
  set_cursors (f, first,
               (const gchar *const[]){ "http://127.0.0.1:2016/", "41", "http://127.0.0.1:2017/",
                                       "7", "http://unknown.example.org/", "9", NULL });
  ASSERT_CURSORS (first, "http://127.0.0.1:2016/=41 http://127.0.0.1:2017/=7");
  ASSERT_CURSORS (second, "");

  /* Replaced whole. */
  set_cursors (f, first, (const gchar *const[]){ "http://127.0.0.1:2017/", "8", NULL });
  ASSERT_CURSORS (first, "http://127.0.0.1:2017/=8");

  /* A server removed takes its cursor; NULL clears them all. */
  g_assert_true (rein_store_remove_server (f->store, b, &error));
  ASSERT_CURSORS (first, "");
  set_cursors (f, second, (const gchar *const[]){ "http://127.0.0.1:2016/", "3", NULL });
  set_cursors (f, second, NULL);
  ASSERT_CURSORS (second, "");

  /* Jobs noted as pending, per identity, until the cursors are kept. */
  g_ptr_array_add (pending, "job-a");
  g_ptr_array_add (pending, "job-b");
  g_assert_true (rein_store_add_market_pending (f->store, rein_identity_get_id (first), pending,
                                                &error));
  g_assert_true (rein_store_add_market_pending (f->store, rein_identity_get_id (first), pending,
                                                &error));
  g_assert_no_error (error);
  listed = rein_store_list_market_pending (f->store, rein_identity_get_id (first), &error);
  g_assert_cmpuint (listed->len, ==, 2);
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = rein_store_list_market_pending (f->store, rein_identity_get_id (second), &error);
  g_assert_cmpuint (listed->len, ==, 0);
  g_clear_pointer (&listed, g_ptr_array_unref);
  set_cursors (f, first, (const gchar *const[]){ "http://127.0.0.1:2016/", "5", NULL });
  listed = rein_store_list_market_pending (f->store, rein_identity_get_id (first), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 0);

  /* An identity deleted takes its cursors. */
  set_cursors (f, second, (const gchar *const[]){ "http://127.0.0.1:2016/", "3", NULL });
  g_assert_true (rein_store_delete_identity (f->store, second, &error));
  g_assert_no_error (error);
  ASSERT_CURSORS (second, "");
#undef ASSERT_CURSORS
}

/* A rename changes what this computer calls an identity; the enrolled
 * name, which documents carry, stays. */
static void
test_rename_identity (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ReinIdentityParams p = { .name = "Second", .contact = "s@example.com" };
  gchar *phrase = rein_bip39_generate (128);
  g_autoptr (ReinIdentity) first = rein_store_add_identity_from_mnemonic (f->store, &alice,
                                                                          VECTOR_PHRASE, NULL,
                                                                          "pw", &error);
  g_autoptr (ReinIdentity) second = rein_store_add_identity_from_mnemonic (f->store, &p, phrase,
                                                                           NULL, "pw", &error);
  g_autoptr (ReinIdentity) found = NULL;
  g_autoptr (ReinStore) again = NULL;
  g_autofree gchar *long_name = g_strnfill (101, 'x');
  static const gchar *const refused[] = { "", "   ", "two\nlines", "tab\there", "Second" };

  rein_secure_free (phrase);
  g_assert_no_error (error);
  g_assert_cmpstr (rein_identity_get_label (first), ==, "Alice");

  g_assert_true (rein_store_rename_identity (f->store, first, "  Alice at work ", &error));
  g_assert_no_error (error);
  found = rein_store_find_identity (f->store, "Alice at work", &error);
  g_assert_no_error (error);
  g_assert_cmpint (rein_identity_get_id (found), ==, rein_identity_get_id (first));
  g_assert_cmpstr (rein_identity_get_label (found), ==, "Alice at work");
  g_assert_cmpstr (rein_identity_get_name (found), ==, "Alice");
  g_assert_cmpstr (rein_identity_get_enrollment (found), ==, rein_identity_get_enrollment (first));
  /* the enrolled name no longer finds it: one name each */
  g_clear_object (&found);
  g_assert_null (rein_store_find_identity (f->store, "Alice", &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_assert_false (rein_store_rename_identity (f->store, first, refused[i], &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
  g_assert_false (rein_store_rename_identity (f->store, first, long_name, &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
  g_clear_error (&error);
  /* nor another one's label */
  g_assert_false (rein_store_rename_identity (f->store, second, "Alice at work", &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  /* nor may a new identity be enrolled as one is called here: "Alice at
   * work" would find two; nothing is stored */
  {
    ReinIdentityParams clash = { .name = "Alice at work", .contact = "c@example.com" };
    gchar *other = rein_bip39_generate (128);
    g_autoptr (ReinIdentity) third = rein_store_add_identity_from_mnemonic (f->store, &clash,
                                                                            other, NULL, "pw",
                                                                            &error);
    g_autoptr (GListModel) all = NULL;

    rein_secure_free (other);
    g_assert_null (third);
    g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_EXISTS);
    g_clear_error (&error);
    all = rein_store_list_identities (f->store, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (all), ==, 2);
    found = rein_store_find_identity (f->store, "Alice at work", &error);
    g_assert_no_error (error);
    g_assert_cmpint (rein_identity_get_id (found), ==, rein_identity_get_id (first));
    g_clear_object (&found);
  }

  /* kept across a reopen */
  again = rein_store_open (f->dir, &error);
  g_assert_no_error (error);
  found = rein_store_find_identity (again, "Alice at work", &error);
  g_assert_no_error (error);
  g_assert_cmpint (rein_identity_get_id (found), ==, rein_identity_get_id (first));
  g_clear_object (&found);

  /* back to the enrolled name: no label of its own */
  g_assert_true (rein_store_rename_identity (f->store, first, "Alice", &error));
  g_assert_no_error (error);
  found = rein_store_find_identity (f->store, "Alice", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rein_identity_get_label (found), ==, "Alice");
  g_clear_object (&found);
  g_assert_null (rein_store_find_identity (f->store, "Alice at work", &error));
  g_clear_error (&error);

  /* and the database itself keeps labels apart, whoever writes */
  {
    g_autofree gchar *path = g_build_filename (f->dir, "rein.db", NULL);
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE identities SET label = 'Same'", NULL, NULL, NULL),
                     ==, SQLITE_CONSTRAINT);
    sqlite3_close (db);
  }
}

static void
test_servers (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) ids = NULL;
  g_auto (GStrv) urls = NULL;
  gint64 a, b;
  static const gchar *const bad[] = { "", "ftp://x", "not a url", "http://", "javascript:x",
                                      "https://user:secret@rein.example.org/" };

  a = rein_store_add_server (f->store, "http://127.0.0.1:2016/", &error);
  g_assert_no_error (error);
  b = rein_store_add_server (f->store, "https://rein.example.org", &error);
  g_assert_no_error (error);
  g_assert_cmpint (rein_store_add_server (f->store, "http://127.0.0.1:2016/", &error), ==, 0);
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_cmpint (rein_store_add_server (f->store, bad[i], &error), ==, 0);
      g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
      g_clear_error (&error);
    }

  urls = rein_store_list_servers (f->store, &ids, &error);
  g_assert_cmpuint (g_strv_length (urls), ==, 2);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, a);
  g_assert_true (rein_store_record_sync (f->store, a, NULL, &error));
  g_assert_true (rein_store_record_sync (f->store, b, "refused", &error));
  g_assert_true (rein_store_remove_server (f->store, a, &error));
  g_assert_false (rein_store_remove_server (f->store, a, &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_NOT_FOUND);
}

/* Reads the database and its WAL as bytes and fails if @needle is there. */
static void
assert_not_on_disk (const gchar *dir, const gchar *needle)
{
  static const gchar *const files[] = { "rein.db", "rein.db-wal" };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree gchar *path = g_build_filename (dir, files[i], NULL);
      g_autofree gchar *contents = NULL;
      gsize len = 0;

      if (!g_file_get_contents (path, &contents, &len, NULL))
        continue;
      if (memmem (contents, len, needle, strlen (needle)) != NULL)
        g_error ("a secret was found in plain text in %s", files[i]);
    }
}

static void
test_no_secret_on_disk (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gchar *phrase = rein_bip39_generate (128);
  g_autoptr (ReinIdentity) id = rein_store_add_identity_from_mnemonic (f->store, &alice, phrase,
                                                                       "my passphrase", "pw",
                                                                       &error);
  g_autoptr (ReinPrivateKey) delegate = rein_store_unlock_delegate_key (f->store, id, "pw", &error);
  g_autoptr (ReinPrivateKey) master = rein_store_unlock_master_key (f->store, id, "pw", &error);
  g_auto (GStrv) words = g_strsplit (phrase, " ", -1);
  gchar *wif;
  g_autofree gchar *hex = NULL;

  g_assert_no_error (error);
  assert_not_on_disk (f->dir, phrase);
  assert_not_on_disk (f->dir, "my passphrase");
  /* any two consecutive words */
  for (guint i = 0; words[i + 1]; i++)
    {
      g_autofree gchar *pair = g_strconcat (words[i], " ", words[i + 1], NULL);
      assert_not_on_disk (f->dir, pair);
    }
  for (ReinPrivateKey **k = (ReinPrivateKey *[]){ delegate, master, NULL }; *k; k++)
    {
      wif = rein_private_key_to_wif (*k, REIN_NETWORK_MAINNET);
      assert_not_on_disk (f->dir, wif);
      rein_secure_free (wif);
      hex = rein_hex_encode (rein_private_key_get_secret (*k), 32);
      assert_not_on_disk (f->dir, hex);
      g_clear_pointer (&hex, g_free);
      {
        /* and not as raw bytes either */
        g_autofree gchar *raw = g_strndup ((const gchar *) rein_private_key_get_secret (*k), 32);

        if (strlen (raw) == 32)
          assert_not_on_disk (f->dir, raw);
      }
    }
  rein_secure_free (phrase);
}

static void
test_python_testnet_backup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPrivateKey) master = rein_private_key_generate (TRUE);
  g_autoptr (ReinPrivateKey) delegate = rein_private_key_generate (TRUE);
  /* an old testnet identity: mainnet-format addresses, testnet flag */
  g_autofree gchar *maddr = rein_private_key_get_address (master, REIN_NETWORK_MAINNET);
  g_autofree gchar *daddr = rein_private_key_get_address (delegate, REIN_NETWORK_MAINNET);
  g_autofree gchar *want = rein_private_key_get_address (master, REIN_NETWORK_TESTNET);
  gchar *wif = rein_private_key_to_wif (delegate, REIN_NETWORK_TESTNET);
  g_autofree gchar *json = g_strdup_printf ("{\"name\": \"Old\", \"contact\": \"o@example.com\", "
                                            "\"maddr\": \"%s\", \"daddr\": \"%s\", "
                                            "\"dkey\": \"%s\", \"will_mediate\": false, "
                                            "\"mediator_fee\": \"1\", \"testnet\": true}",
                                            maddr, daddr, wif);
  g_autoptr (ReinIdentity) id = NULL;

  rein_secure_free (wif);
  id = rein_store_import_python_backup (f->store, json, strlen (json), "pw", &error);
  g_assert_no_error (error);
  g_assert_true (rein_identity_get_testnet (id));
  g_assert_cmpstr (rein_identity_get_master_address (id), ==, want);
}

typedef struct
{
  ReinStore *store;
  guint n;
} Worker;

static gpointer
add_identities_thread (gpointer data)
{
  Worker *w = data;

  for (guint i = 0; i < w->n; i++)
    {
      g_autofree gchar *name = g_strdup_printf ("Thread %u", i);
      ReinIdentityParams p = { .name = name, .contact = "t@example.com" };
      gchar *phrase = rein_bip39_generate (128);
      g_autoptr (GError) error = NULL;
      g_autoptr (ReinIdentity) id = rein_store_add_identity_from_mnemonic (w->store, &p, phrase,
                                                                           NULL, "pw", &error);

      rein_secure_free (phrase);
      g_assert_no_error (error);
    }
  return NULL;
}

/* Identities made in a worker while the main thread adds servers: every
 * enrollment lands with its own identity, every server id is its own. */
static void
test_threads (Fixture *f, gconstpointer data)
{
  Worker w = { f->store, 15 };
  GThread *thread = g_thread_new ("identities", add_identities_thread, &w);
  g_autoptr (GListModel) ids = NULL;

  for (guint i = 0; i < 60; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree gchar *url = g_strdup_printf ("http://127.0.0.1:%u/", 10000 + i);
      g_autoptr (GArray) server_ids = NULL;
      g_auto (GStrv) urls = NULL;
      gint64 id = rein_store_add_server (f->store, url, &error);

      g_assert_no_error (error);
      urls = rein_store_list_servers (f->store, &server_ids, &error);
      for (guint j = 0; urls[j]; j++)
        if (g_array_index (server_ids, gint64, j) == id)
          g_assert_cmpstr (urls[j], ==, url);
    }
  g_thread_join (thread);

  ids = rein_store_list_identities (f->store, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (ids), ==, 15);
  for (guint i = 0; i < 15; i++)
    {
      g_autoptr (ReinIdentity) id = g_list_model_get_item (ids, i);
      g_autoptr (GPtrArray) docs = rein_store_list_own_documents (f->store,
                                                                  rein_identity_get_id (id), NULL);

      g_assert_cmpuint (docs->len, ==, 1);
      g_assert_cmpstr (docs->pdata[0], ==, rein_identity_get_enrollment (id));
    }
}

/* A backup file nested 65,000 times (within the size limit) is refused, not recursed
 * into; one that only holds brackets in its strings is read as usual. */
static void
test_deep_backup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *deep = g_strnfill (65000, '[');
  g_autofree gchar *brackets = g_strnfill (60000, '{');
  g_autofree gchar *text = g_strdup_printf ("{\"format\": \"rein-desktop-backup-1\", "
                                            "\"name\": \"\\\"%s\"}", brackets);

  g_assert_null (rein_store_import_backup (f->store, deep, strlen (deep), "pw", &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "nests more than"));
  g_clear_error (&error);

  /* read, then refused for what it lacks */
  g_assert_null (rein_store_import_backup (f->store, text, strlen (text), "pw", &error));
  g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_INVALID);
  g_assert_null (strstr (error->message, "nests more than"));
  g_assert_nonnull (strstr (error->message, "contact"));
  g_clear_error (&error);
}

/* The depth scan follows strings and escapes, and refuses what json-glib
 * could read otherwise than JSON (comments, single quotes). */
static void
test_json_bounds (void)
{
  static const struct
  {
    const gchar *text;
    gint code; /* -1: accepted */
  } cases[] = {
    { "[[[]]]", -1 },
    { "[[[[]]]]", REIN_JSON_ERROR_TOO_DEEP },
    { "{\"a\": {\"b\": [1]}}", -1 },
    { "{\"a\": {\"b\": [{}]}}", REIN_JSON_ERROR_TOO_DEEP },
    { "[\"[[[[[[\"]", -1 },
    { "[\"\\\"[[[[[[\"]", -1 },
    { "[\"\\\\\", [[[[]]]]]", REIN_JSON_ERROR_TOO_DEEP },
    { "[\"\\\\\\\"[[[[\"]", -1 },
    { "[]]]]][[[[", REIN_JSON_ERROR_TOO_DEEP },
    { "[true, false, null, -1.5e+3, 2E-2]", -1 },
    { "/* \" */ [[[[]]]]", REIN_JSON_ERROR_INVALID },
    { "# \"\n[[[[]]]]", REIN_JSON_ERROR_INVALID },
    { "['[[[[']", REIN_JSON_ERROR_INVALID },
    /* a NUL in a string: what follows would be cut off unseen */
    { "[\"ok\\u0000hidden\"]", REIN_JSON_ERROR_INVALID },
    { "[\"\\u0000\"]", REIN_JSON_ERROR_INVALID },
    /* an escaped backslash, then u0000 as text; \u00000 is NUL then 0 */
    { "[\"\\\\u0000\"]", -1 },
    { "[\"\\u0001 \\u00e9\"]", -1 },
    { "[\"a\\u00000\"]", REIN_JSON_ERROR_INVALID },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      gboolean ok = rein_json_check_bounds (cases[i].text, strlen (cases[i].text), 1000, 3,
                                            &error);

      g_test_message ("%s", cases[i].text);
      if (cases[i].code < 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, REIN_JSON_ERROR, cases[i].code);
        }
    }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonParser) parser = rein_json_parse ("[1, 2]", 6, 5, 3, &error);

    g_assert_null (parser);
    g_assert_error (error, REIN_JSON_ERROR, REIN_JSON_ERROR_TOO_LARGE);
  }
}

/* What json-glib makes of @text: the strings of member @list (NULL when
 * it is not there or holds something else) and the string members,
 * "name=value" joined by newlines in member order. FALSE when json-glib
 * refuses @text. */
static gboolean
json_glib_reading (const gchar *text, const gchar *list, GPtrArray **out_list, GString *members)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *obj;
  g_autoptr (GList) names = NULL;

  if (!json_parser_load_from_data (parser, text, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  obj = json_node_get_object (json_parser_get_root (parser));
  names = json_object_get_members (obj);
  *out_list = NULL;
  for (GList *l = names; l; l = l->next)
    {
      JsonNode *node = json_object_get_member (obj, l->data);

      if (strcmp (l->data, list) == 0 && JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          *out_list = g_ptr_array_new_with_free_func (g_free);
          for (guint i = 0; i < json_array_get_length (array); i++)
            g_ptr_array_add (*out_list, g_strdup (json_array_get_string_element (array, i)));
        }
      else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        g_string_append_printf (members, "%s=%s\n", (gchar *) l->data,
                                json_node_get_string (node));
    }
  return TRUE;
}

/* The fast reader takes what it says it takes exactly as json-glib does. */
static void
check_scan_agrees (const gchar *text, gboolean expect_fast)
{
  g_autoptr (GPtrArray) fast = NULL;
  g_autoptr (GPtrArray) slow = NULL;
  g_autoptr (GHashTable) strings = NULL;
  g_autoptr (GString) slow_members = g_string_new (NULL);
  g_autoptr (GString) fast_members = g_string_new (NULL);
  gboolean taken = rein_json_scan_list_answer (text, strlen (text), 4, "jobs", &fast, &strings);
  g_autofree gchar *shown = g_strescape (text, NULL);

  /* escaped: the log stays readable, and TAP, with bytes that are not UTF-8 */
  g_test_message ("%s", shown);
  g_assert_cmpint (taken, ==, expect_fast);
  if (!taken)
    {
      g_assert_null (fast);
      return;
    }
  g_assert_true (json_glib_reading (text, "jobs", &slow, slow_members));
  g_assert_nonnull (slow);
  g_assert_cmpuint (fast->len, ==, slow->len);
  for (guint i = 0; i < fast->len; i++)
    g_assert_cmpstr (g_ptr_array_index (fast, i), ==, g_ptr_array_index (slow, i));
  /* the string members, in json-glib's order */
  {
    g_auto (GStrv) lines = g_strsplit (slow_members->str, "\n", -1);
    guint n = 0;

    for (; lines[n] && *lines[n]; n++)
      {
        gchar *eq = strchr (lines[n], '=');

        *eq = '\0';
        g_string_append_printf (fast_members, "%s=%s\n", lines[n],
                                (gchar *) g_hash_table_lookup (strings, lines[n]));
        *eq = '=';
      }
    g_assert_cmpstr (fast_members->str, ==, slow_members->str);
    g_assert_cmpuint (g_hash_table_size (strings), ==, n);
  }
}

static void
test_json_scan (void)
{
  static const struct
  {
    const gchar *text;
    gboolean fast;
  } cases[] = {
    /* what rein-server answers */
    { "{\"result\":\"success\",\"cursor\":\"12\",\"jobs\":[\"a\\nb\",\"c\"],"
      "\"block_info\":null}", TRUE },
    { "{\"result\":\"success\",\"jobs\":[],\"block_info\":{\"height\":1,\"h\":[1,2.5e3,-0.1]}}",
      TRUE },
    { " { \"jobs\" : [ \"x\" , \"y\" ] , \"n\" : -12 , \"t\" : true , \"f\" : false } ", TRUE },
    { "{\"jobs\":[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]}", TRUE },
    { "{\"jobs\":[\"\\u00e9\\u20AC\\ud83d\\ude00 caf\u00c3\u00a9\"]}", TRUE },
    { "{\"jobs\":[\"\"],\"result\":\"\\u0041\"}", TRUE },
    /* left to json-glib */
    { "{\"jobs\":[\"a\"],\"jobs\":[\"b\"]}", FALSE },
    { "{\"jobs\":[\"a\",1]}", FALSE },
    { "{\"jobs\":[{\"key\":\"k\",\"value\":\"v\"}]}", FALSE },
    { "{\"jobs\":[\"a\\u0000b\"]}", FALSE },
    { "{\"jobs\":[\"\\ud83d\"]}", FALSE },
    { "{\"jobs\":[\"\\ude00\"]}", FALSE },
    { "{\"jobs\":[\"a\tb\"]}", FALSE },
    { "{\"jobs\":[\"a\"]} x", FALSE },
    { "{\"jobs\":[\"a\"],}", FALSE },
    { "{\"jobs\":[\"a\",]}", FALSE },
    { "{\"jobs\":[\"a\"], \"n\": 01}", FALSE },
    { "{\"jobs\":[\"a\"], \"n\": 1.}", FALSE },
    { "{\"jobs\":[\"a\"], \"n\": tru}", FALSE },
    { "{\"jobs\":[\"\\x\"]}", FALSE },
    { "{\"jobs\":[\"\\u12\"]}", FALSE },
    { "{\"jobs\":\"a\"}", FALSE },
    { "{\"other\":[\"a\"]}", FALSE },
    { "[\"a\"]", FALSE },
    { "{\"jobs\":[\"a\"], \"d\":[[[[1]]]]}", FALSE },
    { "{\"jobs\":[\"a\"], \"d\":[[1]]}", TRUE },
    { "{\"jobs\":[\"caf\xc3\"]}", FALSE },
    { "{\"jobs\":[\"a\"", FALSE },
    { "", FALSE },
  };
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  static const gchar *const pieces[] = { "a", "\\n", "\\\"", "\\\\", "\\u00e9", "\\ud83d\\ude00",
                                         "\u00c3\u00a9", " ", "\\/", "\\t", "-----BEGIN", "{[]}",
                                         "Job description: a long line of plain words" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_scan_agrees (cases[i].text, cases[i].fast);

  /* Strings are read eight bytes at a time: a quote, an escape, a
   * control character or a byte past ASCII at every place in a word, and
   * in a word cut by the end of the data, read as json-glib reads them
   * (a control character is left to it). */
  for (guint at = 0; at < 24; at++)
    {
      static const struct
      {
        const gchar *piece;
        gboolean fast;
      } marks[] = { { "\\\"", TRUE }, { "\\\\", TRUE }, { "\\n", TRUE },
                    { "\x01", FALSE }, { "\x1f", FALSE }, { "\xc3\xa9", TRUE },
                    { "\xe2\x82\xac", TRUE }, { "\x7f", TRUE }, { " ", TRUE } };

      for (guint m = 0; m < G_N_ELEMENTS (marks); m++)
        {
          g_autoptr (GString) text = g_string_new ("{\"jobs\":[\"");
          g_autofree gchar *cut = NULL;

          for (guint i = 0; i < at; i++)
            g_string_append_c (text, (gchar) ('a' + i % 26));
          g_string_append (text, marks[m].piece);
          g_string_append (text, "0123456789abcdefg\"]}");
          check_scan_agrees (text->str, marks[m].fast);
          /* not a byte past ASCII when it is cut in two: not UTF-8 */
          cut = g_strdup_printf ("{\"jobs\":[\"%.*s\xc3\"]}", (int) at,
                                 "abcdefghijklmnopqrstuvwxyz");
          check_scan_agrees (cut, FALSE);
          /* the data ends inside the string */
          g_free (cut);
          cut = g_strdup_printf ("{\"jobs\":[\"%.*s", (int) at, "abcdefghijklmnopqrstuvwxyz");
          check_scan_agrees (cut, FALSE);
        }
    }

  /* pages made of random pieces, as json-glib reads them */
  for (guint round = 0; round < 300; round++)
    {
      g_autoptr (GString) text = g_string_new ("{\"result\":\"success\",\"jobs\":[");
      guint n = g_rand_int_range (rand, 0, 8);

      for (guint i = 0; i < n; i++)
        {
          guint k = g_rand_int_range (rand, 0, 12);

          g_string_append (text, i ? ",\"" : "\"");
          for (guint j = 0; j < k; j++)
            g_string_append (text, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
          g_string_append_c (text, '"');
        }
      g_string_append_printf (text, "],\"cursor\":\"%u\"}", round);
      check_scan_agrees (text->str, TRUE);
    }
}

/* A data folder that cannot be written is still read: identities, keys and
 * backups; a change fails, saying the folder is read-only. As root, the
 * checks run as "nobody", whom the permissions then bind. */
static void
test_read_only (void)
{
  const gchar *dir = g_getenv ("REIN_TEST_READ_ONLY_DIR");

  if (g_test_subprocess ())
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (ReinStore) store = NULL;
      g_autoptr (GListModel) ids = NULL;
      g_autoptr (ReinIdentity) active = NULL;
      g_autoptr (ReinPrivateKey) key = NULL;
      g_autofree gchar *backup = NULL;

      if (getuid () == 0)
        g_assert_true (setgid (65534) == 0 && setuid (65534) == 0);
      store = rein_store_open (dir, &error);
      g_assert_no_error (error);
      g_assert_true (rein_store_get_read_only (store));
      ids = rein_store_list_identities (store, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_list_model_get_n_items (ids), ==, 1);
      active = rein_store_get_active_identity (store, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (rein_identity_get_name (active), ==, "Alice");
      key = rein_store_unlock_delegate_key (store, active, "pw", &error);
      g_assert_no_error (error);
      backup = rein_store_export_backup (store, active, "pw", &error);
      g_assert_no_error (error);
      g_assert_nonnull (strstr (backup, "rein-desktop-backup-1"));

      g_assert_cmpint (rein_store_add_server (store, "http://127.0.0.1:1/", &error), <=, 0);
      g_assert_error (error, REIN_STORE_ERROR, REIN_STORE_ERROR_READ_ONLY);
      g_assert_nonnull (strstr (error->message, "read-only"));
      return;
    }

  {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *tmp = g_dir_make_tmp ("rein-store-ro-XXXXXX", &error);
    g_autofree gchar *db = g_build_filename (tmp, "rein.db", NULL);
    g_autoptr (ReinStore) store = rein_store_open (tmp, &error);
    g_autoptr (ReinIdentity) id = NULL;

    g_assert_no_error (error);
    id = rein_store_add_identity_from_mnemonic (store, &alice, VECTOR_PHRASE, NULL, "pw", &error);
    g_assert_no_error (error);
    g_clear_object (&id);
    g_clear_object (&store);
    /* the last connection closed: no -wal or -shm file is left */
    g_assert_cmpint (g_chmod (db, 0400), ==, 0);
    g_assert_cmpint (g_chmod (tmp, 0500), ==, 0);
    if (getuid () == 0)
      g_assert_true (chown (tmp, 65534, 65534) == 0 && chown (db, 65534, 65534) == 0);
    g_setenv ("REIN_TEST_READ_ONLY_DIR", tmp, TRUE);
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_chmod (tmp, 0700);
    rein_test_remove_tree (tmp);
    g_test_trap_assert_passed ();
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Tests need no protection from brute force: keep scrypt quick. */
  rein_secret_set_scrypt_cost (10);

  g_test_add_func ("/store/secret/roundtrip", test_secret_roundtrip);
  g_test_add_func ("/store/json/bounds", test_json_bounds);
  g_test_add_func ("/store/json/scan", test_json_scan);
  g_test_add_func ("/store/read-only", test_read_only);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/store/db/open-and-migrate", test_open_and_migrate);
  ADD ("/store/identity/from-mnemonic", test_identity_from_mnemonic);
  ADD ("/store/identity/testnet", test_testnet_identity);
  ADD ("/store/identity/from-keys", test_identity_from_keys);
  ADD ("/store/identity/python-backup", test_python_backup);
  ADD ("/store/identity/from-keys-other-network", test_identity_from_keys_other_network);
  ADD ("/store/identity/backup-and-password", test_backup_and_password);
  ADD ("/store/identity/several", test_several_identities);
  ADD ("/store/identity/rename", test_rename_identity);
  ADD ("/store/servers", test_servers);
  ADD ("/store/market-cursors", test_market_cursors);
  ADD ("/store/secrets-not-on-disk", test_no_secret_on_disk);
  ADD ("/store/identity/python-testnet-backup", test_python_testnet_backup);
  ADD ("/store/threads", test_threads);
  ADD ("/store/identity/deep-backup", test_deep_backup);
#undef ADD

  return g_test_run ();
}
