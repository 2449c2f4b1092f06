/* rein-cli-account.c: identities and servers: setup, identities, use,
 * testnet, backup, request, sync
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "rein-cli-context.h"

#define ACCOUNT_EXIT_STATUS \
  N_("Exit status: 0 on success, 2 on a usage error or bad input, 4 when a server\n" \
     "could not be reached.")

/* ---- Helpers ---- */

/* " (enrolled as NAME)" for an identity renamed on this computer, else "".
 * Valid until the next call. */
static const gchar *
renamed_note (ReinIdentity *identity)
{
  static gchar *note;

  g_clear_pointer (&note, g_free);
  if (g_strcmp0 (rein_identity_get_label (identity), rein_identity_get_name (identity)) == 0)
    return "";
  note = g_strdup_printf (_(" (enrolled as “%s”)"), rein_identity_get_name (identity));
  return note;
}

static void
identity_to_json (JsonBuilder *builder, ReinIdentity *identity, gboolean active)
{
  json_builder_begin_object (builder);
  rein_cli_json_string (builder, "name", rein_identity_get_name (identity));
  /* what "rein-cli use" takes: the name given here, else the enrolled one */
  rein_cli_json_string (builder, "label", rein_identity_get_label (identity));
  rein_cli_json_string (builder, "contact", rein_identity_get_contact (identity));
  rein_cli_json_string (builder, "master_address", rein_identity_get_master_address (identity));
  rein_cli_json_string (builder, "delegate_address",
                        rein_identity_get_delegate_address (identity));
  rein_cli_json_string (builder, "delegate_public_key",
                        rein_identity_get_delegate_public_key (identity));
  json_builder_set_member_name (builder, "testnet");
  json_builder_add_boolean_value (builder, rein_identity_get_testnet (identity));
  json_builder_set_member_name (builder, "will_mediate");
  json_builder_add_boolean_value (builder, rein_identity_get_will_mediate (identity));
  rein_cli_json_string (builder, "mediator_fee", rein_identity_get_mediator_fee (identity));
  json_builder_set_member_name (builder, "has_recovery_phrase");
  json_builder_add_boolean_value (builder, rein_identity_get_has_mnemonic (identity));
  json_builder_set_member_name (builder, "enrolled");
  json_builder_add_boolean_value (builder, rein_identity_get_enrollment (identity) != NULL);
  json_builder_set_member_name (builder, "active");
  json_builder_add_boolean_value (builder, active);
  json_builder_end_object (builder);
}

static int
write_json (JsonBuilder *builder, gboolean wipe)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autoptr (GError) error = NULL;

  if (!rein_cli_write_json (root, wipe, &error))
    return rein_cli_fail (NULL, error);
  return REIN_CLI_EXIT_OK;
}

static gboolean
setting_testnet (ReinStore *store)
{
  g_autofree gchar *value = rein_store_get_setting (store, "testnet");

  return g_strcmp0 (value, "true") == 0;
}

/* Testnet mode (rein-cli's, for new identities) follows the identity in
 * use. */
static gboolean
follow_testnet (ReinStore *store, ReinIdentity *identity, GError **error)
{
  return rein_store_set_setting (store, "testnet",
                                 rein_identity_get_testnet (identity) ? "true" : "false", error);
}

static gboolean
make_active (ReinStore *store, ReinIdentity *identity, GError **error)
{
  return rein_store_set_active_identity (store, identity, error)
         && follow_testnet (store, identity, error);
}

/* Waits for one of the session's add-identity calls, which makes the new
 * identity the active one. */
static ReinIdentity *
added_identity (ReinSession *session, GAsyncResult **slot, GError **error)
{
  g_autoptr (ReinIdentity) identity = NULL;

  rein_cli_wait (slot);
  identity = rein_session_add_identity_finish (session, *slot, error);
  rein_cli_session_settle (session);
  if (identity == NULL
      || !follow_testnet (rein_session_get_store (session), identity, error))
    return NULL;
  return g_steal_pointer (&identity);
}

/* ---- setup ---- */

typedef struct
{
  gchar *name;
  gchar *contact;
  ReinIdentityParams params;
} SetupParams;

static void
setup_params_clear (SetupParams *p)
{
  g_clear_pointer (&p->name, g_free);
  g_clear_pointer (&p->contact, g_free);
}

