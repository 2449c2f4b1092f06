/* rein-cli-tools.c: tools that need no identity or server: verify, sign,
 * derive keys, make recovery phrases, compute escrow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "rein-bitcoin.h"
#include "rein-document.h"

#include "rein-cli-private.h"

/* ---- Helpers ---- */

static const gchar *
network_to_string (ReinNetwork network)
{
  return network == REIN_NETWORK_TESTNET ? "testnet" : "mainnet";
}

static void
add_string_member (JsonBuilder *builder, const gchar *name, const gchar *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* Wipes a string json-glib copied into a node before the node goes. */
static void
wipe_string_member (JsonObject *object, const gchar *name)
{
  const gchar *value = json_object_get_string_member (object, name);

  if (value != NULL)
    rein_memwipe ((gchar *) value, strlen (value));
}

/* Reads the WIF private key in @path. The bitcoin layer's messages name
 * positions, never characters of the key: a key with a typo in it is still
 * a secret. */
static ReinPrivateKey *
load_key_file (const gchar *path, ReinNetwork *out_network, GError **error)
{
  g_autoptr (ReinCliSecret) wif = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree gchar *what = NULL;
  ReinPrivateKey *key;

  wif = rein_cli_read_secret (path, _("Private key (WIF): "), error);
  if (wif == NULL)
    return NULL;

  rein_cli_secret_strip (wif);
  what = rein_cli_describe_path (path);

  if (*wif == '\0')
    {
      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                   _("%s holds no private key"), what);
      return NULL;
    }

  key = rein_private_key_new_from_wif (wif, out_network, &local_error);
  if (key == NULL)
    g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                 "%s: %s", what, local_error->message);

  return key;
}

/* Both the key and the input cannot come from standard input. */
static gboolean
check_one_stdin (const gchar *key_file, const gchar *input, GError **error)
{
  if (rein_cli_path_is_stdin (key_file) && rein_cli_path_is_stdin (input))
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_USAGE,
                           _("the key and the input cannot both come from standard input"));
      return FALSE;
    }

  return TRUE;
}

/* ---- verify ---- */

/* Verifies @document and the messages it wraps, and describes each as a
 * JSON object: valid, signer, type, title, hash, fields, error (only when
 * invalid) and wrapped (the wrapped message's object, or null). TRUE when
 * every level verifies. */
static gboolean
verify_to_json (ReinDocument *document, JsonBuilder *builder)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *fields = rein_document_get_fields (document);
  ReinDocument *wrapped = rein_document_get_wrapped (document);
  gboolean valid = rein_document_verify (document, &error);
  gboolean all_valid = valid;

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "valid");
  json_builder_add_boolean_value (builder, valid);
  add_string_member (builder, "signer", rein_document_get_signer (document));
  add_string_member (builder, "type",
                     rein_document_type_to_name (rein_document_get_document_type (document)));
  add_string_member (builder, "title", rein_document_get_title (document));
  add_string_member (builder, "hash", rein_document_get_hash (document));

  json_builder_set_member_name (builder, "fields");
  json_builder_begin_array (builder);
  for (guint i = 0; fields != NULL && i < fields->len; i++)
    {
      const ReinField *field = g_ptr_array_index (fields, i);

      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, field->label);
      json_builder_add_string_value (builder, field->value);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);

  if (!valid)
    add_string_member (builder, "error",
                       error != NULL ? error->message : _("invalid document"));

  /* Nesting is bounded by REIN_DOCUMENT_MAX_NESTING, so is this recursion. */
  json_builder_set_member_name (builder, "wrapped");
  if (wrapped != NULL)
    all_valid = verify_to_json (wrapped, builder) && all_valid;
  else
    json_builder_add_null_value (builder);

  json_builder_end_object (builder);

  return all_valid;
}

