/* test-cli-tools.c: rein-cli's tool commands, run as a user runs them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include "cli-test-util.h"

/* PROTOCOL.md section 1. */
#define PHRASE \
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
#define MASTER_MAINNET "14MeYsuF2HsKZZ9mkUUPUQWe4VG2WqseC5"
#define DELEGATE_MAINNET "1DWmeP5Lre1K59yJTYrJ4sT4Ch3ohPukWv"
#define DELEGATE_PUBLIC_KEY "037e34842c0a8a8833d60481f80d5c69c99290c60038f8c07a83b851e06fc60690"
#define MASTER_TESTNET "misbqvzDqKJaLfdPU3SmJKixvUrjNeYgL8"
#define DELEGATE_TESTNET "mt2iwSAKffSZrGSvB7pftnfP4geWb1znHy"

/* PROTOCOL.md section 5; addresses computed with python3-bitcoinlib. */
#define KEY_A "02f719f009fb8eb20ccdbfda7d38f378ed2f103ac0a6768df830740c6835c46519"
#define KEY_B "029fcafbe2dced6fe79865b265ea90387c5411658ca11449999d5020a9f67bb005"
#define KEY_C "026bc363139ebc1cad8e6eee402507d2b4874f5450585f1e6a1cd30a63ecdfc9dc"
#define SCRIPT_2OF3_ABC                                                                      \
  "522102f719f009fb8eb20ccdbfda7d38f378ed2f103ac0a6768df830740c6835c4651921029fcafbe2dced6f" \
  "e79865b265ea90387c5411658ca11449999d5020a9f67bb00521026bc363139ebc1cad8e6eee402507d2b48" \
  "74f5450585f1e6a1cd30a63ecdfc9dc53ae"
#define SCRIPT_MANDATORY_A_BC                                                                \
  "2102f719f009fb8eb20ccdbfda7d38f378ed2f103ac0a6768df830740c6835c46519ad5121029fcafbe2dced" \
  "6fe79865b265ea90387c5411658ca11449999d5020a9f67bb00521026bc363139ebc1cad8e6eee402507d2b" \
  "4874f5450585f1e6a1cd30a63ecdfc9dc52ae"
#define ADDRESS_2OF3_ABC_MAINNET "3KMFTQ23FqSHJ8AFGjFTM7AhpeKr8QypCd"
#define ADDRESS_2OF3_ABC_TESTNET "2NAuTX8x4sHwdVunnwrsKy49y2zY1usGL19"
#define ADDRESS_MANDATORY_A_BC_MAINNET "3BaYytaxskgQYUEuXFnmJ3DoGTRaGP217Z"
#define ADDRESS_MANDATORY_A_BC_TESTNET "2N38m3dWzVDBkkFsTCPQduzD4Uodk1moqLd"

/* The secret 0c28fca3... in its well-known forms. */
#define SECRET_HEX "0c28fca386c7a227600b2fe50b7cae11ec86d3bf1fbe471be89827e19d72aa1d"
#define WIF_COMPRESSED "KwdMAjGmerYanjeui5SHS7JkmpZvVipYvB2LJGU1ZxJwYvP98617"
#define WIF_UNCOMPRESSED "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"
#define WIF_TESTNET "cMzLdeGd5vEqxB8B6VFQoRopQ3sLAAvEzDAoQgvX54xwofSWj1fx"
#define ADDRESS_COMPRESSED "1LoVGDgRs9hTfTNJNuXKSpywcbdvwRXpmK"
#define ADDRESS_UNCOMPRESSED "1GAehh7TsJAHuUAeKZcXf5CnwuGuGgyX2S"
#define ADDRESS_TESTNET "n1KSZGmQgB8iSZqv6UVhGkCGUbEdw8Lm3Q"

#define BEGIN_MESSAGE "-----BEGIN BITCOIN SIGNED MESSAGE-----"
#define BEGIN_SIGNATURE "-----BEGIN SIGNATURE-----"
#define END_MESSAGE "-----END BITCOIN SIGNED MESSAGE-----"

/* ---- Helpers ---- */

static const gchar *
member_string (JsonObject *object, const gchar *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    g_error ("JSON member “%s” is missing or not a string", name);

  return json_node_get_string (node);
}

static JsonObject *
member_object (JsonObject *object, const gchar *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    g_error ("JSON member “%s” is missing or not an object", name);

  return json_node_get_object (node);
}

static gboolean
member_boolean (JsonObject *object, const gchar *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    g_error ("JSON member “%s” is missing or not a boolean", name);

  return json_node_get_boolean (node);
}

static gboolean
is_lower_hex (const gchar *str, gsize len)
{
  if (strlen (str) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isxdigit (str[i]) || g_ascii_isupper (str[i]))
        return FALSE;
    }
  return TRUE;
}

/* No form of the test key may show up where it was not asked for. */
static void
assert_no_secret (CliResult *result)
{
  const gchar *secrets[] = {
    WIF_COMPRESSED, WIF_UNCOMPRESSED, WIF_TESTNET, SECRET_HEX,
    /* a distinctive piece, to catch a key quoted with a typo */
    "MAjGmerYanjeui5SHS7Jkmp",
  };
  g_autofree gchar *out_lower = g_ascii_strdown (result->out, -1);
  g_autofree gchar *err_lower = g_ascii_strdown (result->err, -1);

  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    {
      g_assert_null (strstr (result->out, secrets[i]));
      g_assert_null (strstr (result->err, secrets[i]));
    }
  g_assert_null (strstr (out_lower, SECRET_HEX));
  g_assert_null (strstr (err_lower, SECRET_HEX));
}

static gchar *
read_file (const gchar *path, gsize *out_len)
{
  g_autoptr (GError) error = NULL;
  gchar *contents = NULL;

  g_file_get_contents (path, &contents, out_len, &error);
  g_assert_no_error (error);
  return contents;
}