/* Name, contact, mediation and network, from the form or the terminal. */
static gboolean
ask_setup_params (ReinStore *store,
                  ReinCliForm *form,
                  gboolean testnet_option,
                  gboolean mainnet_option,
                  SetupParams *p,
                  GError **error)
{
  g_autofree gchar *mediate = NULL;
  const gchar *testnet_text = rein_cli_form_get (form, REIN_CLI_LABEL_TESTNET);

  p->name = rein_cli_ask (form, REIN_CLI_LABEL_NAME, NULL, FALSE, NULL, error);
  if (p->name == NULL)
    return FALSE;
  p->contact = rein_cli_ask (form, REIN_LABEL_CONTACT, NULL, FALSE, NULL, error);
  if (p->contact == NULL)
    return FALSE;
  mediate = rein_cli_ask (form, REIN_LABEL_WILLING_TO_MEDIATE,
                          _("Mediators settle disputes between job creators and workers, for a "
                            "fee."),
                          FALSE, "False", error);
  if (mediate == NULL || !rein_cli_parse_boolean (mediate, &p->params.will_mediate, error))
    return FALSE;
  if (p->params.will_mediate)
    {
      g_autofree gchar *fee = rein_cli_ask (form, REIN_CLI_LABEL_FEE, NULL, FALSE, "1.0", error);

      if (fee == NULL || !rein_cli_parse_percent (fee, &p->params.mediator_fee_percent, error))
        return FALSE;
    }

  if (testnet_option)
    p->params.testnet = TRUE;
  else if (mainnet_option)
    p->params.testnet = FALSE;
  else if (testnet_text != NULL)
    {
      if (!rein_cli_parse_boolean (testnet_text, &p->params.testnet, error))
        return FALSE;
    }
  else
    p->params.testnet = setting_testnet (store);

  p->params.name = p->name;
  p->params.contact = p->contact;
  return TRUE;
}

/* "MASTER_ADDRESS DELEGATE_WIF" (any white space between them). */
static gboolean
split_keys (ReinCliSecret *keys, const gchar **out_master, const gchar **out_wif,
            GError **error)
{
  gchar *p = keys;
  gchar *words[3] = { NULL };
  guint n = 0;

  while (*p != '\0')
    {
      while (g_ascii_isspace (*p))
        *p++ = '\0';
      if (*p == '\0')
        break;
      if (n < G_N_ELEMENTS (words))
        words[n] = p;
      n++;
      while (*p != '\0' && !g_ascii_isspace (*p))
        p++;
    }
  if (n != 2)
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                           _("the keys file must hold two words: the master address, then the "
                             "delegate private key (WIF)"));
      return FALSE;
    }
  *out_master = words[0];
  *out_wif = words[1];
  return TRUE;
}

