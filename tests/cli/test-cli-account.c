/* test-cli-account.c: rein-cli's identity commands and the argument errors
 * of the account and market commands, without a server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "cli-test-util.h"

/* PROTOCOL.md section 1. */
#define PHRASE \
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
#define MASTER_MAINNET "14MeYsuF2HsKZZ9mkUUPUQWe4VG2WqseC5"
#define DELEGATE_MAINNET "1DWmeP5Lre1K59yJTYrJ4sT4Ch3ohPukWv"
#define MASTER_TESTNET "misbqvzDqKJaLfdPU3SmJKixvUrjNeYgL8"
#define PASSWORD "tr0ub4dor&3"

static GPtrArray *data_dirs;

/* A new data folder (rein-cli creates it), removed at the end. */
static gchar *
new_data_dir (void)
{
  g_autoptr (GError) error = NULL;
  gchar *dir = g_dir_make_tmp ("rein-cli-account-XXXXXX", &error);

  g_assert_no_error (error);
  g_ptr_array_add (data_dirs, g_strdup (dir));
  return dir;
}

static void
remove_data_dirs (void)
{
  for (guint i = 0; i < data_dirs->len; i++)
    {
      const gchar *dir = g_ptr_array_index (data_dirs, i);
      g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
      const gchar *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree gchar *path = g_build_filename (dir, name, NULL);

          g_unlink (path);
        }
      g_rmdir (dir);
    }
  g_ptr_array_unref (data_dirs);
}

/* The child leaves the terminal's session: it has no /dev/tty to prompt
 * on, as under a scheduler or in CI. */
static void
no_terminal (gpointer user_data)
{
  setsid ();
}

static CliResult *
run_without_terminal (const gchar *const *args)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
      | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GBytes) err = NULL;
  g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr (GError) error = NULL;
  CliResult *result = g_new0 (CliResult, 1);

  g_ptr_array_add (argv, (gpointer) g_getenv ("REIN_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_set_child_setup (launcher, no_terminal, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const gchar *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (process, empty, NULL, &out, &err, &error);
  g_assert_no_error (error);
  result->exited = g_subprocess_get_if_exited (process);
  result->status = g_subprocess_get_exit_status (process);
  /* (empty GBytes may have no data pointer: keep the strings non-NULL) */
  result->out = g_strndup (g_bytes_get_size (out) ? g_bytes_get_data (out, NULL) : "",
                           g_bytes_get_size (out));
  result->out_len = g_bytes_get_size (out);
  result->err = g_strndup (g_bytes_get_size (err) ? g_bytes_get_data (err, NULL) : "",
                           g_bytes_get_size (err));
  return result;
}

static CliResult *
run_in (const gchar *dir, const gchar *input, const gchar *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (args, (gpointer) "--data-dir");
  g_ptr_array_add (args, (gpointer) dir);
  va_start (ap, first);
  for (const gchar *arg = first; arg != NULL; arg = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return cli_runv (input, -1, (const gchar *const *) args->pdata);
}

static const gchar *
json_string (JsonNode *root, const gchar *member)
{
  return json_object_get_string_member (json_node_get_object (root), member);
}

/* Asserts a usage or input error whose message says @what. */
static void
assert_error_says (CliResult *r, const gchar *what)
{
  cli_assert_error (r);
  if (strstr (r->err, what) == NULL)
    g_error ("the error does not say “%s”: %s", what, r->err);
}

/* @secret is in no file of the data directory: the database, its
 * write-ahead log and shared memory index when they are left (rein.db-wal,
 * rein.db-shm) and anything else written there. The database must exist. */
static void
assert_not_on_disk (const gchar *dir, const gchar *secret)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const gchar *name;
  gboolean saw_db = FALSE;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (dir, name, NULL);
      g_autofree gchar *contents = NULL;
      gsize len = 0;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      if (memmem (contents, len, secret, strlen (secret)) != NULL)
        g_error ("a secret is in %s in plain text", name);
      saw_db |= g_str_equal (name, "rein.db");
    }
  g_assert_true (saw_db);
}

