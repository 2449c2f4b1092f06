/* rein-cli-util.c: errors, options, input and output shared by the commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <gcrypt.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "rein-bitcoin.h"

#include "rein-cli-private.h"

/* ---- Errors ---- */

G_DEFINE_QUARK (rein-cli-error-quark, rein_cli_error)

void
rein_cli_printerr (const gchar *format, ...)
{
  g_autofree gchar *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One line, whatever the message holds (file names, library errors). */
  for (gchar *p = message; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        *p = ' ';
    }
  g_strchomp (message);

  g_printerr ("rein-cli: %s\n", message);
}

int
rein_cli_fail (const gchar *context, const GError *error)
{
  const gchar *message = error != NULL ? error->message : _("unknown error");

  if (context != NULL)
    rein_cli_printerr ("%s: %s", context, message);
  else
    rein_cli_printerr ("%s", message);

  if (error != NULL && error->domain == REIN_CLI_ERROR && error->code == REIN_CLI_ERROR_REFUSED)
    return REIN_CLI_EXIT_REFUSED;
  if (error != NULL && error->domain == REIN_CLI_ERROR && error->code == REIN_CLI_ERROR_NETWORK)
    return REIN_CLI_EXIT_NETWORK;
  return REIN_CLI_EXIT_ERROR;
}

/* ---- Global options ---- */

ReinCliGlobals rein_cli_globals;

/* Moves what @parsed holds into the globals: a later option wins. */
static void
merge_globals (ReinCliGlobals *parsed)
{
  if (parsed->data_dir != NULL)
    {
      g_free (rein_cli_globals.data_dir);
      rein_cli_globals.data_dir = g_steal_pointer (&parsed->data_dir);
    }
  if (parsed->password_file != NULL)
    {
      g_free (rein_cli_globals.password_file);
      rein_cli_globals.password_file = g_steal_pointer (&parsed->password_file);
    }
  if (parsed->defaults_file != NULL)
    {
      g_free (rein_cli_globals.defaults_file);
      rein_cli_globals.defaults_file = g_steal_pointer (&parsed->defaults_file);
    }
  if (parsed->json)
    rein_cli_globals.json = TRUE;
}

static void
global_entries_init (GOptionEntry entries[5], ReinCliGlobals *parsed)
{
  const GOptionEntry template[5] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &parsed->data_dir,
      N_("Keep identities, servers and documents in DIR (default: $REIN_DATA_DIR, "
         "else ~/.local/share/rein)"), N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &parsed->json,
      N_("Print machine-readable JSON"), NULL },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &parsed->password_file,
      N_("Read the password from FILE (default: $REIN_PASSWORD, else a prompt)"),
      N_("FILE") },
    { "defaults", 0, 0, G_OPTION_ARG_FILENAME, &parsed->defaults_file,
      N_("Answer the command’s questions from the form FILE (“Label: value” lines)"),
      N_("FILE") },
    { NULL },
  };

  memcpy (entries, template, sizeof template);
}

int
rein_cli_parse_global_options (int argc, char **argv)
{
  ReinCliGlobals parsed = { 0 };
  GOptionEntry entries[5];
  int i = 1;

  global_entries_init (entries, &parsed);

  /* By hand rather than with GOptionContext: only the options in front of
   * the command are ours, and the command's own options follow it. */
  while (i < argc && g_str_has_prefix (argv[i], "--") && strcmp (argv[i], "--") != 0)
    {
      const gchar *arg = argv[i] + 2;
      const gchar *eq = strchr (arg, '=');
      gsize name_len = eq != NULL ? (gsize) (eq - arg) : strlen (arg);
      const GOptionEntry *entry = NULL;

      for (guint e = 0; entries[e].long_name != NULL; e++)
        if (strlen (entries[e].long_name) == name_len
            && strncmp (entries[e].long_name, arg, name_len) == 0)
          entry = &entries[e];
      if (entry == NULL)
        break; /* --help, --version and unknown options: main() decides */

      if (entry->arg == G_OPTION_ARG_NONE)
        {
          if (eq != NULL)
            {
              rein_cli_printerr (_("option “--%s” takes no value"), entry->long_name);
              merge_globals (&parsed);
              return -1;
            }
          *(gboolean *) entry->arg_data = TRUE;
          i++;
          continue;
        }

      {
        const gchar *value = eq != NULL ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
        gchar **slot = entry->arg_data;

        if (value == NULL || *value == '\0')
          {
            rein_cli_printerr (_("option “--%s” needs a value"), entry->long_name);
            merge_globals (&parsed);
            return -1;
          }
        g_free (*slot);
        *slot = g_strdup (value);
        i += eq != NULL ? 1 : 2;
      }
    }

  merge_globals (&parsed);
  return i;
}

