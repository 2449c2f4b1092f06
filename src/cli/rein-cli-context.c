/* rein-cli-context.c: what the account and market commands share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "rein-cli-context.h"

/* ---- The store and the identity ---- */

ReinStore *
rein_cli_open_store (GError **error)
{
  g_autofree gchar *dir = NULL;

  if (rein_cli_globals.data_dir != NULL)
    dir = g_strdup (rein_cli_globals.data_dir);
  else
    dir = rein_store_default_dir ();
  return rein_store_open (dir, error);
}

static void
set_no_identity_error (GError **error)
{
  g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                       _("there is no identity yet: create one with “rein-cli setup”"));
}

ReinIdentity *
rein_cli_active_identity (ReinStore *store, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  ReinIdentity *identity = rein_store_get_active_identity (store, &local_error);

  if (identity != NULL)
    return identity;
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    set_no_identity_error (error);
  return NULL;
}

ReinNetwork
rein_cli_identity_network (ReinIdentity *identity)
{
  return rein_identity_get_testnet (identity) ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET;
}

ReinCliSecret *
rein_cli_get_password (gboolean confirm, GError **error)
{
  g_autoptr (ReinCliSecret) password = NULL;
  g_autoptr (ReinCliSecret) again = NULL;
  g_autoptr (GError) local_error = NULL;
  const gchar *env = g_getenv ("REIN_PASSWORD");

  if (rein_cli_globals.password_file != NULL)
    {
      password = rein_cli_read_secret (rein_cli_globals.password_file, _("Password: "), error);
      if (password == NULL)
        return NULL;
      rein_cli_secret_chomp (password);
    }
  else if (env != NULL && *env != '\0')
    {
      if (strlen (env) > REIN_CLI_SECRET_MAX)
        {
          g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                               _("REIN_PASSWORD is too long"));
          return NULL;
        }
      password = rein_cli_secret_new (error);
      if (password == NULL)
        return NULL;
      memcpy (password, env, strlen (env) + 1);
      /* as from a file: REIN_PASSWORD=$(cat file) and a file written with
       * echo must open the same identity */
      rein_cli_secret_chomp (password);
    }
  else
    {
      /* The terminal itself, so that standard input stays free for data. */
      password = rein_cli_read_secret ("/dev/tty",
                                       confirm ? _("New password: ") : _("Password: "),
                                       &local_error);
      if (password == NULL)
        {
          g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                               _("a password is needed: set REIN_PASSWORD, give "
                                 "--password-file FILE, or run in a terminal"));
          return NULL;
        }
      if (confirm)
        {
          again = rein_cli_read_secret ("/dev/tty", _("The same password again: "), error);
          if (again == NULL)
            return NULL;
          if (strlen (again) != strlen (password)
              || !rein_memeq_consttime (again, password, strlen (password)))
            {
              g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                                   _("the two passwords differ"));
              return NULL;
            }
        }
    }

  if (*password == '\0')
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                           _("the password is empty"));
      return NULL;
    }
  return g_steal_pointer (&password);
}

/* ---- The session ---- */

ReinSession *
rein_cli_open_session (ReinStore *store)
{
  ReinSession *session = rein_session_new (store);

  while (!rein_session_get_loaded (session))
    g_main_context_iteration (NULL, TRUE);
  return session;
}

ReinIdentity *
rein_cli_session_identity (ReinSession *session, GError **error)
{
  ReinIdentity *identity = rein_session_get_active_identity (session);

  if (identity == NULL)
    set_no_identity_error (error);
  return identity;
}

void
rein_cli_session_settle (ReinSession *session)
{
  while (rein_session_get_saving (session))
    g_main_context_iteration (NULL, TRUE);
}

ReinPrivateKey *
rein_cli_unlock_delegate (ReinSession *session, GError **error)
{
  g_autoptr (ReinCliSecret) password = rein_cli_get_password (FALSE, error);
  g_autoptr (GAsyncResult) result = NULL;

  if (password == NULL)
    return NULL;
  rein_session_unlock_async (session, password, FALSE, NULL, rein_cli_async_cb, &result);
  rein_cli_wait (&result);
  return rein_session_unlock_finish (session, result, error);
}