static int
run_verify (const ReinCliCommand *command, int argc, char **argv)
{
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinDocument) document = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *input = NULL;
  gboolean valid;
  gsize len = 0;
  int status;

  if (!rein_cli_parse_options (command, NULL, argc, argv, &args, &status))
    return status;

  input = rein_cli_read_input (args[0], REIN_CLI_INPUT_MAX, &len, &error);
  if (input == NULL)
    return rein_cli_fail (NULL, error);

  /* Any signed message: the earliest enrollments have no title and
   * attestations wrap other documents. Only the market needs Rein types. */
  document = rein_document_new_from_armored_any (input, len, &error);
  if (document == NULL)
    return rein_cli_fail (_("not a signed document"), error);

  builder = json_builder_new ();
  valid = verify_to_json (document, builder);
  root = json_builder_get_root (builder);
  if (!rein_cli_write_json (root, FALSE, &error))
    return rein_cli_fail (NULL, error);

  return valid ? REIN_CLI_EXIT_OK : REIN_CLI_EXIT_INVALID;
}

/* What the two signing commands share: the key file is required, only one
 * of it and the input may come from standard input, then the input is read.
 * NULL with *@out_status set (and the error printed) on failure. */
static gchar *
read_input_to_sign (const ReinCliCommand *command,
                    const gchar *key_file,
                    const gchar *input,
                    gsize *out_len,
                    int *out_status)
{
  g_autoptr (GError) error = NULL;
  gchar *data;

  *out_status = REIN_CLI_EXIT_ERROR;
  if (key_file == NULL)
    {
      rein_cli_printerr (_("%s: --key-file is required"), command->name);
      return NULL;
    }
  if (!check_one_stdin (key_file, input, &error))
    {
      *out_status = rein_cli_fail (NULL, error);
      return NULL;
    }
  data = rein_cli_read_input (input, REIN_CLI_INPUT_MAX, out_len, &error);
  if (data == NULL)
    *out_status = rein_cli_fail (NULL, error);
  return data;
}

/* ---- sign-message ---- */

static int
run_sign_message (const ReinCliCommand *command, int argc, char **argv)
{
  g_autofree gchar *key_file = NULL;
  const GOptionEntry entries[] = {
    { "key-file", 'k', 0, G_OPTION_ARG_FILENAME, &key_file,
      N_("Read the WIF private key from KEYFILE (“-”: standard input)"), N_("KEYFILE") },
    { NULL },
  };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPrivateKey) key = NULL;
  g_autofree gchar *message = NULL;
  g_autofree gchar *signature = NULL;
  gsize len = 0;
  int status;

  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;

  message = read_input_to_sign (command, key_file, args[0], &len, &status);
  if (message == NULL)
    return status;

  key = load_key_file (key_file, NULL, &error);
  if (key == NULL)
    return rein_cli_fail (NULL, error);

  signature = rein_message_sign (key, message, len, &error);
  g_clear_pointer (&key, rein_private_key_free);
  if (signature == NULL)
    return rein_cli_fail (_("cannot sign"), error);

  if (!rein_cli_write_line (signature, &error))
    return rein_cli_fail (NULL, error);

  return REIN_CLI_EXIT_OK;
}

/* ---- verify-message ---- */

/* A signed-message signature is 65 bytes in base64. g_base64_decode()
 * skips characters it does not know, so check the text first. */
static gboolean
check_signature_encoding (const gchar *signature, GError **error)
{
  static const gchar alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  gsize len = strlen (signature);
  gsize body = strspn (signature, alphabet);
  gsize padding = strspn (signature + body, "=");

  if (len == 0 || len % 4 != 0 || body + padding != len || padding > 2)
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                           _("the signature is not valid base64"));
      return FALSE;
    }
  if (len / 4 * 3 - padding != REIN_COMPACT_SIGNATURE_LEN)
    {
      g_set_error_literal (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                           _("the signature is not 65 bytes long (a Bitcoin message signature)"));
      return FALSE;
    }

  return TRUE;
}