const gchar *
rein_cli_global_options_help (void)
{
  return _("  --data-dir DIR        Keep identities, servers and documents in DIR\n"
           "                        (default: $REIN_DATA_DIR, else ~/.local/share/rein)\n"
           "  --json                Print machine-readable JSON\n"
           "  --password-file FILE  Read the password from FILE (default: $REIN_PASSWORD,\n"
           "                        else a prompt without echo)\n"
           "  --defaults FILE       Answer the command’s questions from a form file\n"
           "                        (“Label: value” lines)\n");
}

/* ---- Options ---- */

static GOptionContext *
command_option_context_new (const ReinCliCommand *command,
                            const GOptionEntry *entries,
                            ReinCliGlobals *globals,
                            gboolean *show_help)
{
  g_autofree gchar *prgname = g_strdup_printf ("rein-cli %s", command->name);
  g_autoptr (GString) description = g_string_new (NULL);
  GOptionContext *context;
  const GOptionEntry help_entries[] = {
    { "help", 'h', 0, G_OPTION_ARG_NONE, show_help, N_("Show this help"), NULL },
    { NULL },
  };

  /* GOptionContext names the program after the prgname in its usage line. */
  g_set_prgname (prgname);

  context = g_option_context_new (command->parameter_string != NULL
                                    ? _(command->parameter_string)
                                    : NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_summary (context, _(command->summary));

  if (command->description != NULL)
    g_string_append_printf (description, "%s\n\n", _(command->description));
  if (command->exit_status != NULL)
    g_string_append (description, _(command->exit_status));
  else if (command->checks)
    g_string_append (description,
                     _("Exit status: 0 when valid, 1 when invalid, 2 on a usage error or\n"
                       "unreadable input."));
  else
    g_string_append (description,
                     _("Exit status: 0 on success, 2 on a usage error or bad input."));
  g_option_context_set_description (context, description->str);

  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (command->global_options)
    {
      GOptionEntry global_entries[5];

      global_entries_init (global_entries, globals);
      g_option_context_add_main_entries (context, global_entries, GETTEXT_PACKAGE);
    }
  g_option_context_add_main_entries (context, help_entries, GETTEXT_PACKAGE);

  return context;
}

gboolean
rein_cli_parse_options (const ReinCliCommand *command,
                        const GOptionEntry *entries,
                        int argc,
                        char **argv,
                        GStrv *out_args,
                        int *out_status)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) args = NULL;
  ReinCliGlobals globals = { 0 };
  gboolean show_help = FALSE;
  gboolean parsed;
  guint n_args;

  g_return_val_if_fail (command != NULL, FALSE);
  g_return_val_if_fail (argc >= 1 && argv != NULL, FALSE);
  g_return_val_if_fail (out_args != NULL && out_status != NULL, FALSE);

  context = command_option_context_new (command, entries, &globals, &show_help);

  args = g_new0 (gchar *, argc + 1);
  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);

  parsed = g_option_context_parse_strv (context, &args, &error);
  merge_globals (&globals);
  if (!parsed)
    {
      rein_cli_printerr (_("%s: %s (see “rein-cli %s --help”)"),
                         command->name, error->message, command->name);
      *out_status = REIN_CLI_EXIT_ERROR;
      return FALSE;
    }

  if (show_help)
    {
      g_autofree gchar *help = g_option_context_get_help (context, TRUE, NULL);

      *out_status = rein_cli_write (help, strlen (help), NULL)
                      ? REIN_CLI_EXIT_OK
                      : REIN_CLI_EXIT_ERROR;
      return FALSE;
    }

  /* A "--" GOptionContext left in place only separates options from
   * arguments. */
  n_args = g_strv_length (args);
  if (n_args >= 2 && g_strcmp0 (args[1], "--") == 0)
    {
      g_free (args[1]);
      memmove (&args[1], &args[2], (n_args - 1) * sizeof (gchar *));
      n_args--;
    }
  n_args--; /* the command's name */

  if (n_args < command->min_args)
    {
      rein_cli_printerr (_("%s: missing arguments (see “rein-cli %s --help”)"),
                         command->name, command->name);
      *out_status = REIN_CLI_EXIT_ERROR;
      return FALSE;
    }
  if (n_args > command->max_args)
    {
      rein_cli_printerr (_("%s: too many arguments (see “rein-cli %s --help”)"),
                         command->name, command->name);
      *out_status = REIN_CLI_EXIT_ERROR;
      return FALSE;
    }

  /* Drop the command's name. */
  g_free (args[0]);
  memmove (&args[0], &args[1], (n_args + 1) * sizeof (gchar *));

  *out_args = g_steal_pointer (&args);
  *out_status = REIN_CLI_EXIT_OK;
  return TRUE;
}