/* Nothing secret anywhere in what rein-cli printed, nor in its data
 * directory. */
static void
assert_no_secret (CliResult *r, const gchar *dir, const gchar *secret)
{
  g_assert_null (strstr (r->out, secret));
  g_assert_null (strstr (r->err, secret));
  assert_not_on_disk (dir, secret);
}

/* ---- setup ---- */

static void
test_setup_new (void)
{
  g_autofree gchar *dir = new_data_dir ();
  g_autofree gchar *form = cli_write_tmp ("new.form", "Name: Ann\nContact: ann@example.com\n",
                                          -1);
  g_autoptr (CliResult) r = run_in (dir, NULL, "--defaults", form, "setup", "--json", NULL);
  g_autoptr (CliResult) again = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (CliResult) derived = NULL;
  g_autoptr (JsonNode) keys = NULL;
  g_autofree gchar *phrase = NULL;

  cli_assert_status (r, 0);
  root = cli_result_get_json (r);
  g_assert_cmpstr (json_string (root, "name"), ==, "Ann");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "active"));
  g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "enrolled"));
  g_assert_nonnull (strstr (r->err, "recovery phrase"));

  /* The phrase shown makes the identity, as "derive" says. */
  phrase = g_strdup (json_string (root, "recovery_phrase"));
  derived = cli_run (phrase, "derive", NULL);
  cli_assert_status (derived, 0);
  keys = cli_result_get_json (derived);
  g_assert_cmpstr (json_string (keys, "master_address"), ==, json_string (root, "master_address"));
  g_assert_cmpstr (json_string (keys, "delegate_address"), ==,
                   json_string (root, "delegate_address"));
  assert_no_secret (r, dir, PASSWORD);
  {
    g_auto (GStrv) words = g_strsplit (phrase, " ", -1);

    /* shown once on purpose, never stored */
    assert_not_on_disk (dir, phrase);
    g_assert_cmpuint (g_strv_length (words), ==, 12);
  }

  /* A second identity of the same name is refused. */
  again = run_in (dir, NULL, "--defaults", form, "setup", NULL);
  assert_error_says (again, "exists already");
}

static void
test_setup_restore (void)
{
  g_autofree gchar *dir = new_data_dir ();
  g_autofree gchar *form = cli_write_tmp ("restore.form",
                                          "User: Vec\nContact: vec@example.com\n"
                                          "Willing to mediate: yes\nMediator fee: 2.5%\n"
                                          "Testnet: True\n", -1);
  g_autoptr (CliResult) r = run_in (dir, "  " PHRASE "\n", "setup", "--restore", "--defaults",
                                    form, "--json", NULL);
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (CliResult) bad = NULL;
  g_autoptr (CliResult) list = NULL;

  cli_assert_status (r, 0);
  root = cli_result_get_json (r);
  g_assert_cmpstr (json_string (root, "master_address"), ==, MASTER_TESTNET);
  g_assert_cmpstr (json_string (root, "mediator_fee"), ==, "2.5%");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "testnet"));
  /* a restored phrase is not shown again */
  g_assert_false (json_object_has_member (json_node_get_object (root), "recovery_phrase"));
  assert_no_secret (r, dir, "abandon about");

  /* A phrase with a bad checksum; errors never quote words. */
  bad = run_in (dir, "abandon abandon abandon abandon abandon abandon abandon abandon abandon "
                     "abandon abandon abandon", "setup", "--restore", "--defaults", form, NULL);
  assert_error_says (bad, "checksum");

  /* testnet mode followed the new identity */
  list = run_in (dir, NULL, "testnet", "--json", NULL);
  cli_assert_status (list, 0);
  g_assert_nonnull (strstr (list->out, "true"));
}

/* Import keys with the enrollment signed outside: print it, sign it with
 * the tools, read it back. */