static int
run_verify_message (const ReinCliCommand *command, int argc, char **argv)
{
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *message = NULL;
  g_autofree gchar *signature = NULL;
  ReinAddressType type;
  ReinNetwork network;
  guint8 hash160[REIN_HASH160_LEN];
  const gchar *address;
  gsize len = 0;
  int status;

  if (!rein_cli_parse_options (command, NULL, argc, argv, &args, &status))
    return status;

  address = args[0];
  if (!rein_address_validate (address, &network, &type, hash160, &error))
    {
      rein_cli_printerr ("“%s”: %s", address, error->message);
      return REIN_CLI_EXIT_ERROR;
    }
  if (type != REIN_ADDRESS_P2PKH)
    {
      rein_cli_printerr (_("“%s” is a script address; only key addresses (P2PKH) sign messages"),
                         address);
      return REIN_CLI_EXIT_ERROR;
    }

  signature = g_strstrip (g_strdup (args[1]));
  if (!check_signature_encoding (signature, &error))
    return rein_cli_fail (NULL, error);

  message = rein_cli_read_input (args[2], REIN_CLI_INPUT_MAX, &len, &error);
  if (message == NULL)
    return rein_cli_fail (NULL, error);

  if (!rein_message_verify (address, signature, message, len, &error))
    {
      rein_cli_printerr (_("invalid signature: %s"), error->message);
      if (!rein_cli_write_line ("invalid", NULL))
        return REIN_CLI_EXIT_ERROR;
      return REIN_CLI_EXIT_INVALID;
    }

  if (!rein_cli_write_line ("valid", &error))
    return rein_cli_fail (NULL, error);

  return REIN_CLI_EXIT_OK;
}

/* ---- sign-document ---- */

static int
run_sign_document (const ReinCliCommand *command, int argc, char **argv)
{
  g_autofree gchar *key_file = NULL;
  const GOptionEntry entries[] = {
    { "key-file", 'k', 0, G_OPTION_ARG_FILENAME, &key_file,
      N_("Read the WIF private key from KEYFILE (“-”: standard input)"), N_("KEYFILE") },
    { NULL },
  };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinPrivateKey) key = NULL;
  g_autoptr (ReinDocument) document = NULL;
  g_autofree gchar *body = NULL;
  ReinNetwork network = REIN_NETWORK_MAINNET;
  const gchar *armored;
  gsize len = 0;
  int status;

  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;

  body = read_input_to_sign (command, key_file, args[0], &len, &status);
  if (body == NULL)
    return status;

  if (memchr (body, '\0', len) != NULL)
    {
      rein_cli_printerr (_("the document holds a NUL byte"));
      return REIN_CLI_EXIT_ERROR;
    }
  /* Editors end files with a newline; documents end without one. */
  while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == '\r'))
    body[--len] = '\0';
  if (len == 0)
    {
      rein_cli_printerr (_("the document is empty"));
      return REIN_CLI_EXIT_ERROR;
    }

  key = load_key_file (key_file, &network, &error);
  if (key == NULL)
    return rein_cli_fail (NULL, error);

  document = rein_document_new_signed (body, key, network, &error);
  g_clear_pointer (&key, rein_private_key_free);
  if (document == NULL)
    return rein_cli_fail (_("cannot sign the document"), error);

  /* Never hand out a document that readers would reject (an enrollment
   * signed by another key than its master address, for one). */
  if (!rein_document_verify (document, &error))
    return rein_cli_fail (_("the signed document would not verify"), error);

  armored = rein_document_get_armored (document);
  if (!rein_cli_write (armored, strlen (armored), &error))
    return rein_cli_fail (NULL, error);
  if (!g_str_has_suffix (armored, "\n") && !rein_cli_write ("\n", 1, &error))
    return rein_cli_fail (NULL, error);

  return REIN_CLI_EXIT_OK;
}

/* ---- derive ---- */

