/* rein-cli-form.h: form files (--defaults FILE) and the values they hold
 *
 * A form file answers a command's questions ahead of time, so that the
 * command runs without prompts. It holds "Label: value" lines, like the
 * defaults files of python-rein:
 *
 *   # a comment
 *   Job name: Logo for a bakery
 *   Description: Two versions, black and white
 *     and in colour.
 *
 * - The label ends at the first ": " (a bare "Label:" is an empty value).
 *   Labels match without regard to case; python-rein's old names of a label
 *   are accepted too.
 * - Blank lines and lines starting with "#" are skipped.
 * - A line starting with a space or a tab continues the previous value on a
 *   new line (that first space or tab is dropped).
 * - In the free-text values (Description, Deliverables, Dispute detail,
 *   Resolution) "\n" stands for a line break and "\\" for a backslash, as in
 *   Rein documents.
 * - A label that no command reads is an error (it is most likely a typo); a
 *   label that another command reads is ignored, so that one file may serve
 *   several commands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The labels commands read, beyond the document labels of rein-labels.h. */
#define REIN_CLI_LABEL_NAME "Name"
#define REIN_CLI_LABEL_WORKER "Worker"
#define REIN_CLI_LABEL_SIGN "Sign the payments"
#define REIN_CLI_LABEL_FEE "Mediator fee"
#define REIN_CLI_LABEL_TESTNET "Testnet"
#define REIN_CLI_LABEL_RATED "Rated user"

/* Bounds on a form file. */
#define REIN_CLI_FORM_MAX (64 * 1024)

typedef struct _ReinCliForm ReinCliForm;

ReinCliForm *rein_cli_form_new (void);
void rein_cli_form_free (ReinCliForm *form);

/* Parses @len bytes of @text (UTF-8, no NUL). Errors name the line. */
ReinCliForm *rein_cli_form_parse (const gchar *text, gsize len, GError **error);
/* Reads and parses the form file at @path ("-": standard input). */
ReinCliForm *rein_cli_form_load (const gchar *path, GError **error);

/* The value given for @label (any case, or an older name), or NULL. */
const gchar *rein_cli_form_get (ReinCliForm *form, const gchar *label);
/* Sets (or replaces) the value of @label; @label must be a known one. */
void rein_cli_form_set (ReinCliForm *form, const gchar *label, const gchar *value);
/* The number of labels given. */
guint rein_cli_form_size (ReinCliForm *form);

/* The canonical spelling of a label some command reads, or NULL. */
const gchar *rein_cli_form_label_canonical (const gchar *label);

/* ---- Checks of values ---- */

/* "True", "true", "yes", "1" -> TRUE; "False", "false", "no", "0" -> FALSE;
 * anything else fails. */
gboolean rein_cli_parse_boolean (const gchar *text, gboolean *out_value, GError **error);

/* A percentage from 0 to 100 ("1", "1.5", "2.25%"). */
gboolean rein_cli_parse_percent (const gchar *text, gdouble *out_value, GError **error);


G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinCliForm, rein_cli_form_free)

G_END_DECLS