/* ---- Questions ---- */

ReinCliForm *
rein_cli_load_form (GError **error)
{
  if (rein_cli_globals.defaults_file == NULL)
    return rein_cli_form_new ();
  return rein_cli_form_load (rein_cli_globals.defaults_file, error);
}

gboolean
rein_cli_interactive (void)
{
  return isatty (STDIN_FILENO) && isatty (STDERR_FILENO);
}

/* One line from standard input without its line ending; NULL at the end. */
static gchar *
read_line (void)
{
  g_autoptr (GString) line = g_string_new (NULL);
  int c;

  while ((c = getc (stdin)) != EOF && c != '\n')
    g_string_append_c (line, (gchar) c);
  if (c == EOF && line->len == 0)
    return NULL;
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);
  return g_string_free (g_steal_pointer (&line), FALSE);
}

gchar *
rein_cli_ask (ReinCliForm *form,
              const gchar *label,
              const gchar *hint,
              gboolean multiline,
              const gchar *fallback,
              GError **error)
{
  const gchar *given = rein_cli_form_get (form, label);
  g_autofree gchar *answer = NULL;

  if (given != NULL)
    return g_strdup (*given == '\0' && fallback != NULL ? fallback : given);

  if (!rein_cli_interactive ())
    {
      if (fallback != NULL)
        return g_strdup (fallback);
      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                   _("“%s” is missing: give it in a form file (--defaults FILE, a line "
                     "“%s: …”) or run in a terminal"), label, label);
      return NULL;
    }

  if (hint != NULL)
    g_printerr ("%s\n", hint);
  if (multiline)
    {
      g_autoptr (GString) text = g_string_new (NULL);
      gchar *line;

      g_printerr (_("%s (end with an empty line):\n"), label);
      while ((line = read_line ()) != NULL && *line != '\0')
        {
          if (text->len > 0)
            g_string_append_c (text, '\n');
          g_string_append (text, line);
          g_free (line);
        }
      g_free (line);
      answer = g_string_free (g_steal_pointer (&text), FALSE);
    }
  else
    {
      if (fallback != NULL)
        g_printerr ("%s [%s]: ", label, fallback);
      else
        g_printerr ("%s: ", label);
      answer = read_line ();
      if (answer == NULL)
        {
          g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE, _("no answer for “%s”"),
                       label);
          return NULL;
        }
      g_strstrip (answer);
    }
  if (*answer == '\0' && fallback != NULL)
    return g_strdup (fallback);
  return g_steal_pointer (&answer);
}

gint
rein_cli_choose (const gchar *what, GPtrArray *items, GError **error)
{
  g_return_val_if_fail (items != NULL, -1);

  if (items->len == 0)
    {
      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_REFUSED, _("there is no %s to choose"),
                   what);
      return -1;
    }
  if (!rein_cli_interactive ())
    {
      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                   _("choose a %s with an option or a form file, or run in a terminal"), what);
      return -1;
    }
  for (guint i = 0; i < items->len; i++)
    g_printerr ("  %u) %s\n", i + 1, (const gchar *) g_ptr_array_index (items, i));
  for (;;)
    {
      g_autofree gchar *line = NULL;
      guint64 n = 0;

      g_printerr (_("Choose a %s (1-%u, q to quit): "), what, items->len);
      line = read_line ();
      if (line == NULL || g_strcmp0 (g_strstrip (line), "q") == 0)
        {
          g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE, _("nothing chosen"));
          return -1;
        }
      if (g_ascii_string_to_unsigned (line, 10, 1, items->len, &n, NULL))
        return (gint) n - 1;
    }
}

/* ---- Output ---- */

void
rein_cli_print (const gchar *format, ...)
{
  g_autofree gchar *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  rein_cli_write_line (text, NULL);
}

void
rein_cli_warn (const gchar *format, ...)
{
  g_autofree gchar *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  rein_cli_printerr (_("warning: %s"), text);
}