static const gchar *
type_for_title (const gchar *title)
{
  static const struct
  {
    const gchar *title;
    const gchar *type;
  } types[] = {
    { "Rein User Enrollment", "enrollment" },
    { "Rein Job", "job_posting" },
    { "Rein Bid", "bid" },
    { "Rein Offer", "offer" },
    { "Rein Delivery", "delivery" },
    { "Rein Accept Delivery", "accept" },
    { "Rein Dispute Delivery", "creatordispute" },
    { "Rein Dispute Offer", "workerdispute" },
    { "Rein Dispute Resolution", "resolution" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      if (g_strcmp0 (types[i].title, title) == 0)
        return types[i].type;
    }
  return NULL;
}

/* What an armored text says, read here independently of rein-cli. */
typedef struct
{
  gchar **lines;
  guint signature_line; /* index of BEGIN SIGNATURE */
} Armor;

static void
armor_parse (Armor *armor, const gchar *text)
{
  armor->lines = g_strsplit (text, "\n", -1);
  armor->signature_line = 0;

  g_assert_cmpstr (armor->lines[0], ==, BEGIN_MESSAGE);
  for (guint i = 1; armor->lines[i] != NULL; i++)
    {
      if (g_strcmp0 (armor->lines[i], BEGIN_SIGNATURE) == 0)
        {
          armor->signature_line = i;
          break;
        }
    }
  g_assert_cmpuint (armor->signature_line, >=, 2);
}

static void
armor_clear (Armor *armor)
{
  g_clear_pointer (&armor->lines, g_strfreev);
}

/* A signed message without a Rein title (PROTOCOL.md section 2): type
 * "unknown", its label lines as fields, and, when it wraps a dash-escaped
 * signed message, "wrapped" describing that one, valid too. */
static void
assert_verified_unknown_json (JsonObject *object, const Armor *armor)
{
  JsonArray *fields = json_object_get_array_member (object, "fields");
  JsonNode *wrapped = json_object_get_member (object, "wrapped");
  gboolean wraps = FALSE;
  guint next = 0;

  g_assert_cmpstr (member_string (object, "type"), ==, "unknown");
  g_assert_nonnull (fields);
  g_assert_nonnull (wrapped);

  for (guint i = 1; i < armor->signature_line; i++)
    {
      const gchar *line = armor->lines[i];
      const gchar *colon = strstr (line, ": ");

      /* an escaped header, RFC 4880 style or as old Rein clients wrote it */
      if (g_str_has_prefix (line, "- ----BEGIN BITCOIN SIGNED MESSAGE-----")
          || g_str_has_prefix (line, "- -----BEGIN BITCOIN SIGNED MESSAGE-----"))
        wraps = TRUE;
      /* Lines of the wrapped message belong to it, not to this one. */
      if (wraps || colon == NULL)
        continue;

      {
        JsonArray *pair = json_array_get_array_element (fields, next++);
        g_autofree gchar *label = g_strndup (line, colon - line);

        g_assert_cmpstr (json_array_get_string_element (pair, 0), ==, label);
        g_assert_cmpstr (json_array_get_string_element (pair, 1), ==, colon + 2);
      }
    }
  g_assert_cmpuint (json_array_get_length (fields), ==, next);

  if (!wraps)
    {
      g_assert_true (JSON_NODE_HOLDS_NULL (wrapped));
      return;
    }

  /* Every wrapped level verifies, and the innermost wraps nothing. */
  for (JsonObject *inner = member_object (object, "wrapped");;
       inner = member_object (inner, "wrapped"))
    {
      g_assert_true (member_boolean (inner, "valid"));
      g_assert_false (json_object_has_member (inner, "error"));
      g_assert_cmpstr (member_string (inner, "signer"), !=, "");
      g_assert_cmpstr (member_string (inner, "type"), !=, "");
      g_assert_true (is_lower_hex (member_string (inner, "hash"), 64));
      if (json_object_get_null_member (inner, "wrapped"))
        break;
    }
}

/* Checks verify's JSON for a valid document against the armored text. */
static void
assert_verified_json (CliResult *result, const gchar *armored)
{
  g_autoptr (JsonNode) root = cli_result_get_json (result);
  JsonObject *object = json_node_get_object (root);
  g_autofree gchar *hash_full = NULL;
  g_autofree gchar *hash_trimmed = NULL;
  g_autofree gchar *trimmed = NULL;
  JsonArray *fields;
  const gchar *hash;
  Armor armor;

  armor_parse (&armor, armored);

  g_assert_true (member_boolean (object, "valid"));
  g_assert_false (json_object_has_member (object, "error"));
  g_assert_cmpstr (member_string (object, "signer"), ==, armor.lines[armor.signature_line + 1]);

  if (type_for_title (armor.lines[1]) == NULL)
    {
      assert_verified_unknown_json (object, &armor);
      armor_clear (&armor);
      return;
    }

  g_assert_cmpstr (member_string (object, "title"), ==, armor.lines[1]);
  g_assert_cmpstr (member_string (object, "type"), ==, type_for_title (armor.lines[1]));
  g_assert_true (json_object_get_null_member (object, "wrapped"));

  /* The SHA-256 of the armored text (with or without a final newline). */
  hash = member_string (object, "hash");
  g_assert_true (is_lower_hex (hash, 64));
  hash_full = g_compute_checksum_for_string (G_CHECKSUM_SHA256, armored, -1);
  trimmed = g_strchomp (g_strdup (armored));
  hash_trimmed = g_compute_checksum_for_string (G_CHECKSUM_SHA256, trimmed, -1);
  g_assert_true (g_strcmp0 (hash, hash_full) == 0 || g_strcmp0 (hash, hash_trimmed) == 0);

  /* Every field line, in order, split at the first ": ". */
  fields = json_object_get_array_member (object, "fields");
  g_assert_nonnull (fields);
  g_assert_cmpuint (json_array_get_length (fields), ==, armor.signature_line - 2);
  for (guint i = 2; i < armor.signature_line; i++)
    {
      JsonArray *pair = json_array_get_array_element (fields, i - 2);
      const gchar *line = armor.lines[i];
      const gchar *colon = strstr (line, ": ");
      g_autofree gchar *label = NULL;

      g_assert_nonnull (colon);
      label = g_strndup (line, colon - line);
      g_assert_cmpuint (json_array_get_length (pair), ==, 2);
      g_assert_cmpstr (json_array_get_string_element (pair, 0), ==, label);
      /* Values here hold no escapes. */
      if (strchr (colon + 2, '\\') == NULL)
        g_assert_cmpstr (json_array_get_string_element (pair, 1), ==, colon + 2);
    }

  armor_clear (&armor);
}

/* The value of the first field called @label in verify's JSON. */
static const gchar *
json_field (JsonObject *object, const gchar *label)
{
  JsonArray *fields = json_object_get_array_member (object, "fields");

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonArray *pair = json_array_get_array_element (fields, i);

      if (g_strcmp0 (json_array_get_string_element (pair, 0), label) == 0)
        return json_array_get_string_element (pair, 1);
    }
  return NULL;
}

/* ---- Help ---- */

static const gchar *const command_names[] = {
  "verify", "sign-message", "verify-message", "sign-document", "derive", "mnemonic", "escrow",
};

static void
test_help (void)
{
  g_autoptr (CliResult) help = cli_run (NULL, "--help", NULL);
  g_autoptr (CliResult) help_command = cli_run (NULL, "help", NULL);
  g_autoptr (CliResult) version = cli_run (NULL, "--version", NULL);
  g_autoptr (CliResult) none = cli_runv (NULL, -1, NULL);

  cli_assert_status (help, 0);
  g_assert_cmpstr (help->err, ==, "");
  g_assert_nonnull (strstr (help->out, "Usage:"));
  for (guint i = 0; i < G_N_ELEMENTS (command_names); i++)
    {
      g_autofree gchar *entry = g_strdup_printf ("\n  %s ", command_names[i]);

      g_assert_nonnull (strstr (help->out, entry));
    }

  cli_assert_status (help_command, 0);
  g_assert_cmpstr (help_command->out, ==, help->out);

  cli_assert_status (version, 0);
  g_assert_true (g_str_has_prefix (version->out, "rein-cli "));

  cli_assert_error (none);

  for (guint i = 0; i < G_N_ELEMENTS (command_names); i++)
    {
      g_autoptr (CliResult) long_help = cli_run (NULL, command_names[i], "--help", NULL);
      g_autoptr (CliResult) short_help = cli_run (NULL, command_names[i], "-h", NULL);
      g_autoptr (CliResult) help_of = cli_run (NULL, "help", command_names[i], NULL);
      g_autofree gchar *usage = g_strdup_printf ("rein-cli %s", command_names[i]);

      cli_assert_status (long_help, 0);
      g_assert_cmpstr (long_help->err, ==, "");
      g_assert_nonnull (strstr (long_help->out, "Usage:"));
      g_assert_nonnull (strstr (long_help->out, usage));
      g_assert_nonnull (strstr (long_help->out, "Exit status"));

      cli_assert_status (short_help, 0);
      g_assert_cmpstr (short_help->out, ==, long_help->out);
      cli_assert_status (help_of, 0);
      g_assert_cmpstr (help_of->out, ==, long_help->out);
    }
}

/* ---- verify ---- */