/* Reads an armored text from the terminal, until its last line. */
static gchar *
read_armored_from_terminal (void)
{
  g_autoptr (GString) text = g_string_new (NULL);
  gchar line[4096];

  g_printerr (_("Paste the signed enrollment, up to its line %s:\n"), REIN_ARMOR_FOOTER);
  while (fgets (line, sizeof line, stdin) != NULL)
    {
      g_string_append (text, line);
      if (g_str_has_prefix (line, REIN_ARMOR_FOOTER))
        break;
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
print_identity (ReinIdentity *identity)
{
  rein_cli_print (_("Created the identity “%s” (%s)."), rein_identity_get_name (identity),
                  rein_identity_get_testnet (identity) ? "testnet" : "mainnet");
  rein_cli_print (_("Master address:   %s"), rein_identity_get_master_address (identity));
  rein_cli_print (_("Delegate address: %s"), rein_identity_get_delegate_address (identity));
  if (rein_identity_get_will_mediate (identity))
    rein_cli_print (_("Mediator fee:     %s"), rein_identity_get_mediator_fee (identity));
}

static int
report_setup (ReinIdentity *identity, const gchar *phrase)
{
  if (rein_cli_globals.json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;
      g_autoptr (GError) error = NULL;
      gboolean ok;

      identity_to_json (builder, identity, TRUE);
      root = json_builder_get_root (builder);
      if (phrase != NULL)
        json_object_set_string_member (json_node_get_object (root), "recovery_phrase", phrase);
      ok = rein_cli_write_json (root, phrase != NULL, &error);
      if (phrase != NULL)
        {
          const gchar *copy = json_object_get_string_member (json_node_get_object (root),
                                                             "recovery_phrase");
          rein_memwipe ((gchar *) copy, strlen (copy));
        }
      if (!ok)
        return rein_cli_fail (NULL, error);
    }
  else
    {
      print_identity (identity);
      if (phrase != NULL)
        {
          g_autoptr (GError) error = NULL;

          rein_cli_print ("\n%s\n", _("Your recovery phrase. It is shown only this once: write "
                                      "it down and keep it offline."));
          if (!rein_cli_write ("    ", 4, &error) || !rein_cli_write_line (phrase, &error))
            return rein_cli_fail (NULL, error);
          rein_cli_print ("%s", "");
        }
    }
  if (phrase != NULL)
    rein_cli_warn (_("anyone who has the recovery phrase controls this identity; Rein will "
                     "not show it again"));
  if (rein_identity_get_enrollment (identity) == NULL)
    rein_cli_warn (_("this identity has no signed enrollment yet: its documents will not be "
                     "valid until its enrollment is on a server"));
  return REIN_CLI_EXIT_OK;
}

static int
setup_from_backup (ReinSession *session, const gchar *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinIdentity) identity = NULL;
  g_autoptr (ReinCliSecret) password = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  gchar *json;
  gsize len = 0;

  /* A python-rein backup holds the delegate key in plain text. */
  json = rein_cli_read_input (path, 64 * 1024, &len, &error);
  if (json == NULL)
    return rein_cli_fail (NULL, error);
  /* Our backups stay sealed under their own password; python-rein's get a
   * new one. */
  password = rein_cli_get_password (strstr (json, "\"rein-desktop-backup-1\"") == NULL, &error);
  if (password != NULL)
    {
      GBytes *backup = g_bytes_new_static (json, len);

      /* The session takes a copy, which it wipes. */
      rein_session_import_backup_bytes_async (session, backup, password, NULL,
                                              rein_cli_async_cb, &result);
      g_bytes_unref (backup);
    }
  rein_memwipe (json, len);
  g_free (json);
  if (password != NULL)
    identity = added_identity (session, &result, &error);
  if (identity == NULL)
    return rein_cli_fail (_("cannot import the backup"), error);
  return report_setup (identity, NULL);
}

static int
setup_from_keys (ReinSession *session,
                 SetupParams *p,
                 const gchar *keys_file,
                 const gchar *signed_file,
                 gboolean print_only)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinCliSecret) keys = NULL;
  g_autoptr (ReinCliSecret) password = NULL;
  g_autoptr (ReinIdentity) identity = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *signed_text = NULL;
  const gchar *master = NULL, *wif = NULL;

  keys = rein_cli_read_secret (keys_file, _("Master address and delegate private key: "),
                               &error);
  if (keys == NULL || !split_keys (keys, &master, &wif, &error))
    return rein_cli_fail (NULL, error);

  text = rein_store_enrollment_text_for_keys (&p->params, master, wif, &error);
  if (text == NULL)
    return rein_cli_fail (NULL, error);
  if (print_only)
    {
      if (!rein_cli_write_line (text, &error))
        return rein_cli_fail (NULL, error);
      return REIN_CLI_EXIT_OK;
    }

  /* Who gives the signed text as a file signed it already. */
  if (!rein_cli_globals.json && signed_file == NULL)
    {
      rein_cli_print ("%s\n", _("Sign this enrollment with the master address’s key (a wallet’s "
                                "“sign message”), exactly as it is:"));
      rein_cli_print ("%s\n", text);
    }
  if (signed_file == NULL && rein_cli_interactive ())
    signed_text = read_armored_from_terminal ();
  else
    {
      gsize len = 0;

      signed_text = rein_cli_read_input (signed_file, REIN_CLI_INPUT_MAX, &len, &error);
      if (signed_text == NULL)
        return rein_cli_fail (NULL, error);
    }
  g_strstrip (signed_text);

  password = rein_cli_get_password (TRUE, &error);
  if (password == NULL)
    return rein_cli_fail (NULL, error);
  rein_session_add_identity_from_keys_async (session, &p->params, master, wif, signed_text,
                                             password, NULL, rein_cli_async_cb, &result);
  identity = added_identity (session, &result, &error);
  if (identity == NULL)
    return rein_cli_fail (_("cannot import the keys"), error);
  return report_setup (identity, NULL);
}