void
rein_cli_json_string (JsonBuilder *builder, const gchar *name, const gchar *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* ---- Asynchronous calls ---- */

void
rein_cli_async_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

void
rein_cli_wait (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
}

/* ---- Pushing our documents ---- */

GPtrArray *
rein_cli_push (ReinSession *session, const ReinPrivateKey *delegate, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rein_session_sync_async (session, delegate, NULL, rein_cli_async_cb, &result);
  rein_cli_wait (&result);
  return rein_session_sync_finish (session, result, error);
}

guint
rein_cli_push_count_ok (GPtrArray *results)
{
  guint ok = 0;

  for (guint i = 0; results != NULL && i < results->len; i++)
    if (((ReinSyncResult *) g_ptr_array_index (results, i))->error == NULL)
      ok++;
  return ok;
}

void
rein_cli_push_to_json (JsonBuilder *builder, GPtrArray *results)
{
  json_builder_set_member_name (builder, "servers");
  json_builder_begin_array (builder);
  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      ReinSyncResult *r = g_ptr_array_index (results, i);

      json_builder_begin_object (builder);
      rein_cli_json_string (builder, "url", r->url);
      json_builder_set_member_name (builder, "documents");
      json_builder_add_int_value (builder, r->total);
      json_builder_set_member_name (builder, "pushed");
      json_builder_add_int_value (builder, r->pushed);
      json_builder_set_member_name (builder, "unchanged");
      json_builder_add_int_value (builder, r->unchanged);
      rein_cli_json_string (builder, "error", r->error);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* ---- Reading the market ---- */

/* The market reader of the core (rein-market-reader.h), run to the end,
 * with what went wrong on some servers kept as warnings to print. */
struct _ReinCliReader
{
  ReinMarketReader *market;
  GPtrArray *warnings;
  GHashTable *warned;      /* the same warning once */
};

static void
reader_warn (ReinCliReader *reader, const gchar *message)
{
  if (g_hash_table_contains (reader->warned, message))
    return;
  g_ptr_array_add (reader->warnings, g_strdup (message));
  g_hash_table_add (reader->warned, g_ptr_array_index (reader->warnings,
                                                       reader->warnings->len - 1));
}

static void
server_failed_cb (ReinMarketReader *market, const gchar *server, GError *error,
                  gpointer user_data)
{
  reader_warn (user_data, error->message);
}

static void
warning_cb (ReinMarketReader *market, GError *error, gpointer user_data)
{
  reader_warn (user_data, error->message);
}

ReinCliReader *
rein_cli_reader_new (ReinStore *store, ReinIdentity *identity, GError **error)
{
  g_autoptr (ReinCliReader) reader = g_new0 (ReinCliReader, 1);
  g_auto (GStrv) urls = NULL;

  g_return_val_if_fail (REIN_IS_STORE (store), NULL);
  g_return_val_if_fail (REIN_IS_IDENTITY (identity), NULL);

  reader->warnings = g_ptr_array_new_with_free_func (g_free);
  reader->warned = g_hash_table_new (g_str_hash, g_str_equal);
  urls = rein_store_list_servers (store, NULL, error);
  if (urls == NULL)
    return NULL;
  if (urls[0] == NULL)
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                           _("no server is known yet: add one with “rein-cli request URL”"));
      return NULL;
    }
  reader->market = rein_market_reader_new (store, identity, (const gchar *const *) urls);
  /* "jobs" reads only what is new since the last refresh, the app's or
   * ours, and lists the rest of the market from the store. */
  rein_market_reader_set_resume (reader->market, TRUE);
  rein_market_reader_set_resume_lists_all (reader->market, TRUE);
  g_signal_connect (reader->market, "server-failed", G_CALLBACK (server_failed_cb), reader);
  g_signal_connect (reader->market, "warning", G_CALLBACK (warning_cb), reader);
  return g_steal_pointer (&reader);
}

void
rein_cli_reader_free (ReinCliReader *reader)
{
  if (reader == NULL)
    return;
  if (reader->market != NULL)
    g_signal_handlers_disconnect_by_data (reader->market, reader);
  g_clear_object (&reader->market);
  g_clear_pointer (&reader->warned, g_hash_table_unref);
  g_clear_pointer (&reader->warnings, g_ptr_array_unref);
  g_free (reader);
}

