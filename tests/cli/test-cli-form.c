/* test-cli-form.c: form files (--defaults) and the checks of their values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>

#include "rein-cli-form.h"
#include "rein-cli-private.h"

static ReinCliForm *
parse_ok (const gchar *text)
{
  g_autoptr (GError) error = NULL;
  ReinCliForm *form = rein_cli_form_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (form);
  return form;
}

/* Parsing fails, and the message says @what. */
static void
parse_fails (const gchar *text, gssize len, const gchar *what)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinCliForm) form = rein_cli_form_parse (text, len < 0 ? strlen (text) : (gsize) len,
                                                      &error);

  g_assert_null (form);
  g_assert_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT);
  if (strstr (error->message, what) == NULL)
    g_error ("“%s” does not say “%s”", error->message, what);
}

static void
test_parse (void)
{
  g_autoptr (ReinCliForm) form = parse_ok ("# python-rein style\n"
                                           "Job name: Logo: bakery\r\n"
                                           "\n"
                                           "category: Design\n"
                                           "Bid amount (BTC): 0.05\n"
                                           "Job ID:\n"
                                           "Mediator:   Mia  \n");

  g_assert_cmpuint (rein_cli_form_size (form), ==, 5);
  /* the label ends at the first ": " */
  g_assert_cmpstr (rein_cli_form_get (form, "Job name"), ==, "Logo: bakery");
  /* labels match whatever their case, and give back the canonical one */
  g_assert_cmpstr (rein_cli_form_get (form, "Category"), ==, "Design");
  g_assert_cmpstr (rein_cli_form_get (form, "CATEGORY"), ==, "Design");
  g_assert_cmpstr (rein_cli_form_get (form, "Bid amount (BTC)"), ==, "0.05");
  /* a bare label is an empty value; values keep their spaces */
  g_assert_cmpstr (rein_cli_form_get (form, "Job ID"), ==, "");
  g_assert_cmpstr (rein_cli_form_get (form, "Mediator"), ==, "  Mia  ");
  /* not given, and not a label at all */
  g_assert_null (rein_cli_form_get (form, "Description"));
  g_assert_null (rein_cli_form_get (form, "Colour"));
  g_assert_null (rein_cli_form_get (NULL, "Job name"));
}

static void
test_old_names (void)
{
  g_autoptr (ReinCliForm) form = parse_ok ("User: Alice\nMediation fee: 2\nWorker's name: Bob\n");

  g_assert_cmpstr (rein_cli_form_get (form, "Name"), ==, "Alice");
  g_assert_cmpstr (rein_cli_form_get (form, "User"), ==, "Alice");
  g_assert_cmpstr (rein_cli_form_get (form, "Mediator fee"), ==, "2");
  g_assert_cmpstr (rein_cli_form_get (form, "Worker"), ==, "Bob");
  g_assert_cmpstr (rein_cli_form_label_canonical ("user"), ==, "Name");
  g_assert_null (rein_cli_form_label_canonical ("Job creator public key"));
}

static void
test_multiline (void)
{
  g_autoptr (ReinCliForm) form = parse_ok ("Description: First line\n"
                                           " second line\n"
                                           "\tthird, after a tab\n"
                                           "Deliverables: a\\nb and c:\\\\d\n"
                                           "Job name: not\\nfree text\n"
                                           "Dispute detail:\n"
                                           " starts on the next line\n"
                                           "Resolution: x\n");

  g_assert_cmpstr (rein_cli_form_get (form, "Description"), ==,
                   "First line\nsecond line\nthird, after a tab");
  /* escapes of documents, in free text only */
  g_assert_cmpstr (rein_cli_form_get (form, "Deliverables"), ==, "a\nb and c:\\d");
  g_assert_cmpstr (rein_cli_form_get (form, "Job name"), ==, "not\\nfree text");
  g_assert_cmpstr (rein_cli_form_get (form, "Dispute detail"), ==, "starts on the next line");
  g_assert_cmpstr (rein_cli_form_get (form, "Resolution"), ==, "x");
}