static void
test_setup_import_keys (void)
{
  g_autofree gchar *dir = new_data_dir ();
  g_autoptr (CliResult) derived = cli_run (PHRASE, "derive", "--show-private", NULL);
  g_autoptr (JsonNode) keys = NULL;
  g_autofree gchar *keys_file = NULL;
  g_autofree gchar *master_key = NULL;
  g_autofree gchar *form = cli_write_tmp ("keys.form", "Name: Kim\nContact: kim@example.com\n",
                                          -1);
  g_autoptr (CliResult) text = NULL;
  g_autoptr (CliResult) signed_doc = NULL;
  g_autoptr (CliResult) imported = NULL;
  g_autoptr (CliResult) tampered = NULL;
  g_autofree gchar *text_file = NULL;
  g_autofree gchar *signed_file = NULL;
  g_autoptr (JsonNode) root = NULL;

  cli_assert_status (derived, 0);
  keys = cli_result_get_json (derived);
  {
    g_autofree gchar *contents = g_strdup_printf ("%s\n  %s\n",
                                                  json_string (keys, "master_address"),
                                                  json_string (keys, "delegate_private_key"));

    keys_file = cli_write_tmp ("keys.txt", contents, -1);
  }
  master_key = cli_write_tmp ("master.wif", json_string (keys, "master_private_key"), -1);

  text = run_in (dir, NULL, "setup", "--defaults", form, "--import-keys", keys_file,
                 "--print-enrollment", NULL);
  cli_assert_status (text, 0);
  g_assert_true (g_str_has_prefix (text->out, "Rein User Enrollment\nUser: Kim\n"));
  g_assert_nonnull (strstr (text->out, "Master signing address: " MASTER_MAINNET));
  g_assert_nonnull (strstr (text->out, "Delegate signing address: " DELEGATE_MAINNET));
  assert_no_secret (text, dir, json_string (keys, "delegate_private_key"));

  text_file = cli_write_tmp ("enrollment.txt", text->out, -1);
  signed_doc = cli_run (NULL, "sign-document", "--key-file", master_key, text_file, NULL);
  cli_assert_status (signed_doc, 0);
  signed_file = cli_write_tmp ("enrollment.signed", signed_doc->out, -1);

  /* A different text (another name) is refused. */
  {
    g_autofree gchar *other = cli_write_tmp ("other.form", "Name: Kit\nContact: kim@example.com\n",
                                             -1);

    tampered = run_in (dir, NULL, "setup", "--defaults", other, "--import-keys", keys_file,
                       "--signed-enrollment", signed_file, NULL);
    assert_error_says (tampered, "differs");
  }

  imported = run_in (dir, NULL, "setup", "--defaults", form, "--import-keys", keys_file,
                     "--signed-enrollment", signed_file, "--json", NULL);
  cli_assert_status (imported, 0);
  root = cli_result_get_json (imported);
  g_assert_cmpstr (json_string (root, "master_address"), ==, MASTER_MAINNET);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "enrolled"));
  g_assert_false (json_object_get_boolean_member (json_node_get_object (root),
                                                  "has_recovery_phrase"));
  assert_no_secret (imported, dir, json_string (keys, "delegate_private_key"));
}

