/* rein-person.h: how a person is shown (a name is not an identity)
 *
 * Anyone can write any name into a document, and anyone can sign an
 * enrollment that says "User: Mia". What tells people apart is the master
 * key. So a person is shown as the name from the signer's own verified
 * enrollment followed by a short fingerprint of its master address (the
 * start of its Secure Identity Number), in the command-line client and in
 * the app alike: this module is the one place that formats it.
 *
 * Names are shown safely: control characters become spaces, explicit
 * direction marks are dropped, and the name is isolated (U+2068 FSI ...
 * U+2069 PDI) so that a right-to-left name cannot turn the text around it
 * ("by <name> · fee 1%"). A name that mixes scripts that hold look-alike
 * letters (Latin with Cyrillic or Greek: "Mіa" with a Cyrillic "і") gets a
 * visible warning, as does a delegate key claimed by several masters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rein-document.h"
#include "rein-job.h"

G_BEGIN_DECLS

/* Bidi isolation of a name in text shown to people. */
#define REIN_PERSON_FSI "\xe2\x81\xa8" /* U+2068 FIRST STRONG ISOLATE */
#define REIN_PERSON_PDI "\xe2\x81\xa9" /* U+2069 POP DIRECTIONAL ISOLATE */

/* The warning markers the formatted text carries. */
#define REIN_PERSON_MIXED_SCRIPTS_MARK "⚠ mixed scripts"
#define REIN_PERSON_CONTESTED_MARK "⚠ contested"

/* Characters of the fingerprint. */
#define REIN_PERSON_FINGERPRINT_LEN 10

typedef enum
{
  REIN_PERSON_FLAGS_NONE = 0,
  /* its delegate key is claimed by enrollments of more than one master */
  REIN_PERSON_FLAGS_CONTESTED = 1 << 0,
} ReinPersonFlags;

/* The first REIN_PERSON_FINGERPRINT_LEN characters of the Secure Identity
 * Number of @master_address, or NULL when it is not an address. */
gchar *rein_person_fingerprint (const gchar *master_address);

/* @name made safe for one line: not valid UTF-8 is repaired, control and
 * line-separator characters become spaces, direction marks, embeddings,
 * overrides and isolates are dropped, and it is cut at 64 characters. */
gchar *rein_person_clean_name (const gchar *name);

/* TRUE when @name has letters of Latin together with Cyrillic or Greek
 * (the scripts whose letters look alike). */
gboolean rein_person_name_mixes_scripts (const gchar *name);

/* "<FSI>Mia<PDI> (Tf746vuNCf)", with " ⚠ mixed scripts" and " ⚠ contested"
 * after it when they apply. @name may be NULL ("?"); @master_address NULL
 * or not an address gives no fingerprint ("(no fingerprint)"). */
gchar *rein_person_format (const gchar *name, const gchar *master_address, ReinPersonFlags flags);

/* A verified enrollment as a person: its User and its master address,
 * marked contested when @directory (may be NULL) has another master's
 * claim on the same delegate. */
gchar *rein_person_format_enrollment (ReinDocument *enrollment, ReinDirectory *directory);

/* The party whose delegate has @public_key_hex, bound to @master_address
 * (NULL: the delegate's only claim), as its enrollment in @directory says;
 * when there is none, @declared_name marked contested (several masters
 * claim the key and no master is given) or "(not enrolled)". */
gchar *rein_person_format_party (ReinDirectory *directory,
                                 const gchar *public_key_hex,
                                 const gchar *master_address,
                                 const gchar *declared_name);

G_END_DECLS