static int
run_derive (const ReinCliCommand *command, int argc, char **argv)
{
  gboolean testnet = FALSE;
  gboolean show_private = FALSE;
  g_autofree gchar *passphrase_file = NULL;
  const GOptionEntry entries[] = {
    { "testnet", 't', 0, G_OPTION_ARG_NONE, &testnet,
      N_("Give testnet addresses and keys"), NULL },
    { "passphrase-file", 'p', 0, G_OPTION_ARG_FILENAME, &passphrase_file,
      N_("Read the optional BIP39 passphrase from FILE"), N_("FILE") },
    { "show-private", 0, 0, G_OPTION_ARG_NONE, &show_private,
      N_("Also print the private keys (WIF)"), NULL },
    { NULL },
  };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinCliSecret) input = NULL;
  g_autoptr (ReinCliSecret) phrase = NULL;
  g_autoptr (ReinCliSecret) passphrase = NULL;
  g_autoptr (ReinPrivateKey) master = NULL;
  g_autoptr (ReinPrivateKey) delegate = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *master_address = NULL;
  g_autofree gchar *master_public_key = NULL;
  g_autofree gchar *delegate_address = NULL;
  g_autofree gchar *delegate_public_key = NULL;
  ReinNetwork network;
  gboolean ok;
  int status;

  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;

  network = testnet ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET;

  if (passphrase_file != NULL && rein_cli_path_is_stdin (passphrase_file))
    {
      rein_cli_printerr (_("derive: the passphrase cannot come from standard input, "
                           "which holds the recovery phrase"));
      return REIN_CLI_EXIT_ERROR;
    }

  input = rein_cli_read_secret ("-", _("Recovery phrase: "), &error);
  if (input == NULL)
    return rein_cli_fail (NULL, error);

  phrase = rein_cli_secret_new (&error);
  if (phrase == NULL)
    return rein_cli_fail (NULL, error);
  if (!rein_cli_normalize_phrase (input, phrase, &error))
    return rein_cli_fail (NULL, error);
  g_clear_pointer (&input, rein_cli_secret_free);

  if (!rein_bip39_validate (phrase, &error))
    {
      /* The library's message may quote words; say what is wrong instead. */
      if (g_error_matches (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_BAD_CHECKSUM))
        rein_cli_printerr (_("the recovery phrase’s checksum does not match "
                             "(a word may be mistyped or missing)"));
      else
        rein_cli_printerr (_("not a valid recovery phrase"));
      return REIN_CLI_EXIT_ERROR;
    }

  if (passphrase_file != NULL)
    {
      passphrase = rein_cli_load_passphrase (passphrase_file, &error);
      if (passphrase == NULL)
        return rein_cli_fail (NULL, error);
    }

  if (!rein_identity_keys_from_mnemonic (phrase, passphrase, &master, &delegate, &error))
    return rein_cli_fail (_("cannot derive the identity keys"), error);
  g_clear_pointer (&phrase, rein_cli_secret_free);
  g_clear_pointer (&passphrase, rein_cli_secret_free);

  master_address = rein_private_key_get_address (master, network);
  master_public_key = rein_private_key_get_public_key_hex (master);
  delegate_address = rein_private_key_get_address (delegate, network);
  delegate_public_key = rein_private_key_get_public_key_hex (delegate);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_string_member (builder, "network", network_to_string (network));
  add_string_member (builder, "master_address", master_address);
  add_string_member (builder, "master_public_key", master_public_key);
  add_string_member (builder, "delegate_address", delegate_address);
  add_string_member (builder, "delegate_public_key", delegate_public_key);
  if (show_private)
    {
      gchar *wif;

      wif = rein_private_key_to_wif (master, network);
      add_string_member (builder, "master_private_key", wif);
      rein_secure_free (wif);

      wif = rein_private_key_to_wif (delegate, network);
      add_string_member (builder, "delegate_private_key", wif);
      rein_secure_free (wif);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  g_clear_pointer (&master, rein_private_key_free);
  g_clear_pointer (&delegate, rein_private_key_free);

  ok = rein_cli_write_json (root, show_private, &error);

  if (show_private)
    {
      JsonObject *object = json_node_get_object (root);

      wipe_string_member (object, "master_private_key");
      wipe_string_member (object, "delegate_private_key");
    }

  if (!ok)
    return rein_cli_fail (NULL, error);

  return REIN_CLI_EXIT_OK;
}

/* ---- mnemonic ---- */