static void
test_backups (void)
{
  g_autofree gchar *dir = new_data_dir ();
  g_autofree gchar *other = new_data_dir ();
  g_autoptr (CliResult) derived = cli_run (PHRASE, "derive", "--show-private", NULL);
  g_autoptr (JsonNode) keys = NULL;
  g_autofree gchar *python = NULL;
  g_autofree gchar *ours = g_build_filename (cli_tmp_dir (), "ours.json", NULL);
  g_autoptr (CliResult) imported = NULL;
  g_autoptr (CliResult) backup = NULL;
  g_autoptr (CliResult) exists = NULL;
  g_autoptr (CliResult) restored = NULL;
  g_autoptr (CliResult) wrong = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *contents = NULL;

  cli_assert_status (derived, 0);
  keys = cli_result_get_json (derived);
  {
    g_autofree gchar *json = g_strdup_printf (
        "{\"name\": \"Py\", \"contact\": \"py@example.com\", \"maddr\": \"%s\", "
        "\"daddr\": \"%s\", \"dkey\": \"%s\", \"will_mediate\": false, "
        "\"mediator_fee\": 1, \"testnet\": false}",
        json_string (keys, "master_address"), json_string (keys, "delegate_address"),
        json_string (keys, "delegate_private_key"));

    python = cli_write_tmp ("python.json", json, -1);
  }

  /* python-rein's plain backup */
  imported = run_in (dir, NULL, "setup", "--import-backup", python, "--json", NULL);
  cli_assert_status (imported, 0);
  root = cli_result_get_json (imported);
  g_assert_cmpstr (json_string (root, "name"), ==, "Py");
  g_assert_false (json_object_get_boolean_member (json_node_get_object (root), "enrolled"));
  g_assert_nonnull (strstr (imported->err, "no signed enrollment"));
  assert_no_secret (imported, dir, json_string (keys, "delegate_private_key"));

  /* ours, sealed: written 0600, never over a file without --force */
  backup = run_in (dir, NULL, "backup", ours, NULL);
  cli_assert_status (backup, 0);
  g_assert_true (g_file_get_contents (ours, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "rein-desktop-backup-1"));
  g_assert_null (strstr (contents, json_string (keys, "delegate_private_key")));
  {
    GStatBuf st;

    g_assert_cmpint (g_stat (ours, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }
  exists = run_in (dir, NULL, "backup", ours, NULL);
  assert_error_says (exists, "--force");

  /* read back elsewhere, with its password */
  restored = run_in (other, NULL, "setup", "--import-backup", ours, "--json", NULL);
  cli_assert_status (restored, 0);
  g_clear_pointer (&root, json_node_unref);
  root = cli_result_get_json (restored);
  g_assert_cmpstr (json_string (root, "master_address"), ==, MASTER_MAINNET);

  /* a wrong password opens nothing */
  {
    g_autofree gchar *password_file = cli_write_tmp ("wrong.pw", "not it\n", -1);
    g_autofree gchar *lower = NULL;

    wrong = run_in (dir, NULL, "--password-file", password_file, "backup", NULL);
    cli_assert_error (wrong);
    lower = g_ascii_strdown (wrong->err, -1);
    g_assert_nonnull (strstr (lower, "password"));
  }
}

/* ---- identities, use, testnet ---- */

static void
test_identities (void)
{
  g_autofree gchar *dir = new_data_dir ();
  g_autofree gchar *a = cli_write_tmp ("a.form", "Name: A\nContact: a@example.com\n", -1);
  g_autofree gchar *b = cli_write_tmp ("b.form", "Name: B\nContact: b@example.com\n", -1);
  g_autoptr (CliResult) none = run_in (dir, NULL, "identities", NULL);
  g_autoptr (CliResult) setup_a = run_in (dir, NULL, "setup", "--defaults", a, NULL);
  g_autoptr (CliResult) setup_b = run_in (dir, NULL, "setup", "--defaults", b, "--testnet", NULL);
  g_autoptr (CliResult) list = run_in (dir, NULL, "identities", "--json", NULL);
  g_autoptr (CliResult) use = NULL;
  g_autoptr (CliResult) missing = NULL;
  g_autoptr (CliResult) mode = NULL;
  g_autoptr (CliResult) list2 = NULL;
  g_autoptr (JsonNode) root = NULL;

  cli_assert_status (none, 0);
  g_assert_nonnull (strstr (none->out, "rein-cli setup"));
  cli_assert_status (setup_a, 0);
  cli_assert_status (setup_b, 0);
  cli_assert_status (list, 0);
  root = cli_result_get_json (list);
  /* the newest identity is the active one */
  g_assert_cmpstr (json_string (root, "active"), ==, "B");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_node_get_object (root), "identities")), ==, 2);

  use = run_in (dir, NULL, "use", "A", NULL);
  cli_assert_status (use, 0);
  g_assert_nonnull (strstr (use->out, "“A”"));
  missing = run_in (dir, NULL, "use", "Nobody", NULL);
  assert_error_says (missing, "Nobody");

  /* testnet mode switches to an identity of that network */
  mode = run_in (dir, NULL, "testnet", "true", NULL);
  cli_assert_status (mode, 0);
  g_assert_nonnull (strstr (mode->out, "“B”"));
  list2 = run_in (dir, NULL, "identities", NULL);
  cli_assert_status (list2, 0);
  g_assert_nonnull (strstr (list2->out, "* B"));
}