static int
setup_from_phrase (ReinSession *session,
                   SetupParams *p,
                   gboolean restore,
                   const gchar *mnemonic_file,
                   const gchar *passphrase_file)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinCliSecret) phrase = NULL;
  g_autoptr (ReinCliSecret) passphrase = NULL;
  g_autoptr (ReinCliSecret) password = NULL;
  g_autoptr (ReinIdentity) identity = NULL;
  g_autoptr (GAsyncResult) result = NULL;

  phrase = rein_cli_secret_new (&error);
  if (phrase == NULL)
    return rein_cli_fail (NULL, error);
  if (restore)
    {
      g_autoptr (ReinCliSecret) input = rein_cli_read_secret (mnemonic_file,
                                                              _("Recovery phrase: "), &error);

      if (input == NULL || !rein_cli_normalize_phrase (input, phrase, &error))
        return rein_cli_fail (NULL, error);
      if (!rein_bip39_validate (phrase, NULL))
        {
          rein_cli_printerr (_("the recovery phrase’s checksum does not match (a word may be "
                               "mistyped or missing)"));
          return REIN_CLI_EXIT_ERROR;
        }
    }
  else
    {
      gchar *fresh = rein_bip39_generate (128);

      if (fresh == NULL)
        {
          rein_cli_printerr (_("cannot generate a recovery phrase"));
          return REIN_CLI_EXIT_ERROR;
        }
      g_strlcpy (phrase, fresh, REIN_CLI_SECRET_MAX + 1);
      rein_secure_free (fresh);
    }
  if (passphrase_file != NULL)
    {
      passphrase = rein_cli_load_passphrase (passphrase_file, &error);
      if (passphrase == NULL)
        return rein_cli_fail (NULL, error);
    }

  password = rein_cli_get_password (TRUE, &error);
  if (password == NULL)
    return rein_cli_fail (NULL, error);
  rein_session_add_identity_from_mnemonic_async (session, &p->params, phrase, passphrase,
                                                 password, NULL, rein_cli_async_cb, &result);
  identity = added_identity (session, &result, &error);
  if (identity == NULL)
    return rein_cli_fail (_("cannot create the identity"), error);
  return report_setup (identity, restore ? NULL : phrase);
}

static int
run_setup (const ReinCliCommand *command, int argc, char **argv)
{
  gboolean restore = FALSE, testnet = FALSE, mainnet = FALSE, print_enrollment = FALSE;
  g_autofree gchar *mnemonic_file = NULL;
  g_autofree gchar *passphrase_file = NULL;
  g_autofree gchar *keys_file = NULL;
  g_autofree gchar *signed_file = NULL;
  g_autofree gchar *backup_file = NULL;
  const GOptionEntry entries[] = {
    { "restore", 0, 0, G_OPTION_ARG_NONE, &restore,
      N_("Restore an identity from its recovery phrase (read from standard input)"), NULL },
    { "mnemonic-file", 0, 0, G_OPTION_ARG_FILENAME, &mnemonic_file,
      N_("With --restore: read the recovery phrase from FILE"), N_("FILE") },
    { "passphrase-file", 0, 0, G_OPTION_ARG_FILENAME, &passphrase_file,
      N_("Read an optional BIP39 passphrase from FILE"), N_("FILE") },
    { "import-keys", 0, 0, G_OPTION_ARG_FILENAME, &keys_file,
      N_("Import a master address and a delegate private key (WIF) from FILE"), N_("FILE") },
    { "signed-enrollment", 0, 0, G_OPTION_ARG_FILENAME, &signed_file,
      N_("With --import-keys: read the signed enrollment from FILE (default: standard "
         "input)"), N_("FILE") },
    { "print-enrollment", 0, 0, G_OPTION_ARG_NONE, &print_enrollment,
      N_("With --import-keys: only print the enrollment to sign"), NULL },
    { "import-backup", 0, 0, G_OPTION_ARG_FILENAME, &backup_file,
      N_("Import a backup file (python-rein’s or rein-cli’s)"), N_("FILE") },
    { "testnet", 0, 0, G_OPTION_ARG_NONE, &testnet, N_("Create the identity on testnet"), NULL },
    { "mainnet", 0, 0, G_OPTION_ARG_NONE, &mainnet, N_("Create the identity on mainnet"), NULL },
    { NULL },
  };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinStore) store = NULL;
  g_autoptr (ReinSession) session = NULL;
  g_autoptr (ReinCliForm) form = NULL;
  SetupParams p = { 0 };
  int status;

  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;

  if ((restore ? 1 : 0) + (keys_file != NULL) + (backup_file != NULL) > 1)
    {
      rein_cli_printerr (_("setup: choose one of --restore, --import-keys and --import-backup"));
      return REIN_CLI_EXIT_ERROR;
    }
  if (mnemonic_file != NULL && !restore)
    {
      rein_cli_printerr (_("setup: --mnemonic-file goes with --restore"));
      return REIN_CLI_EXIT_ERROR;
    }
  if ((signed_file != NULL || print_enrollment) && keys_file == NULL)
    {
      rein_cli_printerr (_("setup: --signed-enrollment and --print-enrollment go with "
                           "--import-keys"));
      return REIN_CLI_EXIT_ERROR;
    }
  if (passphrase_file != NULL && (keys_file != NULL || backup_file != NULL))
    {
      rein_cli_printerr (_("setup: --passphrase-file goes with a recovery phrase"));
      return REIN_CLI_EXIT_ERROR;
    }
  if (keys_file != NULL && !print_enrollment && rein_cli_path_is_stdin (keys_file)
      && rein_cli_path_is_stdin (signed_file))
    {
      rein_cli_printerr (_("setup: the keys and the signed enrollment cannot both come from "
                           "standard input (give --signed-enrollment FILE)"));
      return REIN_CLI_EXIT_ERROR;
    }
  if (testnet && mainnet)
    {
      rein_cli_printerr (_("setup: choose one of --testnet and --mainnet"));
      return REIN_CLI_EXIT_ERROR;
    }
  if (restore && passphrase_file != NULL && rein_cli_path_is_stdin (passphrase_file)
      && rein_cli_path_is_stdin (mnemonic_file))
    {
      rein_cli_printerr (_("setup: the passphrase cannot come from standard input, which "
                           "holds the recovery phrase"));
      return REIN_CLI_EXIT_ERROR;
    }

  form = rein_cli_load_form (&error);
  if (form == NULL)
    return rein_cli_fail (NULL, error);
  store = rein_cli_open_store (&error);
  if (store == NULL)
    return rein_cli_fail (NULL, error);

  session = rein_cli_open_session (store);

  if (backup_file != NULL)
    return setup_from_backup (session, backup_file);

  if (!ask_setup_params (store, form, testnet, mainnet, &p, &error))
    {
      setup_params_clear (&p);
      return rein_cli_fail (NULL, error);
    }
  if (keys_file != NULL)
    status = setup_from_keys (session, &p, keys_file, signed_file, print_enrollment);
  else
    status = setup_from_phrase (session, &p, restore, mnemonic_file, passphrase_file);
  setup_params_clear (&p);
  return status;
}