static int
run_mnemonic (const ReinCliCommand *command, int argc, char **argv)
{
  gint words = 12;
  const GOptionEntry entries[] = {
    { "words", 'w', 0, G_OPTION_ARG_INT, &words,
      N_("Number of words: 12 (the default), 15, 18, 21 or 24"), N_("N") },
    { NULL },
  };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  gchar *phrase;
  gboolean ok;
  int status;

  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;

  if (words < 12 || words > 24 || words % 3 != 0)
    {
      rein_cli_printerr (_("mnemonic: --words must be 12, 15, 18, 21 or 24"));
      return REIN_CLI_EXIT_ERROR;
    }

  /* Each three words carry 32 bits of entropy and one checksum bit. */
  phrase = rein_bip39_generate ((guint) words / 3 * 32);
  if (phrase == NULL)
    {
      rein_cli_printerr (_("cannot generate a recovery phrase"));
      return REIN_CLI_EXIT_ERROR;
    }

  ok = rein_cli_write_line (phrase, &error);
  rein_secure_free (phrase);

  if (!ok)
    return rein_cli_fail (NULL, error);

  return REIN_CLI_EXIT_OK;
}

/* ---- escrow ---- */

static gboolean
parse_escrow_key (const gchar *hex, const gchar *role, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  guint8 key[REIN_PUBKEY_UNCOMPRESSED_LEN];
  gsize len = 0;

  if (!rein_public_key_parse_hex (hex, key, &len, &local_error))
    {
      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                   _("the %s public key is not valid: %s"), role, local_error->message);
      return FALSE;
    }
  if (len != REIN_PUBKEY_COMPRESSED_LEN)
    {
      g_set_error (error, REIN_CLI_ERROR, REIN_CLI_ERROR_INVALID_INPUT,
                   _("the %s public key must be compressed (33 bytes, 66 hex digits)"), role);
      return FALSE;
    }

  return TRUE;
}

static void
add_script_member (JsonBuilder *builder,
                   const gchar *name,
                   const gchar *script_hex,
                   const gchar *address)
{
  g_autofree guint8 *script = NULL;
  g_autofree gchar *assembly = NULL;
  gsize len = 0;

  script = rein_hex_decode (script_hex, &len, NULL);
  if (script != NULL)
    assembly = rein_script_disassemble (script, len, NULL);

  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  add_string_member (builder, "redeem_script", script_hex);
  add_string_member (builder, "address", address);
  add_string_member (builder, "asm", assembly);
  json_builder_end_object (builder);
}

static int
run_escrow (const ReinCliCommand *command, int argc, char **argv)
{
  gboolean testnet = FALSE;
  const GOptionEntry entries[] = {
    { "testnet", 't', 0, G_OPTION_ARG_NONE, &testnet,
      N_("Give testnet addresses"), NULL },
    { NULL },
  };
  /* Translators: the three roles of a job, as in "the creator public key". */
  const gchar *roles[] = { N_("creator"), N_("mediator"), N_("worker") };
  g_auto (GStrv) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ReinEscrow) escrow = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonNode) root = NULL;
  ReinNetwork network;
  int status;

  if (!rein_cli_parse_options (command, entries, argc, argv, &args, &status))
    return status;

  network = testnet ? REIN_NETWORK_TESTNET : REIN_NETWORK_MAINNET;

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      if (!parse_escrow_key (args[i], _(roles[i]), &error))
        return rein_cli_fail (NULL, error);
    }

  escrow = rein_escrow_new (args[0], args[1], args[2], network, &error);
  if (escrow == NULL)
    return rein_cli_fail (_("cannot build the escrow scripts"), error);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_string_member (builder, "network", network_to_string (network));
  add_script_member (builder, "primary", escrow->primary_script_hex, escrow->primary_address);
  add_script_member (builder, "mediator", escrow->mediator_script_hex, escrow->mediator_address);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  if (!rein_cli_write_json (root, FALSE, &error))
    return rein_cli_fail (NULL, error);

  return REIN_CLI_EXIT_OK;
}

/* ---- The group ---- */

