/* cli-test-util.h: running rein-cli (and Python) from the CLI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  gboolean exited; /* FALSE when a signal ended it */
  gint status;     /* exit status, or the signal */
  gchar *out;      /* NUL-terminated */
  gsize out_len;
  gchar *err;
} CliResult;

/* Runs rein-cli ($REIN_CLI) with @args, feeding it @input (@len bytes, -1 for
 * a string; NULL: empty standard input). */
CliResult *cli_runv (const gchar *input, gssize len, const gchar *const *args);
/* The same, with @child_setup run in the child before rein-cli starts (to
 * drop privileges, say). */
CliResult *cli_runv_full (const gchar *input,
                          gssize len,
                          const gchar *const *args,
                          GSpawnChildSetupFunc child_setup);
CliResult *cli_run (const gchar *input, const gchar *first_arg, ...) G_GNUC_NULL_TERMINATED;
void cli_result_free (CliResult *result);
/* rein-cli --data-dir @dir with the other arguments, no input. */
CliResult *cli_run_in (const gchar *dir, const gchar *first_arg, ...) G_GNUC_NULL_TERMINATED;
/* The same, with @child_setup run in the child. */
CliResult *cli_run_in_full (const gchar *dir,
                            GSpawnChildSetupFunc child_setup,
                            const gchar *first_arg,
                            ...) G_GNUC_NULL_TERMINATED;

/* Asserts how it ended, printing its output when it is not what we wanted. */
#define cli_assert_status(r, s) cli_assert_status_impl ((r), (s), __FILE__, __LINE__)
void cli_assert_status_impl (CliResult *result, gint status, const gchar *file, int line);

/* Asserts exit status 2, nothing on stdout and one "rein-cli: " line on
 * stderr. */
#define cli_assert_error(r) cli_assert_error_impl ((r), __FILE__, __LINE__)
void cli_assert_error_impl (CliResult *result, const gchar *file, int line);

/* Parses stdout as a JSON object; the node owns it. */
JsonNode *cli_result_get_json (CliResult *result);

/* A private temporary folder for this test program, removed by
 * cli_test_cleanup(). */
const gchar *cli_tmp_dir (void);
/* Writes @contents (@len bytes, -1 for a string) to @name in the temporary
 * folder and returns the path. */
gchar *cli_write_tmp (const gchar *name, const gchar *contents, gssize len);
void cli_test_cleanup (void);

/* Runs /usr/bin/python3 (or $PYTHON3) with @script; returns stdout, or NULL
 * when it failed (its stderr then goes to the test log). */
gchar *cli_run_python (const gchar *script, const gchar *input, const gchar *const *args);
/* TRUE when Python and python3-bitcoinlib are there. */
gboolean cli_have_bitcoinlib (void);

/* The file of $REIN_SHARED_DIR/vectors/signed, sorted, or NULL (and the test
 * skipped) when that folder is absent. */
GPtrArray *cli_signed_vectors (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliResult, cli_result_free)

G_END_DECLS