/* ---- identities ---- */

static int
run_identities (const ReinCliCommand *command, int argc, char **argv)
{
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinStore) store = NULL;
  g_autoptr (GListModel) list = NULL;
  g_autoptr (ReinIdentity) active = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  int status;

  if (!rein_cli_parse_options (command, NULL, argc, argv, &args, &status))
    return status;
  store = rein_cli_open_store (&error);
  if (store == NULL)
    return rein_cli_fail (NULL, error);
  list = rein_store_list_identities (store, &error);
  if (list == NULL)
    return rein_cli_fail (NULL, error);
  active = rein_store_get_active_identity (store, NULL);

  json_builder_begin_object (builder);
  rein_cli_json_string (builder, "active", active ? rein_identity_get_label (active) : NULL);
  json_builder_set_member_name (builder, "identities");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (ReinIdentity) identity = g_list_model_get_item (list, i);
      gboolean is_active = active != NULL
                           && rein_identity_get_id (active) == rein_identity_get_id (identity);

      if (rein_cli_globals.json)
        identity_to_json (builder, identity, is_active);
      else
        rein_cli_print ("%s %s%s  %s  %s%s%s%s", is_active ? "*" : " ",
                        rein_identity_get_label (identity),
                        renamed_note (identity),
                        rein_identity_get_master_address (identity),
                        rein_identity_get_testnet (identity) ? "testnet" : "mainnet",
                        rein_identity_get_will_mediate (identity) ? _(", mediator ") : "",
                        rein_identity_get_will_mediate (identity)
                          ? rein_identity_get_mediator_fee (identity) : "",
                        rein_identity_get_enrollment (identity) ? "" : _(", not enrolled"));
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  if (rein_cli_globals.json)
    return write_json (builder, FALSE);
  if (g_list_model_get_n_items (list) == 0)
    rein_cli_print ("%s", _("No identity yet: create one with “rein-cli setup”."));
  return REIN_CLI_EXIT_OK;
}

/* ---- use ---- */

static int
run_use (const ReinCliCommand *command, int argc, char **argv)
{
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinStore) store = NULL;
  g_autoptr (ReinIdentity) identity = NULL;
  int status;

  if (!rein_cli_parse_options (command, NULL, argc, argv, &args, &status))
    return status;
  store = rein_cli_open_store (&error);
  if (store == NULL)
    return rein_cli_fail (NULL, error);
  identity = rein_store_find_identity (store, args[0], &error);
  if (identity == NULL || !make_active (store, identity, &error))
    return rein_cli_fail (NULL, error);

  if (rein_cli_globals.json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      identity_to_json (builder, identity, TRUE);
      return write_json (builder, FALSE);
    }
  rein_cli_print (_("Now using “%s” (%s)."), rein_identity_get_label (identity),
                  rein_identity_get_testnet (identity) ? "testnet" : "mainnet");
  return REIN_CLI_EXIT_OK;
}