ReinDirectory *
rein_cli_reader_get_directory (ReinCliReader *reader)
{
  return rein_market_reader_get_directory (reader->market);
}

void
rein_cli_reader_print_warnings (ReinCliReader *reader)
{
  for (guint i = 0; i < reader->warnings->len; i++)
    rein_cli_warn ("%s", (const gchar *) g_ptr_array_index (reader->warnings, i));
}

/* No server answered: the CLI's network error (exit status 4). */
static void
reader_propagate (GError **error, GError *local_error)
{
  if (local_error->domain == REIN_NET_ERROR)
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_NETWORK, local_error->message);
      g_error_free (local_error);
    }
  else
    g_propagate_error (error, local_error);
}

ReinMarketReader *
rein_cli_reader_get_market (ReinCliReader *reader)
{
  return reader->market;
}

GPtrArray *
rein_cli_reader_query (ReinCliReader *reader,
                       const gchar *query,
                       const gchar *const *params,
                       GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  GError *local_error = NULL;
  GPtrArray *docs;

  rein_market_reader_query_async (reader->market, query, params, NULL, rein_cli_async_cb,
                                  &result);
  rein_cli_wait (&result);
  docs = rein_market_reader_query_finish (reader->market, result, &local_error);
  if (docs == NULL)
    reader_propagate (error, local_error);
  return docs;
}

static gboolean
reader_refresh (ReinCliReader *reader,
                ReinMarketRefresh what,
                const gchar *const *job_ids,
                GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  GError *local_error = NULL;

  rein_market_reader_refresh_async (reader->market, what, job_ids, NULL, rein_cli_async_cb,
                                    &result);
  rein_cli_wait (&result);
  if (!rein_market_reader_refresh_finish (reader->market, result, &local_error))
    {
      reader_propagate (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* The items of @model, in a GPtrArray. */
static GPtrArray *
model_to_array (GListModel *model)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (out, g_list_model_get_item (model, i));
  return out;
}

GPtrArray *
rein_cli_reader_load_mediators (ReinCliReader *reader, GError **error)
{
  if (!reader_refresh (reader, REIN_MARKET_REFRESH_MEDIATORS, NULL, error))
    return NULL;
  return model_to_array (rein_market_reader_get_mediators (reader->market));
}

GPtrArray *
rein_cli_reader_load_open_jobs (ReinCliReader *reader, GError **error)
{
  ReinMarketReader *market = reader->market;
  ReinStore *store = rein_market_reader_get_store (market);
  ReinIdentity *identity = rein_market_reader_get_identity (market);
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (GPtrArray) indexed = NULL;
  g_autoptr (GHashTable) cursors = NULL;
  g_autoptr (GError) store_error = NULL;
  GPtrArray *changed;

  if (!reader_refresh (reader, REIN_MARKET_REFRESH_JOBS, NULL, error))
    return NULL;
  jobs = model_to_array (rein_market_reader_get_jobs (market));
  /* The market index gets what the app's refresh would put there: the app
   * and rein-cli show one market. Then, as the app does, the servers'
   * cursors are kept for the next refresh to go on from (the index has
   * what was read up to them). */
  changed = rein_market_reader_get_changed_jobs (market);
  indexed = rein_store_index_jobs (store, changed != NULL ? changed : jobs,
                                   rein_market_reader_get_directory (market),
                                   rein_identity_get_testnet (identity), &store_error);
  cursors = indexed != NULL ? rein_market_reader_dup_cursors (market) : NULL;
  if (indexed == NULL
      || !rein_store_set_market_cursors (store, rein_identity_get_id (identity), cursors,
                                         &store_error))
    rein_cli_warn ("%s", store_error->message);
  return g_steal_pointer (&jobs);
}

GPtrArray *
rein_cli_reader_load_jobs (ReinCliReader *reader, const gchar *const *job_ids, GError **error)
{
  if (!reader_refresh (reader, REIN_MARKET_REFRESH_JOB_IDS, job_ids, error))
    return NULL;
  return model_to_array (rein_market_reader_get_jobs (reader->market));
}