/* ---- argument errors ---- */

static void
test_argument_errors (void)
{
  g_autofree gchar *dir = new_data_dir ();
  g_autofree gchar *form = cli_write_tmp ("e.form", "Name: E\nContact: e@example.com\n", -1);
  g_autofree gchar *typo = cli_write_tmp ("typo.form", "Name: E\nConatct: e@example.com\n", -1);
  g_autofree gchar *half = cli_write_tmp ("half.form", "Name: E\n", -1);
  const struct
  {
    const gchar *args[8];
    const gchar *says;
  } cases[] = {
    { { "--data-dir", NULL }, "needs a value" },
    { { "--json=yes", "status", NULL }, "takes no value" },
    { { "--bogus", "status", NULL }, "unknown option" },
    { { "--json", NULL }, "no command" },
    { { "setup", "--restore", "--import-backup", "x", NULL }, "choose one" },
    { { "setup", "--mnemonic-file", "x", NULL }, "--restore" },
    { { "setup", "--print-enrollment", NULL }, "--import-keys" },
    { { "setup", "--testnet", "--mainnet", NULL }, "choose one" },
    { { "setup", "--import-keys", "-", NULL }, "standard input" },
    { { "setup", "--defaults", typo, NULL }, "“Conatct” is not a label" },
    { { "setup", "--defaults", half, NULL }, "“Contact” is missing" },
    { { "status", "extra", NULL }, "too many arguments" },
    { { "status", "--jobid", NULL }, "Missing argument" },
    { { "use", NULL }, "missing arguments" },
    { { "testnet", "maybe", NULL }, "not True or False" },
    { { "request", NULL }, "missing arguments" },
    { { "offer", "--worker", "x", NULL }, "Unknown option" },
    /* no identity yet */
    { { "post", NULL }, "rein-cli setup" },
    { { "sync", NULL }, "rein-cli setup" },
    { { "backup", NULL }, "rein-cli setup" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GPtrArray) args = g_ptr_array_new ();
      g_autoptr (CliResult) r = NULL;

      g_ptr_array_add (args, (gpointer) "--data-dir");
      g_ptr_array_add (args, dir);
      for (guint j = 0; cases[i].args[j] != NULL; j++)
        g_ptr_array_add (args, (gpointer) cases[i].args[j]);
      g_ptr_array_add (args, NULL);
      g_test_message ("case %u: %s", i, cases[i].says);
      r = cli_runv ("", -1, (const gchar *const *) args->pdata);
      assert_error_says (r, cases[i].says);
    }

  /* With an identity but no server. */
  {
    g_autoptr (CliResult) setup = run_in (dir, NULL, "setup", "--defaults", form, NULL);
    g_autoptr (CliResult) post = run_in (dir, NULL, "post", NULL);
    g_autoptr (CliResult) status = run_in (dir, NULL, "status", "--jobid", "abc", NULL);
    g_autoptr (CliResult) sync = run_in (dir, NULL, "sync", NULL);
    g_autoptr (CliResult) request = run_in (dir, NULL, "request", "ftp://example.com/", NULL);

    cli_assert_status (setup, 0);
    assert_error_says (post, "rein-cli request URL");
    assert_error_says (status, "rein-cli request URL");
    assert_error_says (sync, "rein-cli request URL");
    assert_error_says (request, "http://");
  }
}

/* Without REIN_PASSWORD, --password-file or a terminal, commands that need
 * the password say how to give it, and never wait. */
