/* rein-cli-escrow.c: the chain backend and payment requests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>
#include <glib/gstdio.h>

#include "rein-bitcoin.h"
#include "rein-chain-settings.h"
#include "rein-client-error.h"
#include "rein-escrow-status.h"

#include "rein-cli-context.h"
#include "rein-cli-payment.h"
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

/* Asks @chain for the tip's height (does it answer like Esplora?) and
 * for its first block: is it a backend of @network? */
static gboolean
check_backend (ReinChain *chain, ReinChainNetwork network, guint32 *out_height,
               gboolean *out_wrong_network, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GAsyncResult) genesis_result = NULL;
  g_autofree gchar *genesis = NULL;
  ReinChainNetwork found;

  *out_wrong_network = FALSE;
  rein_chain_get_tip_height_async (chain, NULL, rein_cli_async_cb, &result);
  rein_cli_wait (&result);
  if (!rein_chain_get_tip_height_finish (chain, result, out_height, error))
    return FALSE;
  rein_chain_get_block_hash_async (chain, 0, NULL, rein_cli_async_cb, &genesis_result);
  rein_cli_wait (&genesis_result);
  genesis = rein_chain_get_block_hash_finish (chain, genesis_result, error);
  if (genesis == NULL)
    return FALSE;
  if (g_strcmp0 (genesis, rein_chain_network_genesis_hash (network)) == 0)
    return TRUE;
  *out_wrong_network = TRUE;
  if (rein_chain_network_from_genesis_hash (genesis, &found))
    g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                 _("it follows %s, not %s"), rein_chain_network_to_string (found),
                 rein_chain_network_to_string (network));
  else
    g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                 _("its first block is not %s's"), rein_chain_network_to_string (network));
  return FALSE;
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
      gboolean wrong_network = FALSE;

      if (!no_check && !check_backend (chain, network, &height, &wrong_network, &error))
        {
          if (wrong_network)
            rein_cli_printerr (_("%s is not a %s backend: %s"), rein_chain_get_url (chain),
                               rein_chain_network_to_string (network), error->message);
          else
            rein_cli_printerr (_("%s does not answer like an Esplora server: %s"),
                               rein_chain_get_url (chain), error->message);
          rein_cli_printerr (_("Nothing was changed (--no-check keeps it anyway)."));
          return wrong_network ? REIN_CLI_EXIT_ERROR : REIN_CLI_EXIT_NETWORK;
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

/* ---- escrow-status ---- */

static void
account_to_json (JsonBuilder *builder,
                 const gchar *name,
                 const ReinEscrowStatus *status,
                 const ReinEscrowAccount *account)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  rein_cli_json_string (builder, "address", account->address);
  rein_cli_json_string (builder, "redeem_script", account->redeem_script_hex);
  json_builder_set_member_name (builder, "document_agrees");
  json_builder_add_boolean_value (builder, account->document_agrees);
  json_builder_set_member_name (builder, "due_sat");
  json_builder_add_int_value (builder, account->due);
  if (status->looked_up)
    {
      json_builder_set_member_name (builder, "confirmed_sat");
      json_builder_add_int_value (builder, account->confirmed);
      json_builder_set_member_name (builder, "unconfirmed_sat");
      json_builder_add_int_value (builder, account->unconfirmed);
      json_builder_set_member_name (builder, "confirmations");
      json_builder_add_int_value (builder, account->confirmations);
      rein_cli_json_string (builder, "funding",
                            rein_funding_to_string (rein_escrow_account_get_funding (account)));
      json_builder_set_member_name (builder, "coins");
      json_builder_begin_array (builder);
      for (guint i = 0; i < account->coins->len; i++)
        {
          ReinUtxo *coin = g_ptr_array_index (account->coins, i);

          json_builder_begin_object (builder);
          rein_cli_json_string (builder, "txid", coin->txid);
          json_builder_set_member_name (builder, "vout");
          json_builder_add_int_value (builder, coin->vout);
          json_builder_set_member_name (builder, "value_sat");
          json_builder_add_int_value (builder, coin->value);
          json_builder_set_member_name (builder, "confirmations");
          json_builder_add_int_value (builder,
                                      rein_chain_confirmations (coin->block_height,
                                                                status->tip_height));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
}

static gchar *
btc_and_sat (gint64 satoshis)
{
  g_autofree gchar *btc = rein_amount_format_btc (satoshis);
  g_autofree gchar *sat = g_strdup_printf ("%" G_GINT64_FORMAT, satoshis);

  /* Translators: an amount, "0.01 BTC (1000000 sat)" */
  return g_strdup_printf (_("%s BTC (%s sat)"), btc, sat);
}

static void
print_account (const gchar *title, const ReinEscrowStatus *status,
               const ReinEscrowAccount *account, const gchar *due_note)
{
  g_autofree gchar *due = btc_and_sat (account->due);

  rein_cli_print ("%s: %s", title, account->address);
  rein_cli_print (_("  due: %s%s"), due, due_note);
  if (!account->document_agrees)
    rein_cli_print (_("  WARNING: the job's documents name another address or script: do not "
                      "pay into either before the job is checked again"));
  if (status->looked_up)
    {
      ReinFunding funding = rein_escrow_account_get_funding (account);
      g_autofree gchar *confirmed = btc_and_sat (account->confirmed);
      g_autofree gchar *unconfirmed = btc_and_sat (account->unconfirmed);

      rein_cli_print (_("  holds: %s confirmed, %s unconfirmed"), confirmed, unconfirmed);
      if (funding == REIN_FUNDING_PARTLY)
        {
          g_autofree gchar *missing = btc_and_sat (account->due - account->confirmed
                                                   - account->unconfirmed);

          rein_cli_print (_("  partly funded: %s missing"), missing);
        }
      else if (funding == REIN_FUNDING_FUNDED)
        rein_cli_print (g_dngettext (NULL, "  funded, %u confirmation",
                                     "  funded, %u confirmations", account->confirmations),
                        account->confirmations);
      else
        rein_cli_print ("  %s", _(rein_funding_to_string (funding)));
      if (account->confirmed + account->unconfirmed > account->due)
        rein_cli_print (_("  WARNING: it holds more than is due. Another job between the same "
                          "three people has the same escrow addresses, and a payout spends "
                          "all of it."));
    }
  rein_cli_print (_("  redeem script: %s"), account->redeem_script_hex);
}

/* A QR code of the BIP21 request for what @account still lacks (all that
 * is due when it was not looked up) in @dir; nothing when it lacks
 * nothing. */
static gboolean
write_request_qr (const gchar *dir, const gchar *file, const ReinEscrowStatus *status,
                  const ReinEscrowAccount *account, const gchar *label, GError **error)
{
  gint64 missing = status->looked_up ? account->due - account->confirmed - account->unconfirmed
                                     : account->due;
  g_autofree gchar *uri = NULL;
  g_autofree gchar *path = g_build_filename (dir, file, NULL);
  g_autoptr (ReinQr) qr = NULL;
  g_autoptr (GBytes) png = NULL;

  if (missing <= 0)
    {
      if (!rein_cli_globals.json)
        rein_cli_print (_("%s needs nothing more: no QR code written"), account->address);
      return TRUE;
    }
  uri = rein_bip21_uri (account->address, missing, label, NULL);
  qr = rein_qr_encode (uri, error);
  if (qr == NULL || (png = rein_qr_to_png (qr, 8, error)) == NULL)
    return FALSE;
  if (!g_file_set_contents_full (path, g_bytes_get_data (png, NULL),
                                 (gssize) g_bytes_get_size (png), G_FILE_SET_CONTENTS_CONSISTENT,
                                 0644, error))
    return FALSE;
  if (!rein_cli_globals.json)
    rein_cli_print (_("Wrote %s: %s"), path, uri);
  return TRUE;
}

static int
run_escrow_status (const ReinCliCommand *command, int argc, char **argv)
{
  g_autofree gchar *job_id = NULL;
  g_autofree gchar *qr_dir = NULL;
  const GOptionEntry entries[] = {
    { "jobid", 'j', 0, G_OPTION_ARG_STRING, &job_id, N_("The job"), N_("ID") },
    { "qr", 0, 0, G_OPTION_ARG_FILENAME, &qr_dir,
      N_("Write a QR code of each escrow's payment request into DIR"), N_("DIR") },
    { NULL },
  };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) chain_error = NULL;
  g_autoptr (ReinStore) store = NULL;
  g_autoptr (ReinIdentity) identity = NULL;
  g_autoptr (ReinCliReader) reader = NULL;
  g_autoptr (GPtrArray) jobs = NULL;
  g_autoptr (ReinChain) chain = NULL;
  g_autoptr (ReinEscrowStatus) status = NULL;
  g_autofree gchar *fee_note = NULL;
  g_autoptr (GPtrArray) payouts = NULL;
  gboolean testnet;
  ReinJob *job;
  int code;

  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &code))
    return code;
  if (job_id == NULL)
    {
      g_set_error_literal (&error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE, _("give --jobid ID"));
      return rein_cli_fail (NULL, error);
    }
  g_strstrip (job_id);
  if (!rein_cli_check_job_id (job_id, &error)
      || (store = rein_cli_open_store (&error)) == NULL
      || (identity = rein_cli_active_identity (store, &error)) == NULL
      || (reader = rein_cli_reader_new (store, identity, &error)) == NULL)
    return rein_cli_fail (NULL, error);
  testnet = rein_identity_get_testnet (identity);

  jobs = rein_cli_reader_load_jobs (reader, (const gchar *const[]){ job_id, NULL }, &error);
  rein_cli_reader_print_warnings (reader);
  if (jobs == NULL)
    return rein_cli_fail (NULL, error);
  if (jobs->len == 0)
    {
      g_set_error (&error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                   _("no job with ID %s is on the servers"), job_id);
      return rein_cli_fail (NULL, error);
    }
  job = g_ptr_array_index (jobs, 0);
  /* what this identity signed of its payouts (rein-cli payout) */
  payouts = rein_store_list_payouts (store, rein_identity_get_id (identity), job_id, NULL);

  /* the terms need no backend; the balances do */
  status = rein_escrow_status_new (job, testnet, &error);
  if (status == NULL)
    {
      if (error->domain == REIN_CLIENT_ERROR && error->code == REIN_CLIENT_ERROR_REFUSED)
        {
          /* no escrow yet: the job's state refuses it */
          error->domain = REIN_CLI_ERROR;
          error->code = REIN_CLI_ERROR_REFUSED;
        }
      return rein_cli_fail (NULL, error);
    }
  chain = rein_chain_settings_open (store, testnet, &chain_error);
  if (chain != NULL)
    {
      g_autoptr (GAsyncResult) result = NULL;
      ReinEscrowStatus *found;

      rein_escrow_status_lookup_async (chain, job, testnet, NULL, rein_cli_async_cb, &result);
      rein_cli_wait (&result);
      found = rein_escrow_status_lookup_finish (result, &chain_error);
      if (found != NULL)
        {
          rein_escrow_status_free (status);
          status = found;
        }
    }

  if (qr_dir != NULL)
    {
      g_autofree gchar *primary_label = g_strdup_printf (_("Rein escrow: %s"),
                                                         rein_job_get_name (job));
      g_autofree gchar *mediator_label = g_strdup_printf (_("Rein mediator fee: %s"),
                                                          rein_job_get_name (job));

      if (!status->primary.document_agrees || !status->mediator.document_agrees)
        {
          g_set_error_literal (&error, REIN_CLI_ERROR, REIN_CLI_ERROR_REFUSED,
                               _("the job's documents name other escrow addresses or scripts "
                                 "than its keys make: no payment request is written"));
          return rein_cli_fail (NULL, error);
        }
      if (g_mkdir_with_parents (qr_dir, 0700) != 0)
        {
          int saved = errno;

          g_set_error (&error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("cannot make the folder %s: %s"), qr_dir, g_strerror (saved));
          return rein_cli_fail (NULL, error);
        }
      if (!write_request_qr (qr_dir, "primary-escrow.png", status, &status->primary,
                             primary_label, &error)
          || !write_request_qr (qr_dir, "mediator-escrow.png", status, &status->mediator,
                                mediator_label, &error))
        return rein_cli_fail (_("cannot write the QR codes"), error);
    }

  if (rein_cli_globals.json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (builder);
      rein_cli_json_string (builder, "job_id", status->job_id);
      rein_cli_json_string (builder, "network", testnet ? "testnet" : "mainnet");
      json_builder_set_member_name (builder, "bid_amount_sat");
      json_builder_add_int_value (builder, status->bid_amount);
      rein_cli_json_string (builder, "mediator_fee", status->mediator_fee);
      json_builder_set_member_name (builder, "tip_height");
      if (status->looked_up)
        json_builder_add_int_value (builder, status->tip_height);
      else
        json_builder_add_null_value (builder);
      account_to_json (builder, "primary", status, &status->primary);
      account_to_json (builder, "mediator", status, &status->mediator);
      json_builder_set_member_name (builder, "payouts");
      json_builder_begin_array (builder);
      for (guint i = 0; payouts != NULL && i < payouts->len; i++)
        {
          ReinStoredPayout *p = g_ptr_array_index (payouts, i);

          json_builder_begin_object (builder);
          rein_cli_json_string (builder, "escrow", p->escrow);
          rein_cli_json_string (builder, "state", p->state);
          rein_cli_json_string (builder, "signers", p->signers);
          rein_cli_json_string (builder, "txid", p->txid);
          json_builder_set_member_name (builder, "confirmations");
          if (p->confirmations >= 0)
            json_builder_add_int_value (builder, p->confirmations);
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      rein_cli_json_string (builder, "chain_error",
                            chain_error != NULL ? chain_error->message : NULL);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      if (!rein_cli_write_json (root, FALSE, &error))
        return rein_cli_fail (NULL, error);
    }
  else
    {
      rein_cli_print (_("Job %s, %s"), rein_job_get_name (job), status->job_id);
      print_account (_("Primary escrow"), status, &status->primary, "");
      fee_note = g_strdup_printf (_(", the mediator fee of %s"), status->mediator_fee);
      print_account (_("Mediator escrow"), status, &status->mediator, fee_note);
      for (guint i = 0; payouts != NULL && i < payouts->len; i++)
        {
          ReinStoredPayout *p = g_ptr_array_index (payouts, i);

          /* Translators: "Payout from the primary escrow: broadcast, signed by creator,
           * worker, abcd…" */
          rein_cli_print (_("Payout from the %s escrow: %s, signed by %s%s%s"), p->escrow,
                          p->state, p->signers != NULL ? p->signers : "-",
                          p->txid != NULL ? ", " : "", p->txid != NULL ? p->txid : "");
        }
    }
  if (chain_error != NULL)
    {
      gboolean unset = chain_error->domain == REIN_CLIENT_ERROR;

      rein_cli_warn (_("balances unknown: %s%s"), chain_error->message,
                     unset ? _(" (rein-cli chain URL sets one)") : "");
      return unset ? REIN_CLI_EXIT_OK : REIN_CLI_EXIT_NETWORK;
    }
  return REIN_CLI_EXIT_OK;
}