/* ---- testnet ---- */

static int
run_testnet (const ReinCliCommand *command, int argc, char **argv)
{
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinStore) store = NULL;
  g_autoptr (ReinIdentity) active = NULL;
  g_autoptr (ReinIdentity) switched = NULL;
  gboolean testnet;
  int status;

  if (!rein_cli_parse_options (command, NULL, argc, argv, &args, &status))
    return status;
  store = rein_cli_open_store (&error);
  if (store == NULL)
    return rein_cli_fail (NULL, error);

  if (args[0] == NULL)
    testnet = setting_testnet (store);
  else
    {
      if (!rein_cli_parse_boolean (args[0], &testnet, &error))
        return rein_cli_fail (NULL, error);
      if (!rein_store_set_setting (store, "testnet", testnet ? "true" : "false", &error))
        return rein_cli_fail (NULL, error);

      /* Follow with an identity of that network, when there is one. */
      active = rein_store_get_active_identity (store, NULL);
      if (active != NULL && rein_identity_get_testnet (active) != testnet)
        {
          g_autoptr (GListModel) list = rein_store_list_identities (store, &error);

          for (guint i = 0; list != NULL && i < g_list_model_get_n_items (list); i++)
            {
              g_autoptr (ReinIdentity) identity = g_list_model_get_item (list, i);

              if (rein_identity_get_testnet (identity) == testnet)
                {
                  switched = g_steal_pointer (&identity);
                  break;
                }
            }
          if (switched != NULL
              && !rein_store_set_active_identity (store, switched, &error))
            return rein_cli_fail (NULL, error);
          if (switched == NULL)
            rein_cli_warn (_("no identity on %s yet: “rein-cli setup” creates one there; "
                             "“%s” stays active"),
                           testnet ? "testnet" : "mainnet", rein_identity_get_name (active));
        }
    }

  if (rein_cli_globals.json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "testnet");
      json_builder_add_boolean_value (builder, testnet);
      if (switched != NULL)
        rein_cli_json_string (builder, "active", rein_identity_get_name (switched));
      json_builder_end_object (builder);
      return write_json (builder, FALSE);
    }
  rein_cli_print (testnet ? _("Testnet mode is on.") : _("Testnet mode is off (mainnet)."));
  if (switched != NULL)
    rein_cli_print (_("Now using “%s”."), rein_identity_get_name (switched));
  return REIN_CLI_EXIT_OK;
}

/* ---- backup ---- */

static int
run_backup (const ReinCliCommand *command, int argc, char **argv)
{
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Replace FILE when it exists"), NULL },
    { NULL },
  };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinStore) store = NULL;
  g_autoptr (ReinIdentity) identity = NULL;
  g_autoptr (ReinCliSecret) password = NULL;
  g_autofree gchar *backup = NULL;
  const gchar *path;
  int status;

  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;
  path = args[0];
  if (path != NULL && !rein_cli_path_is_stdin (path) && !force
      && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree gchar *what = rein_cli_describe_path (path);

      rein_cli_printerr (_("backup: %s exists (give --force to replace it)"), what);
      return REIN_CLI_EXIT_ERROR;
    }

  store = rein_cli_open_store (&error);
  if (store == NULL)
    return rein_cli_fail (NULL, error);
  identity = rein_cli_active_identity (store, &error);
  if (identity == NULL)
    return rein_cli_fail (NULL, error);
  password = rein_cli_get_password (FALSE, &error);
  if (password == NULL)
    return rein_cli_fail (NULL, error);
  backup = rein_store_export_backup (store, identity, password, &error);
  if (backup == NULL)
    return rein_cli_fail (_("cannot make the backup"), error);

  if (path == NULL || rein_cli_path_is_stdin (path))
    {
      if (!rein_cli_write_line (backup, &error))
        return rein_cli_fail (NULL, error);
      return REIN_CLI_EXIT_OK;
    }
  if (!g_file_set_contents_full (path, backup, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &error))
    return rein_cli_fail (NULL, error);
  if (rein_cli_globals.json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      rein_cli_json_string (builder, "name", rein_identity_get_name (identity));
      rein_cli_json_string (builder, "file", path);
      json_builder_end_object (builder);
      return write_json (builder, FALSE);
    }
  rein_cli_print (_("Wrote a backup of “%s” to %s. Its keys stay sealed under your password."),
                  rein_identity_get_name (identity), path);
  return REIN_CLI_EXIT_OK;
}