gboolean
rein_cli_path_is_stdin (const gchar *path)
{
  return path == NULL || g_strcmp0 (path, "-") == 0;
}

/* ---- Input ---- */

gchar *
rein_cli_describe_path (const gchar *path)
{
  if (rein_cli_path_is_stdin (path))
    return g_strdup (_("standard input"));
  else
    {
      g_autofree gchar *name = g_filename_display_name (path);
      return g_strdup_printf ("“%s”", name);
    }
}

static void
set_errno_error (GError **error, int saved_errno, gboolean opening, const gchar *path)
{
  g_autofree gchar *what = rein_cli_describe_path (path);

  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               opening ? _("cannot open %s: %s") : _("cannot read %s: %s"),
               what, g_strerror (saved_errno));
}

/* Opens @path for reading, or returns STDIN_FILENO. */
static int
open_input (const gchar *path, GError **error)
{
  int fd;

  if (rein_cli_path_is_stdin (path))
    return STDIN_FILENO;

  do
    fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  while (fd < 0 && errno == EINTR);

  if (fd < 0)
    set_errno_error (error, errno, TRUE, path);

  return fd;
}

static void
close_input (int fd)
{
  if (fd >= 0 && fd != STDIN_FILENO)
    g_close (fd, NULL);
}

/* Reads into @buf (@size bytes) until end of file or until @buf is full.
 * Returns the number of bytes read, or -1 with errno set. */
static gssize
read_fully (int fd, gchar *buf, gsize size)
{
  gsize done = 0;

  while (done < size)
    {
      gssize n = read (fd, buf + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      done += n;
    }

  return done;
}

gchar *
rein_cli_read_input (const gchar *path, gsize max, gsize *out_len, GError **error)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  gchar chunk[16384];
  int fd;

  g_return_val_if_fail (out_len != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  fd = open_input (path, error);
  if (fd < 0)
    return NULL;

  for (;;)
    {
      gssize n = read_fully (fd, chunk, sizeof chunk);

      if (n < 0)
        {
          int saved_errno = errno;

          close_input (fd);
          set_errno_error (error, saved_errno, FALSE, path);
          return NULL;
        }
      if (n == 0)
        break;

      if (data->len + (gsize) n > max)
        {
          g_autofree gchar *what = rein_cli_describe_path (path);

          close_input (fd);
          g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                       _("%s is too large (the limit is %lu bytes)"), what, (gulong) max);
          return NULL;
        }
      g_byte_array_append (data, (const guint8 *) chunk, n);
    }

  close_input (fd);

  *out_len = data->len;
  g_byte_array_append (data, (const guint8 *) "", 1);
  return (gchar *) g_byte_array_free (g_steal_pointer (&data), FALSE);
}

ReinCliSecret *
rein_cli_secret_new (GError **error)
{
  gchar *buf;

  rein_crypto_init ();
  buf = gcry_calloc_secure (REIN_CLI_SECRET_MAX + 1, 1);
  if (buf == NULL)
    g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                         _("cannot allocate secure memory"));
  return buf;
}

void
rein_cli_secret_free (ReinCliSecret *secret)
{
  if (secret == NULL)
    return;

  rein_memwipe (secret, REIN_CLI_SECRET_MAX + 1);
  gcry_free (secret);
}

/* While echo is off, a signal that ends the program turns it back on. */
static const int terminal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static struct termios terminal_saved;
static volatile sig_atomic_t terminal_fd = -1;

static void
terminal_signal_cb (int signum)
{
  if (terminal_fd >= 0)
    tcsetattr (terminal_fd, TCSAFLUSH, &terminal_saved);
  signal (signum, SIG_DFL);
  raise (signum);
}

