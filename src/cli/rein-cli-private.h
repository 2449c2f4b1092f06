/* rein-cli-private.h: what the rein-cli command files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "rein-psbt.h"

G_BEGIN_DECLS

/* Exit statuses, the same for every command. */
#define REIN_CLI_EXIT_OK 0      /* done; for checks: valid */
#define REIN_CLI_EXIT_INVALID 1 /* a check ran and failed (bad signature) */
#define REIN_CLI_EXIT_ERROR 2   /* usage error, unreadable or malformed input */
#define REIN_CLI_EXIT_REFUSED 3 /* the job's state or the user's role does not allow it */
#define REIN_CLI_EXIT_NETWORK 4 /* no server answered, or some did not (sync) */

/* Bounds on what a command reads: documents and messages, and secrets
 * (keys, recovery phrases, passphrases). */
#define REIN_CLI_INPUT_MAX (1024 * 1024)
#define REIN_CLI_SECRET_MAX 4096

#define REIN_CLI_ERROR (rein_cli_error_quark ())

typedef enum
{
  REIN_CLI_ERROR_INVALID_INPUT, /* input that is not what the command reads */
  REIN_CLI_ERROR_USAGE,         /* options that do not go together */
  REIN_CLI_ERROR_REFUSED,       /* not allowed in the job's state or to this user */
  REIN_CLI_ERROR_NETWORK,       /* the servers could not be reached */
} ReinCliError;

GQuark rein_cli_error_quark (void);

typedef struct _ReinCliCommand ReinCliCommand;

/* Runs @command. @argv[0] is the command's name, the rest its arguments.
 * Returns the exit status. */
typedef int (*ReinCliCommandFunc) (const ReinCliCommand *command, int argc, char **argv);

struct _ReinCliCommand
{
  const gchar *name;
  const gchar *parameter_string; /* after "[OPTION…]" in the usage line; N_() */
  const gchar *summary;          /* one line, for "rein-cli --help"; N_() */
  const gchar *description;      /* shown after the options, or NULL; N_() */
  guint min_args;                /* positional arguments accepted */
  guint max_args;
  gboolean checks;               /* exit status 1 means "checked: invalid" */
  gboolean global_options;       /* takes --data-dir, --json... after its name too */
  const gchar *exit_status;      /* replaces the usual exit status text; N_() */
  ReinCliCommandFunc run;
};

/* The commands of one file, as "rein-cli --help" lists them. */
typedef struct
{
  const gchar *title;             /* N_() */
  const ReinCliCommand *commands; /* ends with a zeroed entry */
} ReinCliCommandGroup;

extern const ReinCliCommandGroup rein_cli_tools_group;
extern const ReinCliCommandGroup rein_cli_account_group;
extern const ReinCliCommandGroup rein_cli_market_group;
extern const ReinCliCommandGroup rein_cli_escrow_group;
extern const ReinCliCommandGroup rein_cli_ratings_group;

/* ---- Global options ----
 * Given before the command ("rein-cli --data-dir D status") or, for the
 * commands with global_options, after it ("rein-cli status --data-dir D").
 * They live until the program ends. */
typedef struct
{
  gchar *data_dir;      /* NULL: REIN_DATA_DIR, else the default */
  gchar *password_file; /* NULL: REIN_PASSWORD, else a prompt */
  gchar *defaults_file; /* a form file, or NULL */
  gboolean json;
} ReinCliGlobals;

extern ReinCliGlobals rein_cli_globals;

/* Parses the global options at the start of @argv (after the program name).
 * Returns the index of the first other argument, or -1 after an error
 * (reported). */
int rein_cli_parse_global_options (int argc, char **argv);
/* The help text of the global options, one per line. */
const gchar *rein_cli_global_options_help (void);

/* ---- Errors ---- */

/* Prints "rein-cli: <message>" on one line on stderr (line breaks and other
 * control characters in @format's expansion become spaces). */
void rein_cli_printerr (const gchar *format, ...) G_GNUC_PRINTF (1, 2);
/* Prints @error's message (after "@context: " when @context is not NULL)
 * and returns the exit status it calls for: REIN_CLI_EXIT_REFUSED for
 * REIN_CLI_ERROR_REFUSED, REIN_CLI_EXIT_NETWORK for REIN_CLI_ERROR_NETWORK,
 * REIN_CLI_EXIT_ERROR for everything else. */
