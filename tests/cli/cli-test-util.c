/* cli-test-util.c: running rein-cli (and Python) from the CLI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cli-test-util.h"

static gchar *tmp_dir;

static GSubprocess *
spawn (const gchar *const *argv, GSpawnChildSetupFunc child_setup, GError **error)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (child_setup != NULL)
    g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  /* Untranslated messages and UTF-8 output, whatever the caller's locale. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");

  return g_subprocess_launcher_spawnv (launcher, argv, error);
}

static gchar *
bytes_to_string (GBytes *bytes, gsize *out_len)
{
  gsize len = 0;
  const gchar *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;
  gchar *str = g_malloc (len + 1);

  if (len > 0)
    memcpy (str, data, len);
  str[len] = '\0';
  if (out_len != NULL)
    *out_len = len;
  return str;
}

CliResult *
cli_runv (const gchar *input, gssize len, const gchar *const *args)
{
  return cli_runv_full (input, len, args, NULL);
}

CliResult *
cli_runv_full (const gchar *input,
               gssize len,
               const gchar *const *args,
               GSpawnChildSetupFunc child_setup)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GBytes) stdin_bytes = NULL;
  g_autoptr (GBytes) stdout_bytes = NULL;
  g_autoptr (GBytes) stderr_bytes = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *cli = g_getenv ("REIN_CLI");
  CliResult *result;

  if (cli == NULL)
    g_error ("REIN_CLI is not set: run the tests with meson test");

  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  if (input == NULL)
    input = "";
  if (len < 0)
    len = strlen (input);
  stdin_bytes = g_bytes_new (input, len);

  /* rein-cli may stop reading before all of @input is written (an input
   * over its limit): GLib then ignores the broken pipe, if the signal
   * has not killed this process first */
  signal (SIGPIPE, SIG_IGN);
  process = spawn ((const gchar *const *) argv->pdata, child_setup, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (process, stdin_bytes, NULL, &stdout_bytes, &stderr_bytes, &error);
  g_assert_no_error (error);

  result = g_new0 (CliResult, 1);
  result->exited = g_subprocess_get_if_exited (process);
  result->status = result->exited
                     ? g_subprocess_get_exit_status (process)
                     : g_subprocess_get_term_sig (process);
  result->out = bytes_to_string (stdout_bytes, &result->out_len);
  result->err = bytes_to_string (stderr_bytes, NULL);

  return result;
}

CliResult *
cli_run (const gchar *input, const gchar *first_arg, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const gchar *arg = first_arg; arg != NULL; arg = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  return cli_runv (input, -1, (const gchar *const *) args->pdata);
}

void
cli_result_free (CliResult *result)
{
  if (result == NULL)
    return;

  g_free (result->out);
  g_free (result->err);
  g_free (result);
}

void
cli_assert_status_impl (CliResult *result, gint status, const gchar *file, int line)
{
  if (result->exited && result->status == status)
    return;

  g_test_message ("%s:%d: stdout: %s", file, line, result->out);
  g_test_message ("%s:%d: stderr: %s", file, line, result->err);
  if (!result->exited)
    g_error ("%s:%d: rein-cli was killed by signal %d", file, line, result->status);
  g_error ("%s:%d: rein-cli exited with %d, expected %d", file, line, result->status, status);
}

void
cli_assert_error_impl (CliResult *result, const gchar *file, int line)
{
  const gchar *newline;

  cli_assert_status_impl (result, 2, file, line);

  if (result->out_len != 0)
    g_error ("%s:%d: output on stdout after an error: %s", file, line, result->out);
  if (!g_str_has_prefix (result->err, "rein-cli: "))
    g_error ("%s:%d: stderr does not start with “rein-cli: ”: %s", file, line, result->err);

  newline = strchr (result->err, '\n');
  if (newline == NULL || newline[1] != '\0')
    g_error ("%s:%d: stderr is not one line: %s", file, line, result->err);
  if (strlen (result->err) < strlen ("rein-cli: ") + 5)
    g_error ("%s:%d: stderr says too little: %s", file, line, result->err);
}

JsonNode *
cli_result_get_json (CliResult *result)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, result->out, result->out_len, &error);
  if (error != NULL)
    g_error ("stdout is not JSON (%s): %s", error->message, result->out);

  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_node_copy (root);
}

