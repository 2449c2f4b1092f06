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

  return REIN_CLI_EXIT_ERROR;
}

/* ---- Options ---- */

static GOptionContext *
command_option_context_new (const ReinCliCommand *command,
                            const GOptionEntry *entries,
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
  if (command->checks)
    g_string_append (description,
                     _("Exit status: 0 when valid, 1 when invalid, 2 on a usage error or\n"
                       "unreadable input."));
  else
    g_string_append (description,
                     _("Exit status: 0 on success, 2 on a usage error or bad input."));
  g_option_context_set_description (context, description->str);

  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
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
  gboolean show_help = FALSE;
  guint n_args;

  g_return_val_if_fail (command != NULL, FALSE);
  g_return_val_if_fail (argc >= 1 && argv != NULL, FALSE);
  g_return_val_if_fail (out_args != NULL && out_status != NULL, FALSE);

  context = command_option_context_new (command, entries, &show_help);

  args = g_new0 (gchar *, argc + 1);
  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);

  if (!g_option_context_parse_strv (context, &args, &error))
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
                       _("%s is too large (the limit is %" G_GSIZE_FORMAT " bytes)"), what, max);
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