int rein_cli_fail (const gchar *context, const GError *error);

/* ---- Options ---- */

/* Parses the options of @command (@entries may be NULL) out of @argv, where
 * @argv[0] is the command's name, and checks the number of positional
 * arguments against the command's bounds. Handles -h/--help.
 *
 * Returns TRUE with the positional arguments in @out_args (a NULL-terminated
 * vector, possibly empty) when the command should go on; otherwise FALSE
 * with the exit status in @out_status (0 after --help, 2 after an error,
 * already reported). */
gboolean rein_cli_parse_options (const ReinCliCommand *command,
                                 const GOptionEntry *entries,
                                 int argc,
                                 char **argv,
                                 GStrv *out_args,
                                 int *out_status);

/* TRUE when @path names standard input: NULL or "-". */
/* A job ID as users may give one: letters and digits, at most
 * REIN_CLI_MAX_JOB_ID_LEN (python-rein made 20). */
#define REIN_CLI_MAX_JOB_ID_LEN 64
gboolean rein_cli_check_job_id (const gchar *job_id, GError **error);

gboolean rein_cli_path_is_stdin (const gchar *path);
/* "standard input" or the quoted display name of @path, for messages. */
gchar *rein_cli_describe_path (const gchar *path);

/* ---- Input ---- */

/* Reads all of @path (standard input when rein_cli_path_is_stdin()), at most
 * @max bytes. The result is NUL-terminated; @out_len excludes the NUL. */
gchar *rein_cli_read_input (const gchar *path, gsize max, gsize *out_len, GError **error);
/* A PSBT file (- for standard input), binary or base64, parsed. */
ReinPsbt *rein_cli_read_psbt (const gchar *path, GError **error);
/* The address @script pays (P2PKH or P2SH), or NULL for another script. */
gchar *rein_cli_script_address (const GByteArray *script, ReinNetwork network);

/* Secrets are read into libgcrypt secure memory and wiped when freed. */
typedef gchar ReinCliSecret;

/* A zeroed secure buffer of REIN_CLI_SECRET_MAX + 1 bytes. */
ReinCliSecret *rein_cli_secret_new (GError **error);
/* Reads a secret from @path (standard input when rein_cli_path_is_stdin()),
 * at most REIN_CLI_SECRET_MAX bytes, refusing NUL bytes. From a terminal it
 * prints @prompt on stderr and reads one line without echo. */
ReinCliSecret *rein_cli_read_secret (const gchar *path, const gchar *prompt, GError **error);
void rein_cli_secret_free (ReinCliSecret *secret);

/* Removes leading and trailing white space in place. */
void rein_cli_secret_strip (ReinCliSecret *secret);
/* Removes one final line ending ("\n" or "\r\n") in place. */
void rein_cli_secret_chomp (ReinCliSecret *secret);

/* ---- Output ---- */

/* Writes @len bytes of @data to stdout and flushes it. */
gboolean rein_cli_write (const gchar *data, gsize len, GError **error);
/* Writes @text followed by a newline. */
gboolean rein_cli_write_line (const gchar *text, GError **error);
/* Writes @root as JSON (pretty, two-space indent) and a newline. With @wipe,
 * the generated text is wiped after writing (it holds secrets). */
gboolean rein_cli_write_json (JsonNode *root, gboolean wipe, GError **error);

/* Checks each word of the BIP39 recovery phrase in @phrase and the number
 * of words, and writes the phrase in its canonical form (lower case, one
 * space between words) into @out, a secure buffer at least as long as
 * @phrase. Errors give word positions, never words. */
gboolean rein_cli_normalize_phrase (const gchar *phrase, gchar *out, GError **error);

/* The optional BIP39 passphrase in @path as BIP39 uses it: the file's text
 * less one line ending, NFKD-normalized, in secure memory. */
ReinCliSecret *rein_cli_load_passphrase (const gchar *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinCliSecret, rein_cli_secret_free)

G_END_DECLS