static void
test_verify_vectors (void)
{
  g_autoptr (GPtrArray) files = cli_signed_vectors ();

  if (files == NULL)
    return;

  for (guint i = 0; i < files->len; i++)
    {
      const gchar *path = g_ptr_array_index (files, i);
      g_autofree gchar *armored = read_file (path, NULL);
      g_autoptr (CliResult) from_file = cli_run (NULL, "verify", path, NULL);
      g_autoptr (CliResult) from_stdin = cli_run (armored, "verify", NULL);
      g_autoptr (CliResult) from_dash = cli_run (armored, "verify", "-", NULL);

      g_test_message ("verifying %s", path);
      cli_assert_status (from_file, 0);
      g_assert_cmpstr (from_file->err, ==, "");
      assert_verified_json (from_file, armored);

      cli_assert_status (from_stdin, 0);
      g_assert_cmpstr (from_stdin->out, ==, from_file->out);
      cli_assert_status (from_dash, 0);
      g_assert_cmpstr (from_dash->out, ==, from_file->out);
    }
}

/* Changes the last character of line @line of @text. */
static gchar *
tamper_line (const gchar *text, guint line)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  gsize len;

  g_assert_cmpuint (g_strv_length (lines), >, line);
  len = strlen (lines[line]);
  g_assert_cmpuint (len, >, 0);
  lines[line][len - 1] = lines[line][len - 1] == 'x' ? 'y' : 'x';

  return g_strjoinv ("\n", lines);
}

static void
assert_invalid_json (CliResult *result)
{
  g_autoptr (JsonNode) root = NULL;
  JsonObject *object;

  cli_assert_status (result, 1);
  root = cli_result_get_json (result);
  object = json_node_get_object (root);
  g_assert_false (member_boolean (object, "valid"));
  g_assert_cmpstr (member_string (object, "error"), !=, "");
  g_assert_true (json_object_has_member (object, "fields"));
}

static void
test_verify_tampered (void)
{
  g_autoptr (GPtrArray) files = cli_signed_vectors ();

  if (files == NULL)
    return;

  for (guint i = 0; i < files->len; i++)
    {
      const gchar *path = g_ptr_array_index (files, i);
      g_autofree gchar *armored = read_file (path, NULL);
      g_autofree gchar *body_tampered = NULL;
      g_autofree gchar *signature_tampered = NULL;
      g_autoptr (CliResult) body_result = NULL;
      g_autoptr (CliResult) signature_result = NULL;
      Armor armor;

      armor_parse (&armor, armored);

      /* The first field's value. */
      body_tampered = tamper_line (armored, 2);
      body_result = cli_run (body_tampered, "verify", NULL);
      assert_invalid_json (body_result);

      /* The signature, in the middle, where any change is still base64. */
      {
        g_auto (GStrv) lines = g_strdupv (armor.lines);
        gchar *signature = lines[armor.signature_line + 2];
        gsize mid = strlen (signature) / 2;

        signature[mid] = signature[mid] == 'A' ? 'B' : 'A';
        signature_tampered = g_strjoinv ("\n", lines);
      }
      signature_result = cli_run (signature_tampered, "verify", NULL);
      assert_invalid_json (signature_result);

      armor_clear (&armor);
    }
}

/* ---- sign-message and verify-message ---- */

static void
test_message_round_trip (void)
{
  g_autofree gchar *key = cli_write_tmp ("message-key", "  " WIF_COMPRESSED "\n\n", -1);
  g_autofree gchar *key_uncompressed = cli_write_tmp ("message-key-u", WIF_UNCOMPRESSED, -1);
  g_autofree gchar *message = cli_write_tmp ("message", "Hello, Rein!\n", -1);
  g_autofree gchar *other = cli_write_tmp ("message-other", "Hello, Rein?\n", -1);
  g_autoptr (CliResult) signed_result = NULL;
  g_autoptr (CliResult) signed_u = NULL;
  g_autofree gchar *signature = NULL;
  g_autofree gchar *signature_u = NULL;

  signed_result = cli_run (NULL, "sign-message", "--key-file", key, message, NULL);
  cli_assert_status (signed_result, 0);
  g_assert_cmpstr (signed_result->err, ==, "");
  assert_no_secret (signed_result);
  g_assert_cmpuint (strlen (signed_result->out), ==, 89);
  g_assert_true (g_str_has_suffix (signed_result->out, "=\n"));
  signature = g_strchomp (g_strdup (signed_result->out));

  {
    g_autoptr (CliResult) ok = cli_run (NULL, "verify-message", ADDRESS_COMPRESSED, signature,
                                        message, NULL);
    g_autoptr (CliResult) ok_stdin = cli_run ("Hello, Rein!\n", "verify-message",
                                              ADDRESS_COMPRESSED, signature, NULL);
    g_autoptr (CliResult) ok_testnet = cli_run (NULL, "verify-message", ADDRESS_TESTNET,
                                                signature, message, NULL);
    g_autoptr (CliResult) wrong_message = cli_run (NULL, "verify-message", ADDRESS_COMPRESSED,
                                                   signature, other, NULL);
    g_autoptr (CliResult) wrong_address = cli_run (NULL, "verify-message", ADDRESS_UNCOMPRESSED,
                                                   signature, message, NULL);
    g_autoptr (CliResult) no_newline = cli_run ("Hello, Rein!", "verify-message",
                                                ADDRESS_COMPRESSED, signature, "-", NULL);

    cli_assert_status (ok, 0);
    g_assert_cmpstr (ok->out, ==, "valid\n");
    cli_assert_status (ok_stdin, 0);
    /* Either network's form of the address names the same key. */
    cli_assert_status (ok_testnet, 0);
    cli_assert_status (wrong_message, 1);
    g_assert_cmpstr (wrong_message->out, ==, "invalid\n");
    cli_assert_status (wrong_address, 1);
    /* The message is the exact bytes: the newline counts. */
    cli_assert_status (no_newline, 1);
  }

  /* An uncompressed key signs for its uncompressed address only. */
  signed_u = cli_run (NULL, "sign-message", "--key-file", key_uncompressed, message, NULL);
  cli_assert_status (signed_u, 0);
  assert_no_secret (signed_u);
  signature_u = g_strchomp (g_strdup (signed_u->out));
  {
    g_autoptr (CliResult) ok = cli_run (NULL, "verify-message", ADDRESS_UNCOMPRESSED,
                                        signature_u, message, NULL);
    g_autoptr (CliResult) wrong = cli_run (NULL, "verify-message", ADDRESS_COMPRESSED,
                                           signature_u, message, NULL);

    cli_assert_status (ok, 0);
    cli_assert_status (wrong, 1);
  }
}