/* Reads one line from the terminal on @fd without echo. */
static gssize
read_terminal_line (int fd, const gchar *prompt, gchar *buf, gsize size)
{
  struct sigaction previous[G_N_ELEMENTS (terminal_signals)];
  struct sigaction action = { 0 };
  struct termios quiet;
  gboolean restore = FALSE;
  gsize done = 0;
  gssize result = 0;
  gchar c = 0;

  if (tcgetattr (fd, &terminal_saved) == 0)
    {
      action.sa_handler = terminal_signal_cb;
      sigemptyset (&action.sa_mask);
      for (gsize i = 0; i < G_N_ELEMENTS (terminal_signals); i++)
        sigaction (terminal_signals[i], &action, &previous[i]);
      terminal_fd = fd;

      quiet = terminal_saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      quiet.c_lflag |= ECHONL;
      restore = tcsetattr (fd, TCSAFLUSH, &quiet) == 0;
    }

  /* Only now: what is typed before echo is off would show, or be flushed. */
  if (prompt != NULL)
    g_printerr ("%s", prompt);

  for (;;)
    {
      gssize n = read (fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          result = -1;
          break;
        }
      if (n == 0 || c == '\n')
        {
          result = done;
          break;
        }
      if (done == size)
        {
          /* Too long: report it as an oversize secret. */
          result = size + 1;
          break;
        }
      buf[done++] = c;
    }
  rein_memwipe (&c, sizeof c);

  if (terminal_fd >= 0)
    {
      int saved_errno = errno;

      /* TCSAFLUSH also drops what was typed past the limit. */
      if (restore)
        tcsetattr (fd, TCSAFLUSH, &terminal_saved);
      terminal_fd = -1;
      for (gsize i = 0; i < G_N_ELEMENTS (terminal_signals); i++)
        sigaction (terminal_signals[i], &previous[i], NULL);
      errno = saved_errno;
    }

  return result;
}

ReinCliSecret *
rein_cli_read_secret (const gchar *path, const gchar *prompt, GError **error)
{
  g_autoptr (ReinCliSecret) secret = NULL;
  gssize n;
  int fd;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  secret = rein_cli_secret_new (error);
  if (secret == NULL)
    return NULL;

  fd = open_input (path, error);
  if (fd < 0)
    return NULL;

  /* One byte more than the limit tells an oversize secret apart. */
  if (isatty (fd))
    n = read_terminal_line (fd, prompt, secret, REIN_CLI_SECRET_MAX);
  else
    n = read_fully (fd, secret, REIN_CLI_SECRET_MAX + 1);

  if (n < 0)
    {
      int saved_errno = errno;

      close_input (fd);
      set_errno_error (error, saved_errno, FALSE, path);
      return NULL;
    }
  close_input (fd);

  if ((gsize) n > REIN_CLI_SECRET_MAX)
    {
      g_autofree gchar *what = rein_cli_describe_path (path);

      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                   _("%s is too large for a secret (the limit is %d bytes)"),
                   what, REIN_CLI_SECRET_MAX);
      return NULL;
    }
  if (memchr (secret, '\0', n) != NULL)
    {
      g_autofree gchar *what = rein_cli_describe_path (path);

      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                   _("%s holds a NUL byte, not text"), what);
      return NULL;
    }
  secret[n] = '\0';

  return g_steal_pointer (&secret);
}

void
rein_cli_secret_strip (ReinCliSecret *secret)
{
  g_return_if_fail (secret != NULL);

  /* Both work in place, within the secure buffer. */
  g_strstrip (secret);
}

void
rein_cli_secret_chomp (ReinCliSecret *secret)
{
  gsize len;

  g_return_if_fail (secret != NULL);

  len = strlen (secret);
  if (len > 0 && secret[len - 1] == '\n')
    {
      secret[--len] = '\0';
      if (len > 0 && secret[len - 1] == '\r')
        secret[--len] = '\0';
    }
}

/* ---- Recovery phrases ---- */

gboolean
rein_cli_normalize_phrase (const gchar *phrase, gchar *out, GError **error)
{
  const gchar *p = phrase;
  gchar *o = out;
  guint n_words = 0;

  while (*p != '\0')
    {
      gchar word[16];
      const gchar *start;
      gsize len;
      gint index = -1;

      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        break;

      start = p;
      while (*p != '\0' && !g_ascii_isspace (*p))
        p++;
      len = p - start;
      n_words++;

      if (len < sizeof word)
        {
          for (gsize i = 0; i < len; i++)
            word[i] = g_ascii_tolower (start[i]);
          word[len] = '\0';
          index = rein_bip39_word_index (word);
        }
      rein_memwipe (word, sizeof word);

      if (index < 0)
        {
          g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                       _("word %u of the recovery phrase is not in the BIP39 English word list"),
                       n_words);
          return FALSE;
        }

      if (o != out)
        *o++ = ' ';
      for (gsize i = 0; i < len; i++)
        *o++ = g_ascii_tolower (start[i]);
    }
  *o = '\0';

  if (n_words == 0)
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                           _("no recovery phrase on standard input"));
      return FALSE;
    }
  if (n_words < 12 || n_words > 24 || n_words % 3 != 0)
    {
      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                   _("a recovery phrase has 12, 15, 18, 21 or 24 words, not %u"), n_words);
      return FALSE;
    }

  return TRUE;
}

