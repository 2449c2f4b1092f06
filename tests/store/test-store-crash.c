/* test-store-crash.c: a store survives its writer being killed
 *
 * A child process (this program run with --crash-writer) writes documents,
 * placements and verdicts in a loop and reports each write on stdout once
 * the store call has returned, that is once it is committed. The test kills
 * it with SIGKILL at a random moment, then checks that the database is
 * intact (PRAGMA integrity_check, foreign keys) and holds every reported
 * write; several rounds on the same store, so each crash lands on a
 * database that was itself recovered from a crash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "rein-store.h"
#include "rein-test-util.h"

#define ROUNDS 6

/* ---- the writer (child process) ---- */

static gchar *
random_placement_key (void)
{
  gchar *key = g_malloc (33);

  for (guint i = 0; i < 32; i++)
    key[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[g_random_int_range (0, 36)];
  key[32] = '\0';
  return key;
}

static ReinDocument *
random_job (const ReinPrivateKey *key, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *job_id = rein_job_id_generate ();
  g_autofree gchar *text = g_strdup_printf ("Rein Job\nJob name: Crash %u\nJob ID: %s\n"
                                            "Category: Test\nDescription: Written to be killed",
                                            n, job_id);
  ReinDocument *doc = rein_document_sign (text, NULL, key, REIN_NETWORK_MAINNET, &error);

  g_assert_no_error (error);
  return doc;
}

/* Never returns: runs until killed (or, as a safety net, for 60 s). */
static int
crash_writer (const gchar *dir, gint64 server_id, gint64 other_server_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinStore) store = rein_store_open (dir, &error);
  g_autoptr (ReinPrivateKey) key = rein_private_key_generate (TRUE);
  g_autoptr (GPtrArray) batch = g_ptr_array_new_with_free_func (
      (GDestroyNotify) rein_placement_free);
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  g_assert_no_error (error);
  setvbuf (stdout, NULL, _IOLBF, 0);
  printf ("ready\n");

  for (guint n = 0; g_get_monotonic_time () < end; n++)
    {
      g_autoptr (ReinDocument) doc = random_job (key, n);
      g_autoptr (ReinDocument) forged = random_job (key, n);
      g_autofree gchar *placement_key = random_placement_key ();
      g_autofree gchar *reason = g_strdup_printf ("forged-%u", n);
      ReinDocumentVerdict verdicts[2] = {
        { doc, REIN_VERIFICATION_VALID, NULL },
        { forged, REIN_VERIFICATION_INVALID, reason },
      };
      gint64 id;

      id = rein_store_add_document (store, doc, 0, server_id, &error);
      g_assert_no_error (error);
      printf ("D %" G_GINT64_FORMAT " %s\n", id, rein_document_get_hash (doc));

      g_assert_true (rein_store_set_placement (store, id, server_id, placement_key,
                                               rein_document_get_hash (doc), &error));
      printf ("P %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s\n", id, server_id, placement_key);

      g_assert_true (rein_store_save_verdicts (store, verdicts, 2, server_id, &error));
      printf ("V %s valid\n", rein_document_get_hash (doc));
      printf ("V %s invalid %s\n", rein_document_get_hash (forged), reason);

      /* placements on the other server, several in one transaction */
      {
        ReinPlacement *p = g_new0 (ReinPlacement, 1);

        p->document_id = id;
        p->remote_key = random_placement_key ();
        p->verified_hash = g_strdup (rein_document_get_hash (doc));
        g_ptr_array_add (batch, p);
      }
      if (batch->len == 4)
        {
          g_assert_true (rein_store_set_placements (store, other_server_id, batch, &error));
          for (guint i = 0; i < batch->len; i++)
            {
              ReinPlacement *p = g_ptr_array_index (batch, i);

              printf ("P %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s\n", p->document_id,
                      other_server_id, p->remote_key);
            }
          g_ptr_array_set_size (batch, 0);
        }
    }
  return 0;
}

/* ---- the test (parent) ---- */

/* Reads the child's report lines until it dies. */
static gpointer
read_lines (gpointer data)
{
  g_autoptr (GDataInputStream) in = g_data_input_stream_new (data);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  gchar *line;

  while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL)
    g_ptr_array_add (lines, line);
  return lines;
}

static void
check_integrity (const gchar *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint problems = 0;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const gchar *) sqlite3_column_text (stmt, 0), ==, "ok");
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  /* no placement or verdict refers to a document that is not there */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA foreign_key_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    problems++;
  sqlite3_finalize (stmt);
  g_assert_cmpuint (problems, ==, 0);
  sqlite3_close (db);
}

/* Checks that every write the child reported is in the store; returns how
 * many there were. */