static void
test_message_exact_bytes (void)
{
  static const gchar binary[] = "line one\r\nline\0two\n\xff\xfe end";
  g_autofree gchar *key = cli_write_tmp ("bytes-key", WIF_COMPRESSED, -1);
  g_autofree gchar *message = cli_write_tmp ("bytes-message", binary, sizeof binary - 1);
  g_autofree gchar *empty = cli_write_tmp ("bytes-empty", "", 0);
  const gchar *cases[] = { message, empty };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (CliResult) signed_result = NULL;
      g_autoptr (CliResult) verified = NULL;
      g_autoptr (CliResult) key_on_stdin = NULL;
      g_autofree gchar *signature = NULL;

      signed_result = cli_run (NULL, "sign-message", "--key-file", key, cases[i], NULL);
      cli_assert_status (signed_result, 0);
      signature = g_strchomp (g_strdup (signed_result->out));

      verified = cli_run (NULL, "verify-message", ADDRESS_COMPRESSED, signature, cases[i], NULL);
      cli_assert_status (verified, 0);

      /* The key may come from standard input when the message does not. */
      key_on_stdin = cli_run (WIF_COMPRESSED "\n", "sign-message", "--key-file", "-",
                              cases[i], NULL);
      cli_assert_status (key_on_stdin, 0);
      assert_no_secret (key_on_stdin);
      {
        g_autofree gchar *signature2 = g_strchomp (g_strdup (key_on_stdin->out));
        g_autoptr (CliResult) verified2 = cli_run (NULL, "verify-message", ADDRESS_COMPRESSED,
                                                   signature2, cases[i], NULL);

        cli_assert_status (verified2, 0);
      }
    }

  /* From standard input too, NUL bytes and all. */
  {
    g_autoptr (CliResult) signed_result = NULL;
    g_autoptr (CliResult) verified = NULL;
    g_autofree gchar *signature = NULL;
    const gchar *args[] = { "sign-message", "--key-file", key, NULL };

    signed_result = cli_runv (binary, sizeof binary - 1, args);
    cli_assert_status (signed_result, 0);
    signature = g_strchomp (g_strdup (signed_result->out));
    verified = cli_run (NULL, "verify-message", ADDRESS_COMPRESSED, signature, message, NULL);
    cli_assert_status (verified, 0);
  }
}

/* ---- sign-document ---- */

#define JOB_BODY                                \
  "Rein Job\n"                                  \
  "Job name: Logo for a bakery\n"               \
  "Job ID: k3v9x0q2m8z1c7b5n4a6\n"              \
  "Category: Graphics\n"                        \
  "Description: A round logo, brown and gold\n" \
  "Mediator: Alice\n"                           \
  "Custom label: kept as it is"

static gchar *
sign_and_check (const gchar *key_path, const gchar *body, const gchar *signer)
{
  g_autoptr (CliResult) signed_result = NULL;
  g_autoptr (CliResult) verified = NULL;
  g_autofree gchar *doc_path = NULL;
  g_autoptr (JsonNode) root = NULL;
  Armor armor;

  signed_result = cli_run (body, "sign-document", "--key-file", key_path, NULL);
  cli_assert_status (signed_result, 0);
  g_assert_cmpstr (signed_result->err, ==, "");
  assert_no_secret (signed_result);

  g_assert_true (g_str_has_prefix (signed_result->out, BEGIN_MESSAGE "\n"));
  g_assert_true (g_str_has_suffix (signed_result->out, END_MESSAGE "\n"));
  {
    g_autofree gchar *chomped = g_strchomp (g_strdup (body));
    g_autofree gchar *expected = g_strdup_printf ("%s\n%s\n%s\n%s\n", BEGIN_MESSAGE, chomped,
                                                  BEGIN_SIGNATURE, signer);

    g_assert_true (g_str_has_prefix (signed_result->out, expected));
  }

  armor_parse (&armor, signed_result->out);
  g_assert_cmpstr (armor.lines[armor.signature_line + 1], ==, signer);
  armor_clear (&armor);

  doc_path = cli_write_tmp ("signed-document", signed_result->out, -1);
  verified = cli_run (NULL, "verify", doc_path, NULL);
  cli_assert_status (verified, 0);
  assert_verified_json (verified, signed_result->out);
  root = cli_result_get_json (verified);
  g_assert_cmpstr (member_string (json_node_get_object (root), "signer"), ==, signer);

  return g_strdup (verified->out);
}

static void
test_document_sign (void)
{
  g_autofree gchar *key = cli_write_tmp ("document-key", WIF_COMPRESSED "\n", -1);
  g_autofree gchar *key_testnet = cli_write_tmp ("document-key-t", WIF_TESTNET "\n", -1);
  g_autofree gchar *json = NULL;
  g_autofree gchar *json_newline = NULL;
  g_autofree gchar *json_testnet = NULL;

  json = sign_and_check (key, JOB_BODY, ADDRESS_COMPRESSED);
  /* Final line breaks of a file are not part of the document. */
  json_newline = sign_and_check (key, JOB_BODY "\n\n", ADDRESS_COMPRESSED);
  g_assert_cmpstr (json, ==, json_newline);

  /* The network follows the key. */
  json_testnet = sign_and_check (key_testnet, JOB_BODY, ADDRESS_TESTNET);

  /* From a file, with the key on standard input. */
  {
    g_autofree gchar *body = cli_write_tmp ("document-body", JOB_BODY "\n", -1);
    g_autoptr (CliResult) result = cli_run (WIF_COMPRESSED, "sign-document", "--key-file", "-",
                                            body, NULL);

    cli_assert_status (result, 0);
    assert_no_secret (result);
    g_assert_true (g_str_has_suffix (result->out, END_MESSAGE "\n"));
  }
}

static void
test_document_enrollment (void)
{
  g_autofree gchar *key = cli_write_tmp ("enrollment-key", WIF_COMPRESSED, -1);
  g_autofree gchar *json = NULL;
  g_autoptr (CliResult) wrong = NULL;
  const gchar *body = "Rein User Enrollment\n"
                      "User: Test\n"
                      "Contact: test@example.com\n"
                      "Master signing address: " ADDRESS_COMPRESSED "\n"
                      "Delegate signing address: " ADDRESS_UNCOMPRESSED "\n"
                      "Willing to mediate: False";
  const gchar *wrong_body = "Rein User Enrollment\n"
                            "User: Test\n"
                            "Contact: test@example.com\n"
                            "Master signing address: " ADDRESS_UNCOMPRESSED "\n"
                            "Delegate signing address: " ADDRESS_COMPRESSED "\n"
                            "Willing to mediate: False";

  json = sign_and_check (key, body, ADDRESS_COMPRESSED);
  g_assert_nonnull (strstr (json, "\"enrollment\""));

  /* An enrollment must be signed by its master address: refused. */
  wrong = cli_run (wrong_body, "sign-document", "--key-file", key, NULL);
  cli_assert_error (wrong);
  assert_no_secret (wrong);
}

static void
test_document_multiline (void)
{
  g_autofree gchar *key = cli_write_tmp ("multiline-key", WIF_COMPRESSED, -1);
  g_autofree gchar *json = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *object;
  const gchar *body = "Rein Job\n"
                      "Job name: Two lines\n"
                      "Job ID: abcdefghij0123456789\n"
                      "Description: line one\\nline two with a \\\\ backslash";

  json = sign_and_check (key, body, ADDRESS_COMPRESSED);
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_field (object, "Description"), ==,
                   "line one\nline two with a \\ backslash");
  g_assert_cmpstr (json_field (object, "Job name"), ==, "Two lines");
}

/* ---- derive ---- */

/* Runs derive with up to two arguments; returns its JSON. */
static JsonNode *
derive (const gchar *input, const gchar *arg1, const gchar *arg2)
{
  const gchar *args[] = { "derive", arg1, arg2, NULL };
  g_autoptr (CliResult) result = NULL;

  result = cli_runv (input, -1, args);
  cli_assert_status (result, 0);
  g_assert_cmpstr (result->err, ==, "");

  return cli_result_get_json (result);
}