/* ---- request ---- */

static int
run_request (const ReinCliCommand *command, int argc, char **argv)
{
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinStore) store = NULL;
  g_autoptr (ReinSession) session = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) buckets = NULL;
  g_autofree gchar *url = NULL;
  ReinIdentity *identity;
  gint64 bytes_free = 0;
  int status;

  if (!rein_cli_parse_options (command, NULL, argc, argv, &args, &status))
    return status;
  url = rein_server_url_normalize (args[0]);

  store = rein_cli_open_store (&error);
  if (store == NULL)
    return rein_cli_fail (NULL, error);
  session = rein_cli_open_session (store);
  identity = rein_cli_session_identity (session, &error);
  if (identity == NULL)
    return rein_cli_fail (NULL, error);

  /* The app's workflow, but a server that never answered is not kept. */
  rein_session_add_server_async (session, url, REIN_ADD_SERVER_FORGET_UNANSWERED, NULL,
                                 rein_cli_async_cb, &result);
  rein_cli_wait (&result);
  buckets = rein_session_add_server_finish (session, result, &error);
  if (buckets == NULL)
    {
      /* A server that did not answer, as against an address that is none. */
      if (error->domain == REIN_NET_ERROR && error->code != REIN_NET_ERROR_INVALID)
        {
          g_autoptr (GError) network = g_error_new_literal (REIN_CLI_ERROR,
                                                            REIN_CLI_ERROR_NETWORK,
                                                            error->message);

          return rein_cli_fail (NULL, network);
        }
      return rein_cli_fail (NULL, error);
    }
  for (guint i = 0; i < buckets->len; i++)
    bytes_free += ((ReinBucket *) g_ptr_array_index (buckets, i))->bytes_free;

  if (rein_cli_globals.json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      rein_cli_json_string (builder, "url", url);
      rein_cli_json_string (builder, "identity", rein_identity_get_name (identity));
      json_builder_set_member_name (builder, "buckets");
      json_builder_begin_array (builder);
      for (guint i = 0; i < buckets->len; i++)
        {
          ReinBucket *b = g_ptr_array_index (buckets, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, b->id);
          rein_cli_json_string (builder, "created", b->created);
          json_builder_set_member_name (builder, "bytes_free");
          json_builder_add_int_value (builder, b->bytes_free);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      return write_json (builder, FALSE);
    }
  {
    /* A format macro inside a msgid cuts it short for xgettext: the size
     * goes in as text. */
    g_autofree gchar *free_text = g_strdup_printf ("%" G_GINT64_FORMAT, bytes_free);

    rein_cli_print (g_dngettext (GETTEXT_PACKAGE, "“%s” has %u bucket on %s (%s bytes free).",
                                 "“%s” has %u buckets on %s (%s bytes free).", buckets->len),
                    rein_identity_get_name (identity), buckets->len, url, free_text);
  }
  rein_cli_print ("%s", _("Run “rein-cli sync” to put your documents there."));
  return REIN_CLI_EXIT_OK;
}

/* ---- sync ---- */

static int
run_sync (const ReinCliCommand *command, int argc, char **argv)
{
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinStore) store = NULL;
  g_autoptr (ReinSession) session = NULL;
  g_autoptr (ReinPrivateKey) delegate = NULL;
  g_autoptr (GPtrArray) results = NULL;
  ReinIdentity *identity;
  guint ok;
  int status;

  if (!rein_cli_parse_options (command, NULL, argc, argv, &args, &status))
    return status;
  store = rein_cli_open_store (&error);
  if (store == NULL)
    return rein_cli_fail (NULL, error);
  session = rein_cli_open_session (store);
  identity = rein_cli_session_identity (session, &error);
  if (identity == NULL)
    return rein_cli_fail (NULL, error);
  if (g_list_model_get_n_items (rein_session_get_servers (session)) == 0)
    {
      rein_cli_printerr (_("no server is known yet: add one with “rein-cli request URL”"));
      return REIN_CLI_EXIT_ERROR;
    }
  delegate = rein_cli_unlock_delegate (session, &error);
  if (delegate == NULL)
    return rein_cli_fail (NULL, error);
  results = rein_cli_push (session, delegate, &error);
  g_clear_pointer (&delegate, rein_private_key_free);
  if (results == NULL)
    return rein_cli_fail (NULL, error);
  ok = rein_cli_push_count_ok (results);

  if (rein_cli_globals.json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      rein_cli_json_string (builder, "identity", rein_identity_get_name (identity));
      rein_cli_push_to_json (builder, results);
      json_builder_end_object (builder);
      status = write_json (builder, FALSE);
      if (status != REIN_CLI_EXIT_OK)
        return status;
    }
  else
    for (guint i = 0; i < results->len; i++)
      {
        ReinSyncResult *r = g_ptr_array_index (results, i);

        if (r->error == NULL)
          rein_cli_print (_("%s: %u documents, %u put, %u there already"), r->url, r->total,
                          r->pushed, r->unchanged);
        else
          rein_cli_print (_("%s: failed after %u put: %s"), r->url, r->pushed, r->error);
      }
  if (ok < results->len)
    {
      rein_cli_printerr (_("sync: %u of %u servers failed; the next sync tries them again"),
                         results->len - ok, results->len);
      return REIN_CLI_EXIT_NETWORK;
    }
  return REIN_CLI_EXIT_OK;
}