static void
test_no_password (void)
{
  g_autofree gchar *dir = new_data_dir ();
  g_autofree gchar *form = cli_write_tmp ("p.form", "Name: P\nContact: p@example.com\n", -1);
  g_autofree gchar *empty = cli_write_tmp ("empty.pw", "\n", -1);
  g_autoptr (CliResult) r = NULL;
  g_autoptr (CliResult) blank = NULL;
  g_autofree gchar *saved = g_strdup (g_getenv ("REIN_PASSWORD"));

  g_unsetenv ("REIN_PASSWORD");
  r = run_without_terminal ((const gchar *const[]){ "--data-dir", dir, "setup", "--defaults",
                                                     form, NULL });
  blank = run_without_terminal ((const gchar *const[]){ "--data-dir", dir, "--password-file",
                                                         empty, "setup", "--defaults", form,
                                                         NULL });
  g_setenv ("REIN_PASSWORD", saved, TRUE);

  assert_error_says (r, "REIN_PASSWORD");
  assert_error_says (blank, "empty");
}


/* ---- where the password and the data folder come from ---- */

/* A password given in a file is the one used, before REIN_PASSWORD, and
 * standard input stays free for the phrase. */
static void
test_password_file (void)
{
  g_autofree gchar *dir = new_data_dir ();
  g_autofree gchar *other = new_data_dir ();
  g_autofree gchar *password_file = cli_write_tmp ("file.pw", "Pa55 from a file\n", -1);
  g_autofree gchar *form = cli_write_tmp ("pwfile.form", "Name: Fay\nContact: fay@example.com\n",
                                          -1);
  g_autofree gchar *ours = g_build_filename (cli_tmp_dir (), "pwfile-backup.json", NULL);
  g_autofree gchar *ours2 = g_build_filename (cli_tmp_dir (), "pwfile-backup2.json", NULL);
  g_autofree gchar *saved = g_strdup (g_getenv ("REIN_PASSWORD"));
  g_autoptr (CliResult) setup = NULL;
  g_autoptr (CliResult) env_only = NULL;
  g_autoptr (CliResult) backup = NULL;
  g_autoptr (CliResult) no_env = NULL;
  g_autoptr (CliResult) restored = NULL;
  g_autoptr (JsonNode) root = NULL;

  /* REIN_PASSWORD (set for the whole program) is there but not used */
  setup = run_in (dir, PHRASE "\n", "--password-file", password_file, "setup", "--restore",
                  "--defaults", form, "--json", NULL);
  cli_assert_status (setup, 0);
  root = cli_result_get_json (setup);
  g_assert_cmpstr (json_string (root, "master_address"), ==, MASTER_MAINNET);
  assert_no_secret (setup, dir, "Pa55 from a file");

  /* so REIN_PASSWORD alone does not open it ... */
  env_only = run_in (dir, NULL, "backup", ours, NULL);
  cli_assert_error (env_only);
  g_assert_nonnull (strstr (env_only->err, "password"));
  g_assert_false (g_file_test (ours, G_FILE_TEST_EXISTS));

  /* ... and the file does */
  backup = run_in (dir, NULL, "--password-file", password_file, "backup", ours, NULL);
  cli_assert_status (backup, 0);
  g_assert_true (g_file_test (ours, G_FILE_TEST_IS_REGULAR));

  /* with no REIN_PASSWORD and no terminal at all, the file is enough */
  g_unsetenv ("REIN_PASSWORD");
  no_env = run_without_terminal ((const gchar *const[]){ "--data-dir", dir, "--password-file",
                                                          password_file, "backup", ours2,
                                                          NULL });
  restored = run_without_terminal ((const gchar *const[]){ "--data-dir", other,
                                                            "--password-file", password_file,
                                                            "setup", "--import-backup", ours,
                                                            "--json", NULL });
  g_setenv ("REIN_PASSWORD", saved, TRUE);
  cli_assert_status (no_env, 0);
  g_assert_true (g_file_test (ours2, G_FILE_TEST_IS_REGULAR));
  cli_assert_status (restored, 0);
  g_clear_pointer (&root, json_node_unref);
  root = cli_result_get_json (restored);
  g_assert_cmpstr (json_string (root, "master_address"), ==, MASTER_MAINNET);
  assert_no_secret (restored, other, "Pa55 from a file");
  g_unlink (ours);
  g_unlink (ours2);
}

