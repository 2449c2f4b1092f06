/* test-person.c: how a person is shown (issue 10, item 10)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "rein-market.h"

#define FSI REIN_PERSON_FSI
#define PDI REIN_PERSON_PDI

/* PROTOCOL.md's SIN vector: 1CptxARjqcfkVwGFSjR82zmPT8YtRMubub gives
 * Tf746vuNCfP4QMtmrNFeC8ohHPPtasxVt6r. */
#define MASTER "1CptxARjqcfkVwGFSjR82zmPT8YtRMubub"

static void
test_fingerprint (void)
{
  g_autofree gchar *fp = rein_person_fingerprint (MASTER);

  g_assert_cmpstr (fp, ==, "Tf746vuNCf");
  g_assert_null (rein_person_fingerprint ("not an address"));
  g_assert_null (rein_person_fingerprint (NULL));
}

static void
test_format (void)
{
  g_autofree gchar *mia = rein_person_format ("Mia", MASTER, REIN_PERSON_FLAGS_NONE);
  g_autofree gchar *contested = rein_person_format ("Mia", MASTER, REIN_PERSON_FLAGS_CONTESTED);
  g_autofree gchar *nameless = rein_person_format (NULL, "bad", REIN_PERSON_FLAGS_NONE);

  g_assert_cmpstr (mia, ==, FSI "Mia" PDI " (Tf746vuNCf)");
  g_assert_cmpstr (contested, ==, FSI "Mia" PDI " (Tf746vuNCf) " REIN_PERSON_CONTESTED_MARK);
  g_assert_cmpstr (nameless, ==, FSI "?" PDI " (no fingerprint)");
}

/* Direction overrides and isolates in a name cannot reach the text around
 * it: they are dropped, and the name is isolated once. */
static void
test_bidi (void)
{
  /* "Carol" written backwards behind a RIGHT-TO-LEFT OVERRIDE, then an
   * unbalanced POP DIRECTIONAL ISOLATE and a newline */
  g_autofree gchar *shown = rein_person_format ("\xe2\x80\xae" "loraC" "\xe2\x81\xa9" "\n",
                                                MASTER, REIN_PERSON_FLAGS_NONE);
  g_autofree gchar *arabic = rein_person_format ("مريم", MASTER, REIN_PERSON_FLAGS_NONE);

  g_assert_cmpstr (shown, ==, FSI "loraC " PDI " (Tf746vuNCf)");
  g_assert_null (strstr (shown, "\xe2\x80\xae"));
  g_assert_cmpstr (arabic, ==, FSI "مريم" PDI " (Tf746vuNCf)");
}

/* Latin with Cyrillic or Greek look-alikes is flagged; one script is not,
 * nor are digits and punctuation. */
static void
test_mixed_scripts (void)
{
  /* "Mіa" with CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I */
  g_autofree gchar *homoglyph = rein_person_format ("M\xd1\x96" "a", MASTER,
                                                    REIN_PERSON_FLAGS_NONE);
  g_autofree gchar *cyrillic = rein_person_format ("Мия", MASTER, REIN_PERSON_FLAGS_NONE);

  g_assert_true (rein_person_name_mixes_scripts ("M\xd1\x96" "a"));
  g_assert_true (rein_person_name_mixes_scripts ("Κarol")); /* GREEK CAPITAL KAPPA */
  g_assert_false (rein_person_name_mixes_scripts ("Mia 2"));
  g_assert_false (rein_person_name_mixes_scripts ("Мия"));
  g_assert_false (rein_person_name_mixes_scripts ("José-María"));
  g_assert_false (rein_person_name_mixes_scripts ("山田 たろう"));
  g_assert_nonnull (strstr (homoglyph, REIN_PERSON_MIXED_SCRIPTS_MARK));
  g_assert_null (strstr (cyrillic, "⚠"));
}

/* Long and broken names stay one bounded line. */
static void
test_clean_name (void)
{
  g_autofree gchar *long_name = g_strnfill (1000, 'a');
  g_autofree gchar *cut = rein_person_clean_name (long_name);
  g_autofree gchar *broken = rein_person_clean_name ("Mi\xff" "a\tb");

  g_assert_cmpuint (g_utf8_strlen (cut, -1), ==, 65);
  g_assert_true (g_str_has_suffix (cut, "…"));
  g_assert_true (g_utf8_validate (broken, -1, NULL));
  g_assert_null (strchr (broken, '\t'));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/market/person/fingerprint", test_fingerprint);
  g_test_add_func ("/market/person/format", test_format);
  g_test_add_func ("/market/person/bidi", test_bidi);
  g_test_add_func ("/market/person/mixed-scripts", test_mixed_scripts);
  g_test_add_func ("/market/person/clean-name", test_clean_name);

  return g_test_run ();
}
