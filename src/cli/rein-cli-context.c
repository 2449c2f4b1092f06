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

/* Documents asked for per page, and job IDs or addresses per query. */
#define PAGE_SIZE 1000
#define MAX_PAGES 1000
#define IDS_PER_QUERY 100

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
    g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                         _("there is no identity yet: create one with “rein-cli setup”"));
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

ReinPrivateKey *
rein_cli_unlock_delegate (ReinStore *store, ReinIdentity *identity, GError **error)
{
  g_autoptr (ReinCliSecret) password = rein_cli_get_password (FALSE, error);

  if (password == NULL)
    return NULL;
  return rein_store_unlock_delegate_key (store, identity, password, error);
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
rein_cli_push (ReinStore *store,
               ReinIdentity *identity,
               const ReinPrivateKey *delegate,
               GError **error)
{
  g_autoptr (ReinSync) sync = rein_sync_new (store);
  g_autoptr (GAsyncResult) result = NULL;

  rein_sync_run_async (sync, identity, delegate, NULL, rein_cli_async_cb, &result);
  rein_cli_wait (&result);
  return rein_sync_run_finish (sync, result, error);
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

struct _ReinCliReader
{
  ReinStore *store;
  ReinIdentity *identity;
  GStrv urls;
  ReinDirectory *directory;
  GHashTable *asked;       /* addresses looked up on the servers */
  gboolean store_loaded;   /* the store's enrollments are in the directory */
  GPtrArray *warnings;
  GHashTable *warned;      /* the same warning once */
};

ReinCliReader *
rein_cli_reader_new (ReinStore *store, ReinIdentity *identity, GError **error)
{
  g_autoptr (ReinCliReader) reader = g_new0 (ReinCliReader, 1);

  g_return_val_if_fail (REIN_IS_STORE (store), NULL);
  g_return_val_if_fail (REIN_IS_IDENTITY (identity), NULL);

  reader->store = g_object_ref (store);
  reader->identity = g_object_ref (identity);
  reader->directory = rein_directory_new ();
  reader->asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  reader->warnings = g_ptr_array_new_with_free_func (g_free);
  reader->warned = g_hash_table_new (g_str_hash, g_str_equal);
  reader->urls = rein_store_list_servers (store, NULL, error);
  if (reader->urls == NULL)
    return NULL;
  if (reader->urls[0] == NULL)
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                           _("no server is known yet: add one with “rein-cli request URL”"));
      return NULL;
    }
  return g_steal_pointer (&reader);
}

void
rein_cli_reader_free (ReinCliReader *reader)
{
  if (reader == NULL)
    return;
  g_clear_object (&reader->store);
  g_clear_object (&reader->identity);
  g_strfreev (reader->urls);
  g_clear_pointer (&reader->directory, rein_directory_free);
  g_clear_pointer (&reader->asked, g_hash_table_unref);
  g_clear_pointer (&reader->warned, g_hash_table_unref);
  g_clear_pointer (&reader->warnings, g_ptr_array_unref);
  g_free (reader);
}

ReinDirectory *
rein_cli_reader_get_directory (ReinCliReader *reader)
{
  return reader->directory;
}

static void
reader_warn (ReinCliReader *reader, const gchar *message)
{
  if (g_hash_table_contains (reader->warned, message))
    return;
  g_ptr_array_add (reader->warnings, g_strdup (message));
  g_hash_table_add (reader->warned, g_ptr_array_index (reader->warnings,
                                                       reader->warnings->len - 1));
}

void
rein_cli_reader_print_warnings (ReinCliReader *reader)
{
  for (guint i = 0; i < reader->warnings->len; i++)
    rein_cli_warn ("%s", (const gchar *) g_ptr_array_index (reader->warnings, i));
}