ReinCliSecret *
rein_cli_load_passphrase (const gchar *path, GError **error)
{
  g_autoptr (ReinCliSecret) passphrase = NULL;
  g_autoptr (ReinCliSecret) normalized = NULL;
  gchar *nfkd;
  gsize len;

  passphrase = rein_cli_read_secret (path, _("Passphrase: "), error);
  if (passphrase == NULL)
    return NULL;
  rein_cli_secret_chomp (passphrase);

  if (!g_utf8_validate (passphrase, -1, NULL))
    {
      g_autofree gchar *what = rein_cli_describe_path (path);

      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                   _("%s is not UTF-8 text"), what);
      return NULL;
    }

  nfkd = g_utf8_normalize (passphrase, -1, G_NORMALIZE_NFKD);
  len = strlen (nfkd);
  if (len > REIN_CLI_SECRET_MAX)
    {
      g_autofree gchar *what = rein_cli_describe_path (path);

      rein_memwipe (nfkd, len);
      g_free (nfkd);
      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                   _("%s is too large for a passphrase"), what);
      return NULL;
    }

  normalized = rein_cli_secret_new (error);
  if (normalized != NULL)
    memcpy (normalized, nfkd, len + 1);
  rein_memwipe (nfkd, len);
  g_free (nfkd);

  return g_steal_pointer (&normalized);
}

/* ---- Output ---- */

gboolean
rein_cli_write (const gchar *data, gsize len, GError **error)
{
  if ((len > 0 && fwrite (data, 1, len, stdout) != len) || fflush (stdout) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("cannot write to standard output: %s"), g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

gboolean
rein_cli_write_line (const gchar *text, GError **error)
{
  return rein_cli_write (text, strlen (text), error) && rein_cli_write ("\n", 1, error);
}

gboolean
rein_cli_write_json (JsonNode *root, gboolean wipe, GError **error)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree gchar *text = NULL;
  gsize len = 0;
  gboolean ok;

  g_return_val_if_fail (root != NULL, FALSE);

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);

  ok = rein_cli_write (text, len, error) && rein_cli_write ("\n", 1, error);

  if (wipe)
    rein_memwipe (text, len);

  return ok;
}

/* ---- Job IDs ---- */

gboolean
rein_cli_check_job_id (const gchar *job_id, GError **error)
{
  gsize len = strlen (job_id);

  if (len == 0 || len > REIN_CLI_MAX_JOB_ID_LEN)
    goto bad;
  for (const gchar *p = job_id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p))
      goto bad;
  return TRUE;

bad:
  g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
               _("“%s” is not a job ID (20 letters and digits)"), job_id);
  return FALSE;
}

/* ---- PSBT files ---- */

/* A PSBT file, binary or base64 (what wallets write either way). */
ReinPsbt *
rein_cli_read_psbt (const gchar *path, GError **error)
{
  g_autofree gchar *data = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize len = 0;
  ReinPsbt *psbt;

  data = rein_cli_read_input (path, 16 * 1024 * 1024, &len, error);
  if (data == NULL)
    return NULL;
  if (len >= 5 && memcmp (data, "psbt\xff", 5) == 0)
    psbt = rein_psbt_parse ((const guint8 *) data, len, &local_error);
  else
    psbt = rein_psbt_parse_base64 (g_strstrip (data), &local_error);
  if (psbt == NULL)
    {
      g_autofree gchar *where = rein_cli_describe_path (path);

      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT, "%s: %s", where,
                   local_error->message);
    }
  return psbt;
}

gchar *
rein_cli_script_address (const GByteArray *script, ReinNetwork network)
{
  guint8 hash[20];

  if (rein_script_is_p2pkh (script->data, script->len, hash))
    return rein_address_from_hash160 (hash, REIN_ADDRESS_P2PKH, network);
  if (rein_script_is_p2sh (script->data, script->len, hash))
    return rein_address_from_hash160 (hash, REIN_ADDRESS_P2SH, network);
  return NULL;
}