static void
test_errors (void)
{
  parse_fails ("Job name: a\nJobname: b\n", -1, "line 2");
  parse_fails ("Job name: a\nJobname: b\n", -1, "“Jobname” is not a label");
  parse_fails ("Job name: a\nJob Name: b\n", -1, "given twice (first on line 1)");
  parse_fails ("Job name a\n", -1, "expected “Label: value”");
  parse_fails (": value\n", -1, "expected “Label: value”");
  parse_fails (" continued\n", -1, "continued line");
  parse_fails ("Job name: a\x01\n", -1, "control characters");
  parse_fails ("Job name: a\0b\n", 12, "not UTF-8 text");
  parse_fails ("Job name: \xff\xfe\n", -1, "not UTF-8 text");

  {
    gsize len = REIN_CLI_FORM_MAX + 1;
    g_autofree gchar *big = g_malloc (len + 1);

    memset (big, '#', len);
    big[len] = '\0';
    parse_fails (big, len, "too large");
  }
}

static void
test_empty_and_set (void)
{
  g_autoptr (ReinCliForm) empty = parse_ok ("");
  g_autoptr (ReinCliForm) comments = parse_ok ("# nothing\n\n   \n");

  g_assert_cmpuint (rein_cli_form_size (empty), ==, 0);
  g_assert_cmpuint (rein_cli_form_size (comments), ==, 0);
  rein_cli_form_set (empty, "job id", "abc");
  g_assert_cmpstr (rein_cli_form_get (empty, "Job ID"), ==, "abc");
  rein_cli_form_set (empty, "Job ID", "def");
  g_assert_cmpstr (rein_cli_form_get (empty, "job id"), ==, "def");
}

static void
test_load (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("rein-cli-form-XXXXXX", &error);
  g_autofree gchar *good = g_build_filename (dir, "good.txt", NULL);
  g_autofree gchar *bad = g_build_filename (dir, "bad.txt", NULL);
  g_autofree gchar *missing = g_build_filename (dir, "missing.txt", NULL);
  g_autoptr (ReinCliForm) form = NULL;

  g_assert_no_error (error);
  g_file_set_contents (good, "Job ID: abc\n", -1, &error);
  g_file_set_contents (bad, "Job ID: abc\nNope: x\n", -1, &error);
  g_assert_no_error (error);

  form = rein_cli_form_load (good, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rein_cli_form_get (form, "Job ID"), ==, "abc");
  g_clear_pointer (&form, rein_cli_form_free);

  /* errors name the file and the line */
  form = rein_cli_form_load (bad, &error);
  g_assert_null (form);
  g_assert_nonnull (strstr (error->message, "bad.txt"));
  g_assert_nonnull (strstr (error->message, "line 2"));
  g_clear_error (&error);

  form = rein_cli_form_load (missing, &error);
  g_assert_null (form);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);

  g_unlink (good);
  g_unlink (bad);
  g_rmdir (dir);
}

static void
test_boolean (void)
{
  const gchar *yes[] = { "True", "true", "TRUE", " yes ", "y", "1" };
  const gchar *no[] = { "False", "false", "no", "N", "0" };
  const gchar *bad[] = { "", "maybe", "2", "truee", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      gboolean value = FALSE;

      g_assert_true (rein_cli_parse_boolean (yes[i], &value, NULL));
      g_assert_true (value);
    }
  for (guint i = 0; i < G_N_ELEMENTS (no); i++)
    {
      gboolean value = TRUE;

      g_assert_true (rein_cli_parse_boolean (no[i], &value, NULL));
      g_assert_false (value);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      gboolean value;

      g_assert_false (rein_cli_parse_boolean (bad[i], &value, &error));
      g_assert_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT);
    }
}

static void
test_percent (void)
{
  const struct
  {
    const gchar *text;
    gdouble value;
  } good[] = {
    { "1", 1.0 }, { "1.5", 1.5 }, { "2.25%", 2.25 }, { " 0 ", 0 }, { "100", 100 },
    { "0.5 %", 0.5 },
  };
  const gchar *bad[] = { "", "-1", "101", "abc", "1e2", "nan", "inf", "1.2.3", "%", "+1", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      gdouble value = -1;

      g_assert_true (rein_cli_parse_percent (good[i].text, &value, NULL));
      g_assert_cmpfloat_with_epsilon (value, good[i].value, 1e-9);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      gdouble value;

      g_assert_false (rein_cli_parse_percent (bad[i], &value, &error));
      g_assert_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/form/parse", test_parse);
  g_test_add_func ("/cli/form/old-names", test_old_names);
  g_test_add_func ("/cli/form/multiline", test_multiline);
  g_test_add_func ("/cli/form/errors", test_errors);
  g_test_add_func ("/cli/form/empty-and-set", test_empty_and_set);
  g_test_add_func ("/cli/form/load", test_load);
  g_test_add_func ("/cli/values/boolean", test_boolean);
  g_test_add_func ("/cli/values/percent", test_percent);
  return g_test_run ();
}