GPtrArray *
rein_cli_reader_query (ReinCliReader *reader,
                       const gchar *query,
                       const gchar *const *params,
                       GError **error)
{
  g_autoptr (GHashTable) by_hash = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                          g_object_unref);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto (GStrv) urls = g_strdupv (reader->urls);
  g_autofree gchar *first_error = NULL;
  guint answered = 0;

  for (guint page = 0; page < MAX_PAGES && urls[0] != NULL; page++)
    {
      g_autoptr (GPtrArray) all_params = g_ptr_array_new_with_free_func (NULL);
      g_autoptr (GPtrArray) docs = NULL;
      g_autoptr (GPtrArray) reports = NULL;
      g_autoptr (GAsyncResult) result = NULL;
      g_autoptr (GStrvBuilder) again = g_strv_builder_new ();
      g_autofree gchar *limit = g_strdup_printf ("%d", PAGE_SIZE);
      g_autofree gchar *offset = g_strdup_printf ("%u", page * PAGE_SIZE);

      for (guint i = 0; params != NULL && params[i] != NULL && params[i + 1] != NULL; i += 2)
        {
          g_ptr_array_add (all_params, (gpointer) params[i]);
          g_ptr_array_add (all_params, (gpointer) params[i + 1]);
        }
      g_ptr_array_add (all_params, (gpointer) "limit");
      g_ptr_array_add (all_params, limit);
      g_ptr_array_add (all_params, (gpointer) "offset");
      g_ptr_array_add (all_params, offset);
      g_ptr_array_add (all_params, NULL);

      rein_fetch_async ((const gchar *const *) urls,
                        rein_identity_get_master_address (reader->identity), query,
                        rein_identity_get_testnet (reader->identity),
                        (const gchar *const *) all_params->pdata, NULL, rein_cli_async_cb,
                        &result);
      rein_cli_wait (&result);
      docs = rein_fetch_finish (result, &reports, error);
      if (docs == NULL)
        return NULL;

      for (guint i = 0; i < reports->len; i++)
        {
          ReinFetchReport *report = g_ptr_array_index (reports, i);

          if (report->error != NULL)
            {
              if (first_error == NULL)
                first_error = g_strdup (report->error);
              reader_warn (reader, report->error);
              continue;
            }
          if (page == 0)
            answered++;
          if (report->malformed > 0)
            {
              g_autofree gchar *message = g_strdup_printf (
                  g_dngettext (GETTEXT_PACKAGE, "%s sent %u text that is not a Rein document",
                               "%s sent %u texts that are not Rein documents",
                               report->malformed),
                  report->url, report->malformed);

              reader_warn (reader, message);
            }
          /* A full page: there may be more. Servers that ignore paging
           * (the original one caps at 100) never fill a page. */
          if (report->received >= PAGE_SIZE)
            g_strv_builder_add (again, report->url);
        }
      if (page == 0 && answered == 0)
        {
          g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_NETWORK,
                       _("no server answered (%s)"), first_error ? first_error : "?");
          return NULL;
        }
      for (guint i = 0; i < docs->len; i++)
        {
          ReinDocument *doc = g_ptr_array_index (docs, i);

          if (!g_hash_table_contains (by_hash, rein_document_get_hash (doc)))
            {
              g_hash_table_insert (by_hash, (gpointer) rein_document_get_hash (doc),
                                   g_object_ref (doc));
              g_ptr_array_add (out, g_object_ref (doc));
            }
        }
      g_strfreev (urls);
      urls = g_strv_builder_end (again);
    }
  return g_steal_pointer (&out);
}

/* Adds the enrollments the store holds to the directory, once. */
static void
reader_load_stored_enrollments (ReinCliReader *reader)
{
  g_autoptr (GPtrArray) texts = NULL;

  if (reader->store_loaded)
    return;
  reader->store_loaded = TRUE;
  texts = rein_store_list_enrollments (reader->store, NULL);
  for (guint i = 0; texts != NULL && i < texts->len; i++)
    {
      g_autoptr (ReinDocument) doc = rein_document_new_from_armored (
          g_ptr_array_index (texts, i), -1, NULL);

      if (doc != NULL)
        rein_directory_add (reader->directory, doc, NULL);
    }
}

/* Adds the enrollments among @docs to the directory and records their
 * verdicts. */
static void
reader_add_enrollments (ReinCliReader *reader, GPtrArray *docs)
{
  g_autoptr (GArray) verdicts = g_array_new (FALSE, TRUE, sizeof (ReinDocumentVerdict));
  g_autoptr (GPtrArray) reasons = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < docs->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (docs, i);
      g_autoptr (GError) add_error = NULL;
      ReinDocumentVerdict verdict = { doc, REIN_VERIFICATION_VALID, NULL };

      if (rein_document_get_document_type (doc) != REIN_DOCUMENT_TYPE_ENROLLMENT)
        continue;
      if (!rein_directory_add (reader->directory, doc, &add_error))
        {
          verdict.verification = REIN_VERIFICATION_INVALID;
          verdict.reason = add_error->message;
          g_ptr_array_add (reasons, g_steal_pointer (&add_error));
        }
      g_array_append_val (verdicts, verdict);
    }
  if (!rein_store_save_verdicts (reader->store, (ReinDocumentVerdict *) verdicts->data,
                                 verdicts->len, 0, &error))
    reader_warn (reader, error->message);
}

static void
want_address (ReinCliReader *reader, GHashTable *wanted, const gchar *address)
{
  ReinAddressType type;

  /* Servers refuse a whole query for one bad address: a forged document
   * must not hide the others' signers. */
  if (address == NULL || !rein_address_validate (address, NULL, &type, NULL, NULL)
      || type != REIN_ADDRESS_P2PKH)
    return;
  if (g_hash_table_contains (reader->asked, address)
      || rein_directory_lookup_delegate (reader->directory, address) != NULL)
    return;
  g_hash_table_add (wanted, g_strdup (address));
}

