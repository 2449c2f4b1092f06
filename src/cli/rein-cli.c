/* rein-cli.c: the command-line client's entry point and command table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>

#include "rein-background.h"
#include "rein-bitcoin.h"
#include "rein-store.h"

#include "rein-cli-private.h"

/* Each file of commands adds its group here; "rein-cli --help" lists them
 * in this order. */
static const ReinCliCommandGroup *const command_groups[] = {
  &rein_cli_account_group,
  &rein_cli_market_group,
  &rein_cli_escrow_group,
  &rein_cli_ratings_group,
  &rein_cli_tools_group,
};

static const ReinCliCommand *
find_command (const gchar *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (command_groups); i++)
    {
      for (const ReinCliCommand *command = command_groups[i]->commands;
           command->name != NULL;
           command++)
        {
          if (g_strcmp0 (command->name, name) == 0)
            return command;
        }
    }

  return NULL;
}

static gchar *
get_main_help (void)
{
  GString *help = g_string_new (NULL);
  gsize width = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (command_groups); i++)
    {
      for (const ReinCliCommand *command = command_groups[i]->commands;
           command->name != NULL;
           command++)
        width = MAX (width, strlen (command->name));
    }

  g_string_append_printf (help, "%s\n  rein-cli %s\n\n",
                          _("Usage:"), _("COMMAND [OPTION…] [ARGUMENT…]"));
  g_string_append_printf (help, "%s\n",
                          _("Rein: a decentralized market for services paid in Bitcoin."));

  for (gsize i = 0; i < G_N_ELEMENTS (command_groups); i++)
    {
      g_string_append_printf (help, "\n%s\n", _(command_groups[i]->title));
      for (const ReinCliCommand *command = command_groups[i]->commands;
           command->name != NULL;
           command++)
        {
          g_string_append_printf (help, "  %-*s  %s\n",
                                  (int) width, command->name, _(command->summary));
        }
    }

  g_string_append_printf (help, "\n%s\n", _("Options:"));
  g_string_append_printf (help, "  %-*s  %s\n", (int) width, "-h, --help", _("Show this help"));
  g_string_append_printf (help, "  %-*s  %s\n", (int) width, "--version", _("Show the version"));
  g_string_append_printf (help, "\n%s\n%s",
                          _("Global options (before the command, or after the name of an "
                            "account or market command):"),
                          rein_cli_global_options_help ());
  g_string_append_printf (help, "\n%s\n%s\n",
                          _("Environment:"),
                          _("  REIN_DATA_DIR           the data folder, when --data-dir is not given\n"
                            "  REIN_PASSWORD           the password, when --password-file is not given\n"
                            "  REIN_TEST_SCRYPT_LOG2N  for tests only: a lower cost (10 to 20) for the\n"
                            "                          password key derivation of secrets sealed now;\n"
                            "                          it makes them easier to attack"));
  g_string_append_printf (help, "\n%s\n%s\n",
                          _("Run “rein-cli COMMAND --help” for the options of a command."),
                          _("Secrets (keys, recovery phrases, passwords) are read from files, "
                            "the environment or standard input, never from the command line."));

  return g_string_free (help, FALSE);
}

static int
print_main_help (void)
{
  g_autofree gchar *help = get_main_help ();
  g_autoptr (GError) error = NULL;

  if (!rein_cli_write (help, strlen (help), &error))
    return rein_cli_fail (NULL, error);

  return REIN_CLI_EXIT_OK;
}

/* "rein-cli help [COMMAND]" */
static int
run_help (int argc, char **argv)
{
  const ReinCliCommand *command;
  g_autofree gchar *help_argv0 = NULL;
  char *help_argv[2];

  if (argc < 2)
    return print_main_help ();

  if (argc > 2)
    {
      rein_cli_printerr (_("help: too many arguments (see “rein-cli --help”)"));
      return REIN_CLI_EXIT_ERROR;
    }

  command = find_command (argv[1]);
  if (command == NULL)
    {
      rein_cli_printerr (_("unknown command “%s” (see “rein-cli --help”)"), argv[1]);
      return REIN_CLI_EXIT_ERROR;
    }

  /* Commands print their own help, knowing their options. */
  help_argv0 = g_strdup (command->name);
  help_argv[0] = help_argv0;
  help_argv[1] = (char *) "--help";
  return command->run (command, 2, help_argv);
}

int
main (int argc, char **argv)
{
  const ReinCliCommand *command;

  rein_background_tune_allocator ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, REIN_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_prgname ("rein-cli");
  rein_crypto_init ();

  /* A testing knob: the cost of sealing secrets under a password. */
  {
    const gchar *cost = g_getenv ("REIN_TEST_SCRYPT_LOG2N");
    guint64 log2_n = 0;

    if (cost != NULL && *cost != '\0')
      {
        if (!g_ascii_string_to_unsigned (cost, 10, 10, 20, &log2_n, NULL))
          {
            rein_cli_printerr (_("REIN_TEST_SCRYPT_LOG2N must be a number from 10 to 20"));
            return REIN_CLI_EXIT_ERROR;
          }
        rein_secret_set_scrypt_cost ((guint) log2_n);
      }
  }

  {
    int first = rein_cli_parse_global_options (argc, argv);

    if (first < 0)
      return REIN_CLI_EXIT_ERROR;
    /* The program name stays in front. */
    if (first > 1)
      {
        memmove (&argv[1], &argv[first], (argc - first + 1) * sizeof (char *));
        argc -= first - 1;
      }
  }

  if (argc < 2)
    {
      rein_cli_printerr (_("no command given (see “rein-cli --help”)"));
      return REIN_CLI_EXIT_ERROR;
    }

  if (g_strcmp0 (argv[1], "--help") == 0 || g_strcmp0 (argv[1], "-h") == 0)
    return print_main_help ();

  if (g_strcmp0 (argv[1], "--version") == 0)
    {
      g_autoptr (GError) error = NULL;

      if (!rein_cli_write_line ("rein-cli " PACKAGE_VERSION, &error))
        return rein_cli_fail (NULL, error);
      return REIN_CLI_EXIT_OK;
    }

  if (g_strcmp0 (argv[1], "help") == 0)
    return run_help (argc - 1, argv + 1);

  if (argv[1][0] == '-')
    {
      rein_cli_printerr (_("unknown option “%s” (see “rein-cli --help”)"), argv[1]);
      return REIN_CLI_EXIT_ERROR;
    }

  command = find_command (argv[1]);
  if (command == NULL)
    {
      rein_cli_printerr (_("unknown command “%s” (see “rein-cli --help”)"), argv[1]);
      return REIN_CLI_EXIT_ERROR;
    }

  return command->run (command, argc - 1, argv + 1);
}
