/* test-cli-escrow.c: rein-cli chain and qr
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "chain-fixture.h"
#include "cli-test-util.h"

static guint n_dirs;

static gchar *
new_data_dir (void)
{
  gchar *dir = g_strdup_printf ("%s/data-%u", cli_tmp_dir (), n_dirs++);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

static const gchar *
member (JsonNode *root, const gchar *name)
{
  JsonObject *obj = json_node_get_object (root);

  if (!json_object_has_member (obj, name) || json_object_get_null_member (obj, name))
    return NULL;
  return json_object_get_string_member (obj, name);
}

static void
test_qr (void)
{
  const gchar *uri = "bitcoin:2N3oefVeg6stiTb5Kh3ozCSkaqmx91FDbsm?amount=0.01&label=Escrow%20A";
  g_autofree gchar *png = g_build_filename (cli_tmp_dir (), "pay.png", NULL);
  g_autofree gchar *too_long = g_strnfill (3000, 'x');
  g_autofree gchar *read = NULL;
  g_autofree gchar *zbar_err = NULL;
  g_autoptr (CliResult) r = cli_run (NULL, "qr", uri, "-o", png, NULL);
  g_autoptr (CliResult) terminal = NULL;
  g_autoptr (CliResult) refused = NULL;
  g_autoptr (GError) error = NULL;
  gint status = 0;
  const gchar *argv[] = { "zbarimg", "--raw", "-q", png, NULL };

  cli_assert_status (r, 0);
  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &read, &zbar_err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (g_strchomp (read), ==, uri);

  /* without -o it is drawn in the terminal, a square of half blocks */
  terminal = cli_run (NULL, "qr", uri, NULL);
  cli_assert_status (terminal, 0);
  g_assert_nonnull (strstr (terminal->out, "█"));
  g_assert_nonnull (strstr (terminal->out, "▄"));

  refused = cli_run (NULL, "qr", too_long, "-o", png, NULL);
  cli_assert_error (refused);
  g_assert_nonnull (strstr (refused->err, "QR code"));
  g_clear_pointer (&refused, cli_result_free);
  refused = cli_run (NULL, "qr", uri, "-o", png, "--scale", "99", NULL);
  cli_assert_error (refused);
}

static void
test_chain (void)
{
  g_autoptr (TestChain) backend = test_chain_start ("testnet");
  g_autofree gchar *dir = new_data_dir ();
  g_autofree gchar *form = cli_write_tmp ("ann.form", "Name: Ann\nContact: ann@example.com\n",
                                          -1);
  g_autoptr (CliResult) setup = cli_run_in (dir, "--defaults", form, "setup", "--testnet", NULL);
  g_autoptr (CliResult) r = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *dead = NULL;

  cli_assert_status (setup, 0);

  /* no default: nothing is set, and nothing is asked of anyone */
  r = cli_run_in (dir, "chain", "--json", NULL);
  cli_assert_status (r, 0);
  root = cli_result_get_json (r);
  g_assert_cmpstr (member (root, "network"), ==, "testnet");
  g_assert_null (member (root, "url"));
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&r, cli_result_free);

  /* a server that does not answer is not kept */
  dead = g_strdup ("http://127.0.0.1:9/");
  r = cli_run_in (dir, "chain", dead, NULL);
  cli_assert_status (r, 4);
  g_assert_nonnull (strstr (r->err, "does not answer"));
  g_clear_pointer (&r, cli_result_free);
  r = cli_run_in (dir, "chain", "--json", NULL);
  root = cli_result_get_json (r);
  g_assert_null (member (root, "url"));
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&r, cli_result_free);

  /* one that answers is kept, normalized, for this network */
  {
    g_autofree gchar *bare = g_strndup (backend->url, strlen (backend->url) - 1);

    r = cli_run_in (dir, "chain", bare, "--json", NULL);
  }
  cli_assert_status (r, 0);
  root = cli_result_get_json (r);
  g_assert_cmpstr (member (root, "url"), ==, backend->url);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "tip_height"), ==, 100);
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&r, cli_result_free);

  /* signet is another network, with its own URL */
  r = cli_run_in (dir, "chain", "--network", "signet", "--json", NULL);
  cli_assert_status (r, 0);
  root = cli_result_get_json (r);
  g_assert_cmpstr (member (root, "network"), ==, "signet");
  g_assert_null (member (root, "url"));
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&r, cli_result_free);
  r = cli_run_in (dir, "chain", "--network", "mainnet", NULL);
  cli_assert_error (r);
  g_clear_pointer (&r, cli_result_free);
  r = cli_run_in (dir, "chain", "--network", "moon", NULL);
  cli_assert_error (r);
  g_clear_pointer (&r, cli_result_free);
  r = cli_run_in (dir, "chain", "--network", "testnet", NULL);
  cli_assert_status (r, 0);
  g_assert_nonnull (strstr (r->out, backend->url));
  g_clear_pointer (&r, cli_result_free);

  /* REIN_CHAIN_URL overrides, and says so */
  g_setenv ("REIN_CHAIN_URL", "http://127.0.0.1:7/", TRUE);
  r = cli_run_in (dir, "chain", "--json", NULL);
  g_unsetenv ("REIN_CHAIN_URL");
  root = cli_result_get_json (r);
  g_assert_cmpstr (member (root, "url"), ==, "http://127.0.0.1:7/");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "from_environment"));
  g_clear_pointer (&root, json_node_unref);
  g_clear_pointer (&r, cli_result_free);

  /* not a URL; then forgotten */
  r = cli_run_in (dir, "chain", "ftp://example.org/", NULL);
  cli_assert_error (r);
  g_clear_pointer (&r, cli_result_free);
  r = cli_run_in (dir, "chain", "--forget", "--json", NULL);
  cli_assert_status (r, 0);
  root = cli_result_get_json (r);
  g_assert_null (member (root, "url"));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("REIN_PASSWORD", "correct horse battery", TRUE);
  g_setenv ("REIN_TEST_SCRYPT_LOG2N", "10", TRUE);
  g_unsetenv ("REIN_DATA_DIR");
  g_unsetenv ("REIN_CHAIN_URL");

  g_test_add_func ("/cli/escrow/qr", test_qr);
  g_test_add_func ("/cli/escrow/chain", test_chain);
  status = g_test_run ();
  cli_test_cleanup ();
  return status;
}
