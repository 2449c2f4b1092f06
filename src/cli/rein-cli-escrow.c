/* rein-cli-escrow.c: the chain backend and payment requests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "rein-bitcoin.h"
#include "rein-chain-settings.h"

#include "rein-cli-context.h"
#include "rein-cli-private.h"

/* ---- qr ---- */

/* The code in the terminal: two rows of modules a line, in half blocks,
 * dark on light whatever the terminal's colours (the quiet zone is
 * drawn too, so a phone can read it off the screen). */
static void
print_qr (const ReinQr *qr)
{
  const gint quiet = 2;
  const gint side = (gint) qr->size;

  for (gint y = -quiet; y < side + quiet; y += 2)
    {
      g_autoptr (GString) line = g_string_new (NULL);

      for (gint x = -quiet; x < side + quiet; x++)
        {
          gboolean top = x >= 0 && y >= 0 && rein_qr_is_dark (qr, (guint) x, (guint) y);
          gboolean bottom = x >= 0 && y + 1 >= 0
                            && rein_qr_is_dark (qr, (guint) x, (guint) (y + 1));

          /* light is drawn, dark is left as the background: so inverted */
          if (!top && !bottom)
            g_string_append (line, "█");
          else if (!top)
            g_string_append (line, "▀");
          else if (!bottom)
            g_string_append (line, "▄");
          else
            g_string_append_c (line, ' ');
        }
      rein_cli_print ("%s", line->str);
    }
}

static int
run_qr (const ReinCliCommand *command, int argc, char **argv)
{
  g_autofree gchar *output = NULL;
  gint scale = 8;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write a PNG image to FILE instead of drawing the code in the terminal"), N_("FILE") },
    { "scale", 's', 0, G_OPTION_ARG_INT, &scale,
      N_("Pixels a module in the PNG (1 to 32, default 8)"), N_("N") },
    { NULL },
  };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinQr) qr = NULL;
  g_autoptr (GBytes) png = NULL;
  int status;

  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;

  qr = rein_qr_encode (args[0], &error);
  if (qr == NULL)
    return rein_cli_fail (NULL, error);
  if (output == NULL)
    {
      print_qr (qr);
      return REIN_CLI_EXIT_OK;
    }
  png = rein_qr_to_png (qr, scale < 0 ? 0 : (guint) scale, &error);
  if (png == NULL
      || !g_file_set_contents_full (output, g_bytes_get_data (png, NULL),
                                    (gssize) g_bytes_get_size (png),
                                    G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    return rein_cli_fail (_("cannot write the QR code"), error);
  return REIN_CLI_EXIT_OK;
}

/* ---- chain ---- */

/* Asks @chain for the tip's height: does it answer like Esplora? */
static gboolean
check_backend (ReinChain *chain, guint32 *out_height, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rein_chain_get_tip_height_async (chain, NULL, rein_cli_async_cb, &result);
  rein_cli_wait (&result);
  return rein_chain_get_tip_height_finish (chain, result, out_height, error);
}

static int
run_chain (const ReinCliCommand *command, int argc, char **argv)
{
  g_autofree gchar *network_name = NULL;
  gboolean no_check = FALSE;
  gboolean forget = FALSE;
  const GOptionEntry entries[] = {
    { "network", 'n', 0, G_OPTION_ARG_STRING, &network_name,
      N_("For a testnet identity: use testnet, signet or regtest"), N_("NETWORK") },
    { "no-check", 0, 0, G_OPTION_ARG_NONE, &no_check,
      N_("Keep URL even if it does not answer now"), NULL },
    { "forget", 0, 0, G_OPTION_ARG_NONE, &forget,
      N_("Forget the URL of the network"), NULL },
    { NULL },
  };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinStore) store = NULL;
  g_autoptr (ReinIdentity) identity = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *testnet_setting = NULL;
  ReinChainNetwork network;
  gboolean testnet, from_env = FALSE;
  guint32 height = 0;
  int status;

  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;
  store = rein_cli_open_store (&error);
  if (store == NULL)
    return rein_cli_fail (NULL, error);

  /* the active identity's network; before any, the data directory's */
  identity = rein_store_get_active_identity (store, NULL);
  testnet_setting = rein_store_get_setting (store, "testnet");
  testnet = identity != NULL ? rein_identity_get_testnet (identity)
                             : g_strcmp0 (testnet_setting, "true") == 0;

  if (network_name != NULL)
    {
      if (!rein_chain_network_from_string (network_name, &network))
        {
          g_set_error (&error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                       _("“%s” is not a network: mainnet, testnet, signet or regtest"),
                       network_name);
          return rein_cli_fail (NULL, error);
        }
      if (rein_chain_network_is_testnet (network) != testnet)
        {
          g_set_error (&error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                       testnet ? _("a testnet identity uses testnet, signet or regtest")
                               : _("a mainnet identity uses mainnet"));
          return rein_cli_fail (NULL, error);
        }
      if (testnet && !rein_chain_settings_set_network (store, network, &error))
        return rein_cli_fail (NULL, error);
    }
  network = rein_chain_settings_get_network (store, testnet);

  if (forget)
    {
      if (args[0] != NULL)
        {
          g_set_error_literal (&error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                               _("--forget takes no URL"));
          return rein_cli_fail (NULL, error);
        }
      if (!rein_chain_settings_set_url (store, network, NULL, &error))
        return rein_cli_fail (NULL, error);
    }
  else if (args[0] != NULL)
    {
      g_autoptr (ReinChain) chain = rein_chain_new (args[0], &error);

      if (chain == NULL)
        return rein_cli_fail (NULL, error);
      if (!no_check && !check_backend (chain, &height, &error))
        {
          rein_cli_printerr (_("%s does not answer like an Esplora server: %s"),
                             rein_chain_get_url (chain), error->message);
          rein_cli_printerr (_("Nothing was changed (--no-check keeps it anyway)."));
          return REIN_CLI_EXIT_NETWORK;
        }
      if (!rein_chain_settings_set_url (store, network, rein_chain_get_url (chain), &error))
        return rein_cli_fail (NULL, error);
    }

  url = rein_chain_settings_dup_url (store, network, &from_env);
  if (rein_cli_globals.json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (builder);
      rein_cli_json_string (builder, "network", rein_chain_network_to_string (network));
      rein_cli_json_string (builder, "url", url);
      json_builder_set_member_name (builder, "from_environment");
      json_builder_add_boolean_value (builder, from_env);
      if (height > 0)
        {
          json_builder_set_member_name (builder, "tip_height");
          json_builder_add_int_value (builder, height);
        }
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      if (!rein_cli_write_json (root, FALSE, &error))
        return rein_cli_fail (NULL, error);
      return REIN_CLI_EXIT_OK;
    }
  if (url == NULL)
    rein_cli_print (_("%s: no chain backend set (rein-cli chain URL sets one)"),
                    rein_chain_network_to_string (network));
  else
    rein_cli_print ("%s: %s%s", rein_chain_network_to_string (network), url,
                    from_env ? _(" (from REIN_CHAIN_URL)") : "");
  if (height > 0)
    rein_cli_print (_("It answers: the chain’s tip is at height %u."), height);
  return REIN_CLI_EXIT_OK;
}