static const ReinCliCommand tool_commands[] = {
  {
    .name = "verify",
    .parameter_string = N_("[FILE|-]"),
    .summary = N_("Verify a signed Rein document"),
    .description = N_("Reads an armored document from FILE or standard input, checks its\n"
                      "signature and, for an enrollment, that its master address signed it.\n"
                      "Prints JSON: valid, signer, type, title, hash, fields (label and value\n"
                      "pairs in order), error (only when invalid) and wrapped.\n"
                      "\n"
                      "A signed message without a Rein title has type “unknown”: its title is\n"
                      "its first line unless that is a “Label: value” line (null then), and\n"
                      "its fields are its label lines. When its text wraps a dash-escaped\n"
                      "signed message (an attestation), that message is unescaped and\n"
                      "verified too, and “wrapped” describes it with the same members, down\n"
                      "to 4 levels; otherwise “wrapped” is null. “valid” is each message’s\n"
                      "own signature; the exit status is 0 only when every one verifies."),
    .min_args = 0,
    .max_args = 1,
    .checks = TRUE,
    .run = run_verify,
  },
  {
    .name = "sign-message",
    .parameter_string = N_("--key-file KEYFILE [FILE|-]"),
    .summary = N_("Sign a message with a private key"),
    .description = N_("Signs the exact bytes of FILE or standard input the way Bitcoin Core’s\n"
                      "signmessage does, with the WIF private key in KEYFILE, and prints the\n"
                      "base64 signature."),
    .min_args = 0,
    .max_args = 1,
    .run = run_sign_message,
  },
  {
    .name = "verify-message",
    .parameter_string = N_("ADDRESS SIGNATURE [FILE|-]"),
    .summary = N_("Verify a Bitcoin signed message"),
    .description = N_("Checks that SIGNATURE (base64) signs the exact bytes of FILE or standard\n"
                      "input with the key of ADDRESS. Prints “valid” (exit status 0) or\n"
                      "“invalid” (exit status 1)."),
    .min_args = 2,
    .max_args = 3,
    .checks = TRUE,
    .run = run_verify_message,
  },
  {
    .name = "sign-document",
    .parameter_string = N_("--key-file KEYFILE [FILE|-]"),
    .summary = N_("Sign a Rein document"),
    .description = N_("Reads a document body (a title line and “Label: value” lines) from FILE\n"
                      "or standard input, signs it with the WIF private key in KEYFILE and\n"
                      "prints the armored document. Final line breaks are dropped. The network\n"
                      "follows the key. Sign an enrollment with the master key, everything else\n"
                      "with the delegate key."),
    .min_args = 0,
    .max_args = 1,
    .run = run_sign_document,
  },
  {
    .name = "derive",
    .parameter_string = NULL,
    .summary = N_("Derive identity keys from a recovery phrase"),
    .description = N_("Reads a BIP39 recovery phrase from standard input and prints, as JSON,\n"
                      "the Rein identity it makes: the master key (m/0) and the delegate key\n"
                      "(m/1'/0), with their addresses and public keys. Private keys are left\n"
                      "out unless --show-private is given."),
    .min_args = 0,
    .max_args = 0,
    .run = run_derive,
  },
  {
    .name = "mnemonic",
    .parameter_string = NULL,
    .summary = N_("Generate a new recovery phrase"),
    .description = N_("Prints a new BIP39 English recovery phrase made from random bytes of the\n"
                      "system’s cryptographic generator."),
    .min_args = 0,
    .max_args = 0,
    .run = run_mnemonic,
  },
  {
    .name = "escrow",
    .parameter_string = N_("CREATOR_PK MEDIATOR_PK WORKER_PK"),
    .summary = N_("Compute the escrow scripts and addresses of a job"),
    .description = N_("Takes the compressed public keys (hex) of the job creator, the mediator\n"
                      "and the worker and prints, as JSON, the primary escrow (2-of-3 multisig)\n"
                      "and the mediator escrow (mediator plus creator or worker): redeem\n"
                      "script, P2SH address and script text."),
    .min_args = 3,
    .max_args = 3,
    .run = run_escrow,
  },
  { NULL },
};

const ReinCliCommandGroup rein_cli_tools_group = {
  .title = N_("Tools:"),
  .commands = tool_commands,
};