const gchar *
cli_tmp_dir (void)
{
  if (tmp_dir == NULL)
    {
      g_autoptr (GError) error = NULL;

      tmp_dir = g_dir_make_tmp ("rein-cli-test-XXXXXX", &error);
      g_assert_no_error (error);
    }

  return tmp_dir;
}

gchar *
cli_write_tmp (const gchar *name, const gchar *contents, gssize len)
{
  g_autoptr (GError) error = NULL;
  gchar *path = g_build_filename (cli_tmp_dir (), name, NULL);

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);

  return path;
}

void
cli_test_cleanup (void)
{
  g_autoptr (GDir) dir = NULL;
  const gchar *name;

  if (tmp_dir == NULL)
    return;

  dir = g_dir_open (tmp_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree gchar *path = g_build_filename (tmp_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
}

gchar *
cli_run_python (const gchar *script, const gchar *input, const gchar *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GBytes) stdin_bytes = NULL;
  g_autoptr (GBytes) stdout_bytes = NULL;
  g_autoptr (GBytes) stderr_bytes = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *python = g_getenv ("PYTHON3");

  /* python3 on PATH may be one without python3-bitcoinlib. */
  if (python == NULL)
    python = "/usr/bin/python3";

  g_ptr_array_add (argv, (gpointer) python);
  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, (gpointer) script);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  stdin_bytes = g_bytes_new (input != NULL ? input : "", input != NULL ? strlen (input) : 0);

  process = spawn ((const gchar *const *) argv->pdata, NULL, &error);
  if (process == NULL)
    {
      g_test_message ("cannot run %s: %s", python, error->message);
      return NULL;
    }
  if (!g_subprocess_communicate (process, stdin_bytes, NULL, &stdout_bytes, &stderr_bytes, &error))
    {
      g_test_message ("cannot talk to %s: %s", python, error->message);
      return NULL;
    }
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_autofree gchar *err = bytes_to_string (stderr_bytes, NULL);

      g_test_message ("%s failed: %s", python, err);
      return NULL;
    }

  return bytes_to_string (stdout_bytes, NULL);
}

gboolean
cli_have_bitcoinlib (void)
{
  g_autofree gchar *out = NULL;

  out = cli_run_python ("import bitcoin.signmessage, bitcoin.wallet; print('ok')", NULL, NULL);
  return g_strcmp0 (out, "ok\n") == 0;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar *const *) a, *(const gchar *const *) b);
}

GPtrArray *
cli_signed_vectors (void)
{
  const gchar *shared = g_getenv ("REIN_SHARED_DIR");
  g_autofree gchar *folder = NULL;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = NULL;
  const gchar *name;

  if (shared == NULL)
    {
      g_test_skip ("REIN_SHARED_DIR is not set");
      return NULL;
    }

  folder = g_build_filename (shared, "vectors", "signed", NULL);
  dir = g_dir_open (folder, 0, NULL);
  if (dir == NULL)
    {
      g_autofree gchar *message = g_strdup_printf ("%s is absent", folder);

      g_test_skip (message);
      return NULL;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_suffix (name, ".txt"))
        g_ptr_array_add (files, g_build_filename (folder, name, NULL));
    }
  g_ptr_array_sort (files, compare_strings);

  if (files->len == 0)
    {
      g_test_skip ("no signed documents in the shared vectors");
      return NULL;
    }

  return g_steal_pointer (&files);
}

static CliResult *
run_in_va (const gchar *dir, GSpawnChildSetupFunc child_setup, const gchar *first_arg, va_list ap)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, (gpointer) "--data-dir");
  g_ptr_array_add (args, (gpointer) dir);
  for (const gchar *arg = first_arg; arg != NULL; arg = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer) arg);
  g_ptr_array_add (args, NULL);
  return cli_runv_full (NULL, -1, (const gchar *const *) args->pdata, child_setup);
}

CliResult *
cli_run_in (const gchar *dir, const gchar *first_arg, ...)
{
  CliResult *result;
  va_list ap;

  va_start (ap, first_arg);
  result = run_in_va (dir, NULL, first_arg, ap);
  va_end (ap);
  return result;
}

CliResult *
cli_run_in_full (const gchar *dir, GSpawnChildSetupFunc child_setup, const gchar *first_arg, ...)
{
  CliResult *result;
  va_list ap;

  va_start (ap, first_arg);
  result = run_in_va (dir, child_setup, first_arg, ap);
  va_end (ap);
  return result;
}