gboolean
rein_cli_reader_learn_signers (ReinCliReader *reader, GPtrArray *docs, GError **error)
{
  g_autoptr (GHashTable) wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) list = NULL;
  ReinNetwork network = rein_cli_identity_network (reader->identity);

  reader_load_stored_enrollments (reader);
  reader_add_enrollments (reader, docs);

  for (guint i = 0; i < docs->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (docs, i);

      if (rein_document_get_document_type (doc) == REIN_DOCUMENT_TYPE_ENROLLMENT)
        continue;
      want_address (reader, wanted, rein_document_get_signer (doc));
      if (rein_document_get_document_type (doc) == REIN_DOCUMENT_TYPE_JOB_POSTING)
        {
          const gchar *key = rein_document_lookup (doc, REIN_LABEL_MEDIATOR_PUBLIC_KEY);
          guint8 pub[65];
          gsize len = 0;

          if (key != NULL && rein_directory_lookup_public_key (reader->directory, key) == NULL
              && rein_public_key_parse_hex (key, pub, &len, NULL))
            {
              g_autofree gchar *address = rein_address_from_public_key (pub, len, network);

              want_address (reader, wanted, address);
            }
        }
    }

  list = g_ptr_array_new_with_free_func (g_free);
  {
    GHashTableIter iter;
    gpointer address;

    g_hash_table_iter_init (&iter, wanted);
    while (g_hash_table_iter_next (&iter, &address, NULL))
      g_ptr_array_add (list, g_strdup (address));
  }
  for (guint start = 0; start < list->len; start += IDS_PER_QUERY)
    {
      g_autoptr (GString) addresses = g_string_new (NULL);
      g_autoptr (GPtrArray) found = NULL;
      g_autoptr (GError) local_error = NULL;
      const gchar *params[3] = { "addresses", NULL, NULL };

      for (guint i = start; i < list->len && i < start + IDS_PER_QUERY; i++)
        {
          if (addresses->len > 0)
            g_string_append_c (addresses, ',');
          g_string_append (addresses, g_ptr_array_index (list, i));
          g_hash_table_add (reader->asked, g_strdup (g_ptr_array_index (list, i)));
        }
      params[1] = addresses->str;
      /* Servers without our "enrollments" query answer nothing (or an
       * error): those signers stay unknown, and their documents invalid. */
      found = rein_cli_reader_query (reader, "enrollments", params, &local_error);
      if (found == NULL)
        {
          reader_warn (reader, local_error->message);
          continue;
        }
      reader_add_enrollments (reader, found);
    }
  return TRUE;
}

GPtrArray *
rein_cli_reader_load_mediators (ReinCliReader *reader, GError **error)
{
  g_autoptr (GPtrArray) docs = rein_cli_reader_query (reader, "mediators", NULL, error);
  GPtrArray *mediators;
  GPtrArray *out;
  const gchar *own_key = rein_identity_get_delegate_public_key (reader->identity);

  if (docs == NULL)
    return NULL;
  reader_load_stored_enrollments (reader);
  reader_add_enrollments (reader, docs);

  out = g_ptr_array_new_with_free_func (g_object_unref);
  mediators = rein_directory_get_mediators (reader->directory);
  for (guint i = 0; i < mediators->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (mediators, i);
      const gchar *key = rein_document_lookup (doc, REIN_LABEL_MEDIATOR_PUBLIC_KEY);

      /* One cannot mediate one's own jobs. */
      if (key != NULL && g_ascii_strcasecmp (key, own_key) == 0)
        continue;
      g_ptr_array_add (out, g_object_ref (doc));
    }
  return out;
}

static const gchar *
job_id_of (ReinDocument *doc)
{
  return rein_document_get_field (doc, REIN_LABEL_JOB_ID);
}

/* Stores the verdicts of @jobs' documents and our orders. */
static void
reader_record_jobs (ReinCliReader *reader, GPtrArray *jobs)
{
  g_autoptr (GArray) verdicts = g_array_new (FALSE, TRUE, sizeof (ReinDocumentVerdict));
  g_autoptr (GError) error = NULL;
  const gchar *own_key = rein_identity_get_delegate_public_key (reader->identity);
  gint64 identity_id = rein_identity_get_id (reader->identity);

  for (guint j = 0; j < jobs->len; j++)
    {
      ReinJob *job = g_ptr_array_index (jobs, j);
      ReinRole role = rein_job_get_role (job, own_key);

      for (guint i = 0; i < rein_job_get_n_entries (job); i++)
        {
          ReinDocumentVerdict verdict = { 0 };
          gboolean valid = FALSE;

          verdict.document = rein_job_get_entry (job, i, &valid, &verdict.reason);
          verdict.verification = valid ? REIN_VERIFICATION_VALID : REIN_VERIFICATION_INVALID;
          g_array_append_val (verdicts, verdict);
        }
      if (role != REIN_ROLE_NONE
          && !rein_store_set_order (reader->store, rein_job_get_id (job), identity_id,
                                    rein_role_to_name (role),
                                    rein_job_state_to_name (rein_job_get_state (job)), &error))
        {
          reader_warn (reader, error->message);
          g_clear_error (&error);
        }
    }
  if (!rein_store_save_verdicts (reader->store, (ReinDocumentVerdict *) verdicts->data,
                                 verdicts->len, 0, &error))
    reader_warn (reader, error->message);
}