/* ---- The group ---- */

static const ReinCliCommand account_commands[] = {
  {
    .name = "setup",
    .parameter_string = NULL,
    .summary = N_("Create, restore or import an identity"),
    .description = N_(
      "Without options, creates an identity from a new recovery phrase and prints\n"
      "the phrase once. --restore makes it again from its phrase, --import-keys from\n"
      "a master address and a delegate private key (the enrollment is then signed\n"
      "outside Rein with the master key), --import-backup from a backup file.\n"
      "\n"
      "Form labels (--defaults FILE): Name, Contact, Willing to mediate (True or\n"
      "False), Mediator fee (percent), Testnet (True or False; default: the\n"
      "testnet mode). The keys file of --import-keys holds the master address and\n"
      "the delegate private key (WIF), separated by white space.\n"
      "\n"
      "The new identity becomes the active one. Its keys are sealed under the\n"
      "password (asked twice; or $REIN_PASSWORD, or --password-file). For tests\n"
      "only, REIN_TEST_SCRYPT_LOG2N=10 makes sealing fast (and weak)."),
    .min_args = 0,
    .max_args = 0,
    .global_options = TRUE,
    .run = run_setup,
  },
  {
    .name = "identities",
    .summary = N_("List the identities (* marks the active one)"),
    .min_args = 0,
    .max_args = 0,
    .global_options = TRUE,
    .run = run_identities,
  },
  {
    .name = "use",
    .parameter_string = N_("NAME"),
    .summary = N_("Make the identity NAME the active one"),
    .min_args = 1,
    .max_args = 1,
    .global_options = TRUE,
    .run = run_use,
  },
  {
    .name = "testnet",
    .parameter_string = N_("[true|false]"),
    .summary = N_("Show or set testnet mode"),
    .description = N_("Testnet mode is the network of new identities. Setting it also makes an\n"
                      "identity of that network the active one, when there is one."),
    .min_args = 0,
    .max_args = 1,
    .global_options = TRUE,
    .run = run_testnet,
  },
  {
    .name = "backup",
    .parameter_string = N_("[FILE|-]"),
    .summary = N_("Write an encrypted backup of the active identity"),
    .description = N_("Writes the identity, its enrollment and its keys, still sealed under the\n"
                      "password (which is checked), as JSON to FILE (mode 0600) or standard\n"
                      "output. “rein-cli setup --import-backup FILE” reads it back."),
    .min_args = 0,
    .max_args = 1,
    .global_options = TRUE,
    .run = run_backup,
  },
  {
    .name = "request",
    .parameter_string = N_("URL"),
    .summary = N_("Add a server and request storage on it for the active identity"),
    .min_args = 1,
    .max_args = 1,
    .global_options = TRUE,
    .exit_status = ACCOUNT_EXIT_STATUS,
    .run = run_request,
  },
  {
    .name = "sync",
    .summary = N_("Put the active identity’s documents on every server"),
    .description = N_("Checks every document of the active identity on every server, all\n"
                      "servers at once, and puts what is missing or different. A server that\n"
                      "fails does not stop the others; the next sync tries it again."),
    .min_args = 0,
    .max_args = 0,
    .global_options = TRUE,
    .exit_status = N_("Exit status: 0 when every server is in sync, 2 on a usage error or bad\n"
                      "input, 4 when some server failed."),
    .run = run_sync,
  },
  { NULL },
};

const ReinCliCommandGroup rein_cli_account_group = {
  .title = N_("Identities and servers:"),
  .commands = account_commands,
};