static guint
check_reported (ReinStore *store, GPtrArray *lines)
{
  guint checked = 0;

  for (guint i = 0; i < lines->len; i++)
    {
      g_auto (GStrv) word = g_strsplit (lines->pdata[i], " ", -1);
      g_autoptr (GError) error = NULL;

      if (g_str_equal (word[0], "ready"))
        continue;
      if (g_str_equal (word[0], "D"))
        {
          gint64 source = -1;

          g_assert_cmpuint (g_strv_length (word), ==, 3);
          g_assert_true (rein_store_get_document_source (store, word[2], &source, NULL, &error));
          g_assert_no_error (error);
          g_assert_cmpint (source, >, 0);
        }
      else if (g_str_equal (word[0], "P"))
        {
          g_autofree gchar *key = NULL;

          g_assert_cmpuint (g_strv_length (word), ==, 4);
          g_assert_true (rein_store_get_placement (store, g_ascii_strtoll (word[1], NULL, 10),
                                                   g_ascii_strtoll (word[2], NULL, 10), &key,
                                                   NULL, &error));
          g_assert_no_error (error);
          g_assert_cmpstr (key, ==, word[3]);
        }
      else if (g_str_equal (word[0], "V"))
        {
          ReinVerification verification = REIN_VERIFICATION_UNCHECKED;
          g_autofree gchar *reason = NULL;
          gboolean valid = g_str_equal (word[2], "valid");

          g_assert_cmpuint (g_strv_length (word), ==, valid ? 3 : 4);
          g_assert_true (rein_store_get_verdict (store, word[1], &verification, &reason, &error));
          g_assert_no_error (error);
          g_assert_cmpint (verification, ==,
                           valid ? REIN_VERIFICATION_VALID : REIN_VERIFICATION_INVALID);
          if (!valid)
            g_assert_cmpstr (reason, ==, word[3]);
        }
      else
        {
          /* a torn last line: the child died while writing its report,
           * after the store call returned; nothing to check in it */
          g_assert_cmpuint (i, ==, lines->len - 1);
          continue;
        }
      checked++;
    }
  return checked;
}

static void
test_kill_writer (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("rein-store-crash-XXXXXX", &error);
  g_autofree gchar *db_path = g_build_filename (dir, "rein.db", NULL);
  g_autofree gchar *self_exe = g_file_read_link ("/proc/self/exe", &error);
  g_autofree gchar *server_arg = NULL;
  g_autofree gchar *other_arg = NULL;
  guint total = 0;

  g_assert_no_error (error);
  {
    g_autoptr (ReinStore) store = rein_store_open (dir, &error);

    g_assert_no_error (error);
    server_arg = g_strdup_printf ("%" G_GINT64_FORMAT,
                                  rein_store_add_server (store, "http://127.0.0.1:1/", &error));
    other_arg = g_strdup_printf ("%" G_GINT64_FORMAT,
                                 rein_store_add_server (store, "http://127.0.0.1:2/", &error));
    g_assert_no_error (error);
  }

  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autoptr (GSubprocess) child = NULL;
      g_autoptr (GPtrArray) lines = NULL;
      g_autoptr (ReinStore) store = NULL;
      GThread *reader;
      guint delay_ms = (guint) g_test_rand_int_range (150, 900);
      guint checked;

      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self_exe,
                                "--crash-writer", dir, server_arg, other_arg, NULL);
      g_assert_no_error (error);
      reader = g_thread_new ("crash-reader", read_lines, g_subprocess_get_stdout_pipe (child));

      g_usleep (delay_ms * 1000);
      g_subprocess_send_signal (child, SIGKILL);
      g_assert_true (g_subprocess_wait (child, NULL, &error));
      g_assert_no_error (error);
      /* it was killed in the middle of its work, not ended by a failure */
      g_assert_true (g_subprocess_get_if_signaled (child));
      g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
      lines = g_thread_join (reader);

      check_integrity (db_path);
      store = rein_store_open (dir, &error);
      g_assert_no_error (error);
      checked = check_reported (store, lines);
      g_test_message ("round %u: killed after %u ms, %u committed writes found", round, delay_ms,
                      checked);
      total += checked;
      g_clear_object (&store);
      check_integrity (db_path);
    }
  /* the rounds did write something (else nothing was tested) */
  g_assert_cmpuint (total, >, 20);

  rein_test_remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  if (argc == 5 && g_str_equal (argv[1], "--crash-writer"))
    return crash_writer (argv[2], g_ascii_strtoll (argv[3], NULL, 10),
                         g_ascii_strtoll (argv[4], NULL, 10));

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/crash/kill-writer", test_kill_writer);
  return g_test_run ();
}