static gint
compare_job_ids (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (rein_job_get_id (*(ReinJob **) a), rein_job_get_id (*(ReinJob **) b));
}

GPtrArray *
rein_cli_reader_build_jobs (ReinCliReader *reader, GPtrArray *docs, GError **error)
{
  g_autoptr (GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                         (GDestroyNotify) g_ptr_array_unref);
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key, value;

  if (!rein_cli_reader_learn_signers (reader, docs, error))
    return NULL;

  for (guint i = 0; i < docs->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (docs, i);
      const gchar *job_id = job_id_of (doc);
      GPtrArray *group;

      if (job_id == NULL || rein_document_get_document_type (doc) == REIN_DOCUMENT_TYPE_ENROLLMENT)
        continue;
      group = g_hash_table_lookup (groups, job_id);
      if (group == NULL)
        {
          group = g_ptr_array_new ();
          g_hash_table_insert (groups, (gpointer) job_id, group);
        }
      g_ptr_array_add (group, doc);
    }

  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      /* A job is its ID and its creator: a copied ID is another job. */
      g_auto (GStrv) creators = rein_job_find_creators (key, value, reader->directory);

      if (g_strv_length (creators) <= 1)
        g_ptr_array_add (jobs, rein_job_new (key, value, reader->directory));
      else
        for (guint i = 0; creators[i] != NULL; i++)
          g_ptr_array_add (jobs, rein_job_new_for_creator (key, creators[i], value,
                                                           reader->directory));
    }
  g_ptr_array_sort (jobs, compare_job_ids);
  reader_record_jobs (reader, jobs);
  return g_steal_pointer (&jobs);
}

GPtrArray *
rein_cli_reader_load_jobs (ReinCliReader *reader, const gchar *const *job_ids, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) docs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) built = NULL;
  g_autoptr (GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *out;
  guint n = g_strv_length ((gchar **) job_ids);

  for (guint start = 0; start < n; start += IDS_PER_QUERY)
    {
      g_autoptr (GString) ids = g_string_new (NULL);
      g_autoptr (GPtrArray) found = NULL;
      const gchar *params[3] = { "job_ids", NULL, NULL };

      for (guint i = start; i < n && i < start + IDS_PER_QUERY; i++)
        {
          if (ids->len > 0)
            g_string_append_c (ids, ',');
          g_string_append (ids, job_ids[i]);
        }
      params[1] = ids->str;
      found = rein_cli_reader_query (reader, "by_job_id", params, error);
      if (found == NULL)
        return NULL;
      for (guint i = 0; i < found->len; i++)
        {
          ReinDocument *doc = g_ptr_array_index (found, i);

          if (g_hash_table_add (seen, (gpointer) rein_document_get_hash (doc)))
            g_ptr_array_add (docs, g_object_ref (doc));
        }
    }

  /* What the store holds too: our documents not pushed yet, and those
   * fetched earlier from servers we no longer reach. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GPtrArray) texts = rein_store_list_job_documents (reader->store, job_ids[i],
                                                                   NULL);

      for (guint t = 0; texts != NULL && t < texts->len; t++)
        {
          ReinDocument *doc = rein_document_new_from_armored (g_ptr_array_index (texts, t), -1,
                                                              NULL);

          if (doc == NULL)
            continue;
          if (g_hash_table_add (seen, (gpointer) rein_document_get_hash (doc)))
            g_ptr_array_add (docs, doc);
          else
            g_object_unref (doc);
        }
    }

  built = rein_cli_reader_build_jobs (reader, docs, error);
  if (built == NULL)
    return NULL;
  for (guint i = 0; i < built->len; i++)
    g_hash_table_insert (by_id, (gpointer) rein_job_get_id (g_ptr_array_index (built, i)),
                         g_ptr_array_index (built, i));
  out = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      ReinJob *job = g_hash_table_lookup (by_id, job_ids[i]);

      if (job != NULL && g_hash_table_remove (by_id, job_ids[i]))
        g_ptr_array_add (out, g_object_ref (job));
    }
  return out;
}