/* REIN_DATA_DIR stands for --data-dir; --data-dir wins over it. */
static void
test_data_dir_env (void)
{
  g_autofree gchar *dir = new_data_dir ();
  g_autofree gchar *other = new_data_dir ();
  g_autofree gchar *db = g_build_filename (dir, "rein.db", NULL);
  g_autofree gchar *form = cli_write_tmp ("env.form", "Name: Eno\nContact: eno@example.com\n",
                                          -1);
  g_autoptr (CliResult) setup = NULL;
  g_autoptr (CliResult) listed = NULL;
  g_autoptr (CliResult) by_option = NULL;
  g_autoptr (CliResult) elsewhere = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonArray *identities;

  g_setenv ("REIN_DATA_DIR", dir, TRUE);
  setup = cli_run (PHRASE "\n", "setup", "--restore", "--defaults", form, "--json", NULL);
  listed = cli_run (NULL, "identities", "--json", NULL);
  /* the option is taken over the variable */
  elsewhere = cli_run (NULL, "--data-dir", other, "identities", "--json", NULL);
  g_unsetenv ("REIN_DATA_DIR");

  cli_assert_status (setup, 0);
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));
  cli_assert_status (listed, 0);
  root = cli_result_get_json (listed);
  identities = json_object_get_array_member (json_node_get_object (root), "identities");
  g_assert_nonnull (identities);
  g_assert_cmpuint (json_array_get_length (identities), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (identities, 0),
                                                  "name"), ==, "Eno");
  cli_assert_status (elsewhere, 0);
  g_assert_null (strstr (elsewhere->out, "Eno"));

  /* and the same folder by the option */
  by_option = run_in (dir, NULL, "identities", NULL);
  cli_assert_status (by_option, 0);
  g_assert_nonnull (strstr (by_option->out, "Eno"));
}

/* ---- interactive use, on a pseudo-terminal ---- */

/* The child's terminal is the pseudo-terminal: its standard input and
 * error, and its controlling terminal (/dev/tty), where passwords are read. */
static void
take_terminal (gpointer user_data)
{
  setsid ();
  ioctl (STDIN_FILENO, TIOCSCTTY, 0);
}

typedef struct
{
  const gchar *prompt; /* the end of what the terminal shows */
  const gchar *answer; /* typed, with its line break */
} Exchange;

/* "rein-cli setup" asks everything it needs, like python-rein did; the
 * password, asked twice on the terminal, is not echoed. */