/* ---- psbt ---- */

static void
show_psbt (ReinPsbt *psbt, ReinNetwork network)
{
  const ReinTx *tx = rein_psbt_get_tx (psbt);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *txid = rein_tx_get_txid_hex (tx);
  guint64 fee = 0;
  gboolean has_fee = rein_psbt_get_fee (psbt, &fee, NULL);

  json_builder_begin_object (builder);
  rein_cli_json_string (builder, "txid", txid);
  json_builder_set_member_name (builder, "inputs");
  json_builder_begin_array (builder);
  for (guint i = 0; i < rein_psbt_get_n_inputs (psbt); i++)
    {
      const ReinTxIn *in = rein_tx_get_input (tx, i);
      g_autoptr (GPtrArray) sigs = rein_psbt_get_partial_signatures (psbt, i);
      guint8 reversed[32];
      g_autofree gchar *prev = NULL;
      guint64 value = 0;

      for (guint b = 0; b < 32; b++)
        reversed[b] = in->prev_txid[31 - b];
      prev = rein_hex_encode (reversed, 32);
      json_builder_begin_object (builder);
      rein_cli_json_string (builder, "prev_txid", prev);
      json_builder_set_member_name (builder, "prev_vout");
      json_builder_add_int_value (builder, in->prev_vout);
      json_builder_set_member_name (builder, "value_sat");
      if (rein_psbt_get_input_value (psbt, i, &value, NULL))
        json_builder_add_int_value (builder, (gint64) value);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "signatures");
      json_builder_add_int_value (builder, sigs != NULL ? sigs->len : 0);
      json_builder_set_member_name (builder, "final");
      json_builder_add_boolean_value (builder, rein_psbt_input_is_finalized (psbt, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "outputs");
  json_builder_begin_array (builder);
  for (guint o = 0; o < rein_psbt_get_n_outputs (psbt); o++)
    {
      const ReinTxOut *out = rein_tx_get_output (tx, o);
      g_autofree gchar *address = rein_cli_script_address (out->script_pubkey, network);

      json_builder_begin_object (builder);
      rein_cli_json_string (builder, "address", address);
      json_builder_set_member_name (builder, "value_sat");
      json_builder_add_int_value (builder, (gint64) out->value);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "fee_sat");
  if (has_fee)
    json_builder_add_int_value (builder, (gint64) fee);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  if (!rein_cli_write_json (root, FALSE, &error))
    rein_cli_printerr ("%s", error->message);
}

/* Does an input's redeem script (or the P2PKH output it spends) take
 * @key_hex? */
static gboolean
psbt_takes_key (const ReinPsbt *psbt, const gchar *key_hex)
{
  guint8 key[65];
  guint8 hash[20];
  gsize key_len = 0;

  if (!rein_public_key_parse_hex (key_hex, key, &key_len, NULL))
    return FALSE;
  rein_hash160 (key, key_len, hash);
  for (guint i = 0; i < rein_psbt_get_n_inputs (psbt); i++)
    {
      g_autoptr (GBytes) redeem = rein_psbt_get_redeem_script (psbt, i);
      g_autoptr (ReinTx) prev = rein_psbt_get_non_witness_utxo (psbt, i, NULL);
      const ReinTxIn *in = rein_tx_get_input (rein_psbt_get_tx (psbt), i);

      if (redeem != NULL)
        {
          gsize len = 0;
          const guint8 *data = g_bytes_get_data (redeem, &len);
          g_autoptr (GArray) ops = rein_script_parse (data, len, NULL);

          for (guint o = 0; ops != NULL && o < ops->len; o++)
            {
              const ReinScriptOp *op = &g_array_index (ops, ReinScriptOp, o);

              if (op->data != NULL && op->len == key_len && memcmp (op->data, key, key_len) == 0)
                return TRUE;
            }
        }
      else if (prev != NULL && in->prev_vout < prev->outputs->len)
        {
          const ReinTxOut *out = rein_tx_get_output (prev, in->prev_vout);
          guint8 paid[20];

          if (rein_script_is_p2pkh (out->script_pubkey->data, out->script_pubkey->len, paid)
              && memcmp (paid, hash, 20) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

/* psbt sign: the active identity's delegate key signs every input whose
 * script takes it and that it has not signed, after a review. */
static gboolean
sign_psbt (ReinPsbt *psbt, gboolean yes, GError **error)
{
  g_autoptr (ReinStore) store = NULL;
  g_autoptr (ReinSession) session = NULL;
  g_autoptr (ReinPrivateKey) delegate = NULL;
  g_autoptr (ReinCliForm) form = NULL;
  ReinIdentity *identity;
  guint n_signed = 0;

  if ((store = rein_cli_open_store (error)) == NULL)
    return FALSE;
  session = rein_cli_open_session (store);
  if ((identity = rein_cli_session_identity (session, error)) == NULL
      || (form = rein_cli_load_form (error)) == NULL)
    return FALSE;
  if (!psbt_takes_key (psbt, rein_identity_get_delegate_public_key (identity)))
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_REFUSED,
                           _("your key signs none of its inputs: nothing was signed"));
      return FALSE;
    }
  rein_cli_psbt_review (psbt, rein_identity_get_testnet (identity) ? REIN_NETWORK_TESTNET
                                                                   : REIN_NETWORK_MAINNET);
  if (!rein_cli_ask_to_sign (form, yes, _("Sign it with your key? Type “yes” to sign."), error)
      || (delegate = rein_cli_unlock_delegate (session, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < rein_psbt_get_n_inputs (psbt); i++)
    {
      g_autoptr (GError) local_error = NULL;

      if (rein_psbt_sign_input (psbt, i, delegate, &local_error))
        n_signed++;
      else if (!g_error_matches (local_error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_CANNOT_SIGN))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      else
        rein_cli_warn (_("input %u is not signed: %s"), i, local_error->message);
    }
  rein_cli_session_settle (session);
  if (n_signed == 0)
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_REFUSED,
                           _("your key signs none of its inputs"));
      return FALSE;
    }
  return TRUE;
}

static int
run_psbt (const ReinCliCommand *command, int argc, char **argv)
{
  gboolean testnet = FALSE;
  gboolean yes = FALSE;
  const GOptionEntry entries[] = {
    { "testnet", 't', 0, G_OPTION_ARG_NONE, &testnet, N_("Show testnet addresses"), NULL },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
      N_("sign: sign without asking (the PSBT is still shown)"), NULL },
    { NULL },
  };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPsbt) psbt = NULL;
  const gchar *action;
  guint n_files;
  int status;

  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;
  action = args[0];
  n_files = g_strv_length (args) - 1;
  if (g_strcmp0 (action, "combine") != 0 && n_files != 1)
    {
      g_set_error (&error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                   _("psbt %s takes one file"), action);
      return rein_cli_fail (NULL, error);
    }
  if (g_strcmp0 (action, "combine") == 0 && n_files < 2)
    {
      g_set_error_literal (&error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                           _("psbt combine takes two files or more"));
      return rein_cli_fail (NULL, error);
    }
  psbt = rein_cli_read_psbt (args[1], &error);
  if (psbt == NULL)
    return rein_cli_fail (NULL, error);

  if (g_strcmp0 (action, "show") == 0)
    {
      show_psbt (psbt, testnet ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET);
      return REIN_CLI_EXIT_OK;
    }
  if (g_strcmp0 (action, "combine") == 0)
    {
      for (guint i = 2; args[i] != NULL; i++)
        {
          g_autoptr (ReinPsbt) other = rein_cli_read_psbt (args[i], &error);

          if (other == NULL || !rein_psbt_combine (psbt, other, &error))
            return rein_cli_fail (_("cannot combine"), error);
        }
    }
  else if (g_strcmp0 (action, "sign") == 0)
    {
      if (!sign_psbt (psbt, yes, &error))
        return rein_cli_fail (NULL, error);
    }
  else if (g_strcmp0 (action, "finalize") == 0)
    {
      if (!rein_psbt_finalize (psbt, &error))
        return rein_cli_fail (_("cannot finalize"), error);
    }
  else if (g_strcmp0 (action, "extract") == 0)
    {
      g_autoptr (ReinPsbt) final = rein_psbt_copy (psbt);
      g_autoptr (ReinTx) tx = NULL;
      g_autofree gchar *hex = NULL;

      /* a PSBT whose signatures are all there is finalized on the way */
      if (!rein_psbt_finalize (final, &error) || (tx = rein_psbt_extract (final, &error)) == NULL)
        return rein_cli_fail (_("cannot extract a transaction"), error);
      hex = rein_tx_to_hex (tx);
      rein_cli_print ("%s", hex);
      return REIN_CLI_EXIT_OK;
    }
  else
    {
      g_set_error (&error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                   _("“%s” is not a psbt action: show, sign, combine, finalize or extract"),
                   action);
      return rein_cli_fail (NULL, error);
    }
  {
    g_autofree gchar *base64 = rein_psbt_to_base64 (psbt);

    rein_cli_print ("%s", base64);
  }
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
    .name = "escrow-status",
    .parameter_string = N_("--jobid ID"),
    .summary = N_("Show what is due and what is paid into a job's escrows"),
    .description = N_("For an awarded job: both escrow addresses (recomputed from the job's\n"
                      "three keys), what is due in each (the bid amount; the mediator's fee as\n"
                      "its share of it), and, from the chain backend (see “chain”), what they\n"
                      "hold, confirmed and not, and how many confirmations. With --qr DIR,\n"
                      "writes a QR code of each escrow's payment request (BIP21) into DIR.\n"
                      "Without a chain backend, shows the terms and says the balances are\n"
                      "unknown."),
    .min_args = 0,
    .max_args = 0,
    .global_options = TRUE,
    .run = run_escrow_status,
  },
  {
    .name = "psbt",
    .parameter_string = N_("show|sign|combine|finalize|extract FILE…"),
    .summary = N_("Read, sign, combine, finalize or extract BIP174 PSBTs"),
    .description = N_("For payments signed elsewhere (a wallet, a hardware signer). FILE holds a\n"
                      "PSBT, binary or base64; - is standard input.\n"
                      "  show FILE         inputs, outputs, fee and signatures, as JSON\n"
                      "  sign FILE         shows it, asks, and signs every input your active\n"
                      "                    identity's key may sign (--yes: without asking)\n"
                      "  combine FILE…     merges the signatures of several copies\n"
                      "  finalize FILE     makes the final scriptSigs from the signatures\n"
                      "  extract FILE      prints the network transaction in hex\n"
                      "sign, combine and finalize print the new PSBT in base64."),
    .min_args = 2,
    .max_args = 64,
    .global_options = TRUE,
    .run = run_psbt,
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
  .title = N_("Escrow payments:"),
  .commands = escrow_commands,
};