/* ---- The group ---- */

static const ReinCliCommand escrow_commands[] = {
  {
    .name = "chain",
    .parameter_string = N_("[URL]"),
    .summary = N_("Show or set the chain backend (an Esplora server)"),
    .description = N_("Escrow balances, fee estimates and payouts go through an Esplora HTTP\n"
                      "API, such as https://blockstream.info/testnet/api/ or your own electrs.\n"
                      "Without URL, shows the one used for the active identity’s network; with\n"
                      "URL, checks that it answers and keeps it for that network. A testnet\n"
                      "identity can use testnet, signet or regtest (--network). There is no\n"
                      "default: nothing is asked of any server until you set one.\n"
                      "REIN_CHAIN_URL overrides the setting."),
    .min_args = 0,
    .max_args = 1,
    .global_options = TRUE,
    .run = run_chain,
  },
  {
    .name = "qr",
    .parameter_string = N_("TEXT"),
    .summary = N_("Make a QR code of a text, such as a payment request"),
    .description = N_("Draws a QR code of TEXT in the terminal, or with -o writes it as a PNG\n"
                      "image. For a payment request use a BIP21 URI:\n"
                      "  rein-cli qr 'bitcoin:ADDRESS?amount=0.01&label=Escrow' -o pay.png"),
    .min_args = 1,
    .max_args = 1,
    .run = run_qr,
  },
  { NULL },
};

const ReinCliCommandGroup rein_cli_escrow_group = {
  .title = N_("Escrow payments"),
  .commands = escrow_commands,
};