static void
test_setup_interactive (void)
{
  static const gchar password[] = "typed at a prompt 7";
  const Exchange dialog[] = {
    { "Name: ", "Tia\n" },
    { "Contact: ", "tia@example.com\n" },
    { "Willing to mediate [False]: ", "yes\n" },
    { "Mediator fee [1.0]: ", "2\n" },
    { "New password: ", "typed at a prompt 7\n" },
    { "The same password again: ", "typed at a prompt 7\n" },
  };
  g_autofree gchar *dir = new_data_dir ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) screen = g_string_new (NULL);
  g_autoptr (CliResult) list = NULL;
  g_autoptr (CliResult) backup = NULL;
  g_autoptr (CliResult) wrong = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree gchar *password_file = cli_write_tmp ("typed.pw", password, -1);
  g_autofree gchar *ours = g_build_filename (cli_tmp_dir (), "typed-backup.json", NULL);
  const gchar *argv[] = { g_getenv ("REIN_CLI"), "--data-dir", dir, "setup", "--json", NULL };
  JsonObject *object;
  gsize shown = 0;
  guint step = 0;
  int master, slave;

  master = posix_openpt (O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt (master) != 0 || unlockpt (master) != 0)
    {
      g_test_skip ("no pseudo-terminal");
      if (master >= 0)
        close (master);
      return;
    }
  slave = open (ptsname (master), O_RDWR | O_NOCTTY);
  g_assert_cmpint (slave, >=, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "REIN_PASSWORD");
  g_subprocess_launcher_take_stdin_fd (launcher, slave);
  g_subprocess_launcher_take_stderr_fd (launcher, dup (slave));
  g_subprocess_launcher_set_child_setup (launcher, take_terminal, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  /* Answer each question when it is asked (10 s at most for each). */
  while (step < G_N_ELEMENTS (dialog))
    {
      struct pollfd pfd = { master, POLLIN, 0 };
      gchar buf[512];
      gssize n;

      if (poll (&pfd, 1, 10000) <= 0)
        g_error ("no prompt “%s” within 10 s; the terminal shows: %s", dialog[step].prompt,
                 screen->str);
      n = read (master, buf, sizeof buf);
      if (n <= 0)
        g_error ("the terminal closed before “%s”; it shows: %s", dialog[step].prompt,
                 screen->str);
      g_string_append_len (screen, buf, n);
      if (g_str_has_suffix (screen->str, dialog[step].prompt))
        {
          gsize len = strlen (dialog[step].answer);

          g_assert_cmpint (write (master, dialog[step].answer, len), ==, len);
          step++;
          shown = screen->len;
        }
    }
  g_subprocess_communicate (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  /* the rest of what the terminal showed */
  g_unix_set_fd_nonblocking (master, TRUE, NULL);
  for (;;)
    {
      gchar buf[512];
      gssize n = read (master, buf, sizeof buf);

      if (n <= 0)
        break;
      g_string_append_len (screen, buf, n);
    }
  close (master);
  g_assert_cmpuint (screen->len, >=, shown);
  /* the answers were echoed, the password never */
  g_assert_nonnull (strstr (screen->str, "tia@example.com"));
  g_assert_null (strstr (screen->str, password));
  g_assert_nonnull (strstr (screen->str, "Mediators settle disputes"));

  json_parser_load_from_data (parser, g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                              &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "Tia");
  g_assert_null (memmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), password,
                        strlen (password)));

  list = run_in (dir, NULL, "identities", "--json", NULL);
  cli_assert_status (list, 0);
  g_assert_nonnull (strstr (list->out, "tia@example.com"));
  g_assert_nonnull (strstr (list->out, "Tia"));

  /* the typed password is the one that opens the keys */
  wrong = run_in (dir, NULL, "backup", ours, NULL);
  cli_assert_error (wrong);
  backup = run_in (dir, NULL, "--password-file", password_file, "backup", ours, NULL);
  cli_assert_status (backup, 0);
  assert_no_secret (backup, dir, password);
  g_unlink (ours);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  data_dirs = g_ptr_array_new_with_free_func (g_free);
  g_setenv ("REIN_PASSWORD", PASSWORD, TRUE);
  g_setenv ("REIN_TEST_SCRYPT_LOG2N", "10", TRUE);
  g_unsetenv ("REIN_DATA_DIR");

  g_test_add_func ("/cli/account/setup-new", test_setup_new);
  g_test_add_func ("/cli/account/setup-restore", test_setup_restore);
  g_test_add_func ("/cli/account/setup-import-keys", test_setup_import_keys);
  g_test_add_func ("/cli/account/backups", test_backups);
  g_test_add_func ("/cli/account/identities", test_identities);
  g_test_add_func ("/cli/account/argument-errors", test_argument_errors);
  g_test_add_func ("/cli/account/no-password", test_no_password);
  g_test_add_func ("/cli/account/password-file", test_password_file);
  g_test_add_func ("/cli/account/data-dir-env", test_data_dir_env);
  g_test_add_func ("/cli/account/setup-interactive", test_setup_interactive);

  status = g_test_run ();
  cli_test_cleanup ();
  remove_data_dirs ();
  return status;
}