static void
assert_no_private_members (JsonObject *object)
{
  g_autoptr (GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    g_assert_null (strstr (l->data, "private"));
}

static void
test_derive_vector (void)
{
  g_autoptr (JsonNode) mainnet = derive (PHRASE "\n", NULL, NULL);
  g_autoptr (JsonNode) testnet = derive (PHRASE, "--testnet", NULL);
  JsonObject *m = json_node_get_object (mainnet);
  JsonObject *t = json_node_get_object (testnet);

  g_assert_cmpstr (member_string (m, "network"), ==, "mainnet");
  g_assert_cmpstr (member_string (m, "master_address"), ==, MASTER_MAINNET);
  g_assert_cmpstr (member_string (m, "delegate_address"), ==, DELEGATE_MAINNET);
  g_assert_cmpstr (member_string (m, "delegate_public_key"), ==, DELEGATE_PUBLIC_KEY);
  g_assert_true (is_lower_hex (member_string (m, "master_public_key"), 66));
  assert_no_private_members (m);

  g_assert_cmpstr (member_string (t, "network"), ==, "testnet");
  g_assert_cmpstr (member_string (t, "master_address"), ==, MASTER_TESTNET);
  g_assert_cmpstr (member_string (t, "delegate_address"), ==, DELEGATE_TESTNET);
  g_assert_cmpstr (member_string (t, "delegate_public_key"), ==, DELEGATE_PUBLIC_KEY);
  g_assert_cmpstr (member_string (t, "master_public_key"), ==,
                   member_string (m, "master_public_key"));
  assert_no_private_members (t);
}

static void
test_derive_normalized (void)
{
  g_autoptr (JsonNode) canonical = derive (PHRASE, NULL, NULL);
  g_autoptr (JsonNode) spaced = derive ("\n  Abandon\tabandon abandon  abandon abandon abandon\n"
                                        "abandon abandon abandon abandon abandon ABOUT \n\n",
                                        NULL, NULL);

  g_assert_true (json_node_equal (canonical, spaced));
}

static void
test_derive_show_private (void)
{
  const gchar *networks[] = { NULL, "--testnet" };

  for (guint n = 0; n < G_N_ELEMENTS (networks); n++)
    {
      const gchar *args_private[] = { "derive", "--show-private", networks[n], NULL };
      const gchar *args_public[] = { "derive", networks[n], NULL };
      g_autoptr (CliResult) with_keys = cli_runv (PHRASE, -1, args_private);
      g_autoptr (CliResult) without_keys = cli_runv (PHRASE, -1, args_public);
      g_autoptr (JsonNode) root = NULL;
      JsonObject *object;
      const gchar *wifs[2];
      const gchar *addresses[2];

      cli_assert_status (with_keys, 0);
      cli_assert_status (without_keys, 0);
      root = cli_result_get_json (with_keys);
      object = json_node_get_object (root);

      wifs[0] = member_string (object, "master_private_key");
      wifs[1] = member_string (object, "delegate_private_key");
      addresses[0] = member_string (object, "master_address");
      addresses[1] = member_string (object, "delegate_address");

      for (guint i = 0; i < 2; i++)
        {
          g_autofree gchar *key = cli_write_tmp ("derived-key", wifs[i], -1);
          g_autoptr (CliResult) signed_result = NULL;
          g_autoptr (CliResult) verified = NULL;
          g_autofree gchar *signature = NULL;

          /* Compressed WIFs: K or L on mainnet, c on testnet. */
          if (n == 0)
            g_assert_true (wifs[i][0] == 'K' || wifs[i][0] == 'L');
          else
            g_assert_true (wifs[i][0] == 'c');
          g_assert_cmpuint (strlen (wifs[i]), ==, 52);

          /* Never printed without --show-private. */
          g_assert_null (strstr (without_keys->out, wifs[i]));
          g_assert_null (strstr (without_keys->err, wifs[i]));
          g_assert_null (strstr (with_keys->err, wifs[i]));

          /* The WIF is the key of the address printed beside it. */
          signed_result = cli_run ("Rein", "sign-message", "--key-file", key, NULL);
          cli_assert_status (signed_result, 0);
          g_assert_null (strstr (signed_result->out, wifs[i]));
          signature = g_strchomp (g_strdup (signed_result->out));
          verified = cli_run ("Rein", "verify-message", addresses[i], signature, NULL);
          cli_assert_status (verified, 0);
        }
    }
}

static void
test_derive_passphrase (void)
{
  g_autofree gchar *plain = cli_write_tmp ("passphrase", "TREZOR", -1);
  g_autofree gchar *with_newline = cli_write_tmp ("passphrase-nl", "TREZOR\n", -1);
  g_autofree gchar *empty = cli_write_tmp ("passphrase-empty", "", 0);
  g_autoptr (JsonNode) none = derive (PHRASE, NULL, NULL);
  g_autoptr (JsonNode) trezor = derive (PHRASE, "--passphrase-file", plain);
  g_autoptr (JsonNode) trezor_nl = derive (PHRASE, "--passphrase-file", with_newline);
  g_autoptr (JsonNode) trezor_again = derive (PHRASE, "-p", plain);
  g_autoptr (JsonNode) empty_passphrase = derive (PHRASE, "--passphrase-file", empty);
  JsonObject *object = json_node_get_object (trezor);

  g_assert_true (json_node_equal (trezor, trezor_nl));
  g_assert_true (json_node_equal (trezor, trezor_again));
  g_assert_false (json_node_equal (trezor, none));
  /* An empty passphrase is no passphrase (BIP39). */
  g_assert_true (json_node_equal (empty_passphrase, none));

  g_assert_true (g_str_has_prefix (member_string (object, "master_address"), "1"));
  g_assert_cmpstr (member_string (object, "master_address"), !=, MASTER_MAINNET);
  g_assert_true (is_lower_hex (member_string (object, "delegate_public_key"), 66));
  assert_no_private_members (object);
}

/* From a terminal: a prompt, and the phrase is not echoed. */
static void
test_derive_terminal (void)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GBytes) out_bytes = NULL;
  g_autoptr (GBytes) err_bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) prompt = g_string_new (NULL);
  g_autoptr (GString) echoed = g_string_new (NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  const gchar *argv[] = { g_getenv ("REIN_CLI"), "derive", NULL };
  const gchar *line = PHRASE "\n";
  GInputStream *err_stream;
  JsonObject *object;
  gchar buf[256];
  int master, slave;

  master = posix_openpt (O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt (master) != 0 || unlockpt (master) != 0)
    {
      g_test_skip ("no pseudo-terminal");
      if (master >= 0)
        close (master);
      return;
    }
  slave = open (ptsname (master), O_RDWR | O_NOCTTY);
  g_assert_cmpint (slave, >=, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_take_stdin_fd (launcher, slave);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  /* The prompt comes once echo is off. */
  err_stream = g_subprocess_get_stderr_pipe (process);
  while (!g_str_has_suffix (prompt->str, ": "))
    {
      gssize n = g_input_stream_read (err_stream, buf, sizeof buf, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (prompt, buf, n);
    }
  g_assert_cmpstr (prompt->str, ==, "Recovery phrase: ");

  g_assert_cmpint (write (master, line, strlen (line)), ==, strlen (line));
  g_subprocess_communicate (process, NULL, NULL, &out_bytes, &err_bytes, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  json_parser_load_from_data (parser, g_bytes_get_data (out_bytes, NULL),
                              g_bytes_get_size (out_bytes), &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (member_string (object, "delegate_address"), ==, DELEGATE_MAINNET);

  /* What the terminal showed: a line break at most, never the words. */
  g_unix_set_fd_nonblocking (master, TRUE, NULL);
  for (;;)
    {
      gssize n = read (master, buf, sizeof buf);

      if (n <= 0)
        break;
      g_string_append_len (echoed, buf, n);
    }
  g_assert_null (strstr (echoed->str, "abandon"));

  close (master);
}

/* ---- mnemonic ---- */

static void
assert_valid_phrase (const gchar *out, guint n_words)
{
  g_autofree gchar *phrase = g_strchomp (g_strdup (out));
  g_auto (GStrv) words = g_strsplit (phrase, " ", -1);
  g_autoptr (CliResult) derived = NULL;

  g_assert_true (g_str_has_suffix (out, "\n"));
  g_assert_cmpuint (g_strv_length (words), ==, n_words);
  for (guint i = 0; words[i] != NULL; i++)
    {
      g_assert_cmpuint (strlen (words[i]), >=, 3);
      g_assert_cmpuint (strlen (words[i]), <=, 8);
      for (const gchar *c = words[i]; *c != '\0'; c++)
        g_assert_true (*c >= 'a' && *c <= 'z');
    }

  /* derive checks every word and the checksum. */
  derived = cli_run (out, "derive", NULL);
  cli_assert_status (derived, 0);
}

static void
test_mnemonic (void)
{
  g_autoptr (CliResult) first = cli_run (NULL, "mnemonic", NULL);
  g_autoptr (CliResult) second = cli_run (NULL, "mnemonic", NULL);
  g_autoptr (CliResult) long_phrase = cli_run (NULL, "mnemonic", "--words", "24", NULL);
  g_autofree gchar *checked = NULL;

  cli_assert_status (first, 0);
  cli_assert_status (second, 0);
  g_assert_cmpstr (first->err, ==, "");
  assert_valid_phrase (first->out, 12);
  assert_valid_phrase (second->out, 12);
  g_assert_cmpstr (first->out, !=, second->out);

  cli_assert_status (long_phrase, 0);
  assert_valid_phrase (long_phrase->out, 24);

  /* A second opinion from python3-mnemonic, when it is there. */
  checked = cli_run_python ("import sys\n"
                            "try:\n"
                            "  from mnemonic import Mnemonic\n"
                            "except ImportError:\n"
                            "  print('absent'); sys.exit(0)\n"
                            "m = Mnemonic('english')\n"
                            "print(all(m.check(l.strip()) for l in sys.stdin))\n",
                            first->out, NULL);
  if (checked != NULL && g_strcmp0 (checked, "absent\n") != 0)
    g_assert_cmpstr (checked, ==, "True\n");
}

/* ---- escrow ---- */

static JsonNode *
escrow (const gchar *creator, const gchar *mediator, const gchar *worker, gboolean testnet)
{
  const gchar *mainnet_args[] = { "escrow", creator, mediator, worker, NULL };
  const gchar *testnet_args[] = { "escrow", "--testnet", creator, mediator, worker, NULL };
  g_autoptr (CliResult) result = NULL;

  result = cli_runv (NULL, -1, testnet ? testnet_args : mainnet_args);
  cli_assert_status (result, 0);
  g_assert_cmpstr (result->err, ==, "");

  return cli_result_get_json (result);
}

static void
test_escrow_vectors (void)
{
  /* Primary: 2-of-3 of (creator, mediator, worker) = (A, B, C). */
  g_autoptr (JsonNode) abc = escrow (KEY_A, KEY_B, KEY_C, FALSE);
  /* Mediator escrow: mediator A mandatory, then (creator, worker) = (B, C). */
  g_autoptr (JsonNode) bac = escrow (KEY_B, KEY_A, KEY_C, FALSE);
  g_autoptr (JsonNode) abc_upper = NULL;
  JsonObject *primary = member_object (json_node_get_object (abc), "primary");
  JsonObject *mediator_abc = member_object (json_node_get_object (abc), "mediator");
  JsonObject *mediator = member_object (json_node_get_object (bac), "mediator");
  g_autofree gchar *upper_a = g_ascii_strup (KEY_A, -1);
  g_autofree gchar *upper_b = g_ascii_strup (KEY_B, -1);
  g_autofree gchar *upper_c = g_ascii_strup (KEY_C, -1);

  g_assert_cmpstr (member_string (json_node_get_object (abc), "network"), ==, "mainnet");
  g_assert_cmpstr (member_string (primary, "redeem_script"), ==, SCRIPT_2OF3_ABC);
  g_assert_cmpstr (member_string (primary, "address"), ==, ADDRESS_2OF3_ABC_MAINNET);
  g_assert_true (g_str_has_prefix (member_string (primary, "asm"), "OP_2 "));
  g_assert_true (g_str_has_suffix (member_string (primary, "asm"), "OP_CHECKMULTISIG"));

  g_assert_cmpstr (member_string (mediator, "redeem_script"), ==, SCRIPT_MANDATORY_A_BC);
  g_assert_cmpstr (member_string (mediator, "address"), ==, ADDRESS_MANDATORY_A_BC_MAINNET);

  /* With (A, B, C) the mediator B is mandatory, then A and C. */
  g_assert_cmpstr (member_string (mediator_abc, "redeem_script"), ==,
                   "21" KEY_B "ad51" "21" KEY_A "21" KEY_C "52ae");
  g_assert_true (g_str_has_prefix (member_string (mediator_abc, "address"), "3"));

  /* Keys in upper case are the same keys. */
  abc_upper = escrow (upper_a, upper_b, upper_c, FALSE);
  g_assert_true (json_node_equal (abc, abc_upper));
}

static void
test_escrow_testnet (void)
{
  g_autoptr (JsonNode) abc = escrow (KEY_A, KEY_B, KEY_C, TRUE);
  g_autoptr (JsonNode) bac = escrow (KEY_B, KEY_A, KEY_C, TRUE);
  JsonObject *primary = member_object (json_node_get_object (abc), "primary");
  JsonObject *mediator = member_object (json_node_get_object (bac), "mediator");

  g_assert_cmpstr (member_string (json_node_get_object (abc), "network"), ==, "testnet");
  g_assert_cmpstr (member_string (primary, "redeem_script"), ==, SCRIPT_2OF3_ABC);
  g_assert_cmpstr (member_string (primary, "address"), ==, ADDRESS_2OF3_ABC_TESTNET);
  g_assert_cmpstr (member_string (mediator, "redeem_script"), ==, SCRIPT_MANDATORY_A_BC);
  g_assert_cmpstr (member_string (mediator, "address"), ==, ADDRESS_MANDATORY_A_BC_TESTNET);
}

/* ---- Bad input ---- */

typedef struct
{
  const gchar *name;
  const gchar *input; /* standard input; "@name@" takes a file's contents */
  const gchar *args[8];
} BadInput;

#define SOME_SIGNATURE \
  "H1+txkpc6vXvncLrELwVVowfr64cwoOsV/pTQ+mNTiMuCYBFdCr1pAIyv/L5rFbpNDRC019aVxS6UVl6kRF4umE="
/* 64 bytes of base64: one byte short. */
#define SHORT_SIGNATURE \
  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="

static const BadInput bad_inputs[] = {
  /* verify */
  { "verify garbage", NULL, { "verify", "@garbage@" } },
  { "verify empty file", NULL, { "verify", "@empty@" } },
  { "verify empty stdin", "", { "verify" } },
  { "verify plain text", NULL, { "verify", "@text@" } },
  { "verify body without armor", NULL, { "verify", "@body@" } },
  { "verify truncated armor", NULL, { "verify", "@truncated@" } },
  { "verify NUL byte", NULL, { "verify", "@nul-document@" } },
  { "verify document over 8192 bytes", NULL, { "verify", "@large-document@" } },
  { "verify input over 1 MiB", NULL, { "verify", "@huge@" } },
  { "verify input over 1 MiB on stdin", "@huge@", { "verify" } },
  { "verify missing file", NULL, { "verify", "/nonexistent/rein/document" } },
  { "verify folder", NULL, { "verify", "@dir@" } },
  { "verify two files", NULL, { "verify", "@text@", "@text@" } },
  { "verify unknown option", NULL, { "verify", "--frobnicate" } },
  /* sign-message */
  { "sign-message without key", NULL, { "sign-message", "@message@" } },
  { "sign-message missing key file", NULL,
    { "sign-message", "--key-file", "/nonexistent/key", "@message@" } },
  { "sign-message key garbage", NULL,
    { "sign-message", "--key-file", "@key-garbage@", "@message@" } },
  { "sign-message key bad checksum", NULL,
    { "sign-message", "--key-file", "@key-bad-checksum@", "@message@" } },
  { "sign-message key empty", NULL, { "sign-message", "--key-file", "@key-empty@", "@message@" } },
  { "sign-message key too large", NULL,
    { "sign-message", "--key-file", "@key-large@", "@message@" } },
  { "sign-message key NUL", NULL, { "sign-message", "--key-file", "@key-nul@", "@message@" } },
  { "sign-message key twice", NULL, { "sign-message", "--key-file", "@key-twice@", "@message@" } },
  { "sign-message key and message on stdin", WIF_COMPRESSED,
    { "sign-message", "--key-file", "-" } },
  { "sign-message message over 1 MiB", NULL, { "sign-message", "--key-file", "@key@", "@huge@" } },
  { "sign-message missing message", NULL,
    { "sign-message", "--key-file", "@key@", "/nonexistent/message" } },
  { "sign-message key option without value", NULL, { "sign-message", "--key-file" } },
  /* verify-message */
  { "verify-message bad address", NULL,
    { "verify-message", "1BadAddressBadAddress", SOME_SIGNATURE, "@message@" } },
  { "verify-message address checksum", NULL,
    { "verify-message", "1LoVGDgRs9hTfTNJNuXKSpywcbdvwRXpmL", SOME_SIGNATURE, "@message@" } },
  { "verify-message script address", NULL,
    { "verify-message", ADDRESS_2OF3_ABC_MAINNET, SOME_SIGNATURE, "@message@" } },
  { "verify-message bad base64", NULL,
    { "verify-message", ADDRESS_COMPRESSED, "not*base64!", "@message@" } },
  { "verify-message base64 padding inside", NULL,
    { "verify-message", ADDRESS_COMPRESSED, "AA==AAAA", "@message@" } },
  { "verify-message short signature", NULL,
    { "verify-message", ADDRESS_COMPRESSED, SHORT_SIGNATURE, "@message@" } },
  { "verify-message empty signature", NULL,
    { "verify-message", ADDRESS_COMPRESSED, "", "@message@" } },
  { "verify-message missing arguments", NULL, { "verify-message", ADDRESS_COMPRESSED } },
  { "verify-message too many arguments", NULL,
    { "verify-message", ADDRESS_COMPRESSED, SOME_SIGNATURE, "@message@", "@message@" } },
  { "verify-message missing file", NULL,
    { "verify-message", ADDRESS_COMPRESSED, SOME_SIGNATURE, "/nonexistent/message" } },
  /* sign-document */
  { "sign-document without key", JOB_BODY, { "sign-document" } },
  { "sign-document plain text", NULL, { "sign-document", "--key-file", "@key@", "@text@" } },
  { "sign-document empty", NULL, { "sign-document", "--key-file", "@key@", "@empty@" } },
  { "sign-document only newlines", "\n\n", { "sign-document", "--key-file", "@key@" } },
  { "sign-document armored input", NULL,
    { "sign-document", "--key-file", "@key@", "@truncated@" } },
  { "sign-document over 8192 bytes", NULL,
    { "sign-document", "--key-file", "@key@", "@large-body@" } },
  { "sign-document NUL byte", NULL, { "sign-document", "--key-file", "@key@", "@nul-body@" } },
  { "sign-document bad key", JOB_BODY, { "sign-document", "--key-file", "@key-bad-checksum@" } },
  /* derive */
  { "derive nothing", "", { "derive" } },
  { "derive blank", " \n\t\n", { "derive" } },
  { "derive unknown word", "abandon abandon abandon abandon abandon abandon abandon abandon "
                           "abandon abandon abandon zzzzz", { "derive" } },
  { "derive long word", "abandon abandon abandon abandon abandon abandon abandon abandon "
                        "abandon abandon abandon aboutaboutaboutabout", { "derive" } },
  { "derive bad checksum", "abandon abandon abandon abandon abandon abandon abandon abandon "
                           "abandon abandon abandon abandon", { "derive" } },
  { "derive eleven words", "abandon abandon abandon abandon abandon abandon abandon abandon "
                           "abandon abandon about", { "derive" } },
  { "derive thirteen words", PHRASE " abandon", { "derive" } },
  { "derive too large", "@key-large@", { "derive" } },
  { "derive NUL byte", "@key-nul@", { "derive" } },
  { "derive passphrase on stdin", PHRASE, { "derive", "--passphrase-file", "-" } },
  { "derive missing passphrase file", PHRASE, { "derive", "--passphrase-file", "/nonexistent/p" } },
  { "derive passphrase not UTF-8", PHRASE, { "derive", "--passphrase-file", "@not-utf8@" } },
  { "derive argument", PHRASE, { "derive", "extra" } },
  { "derive phrase as argument", NULL, { "derive", "abandon", "about" } },
  /* mnemonic */
  { "mnemonic argument", NULL, { "mnemonic", "extra" } },
  { "mnemonic 13 words", NULL, { "mnemonic", "--words", "13" } },
  { "mnemonic 27 words", NULL, { "mnemonic", "--words", "27" } },
  { "mnemonic words not a number", NULL, { "mnemonic", "--words", "twelve" } },
  /* escrow */
  { "escrow bad hex", NULL, { "escrow", "zz" KEY_A, KEY_B, KEY_C } },
  { "escrow odd hex", NULL, { "escrow", KEY_A, KEY_B "0", KEY_C } },
  { "escrow empty key", NULL, { "escrow", KEY_A, KEY_B, "" } },
  { "escrow 32-byte key", NULL,
    { "escrow", KEY_A, KEY_B,
      "6bc363139ebc1cad8e6eee402507d2b4874f5450585f1e6a1cd30a63ecdfc9dc" } },
  { "escrow uncompressed key", NULL,
    { "escrow",
      "04d0de0aaeaefad02b8bdc8a01a1b8b11c696bd3d66a2c5f10780d95b7df42645cd85228a6fb29940e858e7e5584"
      "2ae2bd115d1ed7cc0e82d934e929c97648cb0a",
      KEY_B, KEY_C } },
  { "escrow key off the curve", NULL,
    { "escrow", KEY_A,
      "02ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", KEY_C } },
  { "escrow bad prefix", NULL,
    { "escrow", KEY_A, KEY_B,
      "056bc363139ebc1cad8e6eee402507d2b4874f5450585f1e6a1cd30a63ecdfc9dc" } },
  { "escrow two keys", NULL, { "escrow", KEY_A, KEY_B } },
  { "escrow four keys", NULL, { "escrow", KEY_A, KEY_B, KEY_C, KEY_A } },
  /* the program */
  { "no command", NULL, { NULL } },
  { "unknown command", NULL, { "frobnicate" } },
  { "unknown option", NULL, { "--frobnicate" } },
  { "help for an unknown command", NULL, { "help", "frobnicate" } },
};

typedef struct
{
  const gchar *name;
  gchar *contents;
  gsize len;
  gchar *path;
} BadFile;

static void
bad_file_add (GArray *files, const gchar *name, gchar *contents, gssize len)
{
  BadFile file = { name, contents, len < 0 ? strlen (contents) : (gsize) len, NULL };
  g_autofree gchar *file_name = g_strdup_printf ("bad-%s", name);

  file.path = cli_write_tmp (file_name, contents, file.len);
  g_array_append_val (files, file);
}

static void
bad_file_clear (gpointer data)
{
  BadFile *file = data;

  g_free (file->contents);
  g_free (file->path);
}

static const BadFile *
bad_file_find (GArray *files, const gchar *token)
{
  for (guint i = 0; i < files->len; i++)
    {
      const BadFile *file = &g_array_index (files, BadFile, i);
      g_autofree gchar *wanted = g_strdup_printf ("@%s@", file->name);

      if (g_strcmp0 (wanted, token) == 0)
        return file;
    }

  g_error ("no bad-input file %s", token);
}

static GArray *
make_bad_files (void)
{
  GArray *files = g_array_new (FALSE, TRUE, sizeof (BadFile));
  g_autoptr (GString) large_body = g_string_new ("Rein Job\nJob name: Large\nDescription: ");
  gchar *garbage = g_malloc (2048);
  gchar *huge = g_malloc (1024 * 1024 + 1);
  gchar *key_large = g_malloc (5000);
  static const gchar key_nul[] = "Kwd\0MAjGmerYanjeui5SHS7JkmpZvVipYvB2LJGU1ZxJwYvP98617";
  static const gchar nul_body[] = "Rein Job\nJob name: a\0b\nJob ID: abcdefghij0123456789";
  static const gchar nul_document[] =
    BEGIN_MESSAGE "\nRein Job\nJob name: a\0b\n" BEGIN_SIGNATURE "\n" ADDRESS_COMPRESSED
    "\n" SOME_SIGNATURE "\n" END_MESSAGE "\n";

  g_array_set_clear_func (files, bad_file_clear);

  for (gsize i = 0; i < 2048; i++)
    garbage[i] = (gchar) g_test_rand_int_range (0, 256);
  memset (huge, 'a', 1024 * 1024 + 1);
  memset (key_large, 'K', 5000);
  while (large_body->len < 9000)
    g_string_append (large_body, "0123456789");

  bad_file_add (files, "garbage", garbage, 2048);
  bad_file_add (files, "empty", g_strdup (""), 0);
  bad_file_add (files, "text", g_strdup ("hello world\n"), -1);
  bad_file_add (files, "body", g_strdup (JOB_BODY), -1);
  bad_file_add (files, "truncated", g_strdup (BEGIN_MESSAGE "\n" JOB_BODY "\n"), -1);
  bad_file_add (files, "nul-document", g_memdup2 (nul_document, sizeof nul_document - 1),
                sizeof nul_document - 1);
  bad_file_add (files, "large-document",
                g_strdup_printf ("%s\n%s\n%s\n%s\n%s\n%s\n", BEGIN_MESSAGE, large_body->str,
                                 BEGIN_SIGNATURE, ADDRESS_COMPRESSED, SOME_SIGNATURE,
                                 END_MESSAGE),
                -1);
  bad_file_add (files, "large-body", g_strdup (large_body->str), -1);
  bad_file_add (files, "nul-body", g_memdup2 (nul_body, sizeof nul_body - 1),
                sizeof nul_body - 1);
  bad_file_add (files, "huge", huge, 1024 * 1024 + 1);
  bad_file_add (files, "message", g_strdup ("hello"), -1);
  bad_file_add (files, "key", g_strdup (WIF_COMPRESSED "\n"), -1);
  bad_file_add (files, "key-garbage", g_strdup ("this is not a key\n"), -1);
  bad_file_add (files, "key-bad-checksum",
                g_strdup ("KwdMAjGmerYanjeui5SHS7JkmpZvVipYvB2LJGU1ZxJwYvP98618\n"), -1);
  bad_file_add (files, "key-empty", g_strdup ("\n"), -1);
  bad_file_add (files, "key-large", key_large, 5000);
  bad_file_add (files, "key-nul", g_memdup2 (key_nul, sizeof key_nul - 1), sizeof key_nul - 1);
  bad_file_add (files, "key-twice", g_strdup (WIF_COMPRESSED "\n" WIF_COMPRESSED "\n"), -1);
  bad_file_add (files, "not-utf8", g_strdup ("pass\xff\xfe"), -1);

  {
    BadFile dir = { "dir", NULL, 0, g_strdup (cli_tmp_dir ()) };
    g_array_append_val (files, dir);
  }

  return files;
}

static void
test_bad_input (void)
{
  g_autoptr (GArray) files = make_bad_files ();

  for (guint i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
    {
      const BadInput *bad = &bad_inputs[i];
      const gchar *args[G_N_ELEMENTS (bad->args) + 1] = { NULL };
      const gchar *input = bad->input;
      gssize input_len = -1;
      g_autoptr (CliResult) result = NULL;

      g_test_message ("bad input: %s", bad->name);

      for (guint a = 0; a < G_N_ELEMENTS (bad->args) && bad->args[a] != NULL; a++)
        {
          if (bad->args[a][0] == '@')
            args[a] = bad_file_find (files, bad->args[a])->path;
          else
            args[a] = bad->args[a];
        }
      if (input != NULL && input[0] == '@')
        {
          const BadFile *file = bad_file_find (files, input);

          input = file->contents;
          input_len = file->len;
        }

      result = cli_runv (input, input_len, args);
      cli_assert_error (result);
      assert_no_secret (result);
      g_assert_null (strstr (result->err, "KKKKKKKKKK"));
      g_assert_null (strstr (result->err, "abandon"));
    }
}

/* A signed message without a Rein title is read, as type "unknown", and
 * judged by its signature: this one does not verify (exit status 1). */
static void
test_verify_unknown (void)
{
  g_autoptr (CliResult) result = cli_run (BEGIN_MESSAGE "\nHello there\nFoo: bar\n"
                                          BEGIN_SIGNATURE "\n" ADDRESS_COMPRESSED "\n"
                                          SOME_SIGNATURE "\n" END_MESSAGE "\n",
                                          "verify", NULL);
  g_autoptr (JsonNode) root = NULL;
  JsonObject *object;

  assert_invalid_json (result);
  root = cli_result_get_json (result);
  object = json_node_get_object (root);
  g_assert_cmpstr (member_string (object, "type"), ==, "unknown");
  g_assert_cmpstr (member_string (object, "title"), ==, "Hello there");
  g_assert_cmpstr (json_field (object, "Foo"), ==, "bar");
  g_assert_true (json_object_get_null_member (object, "wrapped"));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/verify/vectors", test_verify_vectors);
  g_test_add_func ("/cli/verify/tampered", test_verify_tampered);
  g_test_add_func ("/cli/verify/unknown", test_verify_unknown);
  g_test_add_func ("/cli/message/round-trip", test_message_round_trip);
  g_test_add_func ("/cli/message/exact-bytes", test_message_exact_bytes);
  g_test_add_func ("/cli/document/sign", test_document_sign);
  g_test_add_func ("/cli/document/enrollment", test_document_enrollment);
  g_test_add_func ("/cli/document/multiline", test_document_multiline);
  g_test_add_func ("/cli/derive/vector", test_derive_vector);
  g_test_add_func ("/cli/derive/normalized", test_derive_normalized);
  g_test_add_func ("/cli/derive/show-private", test_derive_show_private);
  g_test_add_func ("/cli/derive/passphrase", test_derive_passphrase);
  g_test_add_func ("/cli/derive/terminal", test_derive_terminal);
  g_test_add_func ("/cli/mnemonic", test_mnemonic);
  g_test_add_func ("/cli/escrow/vectors", test_escrow_vectors);
  g_test_add_func ("/cli/escrow/testnet", test_escrow_testnet);
  g_test_add_func ("/cli/bad-input", test_bad_input);

  status = g_test_run ();
  cli_test_cleanup ();
  return status;
}
